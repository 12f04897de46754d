"""The check just before a reminder is sent.

Planning happened earlier; things may have changed since. Just before a row goes out,
``SendGuard`` checks again: submitted meanwhile? date moved? recipient no longer a focal
point? fell due while the bot was down longer than the grace? superseded by a newer
reminder of the same series due the same day? If it still applies, its days-left wording
is refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlmodel import select

from handlers.context import Services
from handlers.reminders.keys import NOBODY, VISIT, WINDOW, Key, day_stamp, visit_stamp
from handlers.reminders.planning import current_submissions
from handlers.reminders.policy import Occasion, later_offsets, render
from messages.deadlines import deadlines_for
from messages.texts import reminders as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime
from storage import outbox
from storage.models import InspectionVisit, OutgoingMessage, Person

MIN_GRACE = timedelta(minutes=30)  # a big batch takes minutes to drain: never "missed" that soon


@dataclass
class Facts:
    """What the check before sending needs to know about a batch of rows, read in four queries."""

    unit_of_person: dict[int, str | None] = field(default_factory=dict)
    submitted: set[tuple[str, str]] = field(default_factory=set)
    visits: dict[str, datetime] = field(default_factory=dict)
    later: dict[str, list[datetime]] = field(default_factory=dict)  # series -> due times of its later reminders


class SendGuard:
    """For the outbox sender: a reason to cancel one of our rows now, or None (and fresh wording).

    ``prepare(rows, now)`` reads what a batch needs at once; a row not prepared is looked up alone.
    """

    def __init__(self, services: Services, grace: timedelta):
        self.services = services
        self.grace = max(grace, MIN_GRACE)
        self._facts = Facts()
        self._prepared: set[int] = set()

    def prepare(self, rows: list[OutgoingMessage], now: datetime) -> None:
        mine = [(row, key) for row in rows if (key := Key.parse(row.key)) is not None]
        self._facts = self._load([key for _, key in mine])
        self._prepared = {row.id for row, _ in mine}

    def _load(self, keys: list[Key]) -> Facts:
        facts = Facts()
        if not keys:
            return facts
        M = OutgoingMessage
        person_ids = {int(k.person) for k in keys if k.person != NOBODY}
        units = {k.unit for k in keys}
        later = [f"{k.series}{o}" for k in keys for o in later_offsets(self.services.plan, k)]
        with self.services.store.session() as s:
            if person_ids:
                facts.unit_of_person = dict(s.exec(select(Person.id, Person.unit_code)
                                                   .where(Person.id.in_(person_ids))).all())
            facts.submitted = current_submissions(s, self.services.plan, units)
            facts.visits = {v.unit_code: v.starts_at.astimezone(self.services.tz) for v in
                            s.exec(select(InspectionVisit).where(InspectionVisit.unit_code.in_(units))).all()}
            for start in range(0, len(later), 500):
                for k, due in s.exec(select(M.key, M.due_at).where(
                        M.key.in_(later[start:start + 500]),
                        M.status.in_([outbox.PENDING, outbox.SENDING, outbox.SENT, outbox.UNCERTAIN]))).all():
                    facts.later.setdefault(k.rsplit(":", 1)[0] + ":", []).append(due)
        return facts

    def __call__(self, row: OutgoingMessage, now: datetime) -> str | None:
        key = Key.parse(row.key)
        if key is None:
            return None  # not a reminder of ours
        facts = self._facts if row.id in self._prepared else self._load([key])
        unit = self.services.roster().get(key.unit)
        if unit is None:
            return texts.NOT_PLANNED
        if key.person != NOBODY and facts.unit_of_person.get(int(key.person)) != key.unit:
            return texts.NOT_FOCAL
        occ = self._occasion(key, unit, row.due_at, facts, now)
        if isinstance(occ, str):
            return occ
        if not key.is_announce:
            if now - row.due_at > self.grace:
                return texts.MISSED.format(due=fmt_datetime(self.services.clock.local(row.due_at)),
                                           hours=round(self.grace.total_seconds() / 3600))
            day_end = datetime.combine(now.date(), time.max, now.tzinfo)
            if any(row.due_at < due <= day_end for due in facts.later.get(key.series, ())):
                return texts.SUPERSEDED
            row.text = render(self.services, occ, now)
        return None

    def _occasion(self, key: Key, unit: UnitRecord, due_at: datetime, facts: Facts, now: datetime) -> Occasion | str:
        """The occasion a row stands for, as things are now; a string says why it no longer applies."""
        services, tz = self.services, self.services.tz
        if key.topic == WINDOW:
            return Occasion(unit, WINDOW, key.stamp, key.offset, due_at) if unit.inspected else texts.NOT_OWED
        if key.topic == VISIT:
            starts = facts.visits.get(key.unit)
            if starts is None or visit_stamp(starts) != key.stamp:
                return texts.DATE_CHANGED
            if starts <= now:
                return texts.VISIT_PASSED
            return Occasion(unit, VISIT, key.stamp, key.offset, due_at, deadline=starts)
        owed = {d.id for d in services.plan.deliverables_for(unit.code, unit.inspected, unit.level)}
        if key.topic not in owed:
            return texts.NOT_OWED
        if (key.unit, key.topic) in facts.submitted:
            return texts.SUBMITTED
        dl = next(d for d in deadlines_for(services.plan, unit.code, unit.inspected, tz, facts.visits.get(key.unit),
                                           unit.level) if d.deliverable.id == key.topic)
        if dl.unset or day_stamp(dl.at.astimezone(tz).date()) != key.stamp:
            return texts.NOT_PLANNED
        return Occasion(unit, key.topic, key.stamp, key.offset, due_at, deliverable=dl.deliverable, deadline=dl.at)


def send_guard(services: Services, grace: timedelta) -> SendGuard:
    return SendGuard(services, grace)
