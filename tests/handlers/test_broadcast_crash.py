"""A broadcast whose bot process is killed (SIGKILL) half-way, then started again.

The first run is a real child process delivering through the real outbox sender; it is
killed with SIGKILL at a chosen point. The second run (this process) starts a fresh sender
on the same database. The "platform" is a log file both runs append to (fsynced), so
what each recipient received survives the kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from broadcast_helpers import make_sender, outgoing
from support import Talk, register_focal

from messages.texts import delivery as delivery_texts

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

FIRST_RUN = textwrap.dedent("""
    import asyncio, os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from bot.clock import ManualClock
    from bot.sender import OutboxSender
    from handlers.context import Services
    from messages.plan_loader import load_plan_cached
    from storage.db import Store
    from storage.files import FileStore

    db_url, log_path, mode, kill_after = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])

    def record(chat_id):
        with open(log_path, "a", encoding="utf-8") as fh:
            fh.write(chat_id + "\\n")
            fh.flush()
            os.fsync(fh.fileno())

    class Platform:
        name = "test"
        send_per_second = 100.0

        def __init__(self):
            self.calls = 0

        async def deliver(self, chat_id, message):
            self.calls += 1
            record(chat_id)
            if mode == "during" and self.calls == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)  # accepted by the platform, not yet recorded as sent

    clock = ManualClock(datetime(2020, 9, 1, 9, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    services = Services(store=Store(db_url), plan=load_plan_cached(None), clock=clock,
                        files=FileStore(Path(log_path).parent / "files"))
    settings = SimpleNamespace(telegram_send_per_second=100.0, zalo_send_per_second=100.0)
    sender = OutboxSender(services, {"test": Platform()}, settings, private_interval=0.0, group_interval=0.0,
                          max_in_flight=1)
    if mode == "between":
        def kill_when_enough(row):
            if sender.sent >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)  # between two sends: nothing in flight
        sender.add_listener(kill_when_enough)

    async def main():
        await sender.start()
        await asyncio.sleep(60)
        print("not killed")

    asyncio.run(main())
""")

USERS = [(f"f{i}", unit) for i, unit in enumerate(
    ["Sở Y tế", "Sở Y tế", "Sở Tư pháp", "Sở Xây dựng", "Sở Du lịch", "Sở Ngoại vụ", "Thanh tra tỉnh",
     "Ban Dân tộc", "UBND huyện Tân Hiệp", "UBND huyện Gò Quao", "UBND huyện An Minh", "UBND huyện Kiên Hải"])]


class LoggingPlatform:
    """The second run's platform: the same log as the first run's."""

    name = "test"
    send_per_second = 100.0

    def __init__(self, log: Path):
        self.log = log

    async def deliver(self, chat_id, message):
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(chat_id + "\n")
        if chat_id == "staff":
            self.summary = message.text


async def run_and_kill(talk, services, tmp_path, mode: str, kill_after: int) -> tuple[Path, LoggingPlatform]:
    for user, unit in USERS:
        await register_focal(talk, user, unit)
    await talk("staff", "/thongbao")
    await talk.tap("staff", "Chưa nộp: BC tự kiểm tra")
    await talk("staff", "Hạn nộp báo cáo tự kiểm tra là 30/9/2020.")
    await talk.tap("staff", "Không đính kèm")
    assert f"đang gửi đến {len(USERS)} người nhận" in Talk.text(await talk.tap("staff", "Xác nhận gửi"))

    log = tmp_path / "platform.log"
    script = tmp_path / "first_run.py"
    script.write_text(FIRST_RUN, encoding="utf-8")
    proc = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(script), services.store.url, str(log), mode, str(kill_after)],
        cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    first = log.read_text(encoding="utf-8").split()
    assert len(first) == kill_after  # killed half-way, as planned

    platform = LoggingPlatform(log)
    sender = make_sender(services, platform)
    await sender.start()
    try:
        for _ in range(200):
            if getattr(platform, "summary", None):
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.stop()
    return log, platform


async def test_killed_between_two_sends_every_recipient_gets_it_exactly_once(talk, services, tmp_path):
    log, platform = await run_and_kill(talk, services, tmp_path, "between", kill_after=5)
    received = log.read_text(encoding="utf-8").split()
    recipients = [user for user, _ in USERS]
    assert sorted(c for c in received if c != "staff") == sorted(recipients)  # each once, none lost
    assert f"Đã gửi: {len(USERS)}/{len(USERS)}" in platform.summary and "Không gửi được: 0" in platform.summary
    assert received.count("staff") == 1


async def test_killed_during_a_send_is_not_sent_twice_and_is_reported(talk, services, tmp_path):
    """The platform took message 4, the bot died before recording it: it is not sent again
    (a second copy would be worse than the report), and staff are told it is uncertain, not failed."""
    log, platform = await run_and_kill(talk, services, tmp_path, "during", kill_after=4)
    received = [c for c in log.read_text(encoding="utf-8").split() if c != "staff"]
    assert sorted(received) == sorted(user for user, _ in USERS)  # still exactly once each
    assert [r for r in outgoing(services, kind="broadcast") if r.status == "failed"] == []
    (uncertain,) = [r for r in outgoing(services, kind="broadcast") if r.status == "uncertain"]
    assert uncertain.last_error == delivery_texts.INTERRUPTED
    assert f"Đã gửi: {len(USERS) - 1}/{len(USERS)}" in platform.summary and "Không gửi được: 0" in platform.summary
    assert "Chưa rõ đã đến hay chưa (không gửi lại để tránh trùng): 1" in platform.summary
    assert "Bot dừng đột ngột" in platform.summary
    assert os.path.getsize(log) > 0
