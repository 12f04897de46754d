"""/datlich: staff set an inspection date; the unit is told at once, reminded before, rescheduled on change."""

from __future__ import annotations

from datetime import datetime, timedelta

from support import TZ, Talk, register_focal

from handlers import reminders
from handlers.inspections import BadInput, parse
from messages.texts import inspections as texts
from messages.texts import reminders as rtexts
from storage import people
from storage import units as unit_store
from test_sender_fakes import FakeChannel, make_sender, rows


def sender_for(services, ch):
    sender = make_sender(services, ch)
    guard = reminders.send_guard(services, timedelta(hours=48))
    sender.add_guard("reminder", guard)
    sender.add_guard("notice", guard)
    return sender


def visit_rows(services, unit: str) -> dict:
    return rows(services, f"reminder:{unit}:visit:")


def pid(services, user: str) -> int:
    with services.store.session() as s:
        return people.find(s, "test", user).id


def test_parse_accepts_names_with_commas_and_optional_time(services):
    assert parse("UBND xã Bình Sơn, huyện Hòn Đất 22/9/2020 14:30", services)[0] == "UBND xã Bình Sơn, huyện Hòn Đất"
    unit, day, at = parse("so tai chinh 05/09/2020", services)
    assert (unit, day.isoformat(), at) == ("so tai chinh", "2020-09-05", None)
    assert parse("STC 5/9/2020 8h", services)[2].strftime("%H:%M") == "08:00"
    for bad, message in (("Sở Tài chính 31/9/2020", "31/9/2020"), ("Sở Tài chính 15/9/2020 25:00", "25:00"),
                         ("Sở Tài chính", "dd/mm/yyyy"), ("15/9/2020", "tên đơn vị"),
                         ("Sở Tài chính 15/9/2020 sáng mai", "sáng mai")):
        try:
            parse(bad, services)
        except BadInput as exc:
            assert message in str(exc)
        else:
            raise AssertionError(bad)


async def test_staff_set_a_date_the_unit_is_told_at_once_and_reminded_before(talk, services):
    await register_focal(talk, "tc1", "Sở Tài chính")
    await register_focal(talk, "tc2", "STC")
    text = Talk.text(await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30"))
    assert "Đã đặt lịch kiểm tra Sở Tài chính: 15/09/2020 08:30." in text
    assert texts.TOLD.format(count=2) in text and "08/09/2020 08:00, 14/09/2020 08:00" in text
    assert "Lưu ý" not in text
    with services.store.session() as s:
        visit = unit_store.inspection_of(s, "so-tai-chinh")
        assert visit.starts_at == datetime(2020, 9, 15, 8, 30, tzinfo=TZ)
        assert visit.set_by == pid(services, "staff")
    ch = FakeChannel()
    sender = sender_for(services, ch)
    assert await sender.drain_once() == 2  # at once, to both focal points
    notice = ch.to("tc1")[0]
    assert "THÔNG BÁO LỊCH KIỂM TRA" in notice and "Sở Tài chính" in notice and "15/09/2020 08:30" in notice
    for obligation in services.plan.preparation():
        assert f"- {obligation.summary} (Mục {obligation.section})" in notice  # the III.3 list, from the plan
    assert "Mục III.3.a" in notice and "Mục III.2" in notice
    services.clock.set(datetime(2020, 9, 8, 8, 0, tzinfo=TZ))
    assert await sender.drain_once() == 2
    assert "NHẮC LỊCH KIỂM TRA" in ch.to("tc2")[-1] and "còn 7 ngày" in ch.to("tc2")[-1]
    services.clock.set(datetime(2020, 9, 14, 8, 0, tzinfo=TZ))
    assert await sender.drain_once() == 2
    assert "còn 1 ngày" in ch.to("tc1")[-1]
    services.clock.set(datetime(2020, 9, 20, 8, 0, tzinfo=TZ))
    assert await sender.drain_once() == 0
    assert len(ch.to("tc1")) == 3


async def test_changing_the_date_cancels_the_old_reminders_and_tells_the_unit(talk, services):
    await register_focal(talk, "tc1", "Sở Tài chính")
    seen = []
    services.on("inspection_set", lambda services, **kw: seen.append(kw))
    await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30")
    ch = FakeChannel()
    sender = sender_for(services, ch)
    await sender.drain_once()
    text = Talk.text(await talk("staff", "/datlich Sở Tài chính 22/9/2020 14:00"))
    assert "Lịch cũ (15/09/2020 08:30) đã được thay" in text
    assert seen[-1]["previous"] == datetime(2020, 9, 15, 8, 30, tzinfo=TZ)
    assert seen[-1]["starts_at"] == datetime(2020, 9, 22, 14, 0, tzinfo=TZ) and seen[-1]["unit_code"] == "so-tai-chinh"
    got = visit_rows(services, "so-tai-chinh")
    old = {k: r for k, r in got.items() if ":20200915T0830:" in k and not k.split(":")[-1].startswith("set")}
    assert old and {r.status for r in old.values()} == {"cancelled"}
    assert {r.last_error for r in old.values()} == {rtexts.DATE_CHANGED}
    new = {k: r for k, r in got.items() if ":20200922T1400:" in k}
    assert sorted(r.due_at.astimezone(TZ).strftime("%d/%m %H:%M") for r in new.values()) == [
        "01/09 09:00", "15/09 08:00", "21/09 08:00"]  # at once, 7 days and 1 day before
    await sender.drain_once()
    second = ch.to("tc1")[-1]
    assert "22/09/2020 14:00" in second and "thay cho lịch đã báo trước đây (15/09/2020 08:30)" in second
    services.clock.set(datetime(2020, 9, 8, 8, 0, tzinfo=TZ))
    assert await sender.drain_once() == 0  # the old 7-day reminder is gone
    services.clock.set(datetime(2020, 9, 15, 8, 0, tzinfo=TZ))
    assert await sender.drain_once() == 1 and "22/09/2020 14:00" in ch.to("tc1")[-1]
    # moved away and back again: the cancelled reminder of 22/9 comes back, and the unit is told each time
    one_day = f"reminder:so-tai-chinh:visit:20200922T1400:{pid(services, 'tc1')}:1"
    await talk("staff", "/datlich Sở Tài chính 16/9/2020 08:30")
    assert rows(services, one_day)[one_day].status == "cancelled"
    await talk("staff", "/datlich Sở Tài chính 22/9/2020 14:00")
    assert rows(services, one_day)[one_day].status == "pending"
    assert "21/09/2020" in Talk.text(await talk("staff", "/nhacnho 10"))
    before = len(ch.to("tc1"))
    assert await sender.drain_once() == 1  # the notice of 16/9 was withdrawn before it went out
    assert len(ch.to("tc1")) == before + 1
    last = ch.to("tc1")[-1]
    assert last.startswith("THÔNG BÁO LỊCH KIỂM TRA") and "22/09/2020 14:00" in last and "(16/09/2020 08:30)" in last


async def test_same_date_again_tells_no_one_twice(talk, services):
    await register_focal(talk, "tc1", "Sở Tài chính")
    await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30")
    text = Talk.text(await talk("staff", "/datlich so tai chinh 15/09/2020 8:30"))
    assert texts.SET_SAME in text
    ch = FakeChannel()
    assert await sender_for(services, ch).drain_once() == 1


async def test_a_date_outside_the_window_or_past_is_kept_with_a_warning(talk, services):
    text = Talk.text(await talk("staff", "/datlich UBND huyện An Biên 2/10/2020"))
    assert "Đã đặt lịch kiểm tra UBND huyện An Biên: 02/10/2020 08:00." in text
    assert "ngoài thời gian kiểm tra Quý III/2020 (01/07/2020–30/09/2020)" in text
    assert texts.DEFAULT_TIME.format(time="08:00") in text
    text = Talk.text(await talk("staff", "/datlich UBND huyện Hòn Đất 31/8/2020"))
    assert texts.WARN_PAST in text
    text = Talk.text(await talk("staff", "/datlich Sở Y tế 20/9/2020"))
    assert "không có trong danh sách kiểm tra trực tiếp của kế hoạch (Mục II.2)" in text


async def test_usage_examples_come_from_the_loaded_plan(talk):
    text = Talk.text(await talk("staff", "/datlich"))
    assert "Ví dụ: /datlich Sở Kế hoạch và Đầu tư 15/7/2020 08:30" in text  # first listed unit, in the window


async def test_bad_input_is_explained_and_nothing_is_stored(talk, services):
    assert "31/9/2020 không có trên lịch" in Talk.text(await talk("staff", "/datlich Sở Tài chính 31/9/2020"))
    assert "Cú pháp" in Talk.text(await talk("staff", "/datlich"))
    assert "Không tìm thấy đơn vị" in Talk.text(await talk("staff", "/datlich Sở Vũ trụ 15/9/2020"))
    with services.store.session() as s:
        assert unit_store.all_inspections(s) == []


async def test_an_ambiguous_name_offers_buttons(talk, services):
    text = Talk.text(await talk("staff", "/datlich Ban Quản lý Khu kinh tế 18/9/2020 9:15"))
    assert "Có nhiều đơn vị gần với" in text
    text = Talk.text(await talk.tap("staff", "Phú Quốc"))
    assert "không có trong danh sách kiểm tra trực tiếp" in text  # not a unit the plan selects: confirm first
    text = Talk.text(await talk.tap("staff", texts.BUTTON_ADD))
    assert "Đã đặt lịch kiểm tra Ban Quản lý Khu kinh tế Phú Quốc: 18/09/2020 09:15." in text
    with services.store.session() as s:
        assert [v.unit_code for v in unit_store.all_inspections(s)] == ["ban-quan-ly-khu-kinh-te-phu-quoc"]


async def test_a_new_commune_is_confirmed_then_chosen_as_the_plan_allows(talk, services):
    """II.2.c leaves the communes of the inspected districts to the announcer: a date chooses one."""
    text = Talk.text(await talk("staff", "/datlich UBND xã Bình Sơn, huyện Hòn Đất 22/9/2020"))
    assert "chưa có trong danh sách đơn vị" in text
    code = "ubnd-xa-binh-son-huyen-hon-dat"
    assert services.roster().get(code) is None
    text = Talk.text(await talk.tap("staff", "Thêm mới"))
    assert "Đã thêm đơn vị mới: UBND xã Bình Sơn, huyện Hòn Đất (UBND cấp xã, thuộc UBND huyện Hòn Đất)" in text
    assert "được chọn kiểm tra trực tiếp theo Mục II.2.c" in text and "Chọn 02 xã" in text
    assert texts.NO_FOCAL.format(unit="UBND xã Bình Sơn, huyện Hòn Đất") in text
    assert services.roster().get(code).inspected
    got = visit_rows(services, code)
    assert got and all(":nobody:" in k for k in got)  # recorded for staff to see, no crash
    assert rows(services, f"reminder:{code}:bao-cao-tu-kiem-tra:") == {}  # inspected: no III.4 report
    # a focal point registers later and is told the date
    services.clock.advance(hours=1)
    await register_focal(talk, "bs1", "UBND xã Bình Sơn, huyện Hòn Đất")
    ch = FakeChannel()
    await sender_for(services, ch).drain_once()
    assert len(ch.to("bs1")) == 1 and "22/09/2020 08:00" in ch.to("bs1")[0]
    assert "thay cho" not in ch.to("bs1")[0]


async def test_more_communes_than_the_plan_says_is_flagged(talk, services):
    for name in ("Bình Sơn", "Bình Giang", "Sơn Kiên"):
        await talk("staff", f"/datlich UBND xã {name}, huyện Hòn Đất 22/9/2020")
        text = Talk.text(await talk.tap("staff", "Thêm mới"))
    assert "UBND huyện Hòn Đất đã có 3 đơn vị (UBND cấp xã) được chọn kiểm tra, nhiều hơn số 02 theo Mục II.2.c" in text


async def test_only_staff_set_dates(talk, services):
    await register_focal(talk, "tc1", "Sở Tài chính")
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("tc1", "/datlich Sở Tài chính 15/9/2020"))
    with services.store.session() as s:
        assert unit_store.all_inspections(s) == []


async def test_a_date_moved_behind_the_bots_back_stops_the_old_reminder(talk, services):
    await register_focal(talk, "tc1", "Sở Tài chính")
    await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30")
    with services.store.session() as s:  # changed by another process, no event here
        unit_store.set_inspection(s, "so-tai-chinh", datetime(2020, 9, 25, 8, 0, tzinfo=TZ), None)
    services.clock.set(datetime(2020, 9, 8, 8, 0, tzinfo=TZ))
    ch = FakeChannel()
    await sender_for(services, ch).drain_once()
    assert all("15/09/2020" not in t for t in ch.to("tc1")[1:])
    key = f"reminder:so-tai-chinh:visit:20200915T0830:{pid(services, 'tc1')}:7"
    assert rows(services, key)[key].last_error == rtexts.DATE_CHANGED


async def test_a_unit_off_the_plans_lists_is_added_only_when_staff_confirm(talk, services):
    """II.2.a–b list the departments and districts inspected directly; a date alone adds nobody."""
    await register_focal(talk, "yt1", "Sở Y tế")
    text = Talk.text(await talk("staff", "/datlich Sở Y tế 20/9/2020"))
    assert "Sở Y tế không có trong danh sách kiểm tra trực tiếp của kế hoạch (Mục II.2)" in text
    assert "Đã đặt lịch" not in text
    text = Talk.text(await talk.tap("staff", texts.BUTTON_KEEP_OUT))
    assert texts.NOT_ADDED.format(unit="Sở Y tế") == text
    with services.store.session() as s:
        assert unit_store.all_inspections(s) == []
    assert not services.roster().get("so-y-te").inspected
    await talk("staff", "/datlich Sở Y tế 20/9/2020")
    text = Talk.text(await talk.tap("staff", texts.BUTTON_ADD))
    assert "Đã thêm Sở Y tế vào danh sách kiểm tra trực tiếp (ngoài danh sách tại Mục II.2)" in text
    assert "Đã đặt lịch kiểm tra Sở Y tế: 20/09/2020 08:00." in text
    assert services.roster().get("so-y-te").inspected
    deadlines = Talk.text(await talk("yt1", "/hanchot"))
    assert "Đoàn kiểm tra" in deadlines and "Báo cáo kết quả tự kiểm tra" not in deadlines  # now owes III.3
    ch = FakeChannel()
    await sender_for(services, ch).drain_once()
    (notice,) = ch.to("yt1")
    assert "20/09/2020 08:00" in notice and "Báo cáo tự kiểm tra, kiểm tra cấp dưới gửi Đoàn kiểm tra" in notice


async def test_a_commune_outside_the_inspected_districts_needs_confirmation(talk, services):
    await talk("staff", "/datlich UBND xã Thạnh Đông, huyện Tân Hiệp 22/9/2020")
    text = Talk.text(await talk.tap("staff", "Thêm mới"))
    assert "không có trong danh sách kiểm tra trực tiếp của kế hoạch" in text  # Tân Hiệp is not inspected
    assert not services.roster().get("ubnd-xa-thanh-dong-huyen-tan-hiep").inspected
    await talk("staff", "/datlich UBND xã Bình Sơn, huyện Hòn Đất 22/9/2020")
    text = Talk.text(await talk.tap("staff", "Thêm mới"))
    assert "được chọn kiểm tra trực tiếp theo Mục II.2.c" in text


async def test_one_date_is_one_replan(talk, services, monkeypatch):
    await register_focal(talk, "tc1", "Sở Tài chính")
    calls = []
    real = reminders.replan
    # both paths look ``replan`` up here: /datlich's own call and the reminders' event listener
    monkeypatch.setattr(reminders, "replan", lambda *a, **kw: calls.append(a[1:]) or real(*a, **kw))
    await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30")
    assert calls == [(["so-tai-chinh"],)]
