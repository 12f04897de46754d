"""A real crash in the middle of a drain: the process dies (os._exit) right after the platform
accepted a message and before the row was marked sent. A new process on the same database
must send the rest, and never the ambiguous one again — every recipient gets it exactly once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from messages.texts import delivery as reasons
from test_sender_fakes import FakeChannel, add_row, make_sender, person, rows

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent("""
    import asyncio, os, sys
    from datetime import datetime
    from pathlib import Path
    from bot.clock import ManualClock
    from support import TZ, build_test_services, make_store
    from messages.plan_loader import load_plan_cached
    from test_sender_fakes import make_sender

    db, record, die_at, data = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])

    class DyingChannel:
        name = "test"
        send_per_second = 200
        calls = 0

        async def deliver(self, chat_id, message):
            await asyncio.sleep(0.002)
            with record.open("a") as f:  # the platform accepted it...
                f.write(chat_id + "\\n")
                f.flush()
                os.fsync(f.fileno())
            DyingChannel.calls += 1
            if DyingChannel.calls == die_at:
                os._exit(9)  # ...and the bot died before recording it

    async def main():
        clock = ManualClock(datetime(2020, 9, 1, 9, 0, tzinfo=TZ))
        services = build_test_services(make_store(db), load_plan_cached(None), clock, data)
        sender = make_sender(services, DyingChannel(), max_in_flight=1)
        await sender.start()
        await asyncio.sleep(30)

    asyncio.run(main())
""")


async def test_hard_crash_mid_drain_then_restart_sends_each_message_exactly_once(services, store, tmp_path):
    recipients = [person(services, f"p{i:02d}") for i in range(30)]
    for i, p in enumerate(recipients):
        add_row(services, f"n:{i:02d}", p)
    record = tmp_path / "accepted.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    child = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", CHILD, store.url, str(record), "12", str(tmp_path / "child")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == 9, child.stderr[-2000:]
    before = record.read_text().split()
    assert len(before) == 12
    got = rows(services)
    assert [k for k, r in got.items() if r.status == "sending"] == ["n:11"]  # the ambiguous one

    ch = FakeChannel()
    sender = make_sender(services, ch)
    await sender.start()
    for _ in range(300):
        if len(ch.accepted) >= 18:
            break
        await asyncio.sleep(0.01)
    await sender.stop()
    after = [chat for chat, _ in ch.accepted]
    assert sorted(before + after) == sorted(p.external_id for p in recipients)  # no loss, no duplicate
    got = rows(services)
    assert got["n:11"].status == "uncertain" and got["n:11"].last_error == reasons.INTERRUPTED
    assert sum(r.status == "sent" for r in got.values()) == 29
