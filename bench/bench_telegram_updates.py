"""Telegram update processing: does one person's long work block everyone else, and is each
person's conversation kept in order? Three ways of running the same real channel, same run:

    python bench/bench_telegram_updates.py [--people 100] [--slow 2.0] [--burst 20] [--latency 0.002]

- **agency-bot**: ``PerPersonUpdateProcessor`` (concurrent across people, one at a time per person);
- **PTB sequential**: PTB's default (``concurrent_updates(False)``), one update at a time;
- **PTB concurrent**: ``concurrent_updates(True)``, everything at once.

Each mode runs the real ``TelegramChannel`` (polling) against ``tests/fakes/telegram_api.py`` on
loopback, with the real router, store (SQLite in a temp dir) and the registration handlers.

1. *Blocked*: one person starts a long task (``--slow`` seconds, standing in for a big download),
   then ``--people`` others send ``/help``. Reported: seconds until all of them are answered, and
   that time ÷ agency-bot's.
2. *Order*: one person sends ``--burst`` numbered messages at once; the handler takes a random
   few milliseconds each. Reported: answers that came back out of order.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.telegram_api import FakeBotApi, text_update  # noqa: E402

from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers import build_router  # noqa: E402
from handlers.types import Reply  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MODES = {"agency-bot": None, "PTB sequential": False, "PTB concurrent": True}


def _services(tmp: Path):
    from conftest import build_test_services, make_store
    from messages.plan_loader import load_plan_cached

    store = make_store(f"sqlite:///{tmp / 'db.sqlite3'}")
    return build_test_services(store, load_plan_cached(None), ManualClock(datetime(2020, 9, 1, 9, tzinfo=TZ)), tmp)


async def run_mode(mode: str, args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-tg-"))
    services = _services(tmp)
    router = build_router()
    release = asyncio.Event()

    @router.command("cham", role="any", description="long task")
    async def slow(ctx):
        try:
            await asyncio.wait_for(release.wait(), args.slow)
        except asyncio.TimeoutError:
            pass
        return [Reply("done")]

    @router.command("so", role="any", description="numbered message")
    async def numbered(ctx):
        await asyncio.sleep(random.uniform(0.001, 0.01))
        return [Reply(f"#{ctx.args}")]

    async with FakeBotApi(poll_cap=0.5, latency=args.latency) as fake:
        settings = Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                            telegram_webhook_url=None, staff_telegram_ids=[9001], data_dir=tmp)
        channel = TelegramChannel(settings, services, router, update_processor=MODES[mode])
        await channel.start()
        try:
            # 1. one person's long task, then everyone else
            fake.push_update(text_update(1, "/cham"))
            await asyncio.sleep(0.2)  # let it start
            started = time.perf_counter()
            for person in range(2, args.people + 2):
                fake.push_update(text_update(person, "/help"))
            deadline = started + args.slow * 3 + 30
            while sum(1 for p in range(2, args.people + 2) if fake.sent(p)) < args.people:
                if time.perf_counter() > deadline:
                    raise TimeoutError(mode)
                await asyncio.sleep(0.005)
            blocked = time.perf_counter() - started
            release.set()
            await fake.wait_for("sendMessage", chat_id=1, timeout=args.slow * 2 + 10)

            # 2. one person's burst, in order?
            burst_user = 10_000
            for n in range(args.burst):
                fake.push_update(text_update(burst_user, f"/so {n}"))
            calls = await fake.wait_for("sendMessage", chat_id=burst_user, count=args.burst, timeout=60)
            got = [int(c.params["text"][1:]) for c in calls]
            out_of_order = sum(1 for a, b in zip(got, got[1:]) if b < a)
        finally:
            await channel.stop()
        services.store.dispose()
    return {"blocked": blocked, "out_of_order": out_of_order}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--slow", type=float, default=2.0)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.002, help="seconds added to each API answer")
    args = parser.parse_args()
    random.seed(32)
    results = {mode: await run_mode(mode, args) for mode in MODES}
    base = results["agency-bot"]["blocked"]
    print(f"{args.people} people answered while one person's task takes {args.slow:.1f} s "
          f"(API latency {args.latency * 1000:.0f} ms):")
    for mode, r in results.items():
        print(f"  {mode:15s} all answered after {r['blocked']:6.2f} s  ({r['blocked'] / base:5.2f}× agency-bot)   "
              f"burst of {args.burst} from one person: {r['out_of_order']} answers out of order")


if __name__ == "__main__":
    asyncio.run(main())
