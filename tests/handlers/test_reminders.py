"""Reminders from the plan's policy: who gets what, when, and never twice (ManualClock, real SQLite)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from support import TZ, Talk, build_test_services, make_store, register_focal

from handlers import reminders
from messages.texts import delivery as reasons
from messages.texts import reminders as texts
from storage import people
from storage.models import Person, Submission
from test_sender_fakes import FakeChannel, make_sender, rows, statuses

from bot.delivery import Uncertain

Y_TE = "so-y-te"
TU_PHAP = "so-tu-phap"
CHAU_THANH = "ubnd-huyen-chau-thanh"
TAI_CHINH = "so-tai-chinh"  # inspected directly (II.2.a)
SELF_REPORT = "bao-cao-tu-kiem-tra"


def at(day: int, month: int, hour: int = 8, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2020, month, day, hour, minute, second, tzinfo=TZ)


def submit(services, unit: str, deliverable: str = SELF_REPORT, *, emit: bool = True) -> None:
    with services.store.session() as s:
        s.add(Submission(receipt_no=secrets.token_hex(6), unit_code=unit, deliverable_id=deliverable,
                         channel="test", original_name="bc.pdf", stored_path="x/bc.pdf", sha256="0" * 64,
                         size=10, detected_type="pdf", received_at=services.clock.now(), on_time=True))
        s.commit()
    if emit:
        services.emit("submission_received", unit_code=unit, deliverable_id=deliverable)


def person_id(services, user: str) -> int:
    with services.store.session() as s:
        return people.find(s, "test", user).id


def reminder_sender(services, ch: FakeChannel, grace_hours: int = 48):
    """The sender as ``agency-bot run`` builds it: with the reminder guards installed."""
    sender = make_sender(services, ch)
    guard = reminders.send_guard(services, timedelta(hours=grace_hours))
    sender.add_guard("reminder", guard)
    sender.add_guard("notice", guard)
    return sender


def mine(services, unit: str) -> dict:
    return rows(services, f"{reminders.PREFIX}{unit}:")


async def four_focal_points(talk) -> None:
    await register_focal(talk, "yte1", "Sở Y tế")
    await register_focal(talk, "yte2", "Sở Y tế")
    await register_focal(talk, "ct1", "UBND huyện Châu Thành")
    await register_focal(talk, "tp1", "Sở Tư pháp")
    await register_focal(talk, "tc1", "Sở Tài chính")


async def test_each_focal_point_of_a_unit_that_owes_gets_every_reminder(talk, services):
    await four_focal_points(talk)
    reminders.replan(services)
    y1, y2 = person_id(services, "yte1"), person_id(services, "yte2")
    got = mine(services, Y_TE)
    offsets = ["14", "7", "3", "1", "0", "-1", "-8", "-15"]
    assert set(got) == {f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{p}:{o}" for p in (y1, y2) for o in offsets}
    row = got[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{y1}:7"]
    assert row.due_at == at(22, 9) and row.status == "pending" and row.channel == "test" and row.chat_id == "yte1"
    assert "Sở Y tế" in row.text and "29/09/2020" in row.text and "còn 7 ngày" in row.text
    assert "/nopbaocao" in row.text and "Báo cáo kết quả tự kiểm tra" in row.text
    overdue = got[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{y1}:-8"]
    assert overdue.due_at == at(7, 10) and "QUÁ HẠN" in overdue.text and "đã quá hạn 8 ngày" in overdue.text
    # a unit inspected directly does not owe the III.4 report, and has no date yet
    assert mine(services, TAI_CHINH) == {}
    assert not reminders.replan(services)  # idempotent


async def test_a_unit_with_no_focal_point_is_recorded_undeliverable_and_shown(talk, services):
    reminders.replan(services)
    got = mine(services, TU_PHAP)
    assert len(got) == 8 and all(k.endswith(tuple(f":nobody:{o}" for o in ("14", "7", "3", "1", "0", "-1", "-8", "-15")))
                                 for k in got)
    assert {r.last_error for r in got.values()} == {texts.NO_FOCAL} and {r.person_id for r in got.values()} == {None}
    listing = reminders.describe_upcoming(services, 30)
    assert "Sở Tư pháp" in listing and texts.NO_FOCAL in listing
    services.clock.set(at(15, 9))
    ch = FakeChannel()
    assert await make_sender(services, ch).drain_once() == 0  # no crash, nothing sent
    row = mine(services, TU_PHAP)[f"reminder:{TU_PHAP}:{SELF_REPORT}:20200929:nobody:14"]
    assert row.status == "undeliverable" and row.last_error == texts.NO_FOCAL
    assert ch.calls == []
    # the unit registers a focal point: the placeholders give way to real reminders
    services.clock.advance(hours=1)
    await register_focal(talk, "tp1", "Sở Tư pháp")
    tp = person_id(services, "tp1")
    got = mine(services, TU_PHAP)
    assert got[f"reminder:{TU_PHAP}:{SELF_REPORT}:20200929:nobody:7"].status == "cancelled"
    assert got[f"reminder:{TU_PHAP}:{SELF_REPORT}:20200929:nobody:7"].last_error == texts.FOCAL_REGISTERED
    assert got[f"reminder:{TU_PHAP}:{SELF_REPORT}:20200929:{tp}:7"].status == "pending"
    assert f"reminder:{TU_PHAP}:{SELF_REPORT}:20200929:{tp}:14" not in got  # already past when they joined


async def test_a_submission_cancels_the_pending_reminders(talk, services):
    await four_focal_points(talk)
    reminders.replan(services)
    submit(services, Y_TE)
    got = mine(services, Y_TE)
    assert {r.status for r in got.values()} == {"cancelled"}
    assert {r.last_error for r in got.values()} == {texts.SUBMITTED}
    # the event was missed (another process): the check at send time still stops it
    submit(services, CHAU_THANH, emit=False)
    services.clock.set(at(15, 9))
    ch = FakeChannel()
    await reminder_sender(services, ch).drain_once()
    assert ch.to("ct1") == [] and ch.to("yte1") == []
    row = mine(services, CHAU_THANH)[f"reminder:{CHAU_THANH}:{SELF_REPORT}:20200929:{person_id(services, 'ct1')}:14"]
    assert row.status == "cancelled" and row.last_error == texts.SUBMITTED
    assert ch.to("tp1") and "Sở Tư pháp" in ch.to("tp1")[0]


async def _rehearsal_people(talk, services) -> None:
    await four_focal_points(talk)
    submit(services, TU_PHAP)  # already sent its report: no one there is reminded
    await register_focal(talk, "ct2", "UBND huyện Châu Thành")
    with services.store.session() as s:  # a focal point who left the unit is no longer reminded
        p = people.find(s, "test", "ct2")
        p.unit_code = None
        s.add(p)
        s.commit()


def _expected_one_day(ch: FakeChannel) -> None:
    assert sorted(chat for chat, _ in ch.accepted) == ["ct1", "yte1", "yte2"]
    for _, text in ch.accepted:
        assert "còn 1 ngày" in text and "29/09/2020" in text and "NHẮC HẠN" in text


async def test_rehearsal_fresh_start_a_minute_before_the_one_day_reminder(talk, services):
    services.clock.set(at(28, 9, 7, 59, 0))  # BOT_CLOCK_START=2020-09-28T07:59:00+07:00 on a new database
    await _rehearsal_people(talk, services)
    reminders.replan(services)
    ch = FakeChannel()
    sender = reminder_sender(services, ch)
    assert await sender.drain_once() == 0  # nothing before its time (the 14/7/3-day ones were never due here)
    services.clock.advance(seconds=60)
    assert await sender.drain_once() == 3
    _expected_one_day(ch)
    assert await sender.drain_once() == 0
    assert ch.to("tp1") == [] and ch.to("tc1") == [] and ch.to("ct2") == []


async def test_rehearsal_with_restarts_before_and_after_the_reminder(talk, services, store, plan, clock, tmp_path):
    await _rehearsal_people(talk, services)
    reminders.replan(services)  # planned on 1/9; then the bot was off until 28/9 07:59
    clock.set(at(28, 9, 7, 59, 0))
    ch = FakeChannel()

    async def run_once() -> int:  # a fresh process: new store, services and sender on the same file
        store2 = make_store(store.url)
        services2 = build_test_services(store2, plan, clock, tmp_path)
        reminders.replan(services2)
        sender = reminder_sender(services2, ch)
        try:
            return await sender.drain_once()
        finally:
            store2.dispose()

    assert await run_once() == 0  # 07:59: the missed 15/9 and 22/9 ones are too old, 26/9 is superseded
    got = mine(services, Y_TE)
    y1 = person_id(services, "yte1")
    assert got[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{y1}:14"].last_error.startswith("Bot không hoạt động")
    assert got[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{y1}:3"].last_error == texts.SUPERSEDED
    clock.advance(seconds=60)
    assert await run_once() == 3
    clock.advance(seconds=30)
    assert await run_once() == 0
    _expected_one_day(ch)


async def test_a_reminder_missed_while_down_is_sent_once_within_the_grace(talk, services):
    await register_focal(talk, "yte1", "Sở Y tế")
    services.clock.set(at(26, 9, 10))  # down from before 08:00 until 10:00
    ch = FakeChannel()
    sender = reminder_sender(services, ch, grace_hours=6)
    assert await sender.drain_once() == 1
    assert "còn 3 ngày" in ch.to("yte1")[0]
    assert await sender.drain_once() == 0
    services.clock.set(at(28, 9, 15))  # down again: 7 hours late is beyond the 6-hour grace
    assert await sender.drain_once() == 0
    row = mine(services, Y_TE)[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{person_id(services, 'yte1')}:1"]
    assert row.status == "cancelled" and "6 giờ" in row.last_error and "28/09/2020 08:00" in row.last_error


async def test_the_wording_is_refreshed_when_sent_late(talk, services):
    await register_focal(talk, "yte1", "Sở Y tế")
    services.clock.set(at(23, 9, 9))  # the 7-day reminder of 22/9, a day late
    ch = FakeChannel()
    sender = reminder_sender(services, ch)
    await sender.drain_once()
    assert ch.to("yte1") and "còn 6 ngày" in ch.to("yte1")[0]
    row = mine(services, Y_TE)[f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{person_id(services, 'yte1')}:7"]
    assert "còn 6 ngày" in row.text and row.status == "sent"


async def test_an_inactive_person_is_dropped_and_brought_back_when_they_write(talk, services):
    await register_focal(talk, "yte1", "Sở Y tế")
    pid = person_id(services, "yte1")
    key = f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{pid}:7"
    with services.store.session() as s:
        people.set_active(s, pid, False)  # blocked the bot
    reminders.replan(services)
    assert statuses(services, key)[key] == "cancelled"
    await talk("yte1", "/start")  # wrote again: reachable
    reminders.replan(services)
    assert statuses(services, key)[key] == "pending"


async def test_the_window_opening_is_announced_to_the_inspected_units(talk, services):
    services.clock.set(at(30, 6, 9))
    await register_focal(talk, "tc1", "Sở Tài chính")
    await register_focal(talk, "yte1", "Sở Y tế")
    reminders.replan(services)
    services.clock.set(at(1, 7, 8))
    ch = FakeChannel()
    sender = reminder_sender(services, ch)
    await sender.drain_once()
    assert ch.to("yte1") == []
    (text,) = ch.to("tc1")
    assert "Sở Tài chính" in text and "Quý III/2020" in text and "01/07/2020" in text and "30/09/2020" in text
    assert "Cử đúng thành phần" in text and "Sở Nội vụ" in text


async def test_listing_names_units_and_person_ids_not_names(talk, services):
    await four_focal_points(talk)
    with services.store.session() as s:
        p = people.find(s, "test", "yte1")
        p.display_name = "Nguyễn Văn A"
        s.add(p)
        s.commit()
    text = reminders.describe_upcoming(services, 30)
    y1, y2 = person_id(services, "yte1"), person_id(services, "yte2")
    assert f"test #{y1}, test #{y2}" in text and "Sở Y tế" in text and "22/09/2020" in text
    assert "Nguyễn Văn A" not in text and "yte1" not in text
    assert "07/10/2020" not in text  # beyond 30 days
    assert "Sở Tư pháp" in text  # every unit is planned, even before the bot's first run
    assert mine(services, "so-xay-dung") == {}  # ...and the listing wrote nothing
    short = reminders.describe_upcoming(services, 30, max_chars=600)
    assert len(short) <= 600 and "agency-bot reminders --days 30" in short


async def test_staff_see_the_listing_in_chat_and_focal_points_cannot(talk, services):
    await register_focal(talk, "yte1", "Sở Y tế")
    assert "Không có nhắc hạn nào" in Talk.text(await talk("staff", "/nhacnho 10"))
    text = Talk.text(await talk("staff", "/nhacnho 20"))
    assert "Nhắc hạn từ 01/09/2020" in text and "15/09/2020" in text and "22/09/2020" not in text
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("yte1", "/nhacnho"))
    assert "Cú pháp" in Talk.text(await talk("staff", "/nhacnho mười"))


async def test_a_person_who_left_the_unit_gets_nothing_more(talk, services):
    await register_focal(talk, "yte1", "Sở Y tế")
    pid = person_id(services, "yte1")
    with services.store.session() as s:
        p = s.get(Person, pid)
        p.unit_code = "so-xay-dung"
        s.add(p)
        s.commit()
    services.clock.set(at(15, 9))
    ch = FakeChannel()
    sender = reminder_sender(services, ch)
    await sender.drain_once()
    assert all("Sở Y tế" not in text for text in ch.to("yte1"))
    key = f"reminder:{Y_TE}:{SELF_REPORT}:20200929:{pid}:14"
    assert rows(services, key)[key].last_error == texts.NOT_FOCAL


async def test_nothing_to_send_and_undeliverable_are_said_once_without_contradiction(talk, services):
    """No focal point yet: the listing does not say "no reminders" and then "could not send 126"."""
    text = Talk.text(await talk("staff", "/nhacnho 20"))
    assert "Không có nhắc hạn nào từ" not in text
    assert "không có nhắc hạn nào gửi được đến người nhận" in text and "tin của" in text
    assert "chưa có đầu mối" in text
    assert "Không gửi được:" not in text  # one header, not two that contradict


async def test_a_reminder_that_may_have_arrived_is_listed_apart(talk, services):
    """Handed over without an answer: never resent, and staff see it under its own header (not "could not send")."""
    await register_focal(talk, "yte1", "Sở Y tế")
    services.clock.set(at(15, 9))
    ch = FakeChannel()
    ch.fail("yte1", Uncertain("ReadTimeout after sending"))
    await reminder_sender(services, ch).drain_once()
    text = Talk.text(await talk("staff", "/nhacnho 20"))
    head, _, unsure = text.partition("Chưa rõ đã đến: 1 tin của 1 đơn vị")
    assert "Sở Y tế" in unsure and reasons.UNCERTAIN in unsure
    assert reasons.UNCERTAIN not in head
