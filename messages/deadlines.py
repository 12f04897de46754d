"""What a unit owes and by when: the plan's deliverables turned into instants.

A fixed date (``30/9/2020``) is due by the end of that day, local time.
"Before the inspection" is due at the inspection's start once staff set it;
until then the end of the inspection window stands in, marked provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from messages.plan import Deliverable, Plan

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Deadline:
    deliverable: Deliverable
    at: datetime  # aware, in the plan's time zone
    provisional: bool  # True while the inspection date is not set

    def days_left(self, now: datetime) -> int:
        """Whole calendar days from today to the due day (0 on the day, negative when past)."""
        return (self.at.astimezone(now.tzinfo).date() - now.date()).days

    def is_late(self, received_at: datetime) -> bool:
        return received_at > self.at


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
