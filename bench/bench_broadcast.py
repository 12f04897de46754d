"""A staff broadcast to 2,000 private chats and 20 groups against a server that enforces
Telegram's limits (tests/fakes/telegram_api.py: 30 messages/s overall, 1/s per private chat,
20/min per group, answering 429 + retry_after past them), side by side with two baselines
in the same run.

    python bench/bench_broadcast.py [--scale 1] [--rate 30] [--private 2000] [--groups 20] [--db URL]

``--scale`` speeds every limit up (scale 2: 60 messages/s overall, windows of 0.5 s) to keep
the run short; the default is Telegram's own limits (about 70 s per run). At higher scales a
request's round trip becomes a larger share of the shortened window, and the sender, which
counts a send until a window after its answer, reaches a smaller share of the limit.
``--rate`` is ``TELEGRAM_SEND_PER_SECOND`` (before scaling).

- **agency-bot**: the real path. Staff confirm ``/thongbao`` → one outbox row per recipient
  (SQLite file, or ``--db``) → ``bot.sender.OutboxSender`` → ``TelegramChannel.deliver`` (PTB) →
  HTTP → the fake server. Progress reports and the summary to staff go the same way.
- **naive**: the usual script: the same PTB bot, up to 32 sends at once, sleep ``retry_after``
  on a 429 and try again.
- **PTB AIORateLimiter** (if ``aiolimiter`` is installed: ``pip install
  "python-telegram-bot[rate-limiter]"``): PTB's limiter set to the same scaled limits,
  ``max_retries=3``.

Reported per run: achieved rate ÷ allowed rate (messages accepted per second between the
first request and the last accepted one, over ``30 × scale``), 429s received, duplicates
(chats that got the notice more than once) and losses (chats that never got it).
The fake server runs in its own process, as a remote server would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF_ID = "9001"
NOTICE = "Đề nghị các cơ quan, địa phương gửi báo cáo kết quả tự kiểm tra công tác CCHC trước ngày 30/9/2020."


@dataclass
class Result:
    name: str
    recipients: int
    accepted: int  # every accepted send (the notice, plus reports to staff for agency-bot)
    seconds: float
    allowed: float  # messages per second the server allows overall
    count_429: int
    duplicates: int
    losses: int
    note: str = ""

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / self.allowed


SERVER = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
from starlette.responses import JSONResponse
from starlette.routing import Route
from fakes.telegram_api import FakeBotApi, Limits

async def main():
    fake = FakeBotApi(poll_cap=0.2)

    async def calls(request):
        return JSONResponse({"count_429": fake.count_429, "calls": [
            [c.method, c.chat_id, c.status, c.at, (c.params.get("text") or "")[:40]] for c in fake.calls]})

    fake.app.router.routes.append(Route("/__calls", calls))
    await fake.start()
    fake.enforce(Limits(scale=float(sys.argv[2])))
    print(json.dumps({"token": fake.token, "root": fake.root_url}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the bench closes stdin
    await fake.stop()

asyncio.run(main())
"""


@dataclass
class SentCall:
    method: str
    chat_id: str | None
    status: int
    at: float
    text: str

    @property
    def ok(self) -> bool:
        return self.status == 200


class RemoteFake:
    """The fake Bot API server (tests/fakes/telegram_api.py) in its own process, as a remote
    server would be: the bot's process does not share its interpreter or its event loop."""

    def __init__(self, scale: float):
        self.scale = scale
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "RemoteFake":
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(ROOT / "tests"), str(self.scale)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.token, self.root = info["token"], info["root"]
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    def calls(self) -> tuple[list[SentCall], int]:
        data = httpx.get(f"{self.root}/__calls", timeout=30).json()
        return [SentCall(*c) for c in data["calls"]], data["count_429"]


def chats(n_private: int, n_groups: int) -> list[str]:
    return [str(200_000_000 + i) for i in range(n_private)] + [str(-1_002_000_000_000 - i) for i in range(n_groups)]


def outcome(name: str, fake: RemoteFake, recipients: list[str], allowed: float, note: str = "") -> Result:
    calls, count_429 = fake.calls()
    sends = [c for c in calls if c.method.lower() in ("sendmessage", "senddocument")]
    ok = [c for c in sends if c.ok]
    got = Counter(c.chat_id for c in ok)
    seconds = (max(c.at for c in ok) - min(c.at for c in sends)) if ok else 0.0
    return Result(name, len(recipients), len(ok), seconds, allowed, count_429,
                  sum(1 for chat in recipients if got[chat] > 1), sum(1 for chat in recipients if got[chat] == 0), note)


def settings_for(fake: RemoteFake, data_dir: Path, rate: float, db: str | None):
    from bot.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir, database_url=db, telegram_bot_token=fake.token,
                    telegram_api_base_url=fake.base_url, telegram_api_base_file_url=fake.base_file_url,
                    staff_telegram_ids=[int(STAFF_ID)], telegram_send_per_second=rate, log_level="WARNING")


# ---- agency-bot: /thongbao → outbox → sender → TelegramChannel ------------------------------
async def run_agency_bot(fake: RemoteFake, recipients: list[str], scale: float, db: str | None,
                         per_second: float = 30.0) -> Result:
    from bot.app import build_services
    from bot.channels.telegram import TelegramChannel
    from bot.clock import Clock
    from bot.sender import OutboxSender
    from handlers import build_router
    from handlers.broadcast_reports import reports_for
    from handlers.types import Inbound
    from storage import outbox
    from storage.models import Person

    rate = per_second * scale  # TELEGRAM_SEND_PER_SECOND, scaled like the server's limits
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(fake, Path(tmp), rate, db)
        services = build_services(settings, clock=Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ)))
        router = build_router()
        channel = TelegramChannel(settings, services, router)
        await channel.app.initialize()
        units = [u.code for u in services.roster().units]
        with services.store.session() as s:
            now = services.clock.now()
            s.add_all([Person(channel="telegram", external_id=chat if not chat.startswith("-") else f"g{chat}",
                              chat_id=chat, unit_code=units[i % len(units)], role="focal", registered_at=now)
                       for i, chat in enumerate(recipients)])
            s.commit()
        # the limits scaled like the server's: per-chat spacing and the counting window
        sender = OutboxSender(services, {"telegram": channel}, settings, private_interval=1.0 / scale,
                              group_interval=3.0 / scale, rate_window=1.0 / scale)
        services.wake_outbox = sender.wake
        sender.add_listener(reports_for(services))

        async def say(text: str | None = None, tap: str | None = None):
            last = say.last
            choice = next(o.choice_id for r in last for o in r.options if tap in o.label) if tap else None
            say.last = await router.handle(services, Inbound("telegram", STAFF_ID, STAFF_ID, text=text, choice=choice))
            return say.last
        say.last = []

        await say("/thongbao")
        await say(tap="Tất cả đơn vị")
        await say(NOTICE)
        await say(tap="Không đính kèm")
        started = time.perf_counter()
        confirmed = await say(tap="Xác nhận gửi")
        confirm_seconds = time.perf_counter() - started
        assert "Đã xác nhận" in confirmed[0].text, confirmed[0].text
        await sender.start()
        deadline = time.monotonic() + 20 + 3 * len(recipients) / (30 * scale)
        while not summary_sent(services):
            if time.monotonic() > deadline:
                raise RuntimeError("no summary: the broadcast did not finish")
            await asyncio.sleep(0.1)
        await sender.stop()
        await channel.app.shutdown()
        with services.store.session() as s:
            reports = len(outbox.with_prefix(s, "broadcast:", statuses=["sent"])) - len(recipients)
        services.store.dispose()
    return outcome("agency-bot (outbox + sender)", fake, recipients, 30.0 * scale,
                   f"pacer {rate:g}/s; confirm wrote {len(recipients)} rows in {confirm_seconds:.2f}s; "
                   f"{reports} reports to staff")


def summary_sent(services) -> bool:
    from storage import outbox

    with services.store.session() as s:
        return bool(outbox.with_prefix(s, "broadcast:1:summary", statuses=["sent"]))


# ---- baselines ---------------------------------------------------------------------------------
async def run_naive(fake: RemoteFake, recipients: list[str], scale: float) -> Result:
    from telegram import Bot
    from telegram.error import RetryAfter
    from telegram.request import HTTPXRequest

    bot = Bot(fake.token, base_url=fake.base_url, request=HTTPXRequest(connection_pool_size=64))
    gate = asyncio.Semaphore(32)

    async def send(chat: str) -> None:
        async with gate:
            while True:
                try:
                    await bot.send_message(int(chat), NOTICE)
                    return
                except RetryAfter as exc:
                    after = exc._retry_after  # noqa: SLF001 - int or float, without PTB's deprecation warning
                    await asyncio.sleep(after.total_seconds() if hasattr(after, "total_seconds") else float(after))

    async with bot:
        await asyncio.gather(*(send(chat) for chat in recipients))
    return outcome("naive (32 at once, sleep on 429)", fake, recipients, 30.0 * scale)


async def run_ptb_limiter(fake: RemoteFake, recipients: list[str], scale: float) -> Result | None:
    try:
        from telegram.ext import AIORateLimiter, ExtBot
    except ImportError:
        return None
    from telegram.error import RetryAfter
    from telegram.request import HTTPXRequest

    try:
        limiter = AIORateLimiter(overall_max_rate=30, overall_time_period=1 / scale, group_max_rate=20,
                                 group_time_period=60 / scale, max_retries=3)
    except RuntimeError:  # aiolimiter missing
        return None
    bot = ExtBot(fake.token, base_url=fake.base_url, rate_limiter=limiter,
                 request=HTTPXRequest(connection_pool_size=64))
    lost: list[str] = []

    async def send(chat: str) -> None:
        try:
            await bot.send_message(int(chat), NOTICE)
        except RetryAfter:
            lost.append(chat)

    async with bot:
        await asyncio.gather(*(send(chat) for chat in recipients))
    return outcome("PTB AIORateLimiter (max_retries=3)", fake, recipients, 30.0 * scale,
                   f"{len(lost)} given up after retries" if lost else "")


# ---- the run -------------------------------------------------------------------------------------
def table(results: list[Result], scale: float) -> str:
    head = (f"Broadcast to {results[0].recipients} chats, limits ×{scale:g} "
            f"({30 * scale:g}/s overall, {scale:g}/s per private chat, {20 * scale:g}/min per group)")
    lines = [head, "",
             "| sender | accepted | seconds | msg/s | ÷ allowed | 429s | duplicates | losses | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.name} | {r.accepted} | {r.seconds:.2f} | {r.rate:.1f} | {r.ratio:.3f} | {r.count_429} "
                     f"| {r.duplicates} | {r.losses} | {r.note} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every limit (default 1: Telegram's)")
    parser.add_argument("--private", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--rate", type=float, default=30.0,
                        help="TELEGRAM_SEND_PER_SECOND before scaling (default 30, as the bot's)")
    parser.add_argument("--db", default=None, help="DATABASE_URL for agency-bot (default: a SQLite file)")
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    recipients = chats(args.private, args.groups)
    results = []
    with RemoteFake(args.scale) as fake:
        results.append(asyncio.run(run_agency_bot(fake, recipients, args.scale, args.db, args.rate)))
    if not args.skip_baselines:
        with RemoteFake(args.scale) as fake:
            results.append(asyncio.run(run_naive(fake, recipients, args.scale)))
        with RemoteFake(args.scale) as fake:
            limited = asyncio.run(run_ptb_limiter(fake, recipients, args.scale))
        if limited is not None:
            results.append(limited)
        else:
            print("(PTB AIORateLimiter baseline skipped: pip install \"python-telegram-bot[rate-limiter]\")")
    print(table(results, args.scale))
    ours = results[0]
    ok = ours.ratio >= 0.95 and ours.count_429 == 0 and ours.duplicates == 0 and ours.losses == 0
    print(f"\nagency-bot: {ours.ratio:.3f} of the allowed rate, {ours.count_429} 429s, {ours.duplicates} duplicates, "
          f"{ours.losses} losses — {'goals met' if ok else 'GOALS NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
