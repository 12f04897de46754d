"""The 2020 rehearsal end to end: ``agency-bot run`` (the real composition root, the real Telegram
channel) against a local Bot API server that enforces Telegram's limits, restarted around the reminder.

1. The bot runs on 28/9 (BOT_CLOCK_START): focal points register through deep links, one unit
   has already sent its report.
2. It is restarted with BOT_CLOCK_START=2020-09-29T07:59:58+07:00: two seconds later the 1-day
   reminders reach every focal point of every unit that still owes the report, and no one else.
3. It is restarted again after 08:00: nothing is sent twice.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from support import TZ
from fakes.telegram_api import FakeBotApi, Limits, text_update

from bot.app import Runtime
from bot.settings import Settings
from storage.models import Submission

STAFF = 9001
FOCAL = {111: "Sở Y tế", 112: "Sở Y tế", 113: "UBND huyện Châu Thành", 114: "Sở Tư pháp", 115: "Sở Tài chính"}


def run_settings(fake: FakeBotApi, tmp_path, start: datetime) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                    telegram_api_base_file_url=fake.base_file_url, staff_telegram_ids=[STAFF], data_dir=tmp_path,
                    http_port=0, bot_clock_start=start)


def reminders_to(fake: FakeBotApi, chat: int) -> list[str]:
    return [t for t in fake.texts(chat) if t.startswith(("NHẮC HẠN", "QUÁ HẠN"))]


async def register(fake: FakeBotApi, user: int, unit: str) -> None:
    answer = "\n".join(c.params.get("text", "") for c in await fake.converse(text_update(STAFF, f"/moi {unit}")))
    code = re.search(rf"https://t\.me/{fake.username}\?start=([A-Za-z0-9_-]+)", answer).group(1)
    answer = "\n".join(c.params.get("text", "") for c in await fake.converse(text_update(user, f"/start {code}")))
    assert "thành công" in answer, answer


async def test_rehearsal_of_the_2020_plan_through_telegram_with_restarts(tmp_path):
    async with FakeBotApi() as fake:
        runtime = Runtime.build(run_settings(fake, tmp_path, datetime(2020, 9, 27, 10, 0, tzinfo=TZ)))
        await runtime.start()
        try:
            for user, unit in FOCAL.items():
                await register(fake, user, unit)
            with runtime.services.store.session() as s:
                s.add(Submission(receipt_no=secrets.token_hex(6), unit_code="so-tu-phap",
                                 deliverable_id="bao-cao-tu-kiem-tra", channel="telegram", original_name="bc.pdf",
                                 stored_path="x/bc.pdf", sha256="0" * 64, size=10, detected_type="pdf",
                                 received_at=runtime.services.clock.now(), on_time=True))
                s.commit()
            runtime.services.emit("submission_received", unit_code="so-tu-phap",
                                  deliverable_id="bao-cao-tu-kiem-tra")
        finally:
            await runtime.stop()
        assert all(reminders_to(fake, user) == [] for user in FOCAL)

        # from here on Telegram's own limits: a 429 would mean the sender discovered them the hard way
        fake.enforce(Limits())
        runtime = Runtime.build(run_settings(fake, tmp_path, datetime(2020, 9, 28, 7, 59, 58, tzinfo=TZ)))
        await runtime.start()
        try:
            assert all(reminders_to(fake, user) == [] for user in FOCAL)  # the 3-day one of 26/9: superseded
            await fake.wait_for("sendMessage", chat_id=113, count=2, timeout=15)
            await fake.wait_quiet(0.5)
            assert runtime.services.clock.now() >= datetime(2020, 9, 28, 8, 0, tzinfo=TZ)
        finally:
            await runtime.stop()

        runtime = Runtime.build(run_settings(fake, tmp_path, datetime(2020, 9, 28, 8, 0, 30, tzinfo=TZ)))
        await runtime.start()
        try:
            await fake.wait_quiet(0.5)
        finally:
            await runtime.stop()

        got = {user: reminders_to(fake, user) for user in FOCAL}
        assert {user: len(texts) for user, texts in got.items()} == {111: 1, 112: 1, 113: 1, 114: 0, 115: 0}
        for user in (111, 112, 113):
            (text,) = got[user]
            assert "còn 1 ngày" in text and "29/09/2020" in text and FOCAL[user] in text and "/nopbaocao" in text
        assert fake.count_429 == 0
