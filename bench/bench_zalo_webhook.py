"""How fast the Zalo webhook acknowledges a burst (Zalo wants its 200 within ~2 s, or it retries),
side by side with the bot's own ``/healthz`` on the same endpoint as the baseline.

    python bench/bench_zalo_webhook.py [--events 300] [--users 30] [--concurrency 30]

The bot is the real path: ``ZaloChannel`` on uvicorn, the real router and handlers, SQLite in a
temporary directory, replies through ``tests/fakes/zalo_api.py`` over HTTP (in its own thread). Each event is a signed
``user_send_text`` ("help"); every answer is checked to have arrived exactly once.

Reported: acknowledgement latency p50/p95/max for webhooks and for ``/healthz`` and their ratio
(p95 webhook / p95 healthz: the cost of verifying, deduplicating and queueing an event relative
to the cheapest request the server answers), and the time until every reply was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from fakes.zalo_api import FakeZalo, ZaloRig, signature, zalo_settings  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class FakeInThread:
    """The fake OA API on its own loop in a thread, as a remote server would be."""

    def __init__(self):
        self.fake = FakeZalo()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self.fake:
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakeZalo:
        self._thread.start()
        self._ready.wait(10)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def timed(sem: asyncio.Semaphore, call) -> float:
    async with sem:
        start = time.perf_counter()
        response = await call()
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - start


async def run(events: int, users: int, concurrency: int) -> int:
    from bot.clock import Clock
    from conftest import build_test_services
    from handlers import build_router
    from messages.plan_loader import load_plan_cached
    from storage.db import Store

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        store = Store(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
        store.upgrade()
        clock = Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ))
        services = build_test_services(store, load_plan_cached(None), clock, tmp_path)
        with FakeInThread() as fake:
            access, refresh = fake.issue_pair()
            settings = zalo_settings(fake, tmp_path, access, refresh)
            async with ZaloRig(fake, settings, services, build_router()) as rig:
                hook = rig.hook
                sem = asyncio.Semaphore(concurrency)
                async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:
                    for _ in range(20):  # warm up connections
                        await timed(sem, lambda: client.get(rig.base_url + "/healthz"))
                    health = await asyncio.gather(*(timed(sem, lambda: client.get(rig.base_url + "/healthz"))
                                                    for _ in range(events)))

                    def post(i: int):
                        body = hook.text(str(8_000_000_000_000_000_000 + i % users), "help")
                        raw = json.dumps(body, ensure_ascii=False).encode()
                        mac = signature(fake.app_id, raw, body["timestamp"], fake.oa_secret_key)
                        return lambda: client.post(hook.url, content=raw, headers={
                            "content-type": "application/json", "X-ZEvent-Signature": mac})

                    start = time.perf_counter()
                    acks = await asyncio.gather(*(timed(sem, post(i)) for i in range(events)))
                    acked = time.perf_counter() - start
                    await rig.channel.settle()
                    done = time.perf_counter() - start
        store.dispose()
    per_user = {}
    for sent in fake.sent:
        per_user[sent.user_id] = per_user.get(sent.user_id, 0) + 1
    replies_ok = len(fake.sent) == events and len(per_user) == users
    ratio = pct(acks, 95) / pct(health, 95)
    print(f"events: {events} from {users} users, {concurrency} at a time")
    print("| request | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|")
    for name, values in (("webhook", acks), ("/healthz (baseline)", health)):
        print(f"| {name} | {statistics.median(values) * 1000:.1f} | {pct(values, 95) * 1000:.1f} "
              f"| {max(values) * 1000:.1f} |")
    print(f"\nwebhook p95 / healthz p95 = {ratio:.2f}")
    print(f"all {events} acknowledged in {acked:.2f} s; every reply sent after {done:.2f} s "
          f"({events / done:.0f} events/s end to end); replies exactly once per event: {replies_ok}")
    ok = max(acks) < 2.0 and replies_ok
    print("OK: every acknowledgement under Zalo's 2 s" if ok else "NOT OK")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=30)
    args = parser.parse_args()
    return asyncio.run(run(args.events, args.users, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
