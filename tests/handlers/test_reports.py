"""/tonghop and its full list: counts by deliverable and tier, missing units, phone-sized."""

from __future__ import annotations

from datetime import datetime

from broadcast_helpers import add_submission, set_inspection
from support import TZ, Talk, register_focal

from handlers.reports import OVERVIEW_MAX_CHARS, standings, tally
from handlers.unit_picker import add_unit

SELF_REPORT = "bao-cao-tu-kiem-tra"
INSPECTION_REPORT = "bao-cao-doan-kiem-tra"


def block(text: str, title_part: str) -> str:
    """The part of the overview about one deliverable."""
    return next(b for b in text.split("\n\n") if title_part in b.split("\n")[0])


async def test_overview_counts_on_time_late_and_missing_by_level(talk, services, plan, clock):
    add_submission(services, "so-y-te", SELF_REPORT)
    add_submission(services, "so-tu-phap", SELF_REPORT, at=datetime(2020, 9, 30, 8, 0, tzinfo=TZ))  # a day late
    add_submission(services, "ubnd-huyen-tan-hiep", SELF_REPORT)
    add_submission(services, "so-tai-chinh", INSPECTION_REPORT)
    clock.set(datetime(2020, 10, 2, 9, 0, tzinfo=TZ))
    replies = await talk("staff", "/tonghop")
    text = Talk.text(replies)
    owed_self = sum(1 for u in plan.units if u.code not in plan.listed_codes)
    departments = sum(1 for u in plan.units if u.level == "province_agency" and u.code not in plan.listed_codes)
    districts = owed_self - departments
    self_block = block(text, "BC tự kiểm tra")
    assert "hạn: 29/09/2020" in self_block
    assert f"Phải nộp {owed_self} · đúng hạn 2 · trễ hạn 1 · chưa nộp {owed_self - 3}" in self_block
    assert f"Sở, ban, ngành tỉnh: {departments} — đúng hạn 1, trễ 1, chưa nộp {departments - 2}" in self_block
    assert f"UBND cấp huyện: {districts} — đúng hạn 1, trễ 0, chưa nộp {districts - 1}" in self_block
    missing_line = next(line for line in self_block.split("\n") if line.startswith("Chưa nộp:"))
    assert "Sở Y tế" not in missing_line and "Văn phòng UBND tỉnh" in missing_line
    insp_block = block(text, "BC gửi Đoàn KT")
    owed_insp = len(plan.listed_codes)
    assert f"Phải nộp {owed_insp} · đúng hạn 1 · trễ hạn 0 · chưa nộp {owed_insp - 1}" in insp_block
    assert len(replies[0].text) <= OVERVIEW_MAX_CHARS
    assert [o.label for o in replies[0].options] == ["Xem danh sách đầy đủ"]


async def test_overdue_after_the_deadline_and_superseded_versions(talk, services, clock):
    first = add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 20, 10, 0, tzinfo=TZ))
    # a corrected version after the deadline does not make the report late
    add_submission(services, "so-y-te", SELF_REPORT, on_time=False, supersedes=first.id,
                   at=datetime(2020, 10, 2, 10, 0, tzinfo=TZ))
    clock.set(datetime(2020, 10, 5, 9, 0, tzinfo=TZ))
    rows = {st.unit.code: st for st in standings(services)[SELF_REPORT]}
    assert rows["so-y-te"].status == "on_time" and rows["so-y-te"].received.versions == 2
    assert rows["so-tu-phap"].status == "overdue"
    text = block(Talk.text(await talk("staff", "/tonghop")), "BC tự kiểm tra")
    total = len(rows)
    assert f"đúng hạn 1 · trễ hạn 0 · chưa nộp {total - 1} (quá hạn {total - 1})" in text


async def test_inspected_deliverable_uses_each_units_date(talk, services, clock):
    set_inspection(services, "so-tai-chinh", datetime(2020, 9, 10, 8, 0, tzinfo=TZ))
    clock.set(datetime(2020, 9, 15, 9, 0, tzinfo=TZ))
    rows = {st.unit.code: st for st in standings(services)[INSPECTION_REPORT]}
    assert rows["so-tai-chinh"].status == "overdue" and not rows["so-tai-chinh"].deadline.unset
    assert rows["so-ke-hoach-va-dau-tu"].status == "missing"  # no date yet: no deadline, never overdue
    assert rows["so-ke-hoach-va-dau-tu"].deadline.unset
    clock.set(datetime(2021, 1, 15, 9, 0, tzinfo=TZ))
    assert {st.unit.code: st for st in standings(services)[INSPECTION_REPORT]}["so-ke-hoach-va-dau-tu"].status == "missing"


async def test_communes_added_at_run_time_are_counted(talk, services):
    await register_focal(talk, "bs1", "UBND xã Bình Sơn, huyện Hòn Đất")
    rows = standings(services)[SELF_REPORT]
    commune = next(st for st in rows if st.unit.code == "ubnd-xa-binh-son-huyen-hon-dat")
    assert commune.focal_points == 1 and commune.status == "missing"
    total, by_level = tally(rows, services)
    assert by_level["commune"].owed == 1 and total.owed == len(rows)
    assert "UBND cấp xã: 1 — đúng hạn 0, trễ 0, chưa nộp 1" in Talk.text(await talk("staff", "/tonghop"))


async def test_a_large_roster_stays_phone_sized_and_the_full_list_is_complete(talk, services):
    roster = services.roster()
    districts = [u for u in roster.units if u.level == "district"]
    added = []
    for i in range(400):
        district = districts[i % len(districts)]
        unit = roster.resolve(f"UBND xã Thử Nghiệm Số {i}, {district.name.removeprefix('UBND ')}").new_unit
        add_unit(services, unit, source="staff")
        added.append(unit.name)
    replies = await talk("staff", "/tonghop")
    assert len(replies) == 1 and len(replies[0].text) <= OVERVIEW_MAX_CHARS  # a phone-sized summary
    assert "đơn vị khác" in replies[0].text
    full = await talk.tap("staff", "danh sách đầy đủ")
    # one message per deliverable, however long: the channels split long texts for their platform
    assert len(full) == len(services.plan.deliverables)
    assert all(r.text.startswith(f"DANH SÁCH ĐẦY ĐỦ — {d.short} (đến")
               for r, d in zip(full, services.plan.deliverables))
    listed = "\n".join(r.text for r in full)
    assert all(name in listed for name in added)
    assert "[chưa có đầu mối]" in listed


async def test_full_list_shows_receipts(talk, services):
    await register_focal(talk, "yt1", "Sở Y tế")
    sub = add_submission(services, "so-y-te", SELF_REPORT, at=datetime(2020, 9, 3, 14, 5, tzinfo=TZ))
    await talk("staff", "/tonghop")
    listed = Talk.text(await talk.tap("staff", "danh sách đầy đủ"))
    assert f"Sở Y tế — {sub.receipt_no}, 03/09/2020 14:05" in listed
    on_time = listed.split("Đúng hạn (1):")[1]
    assert "Sở Y tế" in on_time


async def test_overview_is_staff_only(talk):
    await register_focal(talk, "yt1", "Sở Y tế")
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("yt1", "/tonghop"))
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("yt1", "/xuatexcel"))
