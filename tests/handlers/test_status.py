"""/trangthai, /hanchot and /lichkiemtra for inspected and non-inspected units, before and after a date."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from support import Talk, register_focal
from data.files import samples
from storage import people
from storage import units as unit_store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def set_date(services, code: str, when: datetime) -> None:
    """What staff's /datlich stores (the inspection date), as the other capabilities see it."""
    with services.store.session() as s:
        unit_store.set_inspection(s, code, when, None)
    services.units_changed()


@pytest.fixture
async def not_inspected(talk):
    await register_focal(talk, "yte", "Sở Y tế")
    return "yte"


@pytest.fixture
async def inspected(talk):
    await register_focal(talk, "tc", "Sở Tài chính")
    return "tc"


# ---- /trangthai -----------------------------------------------------------------------------------
async def test_status_before_anything_was_sent(talk, not_inspected):
    text = Talk.text(await talk(not_inspected, "/trangthai"))
    assert "Sở Y tế" in text and "01/09/2020 09:00" in text
    assert "Báo cáo kết quả tự kiểm tra công tác CCHC năm 2020 (Mục III.4)" in text
    assert "Hạn: 29/09/2020" in text and "Chưa nộp — còn 28 ngày" in text and "/nopbaocao" in text


async def test_status_after_a_submission_and_a_new_version(talk, clock, not_inspected):
    first = re.search(r"KG-2020-\d{6}", Talk.text(
        await talk(not_inspected, file=samples.incoming(samples.pdf("v1"), "bc.pdf")))).group(0)
    text = Talk.text(await talk(not_inspected, "/trangthai"))
    assert f"Đã nhận: số {first}, lúc 01/09/2020 09:00, đúng hạn; tệp bc.pdf." in text
    assert "bản thứ" not in text and "đã nộp đủ" in text
    clock.set(datetime(2020, 10, 3, 8, 15, tzinfo=TZ))
    second = re.search(r"Số: (KG-2020-\d{6})", Talk.text(
        await talk(not_inspected, file=samples.incoming(samples.pdf("v2"), "bc-v2.pdf")))).group(1)
    text = Talk.text(await talk(not_inspected, "/trangthai"))
    # on time or late is the first version's (01/09), not the correction's (03/10)
    assert f"số {second}, lúc 03/10/2020 08:15, đúng hạn; tệp bc-v2.pdf" in text
    assert "bản thứ 2 (thay 1 bản trước" in text and "bản đầu tiên, nhận lúc 01/09/2020 09:00" in text
    assert first not in text


async def test_status_counts_days_overdue(talk, clock, not_inspected):
    clock.set(datetime(2020, 10, 2, 9, 0, tzinfo=TZ))
    assert "Chưa nộp — đã quá hạn 3 ngày" in Talk.text(await talk(not_inspected, "/trangthai"))
    clock.set(datetime(2020, 9, 29, 16, 0, tzinfo=TZ))  # "trước ngày 30/9": 29/9 is the last day
    assert "Chưa nộp — hạn là hôm nay" in Talk.text(await talk(not_inspected, "/trangthai"))
    clock.set(datetime(2020, 9, 30, 9, 0, tzinfo=TZ))
    assert "Chưa nộp — đã quá hạn 1 ngày" in Talk.text(await talk(not_inspected, "/trangthai"))


async def test_status_of_an_inspected_unit_follows_its_inspection_date(talk, services, clock, inspected):
    text = Talk.text(await talk(inspected, "/trangthai"))
    assert "Báo cáo tự kiểm tra, kiểm tra cấp dưới gửi Đoàn kiểm tra (Mục III.3.a)" in text
    assert "Hạn: chưa xác định (tính theo ngày kiểm tra, chưa có lịch)" in text
    assert "Chưa nộp — chưa có hạn (chờ lịch kiểm tra)" in text and "30/09/2020" not in text  # no invented date
    set_date(services, "so-tai-chinh", datetime(2020, 9, 15, 8, 0, tzinfo=TZ))
    text = Talk.text(await talk(inspected, "/trangthai"))
    assert "Hạn: 15/09/2020 08:00" in text and "chưa xác định" not in text and "còn 14 ngày" in text
    clock.set(datetime(2020, 9, 15, 10, 0, tzinfo=TZ))
    assert "đã quá hạn (hạn lúc 08:00 hôm nay)" in Talk.text(await talk(inspected, "/trangthai"))


async def test_only_registered_focal_points_see_a_status(talk):
    assert "chưa đăng ký" in Talk.text(await talk("stranger", "/trangthai"))
    assert "chưa đăng ký" in Talk.text(await talk("stranger", "/hanchot"))
    assert "chưa đăng ký" in Talk.text(await talk("stranger", "/lichkiemtra"))


async def test_a_unit_sees_only_its_own_submissions(talk, not_inspected):
    await register_focal(talk, "tp", "Sở Tư pháp")
    await talk("tp", file=samples.incoming(samples.pdf(), "tu-phap.pdf"))
    text = Talk.text(await talk(not_inspected, "/trangthai"))
    assert "tu-phap.pdf" not in text and "Chưa nộp" in text


# ---- /hanchot -------------------------------------------------------------------------------------
async def test_deadlines_of_a_unit_not_inspected(talk, not_inspected):
    text = Talk.text(await talk(not_inspected, "/hanchot"))
    assert "HẠN NỘP BÁO CÁO — Sở Y tế" in text
    assert "Hạn: 29/09/2020 — còn 28 ngày" in text
    assert "Kế hoạch ghi: “trước ngày 30/9/2020” (Mục III.4, Kế hoạch 32/KH-UBND ngày 03/3/2020)" in text
    assert "Gửi đến: Ủy ban nhân dân tỉnh (qua Sở Nội vụ)" in text and "chưa xác định" not in text
    receipt = re.search(r"KG-2020-\d{6}", Talk.text(
        await talk(not_inspected, file=samples.incoming(samples.pdf(), "bc.pdf")))).group(0)
    assert f"đã nộp (số {receipt})" in Talk.text(await talk(not_inspected, "/hanchot"))


async def test_deadlines_of_an_inspected_unit_are_not_set_until_a_date_is(talk, services, inspected):
    text = Talk.text(await talk(inspected, "/hanchot"))
    assert "Hạn: chưa xác định (tính theo ngày kiểm tra, chưa có lịch)\n" in text
    assert "Mục III.3.a" in text and "Đoàn kiểm tra của UBND tỉnh" in text
    assert "Sở Nội vụ sẽ thông báo thời gian kiểm tra cụ thể (Mục III.2) trong Quý III/2020" in text
    set_date(services, "so-tai-chinh", datetime(2020, 9, 22, 14, 0, tzinfo=TZ))
    text = Talk.text(await talk(inspected, "/hanchot"))
    assert "Hạn: 22/09/2020 14:00 — còn 21 ngày" in text and "chưa xác định" not in text


# ---- /lichkiemtra ---------------------------------------------------------------------------------
async def test_schedule_of_an_inspected_unit_before_and_after_the_date(talk, services, clock, inspected):
    text = Talk.text(await talk(inspected, "/lichkiemtra"))
    assert "Sở Tài chính thuộc đối tượng kiểm tra trực tiếp năm 2020 (Mục II.2" in text
    assert "Quý III/2020 (01/07/2020–30/09/2020) (Mục II.3)" in text
    assert "do Sở Nội vụ thông báo (Mục III.2)" in text
    assert "Cử đúng thành phần tham dự" in text  # the III.3 preparation list
    set_date(services, "so-tai-chinh", datetime(2020, 9, 15, 8, 0, tzinfo=TZ))
    text = Talk.text(await talk(inspected, "/lichkiemtra"))
    assert "làm việc tại đơn vị: 15/09/2020 08:00 — còn 14 ngày" in text
    assert "Quý III/2020" not in text and "Cử đúng thành phần tham dự" in text
    clock.set(datetime(2020, 9, 18, 9, 0, tzinfo=TZ))
    assert "đã diễn ra 3 ngày trước" in Talk.text(await talk(inspected, "/lichkiemtra"))


async def test_schedule_of_a_unit_not_inspected_points_to_its_own_duty(talk, not_inspected):
    text = Talk.text(await talk(not_inspected, "/lichkiemtra"))
    assert "Sở Y tế không thuộc đối tượng kiểm tra trực tiếp năm 2020" in text
    assert "Nhiệm vụ của đơn vị (Mục III.4)" in text and "tự kiểm tra" in text
    assert "hạn 29/09/2020 (trước ngày 30/9/2020)" in text and "Đoàn kiểm tra đến làm việc" in text


async def test_a_commune_not_yet_chosen_then_chosen(talk, services):
    await register_focal(talk, "xa", "UBND xã Bình Sơn, huyện Hòn Đất")
    text = Talk.text(await talk("xa", "/lichkiemtra"))
    # the same answer as the questions give: not listed, but may be chosen (II.2.c)
    assert "chưa có tên trong danh sách kiểm tra trực tiếp năm 2020, nhưng có thể được chọn" in text
    assert "(Mục II.2.c: “Chọn 02 xã thuộc Ủy ban nhân dân cấp huyện được chọn kiểm tra”)" in text
    assert "không thuộc đối tượng kiểm tra trực tiếp năm" not in text
    code = services.roster().resolve("UBND xã Bình Sơn, huyện Hòn Đất").unit.code
    with services.store.session() as s:
        unit_store.select_for_inspection(s, code)
    set_date(services, code, datetime(2020, 9, 25, 8, 0, tzinfo=TZ))
    text = Talk.text(await talk("xa", "/lichkiemtra"))
    assert "25/09/2020 08:00 — còn 24 ngày" in text and "không thuộc" not in text
    text = Talk.text(await talk("xa", "/hanchot"))
    assert "Hạn: 25/09/2020 08:00" in text  # now owes the report to the inspection team


# ---- words instead of slash commands (Zalo, console) -------------------------------------------
@pytest.mark.parametrize("words, expected", [
    ("trang thai", "TÌNH TRẠNG NỘP BÁO CÁO"),
    ("Tình trạng", "TÌNH TRẠNG NỘP BÁO CÁO"),
    ("hạn chót", "HẠN NỘP BÁO CÁO"),
    ("han nop", "HẠN NỘP BÁO CÁO"),
    ("Lịch kiểm tra", "LỊCH KIỂM TRA CCHC"),
    ("nop bao cao", "Anh/chị gửi tệp"),
])
async def test_folded_aliases_work_without_a_slash(talk, services, words, expected):
    talk.channel = "console"
    with services.store.session() as s:
        person = people.ensure(s, "console", "c1", "c1")
        people.register(s, person, "so-y-te", services.clock.now())
    assert expected in Talk.text(await talk("c1", words))


def test_the_commands_have_vietnamese_descriptions(router):
    for name in ("trangthai", "hanchot", "lichkiemtra", "nopbaocao"):
        command = router.commands[name]
        assert command.role == "focal" and command.menu
        assert re.search(r"[ạảãàáâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", command.description.lower())
