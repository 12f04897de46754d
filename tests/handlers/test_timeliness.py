"""On time or late has one rule: the FIRST version arrived by the deadline as it stands now.

/trangthai, /hanchot, /tonghop, the export and the broadcast audiences all say the same,
however many corrections follow and wherever staff move the inspection date. A receipt
is the record of its moment; a later version's receipt says where the report stands.
"""

from __future__ import annotations

import re
from datetime import datetime

from broadcast_helpers import add_submission
from support import TZ, Talk, register_focal
from sqlmodel import select

from data.files import samples
from handlers.reports import standings
from messages.deadlines import Deadline
from storage.models import Submission

SELF_REPORT = "bao-cao-tu-kiem-tra"
INSPECTION_REPORT = "bao-cao-doan-kiem-tra"


def block(text: str, title_part: str) -> str:
    return next(b for b in text.split("\n\n") if title_part in b.split("\n")[0])


def status_of(services, unit: str, deliverable: str) -> str:
    return next(st for st in standings(services)[deliverable] if st.unit.code == unit).status


def test_met_by_judges_the_first_arrival_against_the_deadline(plan):
    deliverable = plan.deliverable(SELF_REPORT)
    deadline = Deadline(deliverable, datetime(2020, 9, 29, 23, 59, 59, tzinfo=TZ))
    assert deadline.met_by(datetime(2020, 9, 29, 23, 59, 59, tzinfo=TZ))
    assert not deadline.met_by(datetime(2020, 9, 30, 0, 0, tzinfo=TZ))
    assert not deadline.met_by(None)
    unset = Deadline(deliverable, None)  # an offset from an inspection date not yet set: nothing has passed
    assert unset.met_by(datetime(2020, 9, 30, tzinfo=TZ)) and not unset.passed(datetime(2021, 1, 1, tzinfo=TZ))
    assert unset.days_left(datetime(2020, 9, 1, tzinfo=TZ)) is None


async def test_a_correction_after_the_deadline_keeps_the_report_on_time_everywhere(talk, services, clock):
    await register_focal(talk, "yt1", "Sở Y tế")
    text = Talk.text(await talk("yt1", file=samples.incoming(samples.pdf("v1"), "bc.pdf")))
    assert "Hạn nộp: 29/09/2020 — ĐÚNG HẠN" in text
    clock.set(datetime(2020, 10, 11, 10, 0, tzinfo=TZ))
    text = Talk.text(await talk("yt1", file=samples.incoming(samples.pdf("v2"), "bc-sua.pdf")))
    # the correction's own receipt: where the report stands, not "late" for the correction
    assert "bản thay thế; báo cáo đã nộp ĐÚNG HẠN từ 01/09/2020 09:00" in text and "TRỄ HẠN" not in text
    assert "đúng hạn;" in Talk.text(await talk("yt1", "/trangthai"))
    assert re.search(r"đã nộp \(số KG-2020-\d{6}\), đúng hạn", Talk.text(await talk("yt1", "/hanchot")))
    assert status_of(services, "so-y-te", SELF_REPORT) == "on_time"
    assert "đúng hạn 1 · trễ hạn 0" in block(Talk.text(await talk("staff", "/tonghop")), "BC tự kiểm tra")
    with services.store.session() as s:  # the at-arrival record of each file stays what its receipt said
        rows = s.exec(select(Submission).where(Submission.unit_code == "so-y-te").order_by(Submission.id)).all()
        assert [r.on_time for r in rows] == [True, False]


async def test_a_late_first_version_stays_late_after_a_correction(talk, services, clock):
    await register_focal(talk, "tp1", "Sở Tư pháp")
    clock.set(datetime(2020, 10, 2, 9, 0, tzinfo=TZ))
    text = Talk.text(await talk("tp1", file=samples.incoming(samples.pdf("v1"), "bc.pdf")))
    assert "TRỄ HẠN 3 ngày" in text
    clock.set(datetime(2020, 10, 5, 9, 0, tzinfo=TZ))
    text = Talk.text(await talk("tp1", file=samples.incoming(samples.pdf("v2"), "bc2.pdf")))
    assert "bản thay thế; báo cáo nộp TRỄ HẠN 3 ngày (bản đầu tiên nhận 02/10/2020 09:00)" in text
    assert "trễ hạn;" in Talk.text(await talk("tp1", "/trangthai"))
    assert status_of(services, "so-tu-phap", SELF_REPORT) == "late"


async def test_a_moved_inspection_date_changes_the_verdict_on_read(talk, services, clock):
    await register_focal(talk, "tc1", "Sở Tài chính")
    await talk("staff", "/datlich Sở Tài chính 10/9/2020 08:00")
    clock.set(datetime(2020, 9, 13, 9, 0, tzinfo=TZ))
    text = Talk.text(await talk("tc1", file=samples.incoming(samples.pdf("bc"), "bc-doan.pdf")))
    assert "Hạn nộp: 10/09/2020 08:00 — TRỄ HẠN 3 ngày" in text  # true when it arrived
    assert status_of(services, "so-tai-chinh", INSPECTION_REPORT) == "late"
    await talk("staff", "/datlich Sở Tài chính 25/9/2020 08:00")  # staff move the visit
    text = Talk.text(await talk("tc1", "/trangthai"))
    assert "Hạn: 25/09/2020 08:00" in text and "lúc 13/09/2020 09:00, đúng hạn" in text and "trễ hạn" not in text
    assert status_of(services, "so-tai-chinh", INSPECTION_REPORT) == "on_time"
    assert "đúng hạn 1 · trễ hạn 0" in block(Talk.text(await talk("staff", "/tonghop")), "BC gửi Đoàn KT")


async def test_the_overview_ignores_the_stored_flag(services):
    """A row whose at-arrival flag says "late" but whose first version came in time counts as on time."""
    add_submission(services, "so-y-te", SELF_REPORT, on_time=False, at=datetime(2020, 9, 2, 8, 0, tzinfo=TZ))
    assert status_of(services, "so-y-te", SELF_REPORT) == "on_time"
