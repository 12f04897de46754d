"""The issue's "done when", end to end through ``agency-bot run``'s composition root
(``Runtime.build``: the real Telegram channel, outbox sender and broadcast reports) against
the fake Bot API server: focal points register by deep link, one unit sends its report,
staff broadcast to "units that have not yet sent the self-inspection report", and exactly
those focal points get the notice once; staff get the summary; /xuatexcel returns the workbook.
"""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import Runtime
from bot.clock import Clock

sys.path.append(str(Path(__file__).parents[1] / "channels"))  # telegram_env: the Telegram tests' set-up
from support import TZ  # noqa: E402
from fakes.telegram_api import FakeBotApi, document_update, text_update  # noqa: E402
from telegram_env import STAFF, register_via_deep_link, texts, tg_settings  # noqa: E402

YT1, YT2, TH, TC, TP = 5101, 5102, 5103, 5104, 5105
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def bot(tmp_path):
    async with FakeBotApi() as fake:
        settings = tg_settings(fake, tmp_path / "data", http_port=0)
        runtime = Runtime.build(settings, clock=Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ)))
        await runtime.start()
        try:
            yield fake, runtime
        finally:
            await runtime.stop()


async def until(predicate, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_broadcast_to_units_that_have_not_sent_their_report(bot):
    fake, runtime = bot
    for user, unit in [(YT1, "Sở Y tế"), (YT2, "Sở Y tế"), (TH, "UBND huyện Tân Hiệp"),
                       (TC, "Sở Tài chính"), (TP, "Sở Tư pháp")]:
        await register_via_deep_link(fake, user, unit)
    # Sở Tư pháp sends its self-inspection report; Sở Tài chính is inspected directly (owes another one)
    fake.add_file("BQACtp0001", PDF)
    receipt = texts(await fake.converse(document_update(TP, "BQACtp0001", "BC tu kiem tra STP.pdf", size=len(PDF))))
    assert "Sở Tư pháp" in receipt

    assert "chọn đối tượng" in texts(await fake.converse(text_update(STAFF, "/thongbao")))
    asked = texts(await fake.tap(STAFF, "Chưa nộp: BC tự kiểm tra"))
    assert "nội dung thông báo" in asked
    await fake.converse(text_update(STAFF, "Đề nghị gửi báo cáo tự kiểm tra trước ngày 30/9/2020."))
    preview = texts(await fake.tap(STAFF, "Không đính kèm"))
    assert "người nhận: 3 (của 2 đơn vị)" in preview
    before = {chat: len(fake.sent(chat)) for chat in (YT1, YT2, TH, TC, TP)}
    assert "Đã xác nhận" in texts(await fake.tap(STAFF, "Xác nhận gửi"))

    await until(lambda: any("KẾT QUẢ GỬI THÔNG BÁO" in t for t in fake.texts(STAFF)))
    for chat in (YT1, YT2, TH):
        notices = [t for t in fake.texts(chat)[before[chat]:] if "Đề nghị gửi báo cáo tự kiểm tra" in t]
        assert len(notices) == 1, chat
    for chat in (TC, TP):
        assert not any("Đề nghị gửi báo cáo" in t for t in fake.texts(chat))
    summary = next(t for t in fake.texts(STAFF) if "KẾT QUẢ GỬI THÔNG BÁO" in t)
    assert "Đã gửi: 3/3" in summary
    assert "Đã xong: đã gửi 3/3" in texts(await fake.converse(text_update(STAFF, "/lichsuthongbao")))

    # /tonghop shows the report; /xuatexcel sends a workbook listing it
    assert "đúng hạn 1" in texts(await fake.converse(text_update(STAFF, "/tonghop")))
    (sent,) = await fake.converse(text_update(STAFF, "/xuatexcel"))
    assert sent.method.lower() == "senddocument"
    upload = sent.files["document"]
    assert upload.filename.endswith(".xlsx")
    rows = {r[1]: r for r in load_workbook(io.BytesIO(upload.content))["BC tự kiểm tra (Mục III.4)"]
            .iter_rows(min_row=2, values_only=True)}
    assert rows["so-tu-phap"][7] == "Đã nộp" and rows["so-y-te"][7] == "Chưa nộp" and rows["so-y-te"][14] == 2
