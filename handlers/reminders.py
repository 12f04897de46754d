"""Reminders: the plan's reminder policy turned into outbox rows, kept in step with the store.

The store is the truth. Every reminder is an ``outgoing_message`` row written ahead of
time with a unique key::

    reminder:{unit}:{topic}:{stamp}:{person}:{offset}

``topic`` is a deliverable id, ``visit`` (an inspection date) or ``window`` (the inspection
window opens); ``stamp`` is the date the series is about (deadline ``yyyymmdd``, visit
``yyyymmddTHHMM``), so a moved date makes new keys and the old rows are cancelled;
``person`` is a person id or ``nobody`` (a unit with no registered focal point: one row,
recorded undeliverable when due, so staff see it); ``offset`` is days before the date
(``7``, ``0``), after it (``-1``: overdue) or ``set…`` (the notice sent at once when staff
set a date). Keys make a second copy impossible; the sender's claim makes a second send
impossible.

``replan`` compares what the policy wants now with the pending rows: it adds the missing
future rows and cancels pending ones that no longer apply (submitted, date moved, person
gone), each with a reason. It runs at start-up, on events and periodically (bot/scheduler.py).
Just before a row is sent, ``send_guard`` checks again (submitted meanwhile? date moved?
fell due while the bot was down longer than the grace? superseded by a newer reminder of
the same series?) and refreshes the days-left wording.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import select

from handlers.context import Context, Services
from handlers.router import Router, takes_args
from handlers.types import Reply
from messages.deadlines import deadlines_for
from messages.plan import Deliverable, Plan
from messages.texts import reminders as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime
from storage import outbox, submissions
from storage.models import InspectionVisit, OutgoingMessage, Person

log = logging.getLogger("agency_bot.reminders")

PREFIX = "reminder:"
NOBODY = "nobody"
VISIT, WINDOW = "visit", "window"
SET = "set"
NO_PUSH_CHANNELS = frozenset({"console"})  # a terminal session cannot be reached later
MIN_GRACE = timedelta(minutes=30)  # a big batch takes minutes to drain: never "missed" that soon
LIST_MAX_DAYS = 120
CHAT_LIST_CHARS = 3500  # a Telegram message holds 4096


# ---- keys -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    unit: str
    topic: str
    stamp: str
    person: str
    offset: str

    def __str__(self) -> str:
        return f"{PREFIX}{self.unit}:{self.topic}:{self.stamp}:{self.person}:{self.offset}"

    @property
    def series(self) -> str:
        """Every reminder of one subject to one recipient shares this prefix."""
        return f"{PREFIX}{self.unit}:{self.topic}:{self.stamp}:{self.person}:"

    @property
    def is_announce(self) -> bool:
        return self.offset.startswith(SET)

    @classmethod
    def parse(cls, key: str) -> "Key | None":
        if not key.startswith(PREFIX):
            return None
        parts = key[len(PREFIX):].split(":")
        return cls(*parts) if len(parts) == 5 else None


def day_stamp(value: date) -> str:
    return value.strftime("%Y%m%d")


def visit_stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M")


# ---- what planning reads -------------------------------------------------------------------
@dataclass
class Visit:
    starts_at: datetime  # local time
    set_at: datetime

    @property
    def set_tag(self) -> str:
        return f"{SET}{int(self.set_at.timestamp() * 1000)}"


@dataclass(frozen=True)
class PendingRow:
    id: int
    key: str
    due_at: datetime
    channel: str | None
    person_id: int | None
    last_error: str | None


@dataclass
class Snapshot:
    """Everything the policy needs, read in a handful of queries (not per unit)."""

    units: list[UnitRecord]
    focal: dict[str, list[Person]]
    submitted: set[tuple[str, str]]
    visits: dict[str, Visit]
    pending: dict[str, PendingRow]  # key -> pending row of ours
    cancelled: dict[str, int]  # key -> id of a cancelled row of ours due in the future (revivable)
    existing: set[str]  # other keys of ours due in the future (sent, failed, ...)
    _by_unit: dict[str, list[str]] | None = None

    def pending_of(self, unit_code: str) -> list[tuple[str, PendingRow]]:
        if self._by_unit is None:
            self._by_unit = defaultdict(list)
            for skey in self.pending:
                key = Key.parse(skey)
                if key is not None:
                    self._by_unit[key.unit].append(skey)
        return [(k, self.pending[k]) for k in self._by_unit.get(unit_code, ())]


def _focal_query(codes: Iterable[str] | None):
    query = select(Person).where(Person.unit_code.is_not(None), Person.active == True,  # noqa: E712
                                 Person.role.in_(["focal", "staff"]), Person.channel.not_in(NO_PUSH_CHANNELS))
    if codes is not None:
        query = query.where(Person.unit_code.in_(list(codes)))
    return query.order_by(Person.id)


def current_submissions(session, plan: Plan, codes: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """(unit, deliverable) pairs for which the unit has sent something (one query per deliverable)."""
    wanted = None if codes is None else set(codes)
    return {(code, d.id) for d in plan.deliverables for code in submissions.submitted_units(session, d.id)
            if wanted is None or code in wanted}


def snapshot(services: Services, now: datetime, codes: list[str] | None = None) -> Snapshot:
    roster = services.roster()
    units = roster.units if codes is None else [u for c in codes if (u := roster.get(c)) is not None]
    tz = services.tz
    with services.store.session() as s:
        focal: dict[str, list[Person]] = defaultdict(list)
        for person in s.exec(_focal_query(codes)).all():
            focal[person.unit_code].append(person)
        submitted = current_submissions(s, services.plan, codes)
        vq = select(InspectionVisit)
        if codes is not None:
            vq = vq.where(InspectionVisit.unit_code.in_(codes))
        visits = {v.unit_code: Visit(v.starts_at.astimezone(tz), v.set_at) for v in s.exec(vq).all()}
        prefixes = [PREFIX] if codes is None else [f"{PREFIX}{c}:" for c in codes]
        pending: dict[str, PendingRow] = {}
        cancelled: dict[str, int] = {}
        existing: set[str] = set()
        M = OutgoingMessage
        for prefix in prefixes:
            mine = M.key.startswith(prefix, autoescape=True)
            for r in s.exec(select(M.id, M.key, M.due_at, M.channel, M.person_id, M.last_error)
                            .where(mine, M.status == outbox.PENDING)).all():
                pending[r[1]] = PendingRow(*r)
            # rows due later, and the at-once notices (due when written): re-creating them must be skipped
            rows = s.exec(select(M.key, M.id, M.status).where(
                mine, M.status != outbox.PENDING, sa.or_(M.due_at >= now, M.kind == "notice"))).all()
            for key, row_id, status in rows:
                if status == outbox.CANCELLED and not Key.parse(key).is_announce:
                    cancelled[key] = row_id
                else:
                    existing.add(key)
    return Snapshot(units, dict(focal), submitted, visits, pending, cancelled, existing)


# ---- the policy -----------------------------------------------------------------------------
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
    for dl in deadlines_for(plan, unit.code, unit.inspected, tz, visit.starts_at if visit else None):
        if dl.deliverable.due.before_inspection or dl.provisional:
            continue  # owed at the inspection itself: the visit reminders below carry it
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


# ---- texts -----------------------------------------------------------------------------------
def _left(deadline: datetime, now: datetime) -> str:
    days = (deadline.astimezone(now.tzinfo).date() - now.date()).days
    if days > 0:
        return texts.LEFT_DAYS.format(days=days)
    if days == 0:
        return texts.LEFT_TODAY
    return texts.LEFT_LATE.format(days=-days)


def checklist(plan: Plan) -> str:
    """Section III.3 from the plan: what an inspected unit prepares."""
    return "".join(texts.CHECKLIST_LINE.format(text=o.text.rstrip(". "), section=plan.section_label(o.section)) + "\n"
                   for o in plan.obligations if o.applies_to == "inspected")


def _visit_report(plan: Plan, unit: UnitRecord) -> str:
    owed = [d for d in plan.deliverables_for(unit.code, True) if d.due.before_inspection]
    return "".join(texts.VISIT_REPORT.format(title=d.title) for d in owed)


def render(services: Services, occ: Occasion, now: datetime, previous: datetime | None = None) -> str:
    """The message for an occasion as of ``now`` (the due time when planned, the send time when sent)."""
    plan, unit = services.plan, occ.unit
    if occ.topic == WINDOW:
        w, insp = plan.inspection.window, plan.inspection
        announcer = plan.unit(insp.announced_by)
        return texts.WINDOW_OPEN.format(
            unit=unit.name, section=plan.section_label(insp.section), window=w.label, start=fmt_date(w.start),
            end=fmt_date(w.end), announcer=announcer.name if announcer else insp.announced_by,
            announce_section=plan.section_label(insp.announce_section), checklist=checklist(plan).rstrip("\n"))
    if occ.topic == VISIT:
        when = fmt_datetime(occ.deadline)
        if occ.offset.startswith(SET):
            changed = texts.VISIT_CHANGED.format(previous=fmt_datetime(previous)) if previous else ""
            return texts.VISIT_SET.format(unit=unit.name, when=when, citation=plan.cite(plan.inspection.announce_section),
                                          changed=changed, checklist=checklist(plan),
                                          report=_visit_report(plan, unit)).rstrip("\n")
        days = (occ.deadline.date() - now.date()).days
        left = texts.VISIT_LEFT_DAYS.format(days=days) if days > 0 else texts.VISIT_LEFT_TODAY
        return texts.VISIT_REMINDER.format(unit=unit.name, when=when, left=left, checklist=checklist(plan),
                                           report=_visit_report(plan, unit)).rstrip("\n")
    d = occ.deliverable
    template = texts.OVERDUE if now > occ.deadline else texts.DEADLINE
    return template.format(unit=unit.name, title=d.title, section=plan.section_label(d.section),
                           recipient=d.recipient, deadline=fmt_date(occ.deadline), left=_left(occ.deadline, now),
                           how=texts.HOW_TO_SUBMIT)


# ---- planning ----------------------------------------------------------------------------------
@dataclass
class Changes:
    create: list[dict] = field(default_factory=list)  # OutgoingMessage columns
    revive: dict[int, dict] = field(default_factory=dict)  # cancelled row id -> new values
    cancel: dict[int, str] = field(default_factory=dict)  # pending row id -> reason
    announced: int = 0  # at-once inspection notices among ``create`` (to a person)

    def __bool__(self) -> bool:
        return bool(self.create or self.revive or self.cancel)


def _row(occ: Occasion, key: Key, person: Person | None, text: str) -> dict:
    return {
        "key": str(key), "kind": occ.kind, "text": text, "due_at": occ.due_at,
        "person_id": person.id if person else None, "channel": person.channel if person else None,
        "chat_id": person.chat_id if person else None, "unit_code": occ.unit.code,
        "deliverable_id": occ.deliverable.id if occ.deliverable else None,
        "last_error": None if person else texts.NO_FOCAL,
    }


def compute(services: Services, now: datetime, codes: list[str] | None = None,
            snap: Snapshot | None = None, previous: dict[str, datetime] | None = None) -> Changes:
    """What must change so the outbox matches the policy (nothing written)."""
    snap = snap or snapshot(services, now, codes)
    changes = _compute_units(services, now, snap, snap.units, previous)
    known = {u.code for u in snap.units}
    for skey, row in snap.pending.items():  # rows of units no longer in the roster
        key = Key.parse(skey)
        if key is None or key.unit not in known:
            changes.cancel[row.id] = texts.NOT_PLANNED
    return changes


def _compute_units(services: Services, now: datetime, snap: Snapshot, units: list[UnitRecord],
                   previous: dict[str, datetime] | None) -> Changes:
    """The changes for ``units`` only: rows to add or revive, their pending rows to cancel."""
    changes = Changes()
    wanted: set[str] = set()
    for unit in units:
        people = snap.focal.get(unit.code, [])
        recipients: list[Person | None] = list(people) or [None]
        for occ in occasions(services, unit, snap.visits.get(unit.code), now):
            if occ.deliverable is not None and (unit.code, occ.deliverable.id) in snap.submitted:
                continue
            text = None
            for person in recipients:
                key = occ.key(str(person.id) if person else NOBODY)
                skey = str(key)
                wanted.add(skey)
                if occ.due_at < now or skey in snap.pending or skey in snap.existing:
                    continue
                if text is None:
                    text = render(services, occ, occ.due_at, (previous or {}).get(unit.code))
                row = _row(occ, key, person, text)
                if skey in snap.cancelled:
                    changes.revive[snap.cancelled[skey]] = row
                else:
                    changes.create.append(row)
                if occ.kind == "notice" and person is not None:
                    changes.announced += 1
    for unit in units:
        for skey, row in snap.pending_of(unit.code):
            if skey not in wanted:
                changes.cancel[row.id] = _why_not(Key.parse(skey), snap)
    return changes


def _why_not(key: Key | None, snap: Snapshot) -> str:
    if key is None:
        return texts.NOT_PLANNED
    if (key.unit, key.topic) in snap.submitted:
        return texts.SUBMITTED
    if key.topic == VISIT:
        visit = snap.visits.get(key.unit)
        if visit is None or visit_stamp(visit.starts_at) != key.stamp:
            return texts.DATE_CHANGED
    people = snap.focal.get(key.unit, [])
    if key.person == NOBODY and people:
        return texts.FOCAL_REGISTERED
    if key.person != NOBODY and key.person not in {str(p.id) for p in people}:
        return texts.NOT_FOCAL
    if key.topic == VISIT:
        return texts.VISIT_PASSED  # same date, same people, no longer planned: it is behind us
    return texts.NOT_PLANNED


def apply(services: Services, changes: Changes) -> None:
    with services.store.session() as s:
        if changes.cancel:
            outbox.cancel(s, changes.cancel)
        for row_id, values in changes.revive.items():
            s.execute(sa.update(OutgoingMessage).where(OutgoingMessage.id == row_id,
                                                       OutgoingMessage.status == outbox.CANCELLED)
                      .values(**{k: v for k, v in values.items() if k != "key"}, status=outbox.PENDING,
                              attempts=0, next_attempt_at=None))
        s.commit()
        outbox.enqueue_many(s, changes.create)


@dataclass
class Planned:
    """What a replan changed (counts only: the rows themselves are written and let go chunk by chunk)."""

    created: int = 0
    revived: int = 0
    cancelled: int = 0
    announced: int = 0  # at-once inspection notices to a person among the new rows

    def __bool__(self) -> bool:
        return bool(self.created or self.revived or self.cancelled)


def replan(services: Services, codes: list[str] | None = None, *,
           previous: dict[str, datetime] | None = None, chunk: int = 1000) -> Planned:
    """Bring the reminder rows of all units (or of ``codes``) in line with the policy; wake the sender.

    Units are planned ``chunk`` at a time, each chunk written before the next is computed,
    so memory stays flat however many units the roll-out has.
    """
    now = services.clock.now()
    snap = snapshot(services, now, codes)
    done = Planned()
    for i in range(0, max(len(snap.units), 1), chunk):
        part = _compute_units(services, now, snap, snap.units[i:i + chunk], previous)
        if i == 0 and codes is None:  # rows of units no longer in the roster
            known = {u.code for u in snap.units}
            for skey, row in snap.pending.items():
                key = Key.parse(skey)
                if key is None or key.unit not in known:
                    part.cancel[row.id] = texts.NOT_PLANNED
        if part:
            apply(services, part)
        done.created += len(part.create)
        done.revived += len(part.revive)
        done.cancelled += len(part.cancel)
        done.announced += part.announced
    if done:
        log.info("reminders replanned units=%s created=%d revived=%d cancelled=%d",
                 "all" if codes is None else ",".join(codes), done.created, done.revived, done.cancelled)
        services.wake_outbox()
    return done


# ---- the check just before sending ------------------------------------------------------------
@dataclass
class Facts:
    """What the check before sending needs to know about a batch of rows, read in four queries."""

    unit_of_person: dict[int, str | None] = field(default_factory=dict)
    submitted: set[tuple[str, str]] = field(default_factory=set)
    visits: dict[str, datetime] = field(default_factory=dict)
    later: dict[str, list[datetime]] = field(default_factory=dict)  # series -> due times of its later reminders


def _later_offsets(services: Services, key: Key) -> list[str]:
    """Offsets of the reminders that follow this one in its series (policy order)."""
    if key.is_announce or not key.offset.lstrip("-").isdigit():
        return []
    n, policy = int(key.offset), services.plan.reminders
    if key.topic == WINDOW:
        return []
    if key.topic == VISIT:
        return [str(m) for m in policy.inspection_days_before if m < n]
    overdue = [-(policy.overdue_after_days + k * policy.overdue_every_days) for k in range(policy.overdue_max)]
    return [str(m) for m in [*policy.deadline_days_before, *overdue] if m < n]


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
        later = [f"{k.series}{o}" for k in keys for o in _later_offsets(self.services, k)]
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
                        M.status.in_([outbox.PENDING, outbox.SENDING, outbox.SENT]))).all():
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
        owed = {d.id: d for d in services.plan.deliverables_for(unit.code, unit.inspected)}
        if key.topic not in owed:
            return texts.NOT_OWED
        if (key.unit, key.topic) in facts.submitted:
            return texts.SUBMITTED
        dl = next(d for d in deadlines_for(services.plan, unit.code, unit.inspected, tz)
                  if d.deliverable.id == key.topic)
        if day_stamp(dl.at.astimezone(tz).date()) != key.stamp:
            return texts.NOT_PLANNED
        return Occasion(unit, key.topic, key.stamp, key.offset, due_at, deliverable=dl.deliverable, deadline=dl.at)


def send_guard(services: Services, grace: timedelta) -> SendGuard:
    return SendGuard(services, grace)


# ---- the listing ----------------------------------------------------------------------------------
def _topic(services: Services, key: Key) -> str:
    if key.topic == WINDOW:
        return texts.TOPIC_WINDOW
    if key.topic == VISIT:
        when = fmt_datetime(datetime.strptime(key.stamp, "%Y%m%dT%H%M"))
        if key.is_announce:
            return texts.TOPIC_VISIT_SET.format(when=when)
        return texts.TOPIC_VISIT.format(when=when, days=key.offset)
    d = next((d for d in services.plan.deliverables if d.id == key.topic), None)
    short = d.short if d else key.topic
    n = int(key.offset) if key.offset.lstrip("-").isdigit() else 0
    if n > 0:
        return texts.TOPIC_BEFORE.format(short=short, days=n)
    if n == 0:
        return texts.TOPIC_ON_DAY.format(short=short)
    return texts.TOPIC_AFTER.format(short=short, days=-n)


def describe_upcoming(services: Services, days: int, *, max_chars: int | None = None) -> str:
    """What will be sent in the next ``days`` days and to whom (unit, subject, time, channel, person id),
    then what cannot be delivered. Planned as the bot would plan it now; nothing is written."""
    now = services.clock.now()
    end = now + timedelta(days=days)
    snap = snapshot(services, now)
    changes = compute(services, now, snap=snap)
    rows: list[tuple[datetime, Key, str | None, str | None]] = []  # due, key, channel, reason-if-undeliverable
    for row in snap.pending.values():
        if row.id not in changes.cancel and row.due_at <= end:
            rows.append((row.due_at, Key.parse(row.key), row.channel, row.last_error if row.person_id is None else None))
    for row in [*changes.create, *changes.revive.values()]:
        if row["due_at"] <= end:
            rows.append((row["due_at"], Key.parse(row["key"]), row["channel"], row["last_error"]))
    with services.store.session() as s:
        recent = outbox.with_prefix(s, PREFIX, statuses=[outbox.UNDELIVERABLE, outbox.FAILED],
                                    due_from=now - timedelta(days=max(days, 1)), due_to=now)
    names = {u.code: u.name for u in services.roster().units}
    sendable = [r for r in rows if r[3] is None]
    nobody = [r for r in rows if r[3] is not None]
    start_s, end_s = fmt_datetime(now), fmt_datetime(end)
    lines: list[str] = []
    if not sendable:
        lines.append(texts.LIST_EMPTY.format(start=start_s, end=end_s))
    else:
        people = {(k.person, ch) for _, k, ch, _ in sendable}
        lines.append(texts.LIST_HEADER.format(start=start_s, end=end_s, count=len(sendable), people=len(people)))
        groups: dict[tuple, list[str]] = defaultdict(list)
        for due, key, channel, _ in sendable:
            local = services.clock.local(due)
            groups[(local, key.unit, key.topic, key.stamp, key.offset)].append(
                texts.LIST_RECIPIENT.format(channel=channel, person=key.person))
        header = None
        for (local, unit, topic, stamp, offset), recipients in sorted(groups.items(), key=lambda kv: kv[0]):
            late = local < now
            wanted = texts.LIST_OVERDUE_NOW if late else texts.LIST_DAY.format(date=fmt_date(local))
            if wanted != header:
                lines.append(wanted)
                header = wanted
            lines.append(texts.LIST_LINE.format(time=fmt_datetime(local) if late else local.strftime("%H:%M"),
                                                unit=names.get(unit, unit),
                                                topic=_topic(services, Key(unit, topic, stamp, "", offset)),
                                                recipients=", ".join(sorted(recipients))))
    problems = [(due, key, reason) for due, key, _, reason in nobody]
    problems += [(r.due_at, Key.parse(r.key), r.last_error or "") for r in recent]
    if problems:
        by_unit: dict[tuple[str, str], list[tuple[datetime, Key]]] = defaultdict(list)
        for due, key, reason in problems:
            by_unit[(key.unit, reason)].append((due, key))
        lines.append("")
        lines.append(texts.LIST_NOBODY_HEADER.format(count=len(problems), units=len({u for u, _ in by_unit})))
        for (unit, reason), items in sorted(by_unit.items(), key=lambda kv: (min(kv[1])[0], kv[0])):
            items.sort(key=lambda item: item[0])
            first, last = services.clock.local(items[0][0]), services.clock.local(items[-1][0])
            if len(items) == 1:
                lines.append(texts.LIST_NOBODY_LINE.format(when=fmt_datetime(first), unit=names.get(unit, unit),
                                                           topic=_topic(services, items[0][1]), reason=reason))
            else:
                lines.append(texts.LIST_NOBODY_GROUP.format(unit=names.get(unit, unit), count=len(items),
                                                            first=fmt_date(first), last=fmt_date(last), reason=reason))
    text = "\n".join(lines)
    if max_chars is not None and len(text) > max_chars:
        kept, size = [], 0
        for line in lines:
            if size + len(line) + 1 > max_chars - 120:
                break
            kept.append(line)
            size += len(line) + 1
        text = "\n".join(kept + [texts.LIST_MORE.format(count=len(lines) - len(kept), days=days)])
    return text


# ---- wiring ----------------------------------------------------------------------------------------
def register(router: Router) -> None:
    @router.command("nhacnho", role="staff", description=texts.COMMAND_LIST, aliases=("nhac nho",))
    @takes_args
    async def nhacnho(ctx: Context) -> list[Reply]:
        arg = ctx.args.strip()
        if arg and (not arg.isdigit() or not 1 <= int(arg) <= LIST_MAX_DAYS):
            return [Reply(texts.LIST_USAGE.format(max=LIST_MAX_DAYS))]
        days = int(arg) if arg else 14
        return [Reply(describe_upcoming(ctx.services, days, max_chars=CHAT_LIST_CHARS))]


def subscribe(services: Services) -> None:
    """Replan the unit concerned when something changes what it should be reminded of."""

    def on_unit(services: Services, unit_code: str | None = None, **_: object) -> None:
        if unit_code:
            replan(services, [unit_code])

    for event in ("submission_received", "inspection_set", "person_registered"):
        services.on(event, on_unit)
