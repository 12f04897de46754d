"""What a unit owes and by when: the plan's deliverables turned into instants.

A fixed deadline is the end of its ``last_day``, local time. An offset before the
inspection ("chậm nhất 05 ngày làm việc trước ngày kiểm tra") is the end of the day
that many (working) days before the unit's inspection; 0 days means at the inspection
itself, its start. Until staff set the inspection date such a deadline is *unset*:
shown as not yet set, never as an invented date.

Whether a deliverable was sent in time has ONE rule, ``Deadline.met_by``: its first
version arrived by the deadline as it stands now (an unset deadline has not passed).
It is computed whenever it is shown (status, deadlines, overview, export, broadcast
audiences), never read from a stored flag, so a moved inspection date or a corrected
file cannot leave a stale answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from messages.plan import Deliverable, Plan
from messages.workdays import WorkCalendar

END_OF_DAY = time(23, 59, 59)
_CALENDARS: dict[int, tuple[Plan, WorkCalendar]] = {}


def calendar_days(at: datetime, now: datetime) -> int:
    """Whole calendar days from ``now``'s day to ``at``'s day, in ``now``'s time zone
    (0 on the same day, negative when ``at`` is on an earlier day)."""
    return (at.astimezone(now.tzinfo).date() - now.date()).days


def work_calendar(plan: Plan) -> WorkCalendar:
    """One working-day calendar per loaded plan (holidays are computed once per year)."""
    hit = _CALENDARS.get(id(plan))
    if hit is None or hit[0] is not plan:
        hit = (plan, WorkCalendar(plan.calendar))
        _CALENDARS[id(plan)] = hit
    return hit[1]


def prepare_calendar(plan: Plan) -> None:
    """Load the holidays a plan's working-day deadlines will need, at start-up rather than on a question."""
    if any(d.due.before_inspection is not None and d.due.before_inspection.working for d in plan.deliverables):
        window = plan.inspection.window
        work_calendar(plan).prepare(range(window.start.year, window.end.year + 1))


@dataclass(frozen=True)
class Deadline:
    deliverable: Deliverable
    at: datetime | None  # aware, in the plan's time zone; None until the inspection date is set

    @property
    def unset(self) -> bool:
        return self.at is None

    def days_left(self, now: datetime) -> int | None:
        """Whole calendar days from today to the due day (0 on the day, negative when past)."""
        return None if self.at is None else calendar_days(self.at, now)

    def passed(self, now: datetime) -> bool:
        return self.at is not None and now > self.at

    def is_late(self, received_at: datetime) -> bool:
        """Would a file arriving at ``received_at`` be late against this deadline?"""
        return self.at is not None and received_at > self.at

    def met_by(self, first_received_at: datetime | None) -> bool:
        """The one on-time rule: the deliverable's FIRST version arrived by this deadline
        (as it stands now). Nothing received yet: not met."""
        return first_received_at is not None and not self.is_late(first_received_at)


def deadline(plan: Plan, deliverable: Deliverable, tz: ZoneInfo, inspection_at: datetime | None) -> Deadline:
    due = deliverable.due
    if due.last_day is not None:
        return Deadline(deliverable, datetime.combine(due.last_day, END_OF_DAY, tz))
    if inspection_at is None:
        return Deadline(deliverable, None)
    offset = due.before_inspection
    local = inspection_at.astimezone(tz)
    if offset.days == 0:
        return Deadline(deliverable, local)
    day = work_calendar(plan).before(local.date(), offset.days, offset.working)
    return Deadline(deliverable, datetime.combine(day, END_OF_DAY, tz))


def deadlines_for(plan: Plan, code: str, inspected: bool, tz: ZoneInfo,
                  inspection_at: datetime | None = None, level: str | None = None) -> list[Deadline]:
    return [deadline(plan, d, tz, inspection_at) for d in plan.deliverables_for(code, inspected, level)]
