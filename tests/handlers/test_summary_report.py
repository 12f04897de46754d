"""The drafted summary report: /baocaotonghop, opened back with python-docx part by part, rendered
by LibreOffice where installed, and drafted for another plan with no code change."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime

import pytest
from docx import Document
from pypdf import PdfReader

from broadcast_helpers import add_submission, set_inspection
from support import TZ, build_test_services

from bot.clock import ManualClock
from handlers.summary_report import write_report

SELF_REPORT = "bao-cao-tu-kiem-tra"
INSPECTION_REPORT = "bao-cao-doan-kiem-tra"
AFTER_THE_DEADLINE = datetime(2020, 10, 5, 9, 0, tzinfo=TZ)


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def all_text(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(paragraphs(document) + cells)


def block(document, number: int) -> list[str]:
    """The paragraphs of part I about the ``number``-th deliverable."""
    texts = paragraphs(document)
    start = next(i for i, t in enumerate(texts) if t.startswith(f"{number}. Báo cáo"))
    end = next(i for i, t in enumerate(texts[start + 1:], start + 1)
               if re.match(r"\d+\. Báo cáo", t) or t.startswith("II. "))
    return texts[start:end]


def named(lines: list[str], start: str, end: str | None, names: list[str]) -> set[str]:
    """Which of ``names`` the lines between ``start`` and ``end`` list."""
    i = next(k for k, t in enumerate(lines) if t.startswith(start))
    j = next((k for k, t in enumerate(lines) if end and t.startswith(end)), len(lines))
    text = "\n".join(lines[i + 1:j])
    return {n for n in names if re.search(re.escape(n) + r"(?=[ ,;(]|$)", text)}


def levels_table(document, title: str) -> list[list[str]]:
    """The counts table that follows a deliverable's heading."""
    body = document.element.body
    heading = next(p for p in document.paragraphs if p.text.startswith(title))
    for element in heading._p.itersiblings():
        if element.tag.endswith("}tbl"):
            table = next(t for t in document.tables if t._tbl is element)
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table after {title!r} in {body}")


@pytest.fixture
def rehearsal(services, clock):
    """After the deadline (the last day is 29/9: "trước ngày 30/9"): two on time, two late, one inspected unit visited and reported."""
    add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 20, 10, 0, tzinfo=TZ))
    add_submission(services, "ubnd-huyen-tan-hiep", SELF_REPORT, at=datetime(2020, 9, 29, 16, 0, tzinfo=TZ))
    add_submission(services, "so-tu-phap", SELF_REPORT, at=datetime(2020, 10, 2, 8, 15, tzinfo=TZ))
    add_submission(services, "ubnd-huyen-chau-thanh", SELF_REPORT, at=datetime(2020, 10, 1, 10, 0, tzinfo=TZ))
    set_inspection(services, "so-tai-chinh", datetime(2020, 9, 10, 8, 0, tzinfo=TZ))
    set_inspection(services, "ubnd-huyen-an-bien", datetime(2020, 9, 15, 14, 0, tzinfo=TZ))
    add_submission(services, "so-tai-chinh", INSPECTION_REPORT, at=datetime(2020, 9, 9, 17, 0, tzinfo=TZ))
    add_submission(services, "ubnd-huyen-an-bien", INSPECTION_REPORT, at=datetime(2020, 9, 16, 9, 0, tzinfo=TZ))
    clock.set(AFTER_THE_DEADLINE)
    return services


async def test_the_draft_lists_the_right_units_in_each_group(talk, rehearsal, plan):
    (reply,) = await talk("staff", "/baocaotonghop")
    assert reply.document.suffix == ".docx" and reply.document_name == "DuThao_BaoCaoTongHop_20201005_0900.docx"
    assert "Kế hoạch 32/KH-UBND ngày 03/3/2020" in reply.text and "05/10/2020 09:00" in reply.text
    document = Document(reply.document)
    names = [u.name for u in plan.units]
    owes_self = [u.name for u in plan.units if u.code not in plan.listed_codes]
    inspected = [u.name for u in plan.units if u.code in plan.listed_codes]

    first = block(document, 1)
    assert first[0] == "1. Báo cáo kết quả tự kiểm tra công tác CCHC năm 2020 (Mục III.4; hạn: 29/09/2020)"
    late = named(first, "a) Đơn vị nộp trễ hạn (2)", "b) ", names)
    assert late == {"Sở Tư pháp", "UBND huyện Châu Thành"}
    missing = named(first, f"b) Đơn vị chưa nộp ({len(owes_self) - 4}), đã quá hạn", None, names)
    assert missing == set(owes_self) - {"Sở Y tế", "UBND huyện Tân Hiệp", "Sở Tư pháp", "UBND huyện Châu Thành"}
    assert "- Sở, ban, ngành tỉnh (1): Sở Tư pháp (nhận 02/10/2020 08:15, trễ 3 ngày);" in first
    assert "- UBND cấp huyện (1): UBND huyện Châu Thành (nhận 01/10/2020 10:00, trễ 2 ngày);" in first

    departments = sum(1 for u in plan.units if u.level == "province_agency" and u.code not in plan.listed_codes)
    districts = len(owes_self) - departments
    assert levels_table(document, "1. Báo cáo") == [
        ["Cấp", "Phải nộp", "Đúng hạn", "Trễ hạn", "Chưa nộp"],
        ["Sở, ban, ngành tỉnh", str(departments), "1", "1", str(departments - 2)],
        ["UBND cấp huyện", str(districts), "1", "1", str(districts - 2)],
        ["Tổng cộng", str(len(owes_self)), "2", "2", str(len(owes_self) - 4)],
    ]

    second = block(document, 2)
    assert named(second, "a) Đơn vị nộp trễ hạn (1)", "b) ", names) == {"UBND huyện An Biên"}
    assert named(second, "b) Đơn vị chưa nộp", None, names) == set(inspected) - {"Sở Tài chính",
                                                                                   "UBND huyện An Biên"}
    # II: the units inspected directly, with the dates staff set
    table = next(t for t in document.tables if t.rows[0].cells[-1].text == "Ngày kiểm tra")
    visits = {row.cells[1].text: row.cells[3].text for row in table.rows[1:]}
    assert set(visits) == set(inspected)
    assert visits["Sở Tài chính"] == "10/09/2020 08:00" and visits["UBND huyện An Biên"] == "15/09/2020 14:00"
    assert visits["Sở Y tế" if "Sở Y tế" in visits else "UBND huyện Hòn Đất"] == "Chưa có lịch"
    assert [row.cells[0].text for row in table.rows[1:]] == [str(i) for i in range(1, len(inspected) + 1)]
    assert any(t.startswith(f"1. Các cơ quan, địa phương được kiểm tra trực tiếp ({len(inspected)} đơn vị, 2 đơn vị")
               for t in paragraphs(document))


async def test_the_draft_has_the_parts_of_an_administrative_document(talk, rehearsal):
    (reply,) = await talk("staff", "/baocaotonghop")
    document = Document(reply.document)
    head = document.tables[0]
    left, right = (cell.text.splitlines() for cell in head.rows[0].cells)
    assert left[:2] == ["ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", "SỞ NỘI VỤ"]  # issuing body under its parent
    assert any(line.startswith("Số:") and "/BC-" in line for line in left)  # number left for the clerk
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[-1] == "Kiên Giang, ngày 05 tháng 10 năm 2020"
    texts = paragraphs(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả kiểm tra công tác cải cách hành chính năm 2020"
    assert "Kính gửi: Ủy ban nhân dân tỉnh Kiên Giang." in texts
    assert any(t.startswith("Thực hiện Kế hoạch số 32/KH-UBND ngày 03/3/2020 của Ủy ban nhân dân tỉnh Kiên Giang")
               and "Sở Nội vụ báo cáo" in t and "(số liệu đến 05/10/2020 09:00)" in t for t in texts)
    for heading in ("I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐỊA PHƯƠNG", "II. KẾT QUẢ KIỂM TRA TRỰC TIẾP",
                    "2. Nhận xét, đánh giá qua kiểm tra", "III. KIẾN NGHỊ, ĐỀ XUẤT"):
        assert heading in texts
    assert sum("[Đoàn kiểm tra ghi nhận xét]" in t for t in texts) == 2  # findings: left for staff
    sign = document.tables[-1]
    recipients, signature = (cell.text for cell in sign.rows[0].cells)
    assert "Nơi nhận:" in recipients and "- Lưu: VT." in recipients
    assert "[QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ]" in signature and "[Họ và tên]" in signature
    assert "{{" not in all_text(document) and "{%" not in all_text(document)  # every tag was filled
    assert document.sections[0].page_width.cm == pytest.approx(21, abs=0.1)  # A4
    assert document.sections[0].left_margin.cm == pytest.approx(3, abs=0.1)


async def test_flags_and_names_with_ampersands_reach_the_draft(talk, services, clock):
    from handlers.unit_picker import add_unit
    from messages.units import UnitRecord

    row = add_submission(services, "so-y-te", SELF_REPORT)
    from storage.models import Submission

    with services.store.session() as s:
        stored = s.get(Submission, row.id)
        stored.content_check = {"status": "text", "flags": ["template"]}
        s.add(stored)
        s.commit()
    add_unit(services, UnitRecord("ubnd-xa-a-b", "UBND xã A&B <mới>, huyện Hòn Đất", "commune", "ubnd-huyen-hon-dat"),
             source="staff")
    document = Document(write_report(services, services.files.root.parent / "r"))
    text = all_text(document)
    assert "- Sở Y tế: mẫu chưa điền;" in paragraphs(document)
    assert "UBND xã A&B <mới>, huyện Hòn Đất" in text  # escaped into the XML, read back whole


async def test_only_staff_draft_the_report(talk):
    replies = await talk("someone", "/baocaotonghop")
    assert all(r.document is None for r in replies)


LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
async def test_libreoffice_renders_the_draft_to_pdf(talk, rehearsal, tmp_path):
    (reply,) = await talk("staff", "/baocaotonghop")
    profile = tmp_path / "lo-profile"  # its own profile: no clash with another LibreOffice running
    done = subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                           "pdf", "--outdir", str(tmp_path), str(reply.document)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / (reply.document.stem + ".pdf")
    assert pdf.is_file(), done.stderr
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "UBND huyện Châu Thành" in text


def test_another_plans_report_needs_no_code_change(store, plan_2026, tmp_path):
    """The bundled 2026 plan of another province: two levels, working-day deadlines, its own dates."""
    plan = plan_2026
    services = build_test_services(store, plan, ManualClock(datetime(2026, 10, 20, 9, 0, tzinfo=TZ)), tmp_path)
    add_submission(services, "ubnd-phuong-binh-duc", SELF_REPORT, at=datetime(2026, 10, 10, 9, 0, tzinfo=TZ))
    add_submission(services, "ubnd-phuong-my-thoi", SELF_REPORT, at=datetime(2026, 10, 16, 9, 0, tzinfo=TZ))
    document = Document(write_report(services, tmp_path / "bao-cao.docx"))
    text = all_text(document)
    assert "ỦY BAN NHÂN DÂN TỈNH AN GIANG" in text and "An Giang, ngày 20 tháng 10 năm 2026" in text
    assert "Kết quả kiểm tra công tác cải cách hành chính năm 2026" in paragraphs(document)
    assert "Kiên Giang" not in text and "2020" not in text and "huyện" not in text
    first = block(document, 1)
    assert named(first, "a) Đơn vị nộp trễ hạn (1)", "b) ", [u.name for u in plan.units]) == {"UBND phường Mỹ Thới"}
    rows = levels_table(document, "1. Báo cáo")
    assert [r[0] for r in rows] == ["Cấp", "Cơ quan chuyên môn thuộc UBND tỉnh", "UBND cấp xã", "Tổng cộng"]
    communes = [u for u in plan.units if u.level == "commune" and u.code not in plan.listed_codes]
    assert rows[2][1:] == [str(len(communes)), "1", "1", str(len(communes) - 2)]
