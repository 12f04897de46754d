"""Unauthenticated faults on the HTTP endpoint: what anyone on the internet can send costs little,
is answered with a 4xx (never a 500 and a traceback), and does not fill the log."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading

import httpx
import pytest
from fakes.zalo_api import signature

from bot.channels.zalo_webhook import signed_timestamp
from bot.logs import RefusalLog


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def _chunks(total: int, size: int = 256 * 1024):
    block = b"x" * size
    sent = 0
    while sent < total:
        yield block
        sent += size


class PeakRss:
    """Samples this process's RSS in a thread while a block runs (the server shares our event loop)."""

    def __enter__(self) -> "PeakRss":
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.end = _rss_mb()


async def _post_chunked(client: httpx.AsyncClient, url: str, total: int) -> int:
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64, "content-type": "application/json"}
    try:
        return (await client.post(url, content=_chunks(total), headers=headers)).status_code
    except (httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError):
        return 413  # the server answered 413 and closed while we were still sending


async def test_a_chunked_400_mb_post_is_cut_at_the_budget(rig, zalo):
    url = rig.base_url + "/zalo/webhook"
    async with httpx.AsyncClient(timeout=60) as client:
        await _post_chunked(client, url, 2 * 1024 * 1024)  # warm-up
        with PeakRss() as rss:
            assert await _post_chunked(client, url, 400 * 1024 * 1024) == 413
    # reading the whole body first (the old way) peaked at +400 MB or more
    assert rss.peak - rss.start < 40, f"peak RSS +{rss.peak - rss.start:.1f} MB"
    assert (await rig.say("111", "help"))  # still serving


async def test_fifty_chunked_10_mb_posts_leave_memory_where_it_was(rig, zalo):
    url = rig.base_url + "/zalo/webhook"
    async with httpx.AsyncClient(timeout=60) as client:
        await _post_chunked(client, url, 2 * 1024 * 1024)  # warm-up: first-use allocations are not a leak
        with PeakRss() as rss:
            codes = [await _post_chunked(client, url, 10 * 1024 * 1024) for _ in range(50)]
    assert set(codes) == {413}
    # issue 12: within 20 MB of the start (a generous bound here; bench/bench_webhook_memory.py measures)
    assert rss.end - rss.start < 30 and rss.peak - rss.start < 40, (rss.start, rss.peak, rss.end)


async def test_a_deeply_nested_body_is_refused_without_a_traceback(rig, zalo, caplog):
    deep = b'{"timestamp": "1", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with caplog.at_level(logging.WARNING):
        response = await rig.post({}, mac="mac=" + "0" * 64, raw=deep)  # unsigned: never parsed
        assert response.status_code == 403
        ts = str(rig.hook.now_ms())
        signed = deep.replace(b'"1"', ts.encode(), 1)
        response = await rig.post({"timestamp": ts}, raw=signed)  # signed (a leaked key): parsed, refused
        assert response.status_code == 400
    assert not [r for r in caplog.records if r.exc_info]
    assert zalo.sent == []


async def test_a_signature_made_with_a_nested_timestamp_is_not_zalos(rig, zalo):
    body = rig.hook.text("111", "help")
    body["message"]["timestamp"] = "123"
    raw = json.dumps(body).encode()
    mac = signature(zalo.app_id, raw, "123", zalo.oa_secret_key)
    response = await rig.post(body, mac=mac, raw=raw)
    assert response.status_code == 403 and zalo.sent == []


def test_signed_timestamp_reads_the_raw_bytes():
    raw = b'{"app_id": "1", "timestamp": 1700000000000, "x": {"timestamp": "5"}}'
    mac = signature("1", raw, "1700000000000", "k")
    assert signed_timestamp(mac, "1", raw, "k") == "1700000000000"
    assert signed_timestamp(mac, "1", raw, "other key") is None
    assert signed_timestamp(mac, "1", b'{"no": "timestamp"}', "k") is None


async def test_refused_calls_are_logged_in_aggregate(rig, zalo, caplog):
    async with httpx.AsyncClient(timeout=10) as client:
        with caplog.at_level(logging.INFO, logger="agency_bot"):
            for _ in range(60):
                await client.post(rig.base_url + "/zalo/webhook", content=b"{}")  # no signature
                await client.post(rig.base_url + "/zalo/webhook", content=b"{}",
                                  headers={"X-ZEvent-Signature": "0" * 64})
    lines = [r for r in caplog.records if "refused" in r.getMessage()]
    assert 1 <= len(lines) <= 4, [r.getMessage() for r in lines]


def test_refusal_log_reports_how_many_it_held_back(caplog):
    now = [0.0]
    refusals = RefusalLog(logging.getLogger("agency_bot.test"), "webhook", interval=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="agency_bot.test"):
        for _ in range(500):
            refusals.refused("bad signature")
        now[0] = 61
        refusals.refused("bad signature")
        refusals.refused("no signature")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["webhook refused: bad signature",
                        "webhook refused: bad signature (and 499 more since the last report)",
                        "webhook refused: no signature"]


@pytest.mark.parametrize("query", ["?exp=1&sig=%C3%A9", "?exp=%C2%B2&sig=" + "0" * 64, "?exp=%C2%B2&sig=%C3%A9",
                                   "?exp=99999999999999999999999&sig=" + "0" * 64, "?sig=" + "0" * 64, ""])
async def test_a_file_link_with_odd_parameters_is_403_not_500(rig, query):
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(rig.base_url + "/zalo/files/123-abc/x.pdf" + query)
    assert response.status_code == 403


async def test_parallel_floods_do_not_starve_a_real_event(rig, zalo):
    url = rig.base_url + "/zalo/webhook"
    async with httpx.AsyncClient(timeout=30) as client:
        floods = [asyncio.create_task(_post_chunked(client, url, 5 * 1024 * 1024)) for _ in range(4)]
        assert (await rig.say("111", "help"))
        await asyncio.gather(*floods)
