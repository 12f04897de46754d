"""The plan's reminder policy: which reminders a unit should get, and what each one says.

Pure functions of the plan, the unit, its inspection date and the time: nothing here reads
or writes the store (``planning`` does, ``guard`` checks again just before sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handlers.context import Services
from handlers.formatting import preparation, time_left, visit_when, words
from handlers.reminders.keys import SET, VISIT, WINDOW, Key, day_stamp, visit_stamp
from messages.deadlines import deadlines_for
from messages.plan import Deliverable, Plan
from messages.texts import reminders as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime


@dataclass
class Visit:
    starts_at: datetime  # local time
    set_at: datetime

    @property
    def set_tag(self) -> str:
        return f"{SET}{int(self.set_at.timestamp() * 1000)}"


@dataclass(frozen=True)
class Occasion:
    """One reminder of the policy for one unit, before choosing recipients."""

    unit: UnitRecord
    topic: str
    stamp: str
    offset: str
    due_at: datetime  # business time
    kind: str = "reminder"
    deliverable: Deliverable | None = None
    deadline: datetime | None = None  # the deliverable's deadline, or the visit's start

    def key(self, person: str) -> Key:
        return Key(self.unit.code, self.topic, self.stamp, person, self.offset)


def _at(day: date, services: Services) -> datetime:
    return datetime.combine(day, services.plan.reminders.send_at, services.tz)


def occasions(services: Services, unit: UnitRecord, visit: Visit | None, now: datetime) -> list[Occasion]:
    """All the policy's occasions for a unit, past and future (the caller keeps the future ones)."""
    plan, policy, tz = services.plan, services.plan.reminders, services.tz
    found: list[Occasion] = []
    for dl in deadlines_for(plan, unit.code, unit.inspected, tz, visit.starts_at if visit else None, unit.level):
        if dl.unset or dl.deliverable.due.at_inspection:
            continue  # no date yet, or owed at the inspection itself: the visit reminders below carry it
        day = dl.at.astimezone(tz).date()
        stamp = day_stamp(day)
        for n in sorted(set(policy.deadline_days_before), reverse=True):
            found.append(Occasion(unit, dl.deliverable.id, stamp, str(n), _at(day - timedelta(days=n), services),
                                  deliverable=dl.deliverable, deadline=dl.at))
        for k in range(policy.overdue_max):
            n = policy.overdue_after_days + k * policy.overdue_every_days
            found.append(Occasion(unit, dl.deliverable.id, stamp, str(-n), _at(day + timedelta(days=n), services),
                                  deliverable=dl.deliverable, deadline=dl.at))
    if visit is not None and visit.starts_at > now:
        stamp = visit_stamp(visit.starts_at)
        found.append(Occasion(unit, VISIT, stamp, visit.set_tag, now, kind="notice", deadline=visit.starts_at))
        for n in sorted(set(policy.inspection_days_before), reverse=True):
            at = _at(visit.starts_at.date() - timedelta(days=n), services)
            if at < visit.starts_at:
                found.append(Occasion(unit, VISIT, stamp, str(n), at, deadline=visit.starts_at))
    if policy.window_open_notice and unit.inspected:
        start = plan.inspection.window.start
        found.append(Occasion(unit, WINDOW, day_stamp(start), "0", _at(start, services)))
    return found


def later_offsets(plan: Plan, key: Key) -> list[str]:
    """Offsets of the reminders that follow this one in its series (policy order)."""
    if key.is_announce or not key.offset.lstrip("-").isdigit():
        return []
    n, policy = int(key.offset), plan.reminders
    if key.topic == WINDOW:
        return []
    if key.topic == VISIT:
        return [str(m) for m in policy.inspection_days_before if m < n]
    overdue = [-(policy.overdue_after_days + k * policy.overdue_every_days) for k in range(policy.overdue_max)]
    return [str(m) for m in [*policy.deadline_days_before, *overdue] if m < n]


# ---- what a reminder says --------------------------------------------------------------------
def _preparation(plan: Plan) -> str:
    return "\n".join(preparation(plan))


def _visit_report(plan: Plan, unit: UnitRecord) -> str:
    """The report owed to the inspection team, for a unit that owes one (one inspected directly)."""
    owed = [d for d in plan.deliverables_for(unit.code, unit.inspected, unit.level) if d.due.at_inspection]
    return "".join(texts.VISIT_REPORT.format(title=d.title) for d in owed)


def render(services: Services, occ: Occasion, now: datetime, previous: datetime | None = None) -> str:
    """The message for an occasion as of ``now`` (the due time when planned, the send time when sent)."""
    plan, unit = services.plan, occ.unit
    if occ.topic == WINDOW:
        w, insp = plan.inspection.window, plan.inspection
        return texts.WINDOW_OPEN.format(
            unit=unit.name, section=plan.section_label(insp.section), window=w.label, start=fmt_date(w.start),
            end=fmt_date(w.end), announcer=plan.unit_name(insp.announced_by),
            announce_section=plan.section_label(insp.announce_section), preparation=_preparation(plan))
    if occ.topic == VISIT:
        when = fmt_datetime(occ.deadline)
        if occ.offset.startswith(SET):
            changed = texts.VISIT_CHANGED.format(previous=fmt_datetime(previous)) if previous else ""
            return texts.VISIT_SET.format(unit=unit.name, when=when, citation=plan.cite(plan.inspection.announce_section),
                                          changed=changed, preparation=_preparation(plan), **words(plan),
                                          report=_visit_report(plan, unit)).rstrip("\n")
        return texts.VISIT_REMINDER.format(unit=unit.name, when=when, left=visit_when(occ.deadline, now),
                                           preparation=_preparation(plan),
                                           report=_visit_report(plan, unit)).rstrip("\n")
    d = occ.deliverable
    template = texts.OVERDUE if now > occ.deadline else texts.DEADLINE
    return template.format(unit=unit.name, title=d.title, section=plan.section_label(d.section),
                           recipient=d.recipient, deadline=fmt_date(occ.deadline), left=time_left(occ.deadline, now),
                           how=texts.HOW_TO_SUBMIT)
