"""What a handler works with: the shared services and the context of one inbound message."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.types import Actor, Inbound, Option, Reply
from messages.deadlines import Deadline, deadlines_for
from messages.plan import Plan
from messages.units import Roster, UnitRecord
from storage import conversation
from storage import units as unit_store
from storage.document_text import Budget
from storage.db import Store

log = logging.getLogger("agency_bot.handlers")

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024  # a channel the settings did not size


class ClockLike(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime: ...

    def real_now(self) -> datetime: ...

    def local(self, value: datetime) -> datetime: ...

    def business(self, real: datetime) -> datetime: ...


@dataclass
class Services:
    """Everything long-lived a handler may need; built once by the composition root."""

    store: Store
    plan: Plan
    clock: ClockLike
    questions: Any = None  # messages.knowledge engine: .answer(text, asker) -> Answer
    files: Any = None  # storage.files.FileStore
    staff_ids: dict[str, frozenset[str]] = field(default_factory=dict)
    max_file_bytes: dict[str, int] = field(default_factory=dict)
    invite_links: dict[str, Callable[[str], str]] = field(default_factory=dict)
    invite_days: int = 14
    wake_outbox: Callable[[], None] = lambda: None
    notify_submissions_to: tuple[str, str] | None = None  # (channel, chat id) told of each new submission
    web_url: str | None = None  # origin of the staff web pages (bot/web), for sign-in links
    read_budget: Budget = field(default_factory=Budget)  # how much of a submitted file the content check reads
    _roster: Roster | None = field(default=None, repr=False)
    _listeners: dict[str, list[Callable[..., None]]] = field(default_factory=dict, repr=False)

    # ---- domain events: one capability reacts to another without importing it ----
    def on(self, event: str, fn: Callable[..., None]) -> None:
        """Subscribe to ``submission_received`` (unit_code, deliverable_id),
        ``inspection_set`` (unit_code, starts_at, previous), ``person_registered`` (person_id, unit_code),
        ``submission_refused`` (reason), ``question_asked`` (matched)."""
        self._listeners.setdefault(event, []).append(fn)

    def emit(self, event: str, **data: Any) -> None:
        for fn in self._listeners.get(event, []):
            try:
                fn(self, **data)
            except Exception:  # a listener's failure must not undo what the user did
                log.exception("listener for %s failed", event)

    @property
    def tz(self) -> ZoneInfo:
        return self.clock.tz

    def roster(self) -> Roster:
        """The plan's units plus those added at run time; rebuilt after ``units_changed``."""
        if self._roster is None:
            with self.store.session() as s:
                extra = unit_store.runtime_units(s)
                inspected = unit_store.staff_selected(s)
            self._roster = Roster.from_plan(self.plan, extra).marked_inspected(inspected)
        return self._roster

    def units_changed(self) -> None:
        self._roster = None

    def may_be_chosen(self, unit: UnitRecord) -> bool:
        """Not inspected yet, but the plan leaves the announcer a choice that may fall on it."""
        return not unit.inspected and self.plan.may_be_chosen(unit.level, unit.parent, self.roster().inspected_codes())

    def inspection_at(self, unit_code: str) -> datetime | None:
        with self.store.session() as s:
            visit = unit_store.inspection_of(s, unit_code)
        return visit.starts_at.astimezone(self.tz) if visit else None

    def inspections(self) -> dict[str, datetime]:
        """Every unit's inspection date (local time), in one query: for work over many units."""
        with self.store.session() as s:
            return {v.unit_code: v.starts_at.astimezone(self.tz) for v in unit_store.all_inspections(s)}

    def deadlines(self, unit: UnitRecord) -> list[Deadline]:
        return deadlines_for(self.plan, unit.code, unit.inspected, self.tz, self.inspection_at(unit.code), unit.level)

    def deadlines_many(self, units: list[UnitRecord]) -> dict[str, list[Deadline]]:
        """``deadlines`` for many units with one query, whatever their number (overview, export)."""
        visits = self.inspections()
        return {u.code: deadlines_for(self.plan, u.code, u.inspected, self.tz, visits.get(u.code), u.level)
                for u in units}

    def file_limit(self, channel: str) -> int:
        """The largest file the bot takes in on ``channel`` (what that platform lets a bot download)."""
        return self.max_file_bytes.get(channel, DEFAULT_MAX_FILE_BYTES)


@dataclass
class Context:
    """One inbound message being handled."""

    services: Services
    inbound: Inbound
    actor: Actor
    args: str = ""  # text after the command word
    state: str | None = None
    state_data: dict[str, Any] = field(default_factory=dict)

    @property
    def plan(self) -> Plan:
        return self.services.plan

    def now(self) -> datetime:
        return self.services.clock.now()

    def db(self) -> Session:
        """A fresh session: use as ``with ctx.db() as s:``."""
        return self.services.store.session()

    def option(self, label: str, action: str, **payload: Any) -> Option:
        """A button for this person; tapping it calls the handler registered for ``action``."""
        with self.db() as s:
            choice_id = conversation.offer(s, self.actor.person_id, action, payload)
        return Option(label, choice_id)

    def set_state(self, state: str, **data: Any) -> None:
        with self.db() as s:
            conversation.set_state(s, self.actor.person_id, state, data)

    def clear_state(self) -> None:
        with self.db() as s:
            conversation.clear_state(s, self.actor.person_id)

    def reply(self, text: str, **kw: Any) -> list[Reply]:
        return [Reply(text, **kw)]
