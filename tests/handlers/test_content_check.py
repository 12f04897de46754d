"""Is this the right report? Real documents sent through the real intake: each gets its receipt,
and what looks wrong adds one line for the focal point and a flag staff see everywhere."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from data.files import documents, samples
from support import TZ, Talk, register_focal

from handlers import content_check
from handlers.content_check import Check
from storage.models import OutgoingMessage, Submission

DISTRICT = "UBND huyện Tân Hiệp"  # not inspected directly: owes the self-inspection report
LINE = "Lưu ý về nội dung tệp"


def rows(services) -> list[Submission]:
    with services.store.session() as s:
        return list(s.exec(select(Submission).order_by(Submission.id)).all())


def receipt_lines(replies) -> list[str]:
    text = Talk.text(replies)
    assert text.startswith("BIÊN NHẬN BÁO CÁO"), text
    return text.splitlines()


@pytest.fixture
async def district(talk):
    await register_focal(talk, "th", DISTRICT)
    return "th"


async def send(talk, user, data: bytes, name: str):
    return await talk(user, file=samples.incoming(data, name))


async def test_the_right_report_gets_a_plain_receipt(talk, services, district):
    replies = await send(talk, district, documents.pdf(documents.report_lines(DISTRICT, 2020, "Tân Hiệp")), "bc.pdf")
    lines = receipt_lines(replies)
    assert not any(LINE in line or "lớp chữ" in line for line in lines)
    (row,) = rows(services)
    assert row.content_check == {"status": "text", "flags": []}


@pytest.mark.parametrize("make, name", [
    (lambda lines: documents.docx(lines, header_rows=6), "bc.docx"),
    (documents.odt, "bc.odt"),
    (documents.doc, "bc.doc"),  # Word 97–2003, still what many offices save
])
async def test_the_right_report_in_word_and_opendocument(talk, services, district, make, name):
    await send(talk, district, make(documents.report_lines(DISTRICT, 2020, "Tân Hiệp")), name)
    assert rows(services)[-1].content_check == {"status": "text", "flags": []}


async def test_a_word_97_report_of_another_unit_and_year_is_flagged(talk, services, district):
    replies = await send(talk, district, documents.doc(documents.report_lines("UBND huyện Giồng Riềng", 2019,
                                                                              "Giồng Riềng")), "bc-2019.doc")
    assert rows(services)[-1].content_check["flags"] == ["other_unit", "other_year"]
    assert any(LINE in line for line in receipt_lines(replies))


async def test_another_units_report_is_named_in_one_line(talk, services, district):
    other = documents.report_lines("UBND huyện Giồng Riềng", 2020, "Giồng Riềng")
    replies = await send(talk, district, documents.docx(other, header_rows=6), "bc.docx")
    lines = receipt_lines(replies)
    flagged = [line for line in lines if LINE in line]
    assert flagged == [
        "Lưu ý về nội dung tệp: tệp ghi tên UBND huyện Giồng Riềng, không phải UBND huyện Tân Hiệp. "
        "Anh/chị vui lòng kiểm tra lại; nếu gửi nhầm, xin gửi tệp đúng để thay bản này."]
    assert re.search(r"Số: KG-2020-\d{6}", lines[1]) and "ĐÚNG HẠN" in Talk.text(replies)  # still a receipt
    (row,) = rows(services)
    assert row.content_check["flags"] == ["other_unit"]
    assert row.content_check["other_unit"] == "UBND huyện Giồng Riềng"


async def test_a_department_sending_anothers_report_by_its_abbreviation(talk, services):
    await register_focal(talk, "yt", "Sở Y tế")
    lines = documents.report_lines("Sở Tài chính", 2020, "Kiên Giang", parent="Ủy ban nhân dân tỉnh Kiên Giang")
    await send(talk, "yt", documents.pdf(lines), "bc.pdf")
    check = Check.from_json(rows(services)[-1].content_check)
    assert check.flags == ("other_unit",) and check.other_unit == "Sở Tài chính"


async def test_last_years_report_is_flagged_by_its_year(talk, services, district):
    replies = await send(talk, district, documents.pdf(documents.report_lines(DISTRICT, 2019, "Tân Hiệp")), "bc.pdf")
    flagged = [line for line in receipt_lines(replies) if LINE in line]
    assert len(flagged) == 1 and "tệp ghi năm 2019, không thấy năm 2020 của kế hoạch" in flagged[0]
    assert rows(services)[-1].content_check["flags"] == ["other_year"]
    assert rows(services)[-1].content_check["years"] == [2019]


async def test_a_report_dated_before_the_plan_is_flagged_even_if_it_names_the_plans_year(talk, services, district):
    lines = documents.report_lines(DISTRICT, 2020, "Tân Hiệp", day=20, month=2)  # 20/02/2020, before 03/3/2020
    replies = await send(talk, district, documents.pdf(lines), "bc.pdf")
    assert "tệp đề ngày 20/02/2020, trước ngày ban hành Kế hoạch 32/KH-UBND ngày 03/3/2020" in Talk.text(replies)
    assert rows(services)[-1].content_check["dated"] == "2020-02-20"


async def test_a_scan_is_accepted_and_said_to_be_a_scan(talk, services, district):
    replies = await send(talk, district, documents.scan_pdf(documents.report_lines(DISTRICT, 2020, "Tân Hiệp")),
                         "scan.pdf")
    text = Talk.text(replies)
    assert text.startswith("BIÊN NHẬN BÁO CÁO") and LINE not in text
    assert ("Tệp không có lớp chữ (bản quét hoặc ảnh chụp) nên bot chưa đối chiếu được nội dung; "
            "tệp vẫn được nhận, Sở Nội vụ sẽ xem trực tiếp.") in text.splitlines()
    assert rows(services)[-1].content_check == {"status": "no_text", "flags": ["no_text"], "reason": "scan"}


async def test_a_template_with_only_its_headings(talk, services, district):
    replies = await send(talk, district, documents.docx(documents.template_lines(2020)), "mau.docx")
    flagged = [line for line in receipt_lines(replies) if LINE in line]
    assert flagged and "mẫu báo cáo chưa điền nội dung (chỉ có các đề mục)" in flagged[0]
    assert rows(services)[-1].content_check["flags"] == ["template"]  # no "unit missing" on top of it


async def test_the_plan_itself(talk, services, district):
    replies = await send(talk, district, documents.pdf(documents.plan_lines()), "ke-hoach.pdf")
    flagged = [line for line in receipt_lines(replies) if LINE in line]
    assert flagged and "tệp có vẻ là chính văn bản Kế hoạch 32/KH-UBND ngày 03/3/2020" in flagged[0]
    assert rows(services)[-1].content_check["flags"] == ["plan_itself"]


async def test_an_unrelated_document_without_the_units_name(talk, services, district):
    lines = ["HỢP ĐỒNG MUA BÁN", "Hôm nay, ngày 12 tháng 5 năm 2020, hai bên thống nhất ký kết hợp đồng mua "
             "văn phòng phẩm với tổng giá trị 12.000.000 đồng, giao hàng trong vòng mười ngày kể từ ngày ký, "
             "thanh toán bằng chuyển khoản sau khi nghiệm thu đầy đủ số lượng và chất lượng hàng hóa."] * 4
    await send(talk, district, documents.docx(lines), "hd.docx")
    assert rows(services)[-1].content_check["flags"] == ["unit_missing", "off_topic"]


async def test_a_corrupt_pdf_is_still_received_and_the_check_says_it_could_not_read_it(talk, services, district):
    replies = await send(talk, district, b"%PDF-1.7\n" + bytes(range(256)) * 40, "hong.pdf")
    text = Talk.text(replies)
    assert text.startswith("BIÊN NHẬN BÁO CÁO")
    assert ("Bot không đọc được nội dung tệp (tệp có thể bị lỗi hoặc đặt mật khẩu); tệp vẫn được nhận, "
            "anh/chị vui lòng kiểm tra tệp mở được bình thường.") in text.splitlines()
    (row,) = rows(services)
    assert row.content_check["flags"] == ["unreadable"] and (services.files.root / row.stored_path).is_file()


async def test_a_check_out_of_time_loses_nothing(talk, services, district, monkeypatch):
    monkeypatch.setattr(content_check, "WAIT_GRACE_S", 0.0)
    services.read_budget = type(services.read_budget)(seconds=0.0)
    replies = await send(talk, district, documents.pdf(documents.report_lines(DISTRICT, 2020, "Tân Hiệp")), "bc.pdf")
    assert Talk.text(replies).startswith("BIÊN NHẬN BÁO CÁO") and LINE not in Talk.text(replies)
    assert rows(services)[-1].content_check["status"] == "not_read"


async def test_formats_not_read_add_nothing_to_the_receipt(talk, services, district):
    replies = await send(talk, district, samples.zip_of({"trang1.jpg": samples.jpeg()}), "scan.zip")
    assert LINE not in Talk.text(replies) and "lớp chữ" not in Talk.text(replies)
    assert rows(services)[-1].content_check == {"status": "not_read", "flags": [], "reason": "format"}


async def test_a_sheet_with_no_number_is_a_template(talk, services, district):
    empty = documents.xlsx([["Đơn vị", DISTRICT], ["Năm", "2020"], ["Số đơn vị trực thuộc đã kiểm tra", None]])
    await send(talk, district, empty, "phu-luc.xlsx")
    assert rows(services)[-1].content_check["flags"] == ["template"]
    annex = documents.xlsx([["Phụ lục: số liệu tự kiểm tra năm 2020"], ["Số đơn vị trực thuộc", 12],
                            ["Số đơn vị đã kiểm tra", 5]])  # an annex table: no name, no title, just figures
    await send(talk, district, annex, "phu-luc-2.xlsx")
    assert rows(services)[-1].content_check["flags"] == []
    other = documents.xlsx([["Đơn vị", "UBND huyện Giồng Riềng"], ["Năm 2019"], ["Số đơn vị đã kiểm tra", 5]])
    await send(talk, district, other, "phu-luc-3.xlsx")
    assert rows(services)[-1].content_check["flags"] == ["other_unit", "other_year"]
    old = documents.xls([["Đơn vị", "UBND huyện Giồng Riềng"], ["Năm 2019"], ["Số đơn vị đã kiểm tra", 5]])
    await send(talk, district, old, "phu-luc-4.xls")  # Excel 97–2003: read and checked the same way
    assert rows(services)[-1].content_check["flags"] == ["other_unit", "other_year"]


async def test_staff_see_the_flag_in_the_overview_the_full_list_the_workbook_and_the_notice(talk, services, clock):
    services.notify_submissions_to = ("test", "staff-room")
    await register_focal(talk, "th", DISTRICT)
    await register_focal(talk, "yt", "Sở Y tế")
    other = documents.docx(documents.report_lines("UBND huyện Giồng Riềng", 2020, "Giồng Riềng"), header_rows=6)
    await send(talk, "th", other, "bc.docx")
    await send(talk, "yt", documents.pdf(documents.report_lines("Sở Y tế", 2020, "Kiên Giang")), "bc.pdf")

    with services.store.session() as s:
        notices = [m.text for m in s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "notice")).all()]
    assert [n for n in notices if "Cần xem lại nội dung" in n] == [
        next(n for n in notices if DISTRICT in n)]
    assert "Cần xem lại nội dung: ghi tên đơn vị khác (UBND huyện Giồng Riềng)." in notices[0]

    overview = Talk.text(await talk("staff", "/tonghop"))
    assert "Cần xem lại nội dung (1): UBND huyện Tân Hiệp" in overview
    full = Talk.text(await talk.tap("staff", "Xem danh sách đầy đủ"))
    line = next(line for line in full.splitlines() if DISTRICT in line)
    assert line.endswith("⚠ cần xem lại: ghi tên đơn vị khác (UBND huyện Giồng Riềng)")
    assert "⚠" not in next(line for line in full.splitlines() if "Sở Y tế" in line)

    clock.set(datetime(2020, 10, 1, 9, 0, tzinfo=TZ))
    (reply,) = await talk("staff", "/xuatexcel")
    ws = load_workbook(reply.document)["BC tự kiểm tra (Mục III.4)"]
    header = [c.value for c in ws[1]]
    by_code = {r[1]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert by_code["ubnd-huyen-tan-hiep"]["Kiểm tra nội dung"] == "ghi tên đơn vị khác (UBND huyện Giồng Riềng)"
    assert by_code["so-y-te"]["Kiểm tra nội dung"] == "Không thấy vấn đề"
    assert by_code["so-tu-phap"]["Kiểm tra nội dung"] is None  # nothing sent


async def test_a_corrected_version_clears_the_flag(talk, services, district):
    await send(talk, district, documents.docx(documents.template_lines(2020)), "mau.docx")
    assert "Cần xem lại" in Talk.text(await talk("staff", "/tonghop"))
    replies = await send(talk, district, documents.pdf(documents.report_lines(DISTRICT, 2020, "Tân Hiệp")), "bc.pdf")
    assert "thay thế" in Talk.text(replies) and LINE not in Talk.text(replies)
    assert "Cần xem lại" not in Talk.text(await talk("staff", "/tonghop"))


def test_the_stored_form_round_trips():
    check = Check("text", ("other_unit", "other_year"), other_unit="Sở Tài chính", years=(2019,),
                  dated=datetime(2019, 9, 25).date())
    assert Check.from_json(check.as_json()) == check
    assert Check.from_json(None) is None
