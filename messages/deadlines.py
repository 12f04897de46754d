"""What a unit owes and by when: the plan's deliverables turned into instants.

A fixed date (``30/9/2020``) is due by the end of that day, local time.
"Before the inspection" is due at the inspection's start once staff set it;
until then the end of the inspection window stands in, marked provisional.

Whether a deliverable was sent in time has ONE rule, ``Deadline.met_by``: its first
version arrived by the deadline as it stands now. It is computed whenever it is shown
(status, deadlines, overview, export, broadcast audiences), never read from a stored
flag, so a moved inspection date or a corrected file cannot leave a stale answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from messages.plan import Deliverable, Plan

END_OF_DAY = time(23, 59, 59)


def calendar_days(at: datetime, now: datetime) -> int:
    """Whole calendar days from ``now``'s day to ``at``'s day, in ``now``'s time zone
    (0 on the same day, negative when ``at`` is on an earlier day)."""
    return (at.astimezone(now.tzinfo).date() - now.date()).days


@dataclass(frozen=True)
class Deadline:
    deliverable: Deliverable
    at: datetime  # aware, in the plan's time zone
    provisional: bool  # True while the inspection date is not set

    def days_left(self, now: datetime) -> int:
        """Whole calendar days from today to the due day (0 on the day, negative when past)."""
        return calendar_days(self.at, now)

    def is_late(self, received_at: datetime) -> bool:
        """Would a file arriving at ``received_at`` be late against this deadline?"""
        return received_at > self.at

    def met_by(self, first_received_at: datetime | None) -> bool:
        """The one on-time rule: the deliverable's FIRST version arrived by this deadline
        (as it stands now). Nothing received yet: not met."""
        return first_received_at is not None and first_received_at <= self.at


def deadline(plan: Plan, deliverable: Deliverable, tz: ZoneInfo, inspection_at: datetime | None) -> Deadline:
    due = deliverable.due
    if due.date is not None:
        return Deadline(deliverable, datetime.combine(due.date, END_OF_DAY, tz), False)
    if inspection_at is not None:
        return Deadline(deliverable, inspection_at.astimezone(tz), False)
    return Deadline(deliverable, datetime.combine(plan.inspection.window.end, END_OF_DAY, tz), True)


def deadlines_for(plan: Plan, code: str, inspected: bool, tz: ZoneInfo,
                  inspection_at: datetime | None = None) -> list[Deadline]:
    return [deadline(plan, d, tz, inspection_at) for d in plan.deliverables_for(code, inspected)]
