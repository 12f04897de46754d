"""What unauthenticated chunked floods cost the bot's memory (issue 12: 50 chunked 10 MB POSTs to
``/zalo/webhook`` must leave the process within 20 MB of where it started).

    python bench/bench_webhook_memory.py [--posts 50] [--mb 10] [--big-mb 400]

The server is the real path: ``ZaloChannel``'s routes on uvicorn in this process, with a fake OA
(``tests/fakes/zalo_api.py``) for its token keeper. The client runs in a thread (httpx, chunked
bodies generated on the fly, a wrong ``X-ZEvent-Signature``), so the RSS sampled in another thread
is the server's. Baseline, on the same server in the same process afterwards: ``/naive``, a
webhook that does what the bot did before — ``await request.body()``, then checks the size.

Reported per endpoint: RSS at the start, peak while posting, and at the end, for the series of
``--posts`` × ``--mb`` and for one ``--big-mb`` post; and peak growth ours ÷ baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from fakes.zalo_api import FakeZalo, zalo_settings  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 256 * 1024


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def naive(request: Request) -> PlainTextResponse:
    """The old webhook's first steps: the whole body in memory, then the size check."""
    raw = await request.body()
    if len(raw) > 1024 * 1024:
        return PlainTextResponse("body too large", status_code=413)
    return PlainTextResponse("bad signature", status_code=403)


def post_series(url: str, posts: int, megabytes: int) -> list[int]:
    def chunks():
        block = b"x" * CHUNK
        for _ in range(megabytes * 1024 * 1024 // CHUNK):
            yield block

    codes = []
    with httpx.Client(timeout=120) as client:
        for _ in range(posts):
            try:
                codes.append(client.post(url, content=chunks(), headers={"X-ZEvent-Signature": "0" * 64}).status_code)
            except httpx.HTTPError:
                codes.append(413)  # answered and closed while the client was still sending
    return codes


async def measure(url: str, posts: int, megabytes: int) -> dict:
    start = peak = rss_mb()
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(codes=post_series(url, posts, megabytes)), daemon=True)
    began = time.perf_counter()
    thread.start()
    while thread.is_alive():
        peak = max(peak, rss_mb())
        await asyncio.sleep(0.005)  # the server runs on this loop: sampling must not block it
    elapsed = time.perf_counter() - began
    await asyncio.sleep(0.2)
    end = rss_mb()
    return {"start": start, "peak": max(peak, end), "end": end, "seconds": elapsed, "codes": sorted(set(box["codes"]))}


async def run(posts: int, megabytes: int, big: int) -> int:
    from bot.channels.zalo import ZaloChannel
    from bot.clock import Clock
    from bot.http import HttpServer, build_app
    from handlers import build_router
    from messages.plan_loader import load_plan_cached
    from storage.db import Store
    from support import build_test_services

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        store = Store(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
        store.upgrade()
        services = build_test_services(store, load_plan_cached(None), Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ)),
                                       tmp_path)
        async with FakeZalo() as fake:
            access, refresh = fake.issue_pair()
            channel = ZaloChannel(zalo_settings(fake, tmp_path, access, refresh), services, build_router())
            http = HttpServer(build_app([*channel.routes(), Route("/naive", naive, methods=["POST"])],
                                        lambda: {"status": "ok"}), "127.0.0.1", 0)
            await http.start()
            await channel.start()
            base = f"http://127.0.0.1:{http.port}"
            try:
                await measure(base + "/zalo/webhook", 2, 2)  # warm-up of both paths
                await measure(base + "/naive", 2, 2)
                for name, path in (("agency-bot /zalo/webhook", "/zalo/webhook"), ("naive (body() first)", "/naive")):
                    results[(name, "series")] = await measure(base + path, posts, megabytes)
                    results[(name, "big")] = await measure(base + path, 1, big)
            finally:
                await channel.stop()
                await http.stop()
        store.dispose()

    print(f"{posts} chunked POSTs of {megabytes} MB each, then one of {big} MB, wrong signature, one at a time")
    print("| endpoint | posts | answers | RSS start MB | peak MB | end MB | end − start | peak − start | seconds |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for (name, kind), r in results.items():
        label = f"{posts} × {megabytes} MB" if kind == "series" else f"1 × {big} MB"
        print(f"| {name} | {label} | {r['codes']} | {r['start']:.1f} | {r['peak']:.1f} | {r['end']:.1f} "
              f"| {r['end'] - r['start']:+.1f} | {r['peak'] - r['start']:+.1f} | {r['seconds']:.2f} |")
    ours, base_ = results[("agency-bot /zalo/webhook", "series")], results[("naive (body() first)", "series")]
    big_ours, big_base = results[("agency-bot /zalo/webhook", "big")], results[("naive (body() first)", "big")]
    ratio = (big_ours["peak"] - big_ours["start"]) / max(big_base["peak"] - big_base["start"], 0.1)
    print(f"\npeak growth on the {big} MB post, agency-bot ÷ naive: {ratio:.3f}")
    ok = ours["end"] - ours["start"] <= 20 and ours["peak"] - ours["start"] <= 20
    print("OK: within 20 MB of the start" if ok else "NOT OK: more than 20 MB above the start")
    _ = base_
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--big-mb", type=int, default=400)
    args = parser.parse_args()
    return asyncio.run(run(args.posts, args.mb, args.big_mb))


if __name__ == "__main__":
    sys.exit(main())
