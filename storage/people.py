"""People: who is who on which channel, their unit and role."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Person


def find(session: Session, channel: str, external_id: str) -> Person | None:
    return session.exec(
        select(Person).where(Person.channel == channel, Person.external_id == external_id)
    ).first()


def ensure(session: Session, channel: str, external_id: str, chat_id: str | None = None,
           display_name: str | None = None) -> Person:
    """The person behind an inbound message, created on first contact (as a guest)."""
    person = find(session, channel, external_id)
    if person is None:
        person = Person(channel=channel, external_id=external_id, chat_id=chat_id or external_id,
                        display_name=display_name)
        session.add(person)
        session.commit()
        return person
    changed = False
    if display_name and person.display_name != display_name:
        person.display_name, changed = display_name, True
    if not person.active:  # they wrote to us again: reachable again
        person.active, changed = True, True
    if changed:
        session.add(person)
        session.commit()
    return person


def register(session: Session, person: Person, unit_code: str, when: datetime, *, commit: bool = True) -> Person:
    """Make ``person`` a focal point of ``unit_code``. With ``commit=False`` the caller commits
    (registration spends the invite code in the same transaction)."""
    person.unit_code = unit_code
    if person.role != "staff":
        person.role = "focal"
    person.registered_at = when
    session.add(person)
    if commit:
        session.commit()
    return person


# ---- who can be reached for a unit ---------------------------------------------------------
FOCAL_ROLES = ("focal", "staff")  # a staff member registered for a unit also speaks for it
NO_PUSH_CHANNELS = frozenset({"console"})  # a terminal session cannot be written to later


def _focal(active_only: bool = True, include_terminal: bool = False) -> list:
    """The conditions of a reachable focal point: registered for a unit, a focal role,
    a channel the bot can write to first (``include_terminal``: a console too, which gets
    its messages while its session is open), and (usually) not blocking the bot."""
    conditions = [Person.unit_code.is_not(None), Person.role.in_(FOCAL_ROLES)]
    if not include_terminal:
        conditions.append(Person.channel.not_in(NO_PUSH_CHANNELS))
    if active_only:
        conditions.append(Person.active == True)  # noqa: E712
    return conditions


def reachable_focal_points(session: Session, codes: Iterable[str] | None = None, *,
                           active_only: bool = True, include_terminal: bool = False) -> dict[str, list[Person]]:
    """The focal points the bot can reach, by unit: every unit of ``codes`` is a key (an empty
    list: nobody to reach); with ``codes=None`` only units that have someone. ``active_only=False``
    adds those who blocked the bot (a broadcast counts them); ``include_terminal`` adds console
    users (a broadcast rehearsed in terminals reaches them)."""
    wanted = None if codes is None else list(dict.fromkeys(codes))
    out: dict[str, list[Person]] = {code: [] for code in wanted or ()}
    chunks = [None] if wanted is None else [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
    for chunk in chunks:  # keep IN lists small for any backend
        query = select(Person).where(*_focal(active_only, include_terminal))
        if chunk is not None:
            query = query.where(Person.unit_code.in_(chunk))
        for person in session.exec(query.order_by(Person.id)).all():
            out.setdefault(person.unit_code, []).append(person)
    return out


def focal_points(session: Session, unit_code: str, *, active_only: bool = True) -> list[Person]:
    """The reachable focal points of one unit (see ``reachable_focal_points``)."""
    return reachable_focal_points(session, [unit_code], active_only=active_only)[unit_code]


def focal_counts(session: Session) -> dict[str, int]:
    """How many reachable, active focal points each unit has (units with none are absent)."""
    query = select(Person.unit_code, sa.func.count()).where(*_focal()).group_by(Person.unit_code)
    return {code: n for code, n in session.exec(query).all()}


# ---- staff -----------------------------------------------------------------------------------
def is_staff(person: Person, staff_ids: Mapping[str, Iterable[str]] | None = None) -> bool:
    """Staff: granted in the store, or listed in the settings (``STAFF_*_IDS``)."""
    return person.role == "staff" or person.external_id in (staff_ids or {}).get(person.channel, ())


def staff(session: Session, staff_ids: Mapping[str, Iterable[str]] | None = None, *,
          reachable_only: bool = False) -> list[Person]:
    """Active staff: role ``staff`` in the store, plus the people listed in ``staff_ids``
    (``Services.staff_ids``); ``reachable_only`` drops channels the bot cannot write to first."""
    query = select(Person).where(Person.active == True)  # noqa: E712
    if staff_ids:
        listed = [sa.and_(Person.channel == ch, Person.external_id.in_(list(ids)))
                  for ch, ids in staff_ids.items() if ids]
        query = query.where(sa.or_(Person.role == "staff", *listed))
    else:
        query = query.where(Person.role == "staff")
    if reachable_only:
        query = query.where(Person.channel.not_in(NO_PUSH_CHANNELS))
    return list(session.exec(query.order_by(Person.id)).all())


def grant_staff(session: Session, person_id: int) -> None:
    """Record the staff role in the store (a trusted terminal's staff, seen by every process)."""
    person = session.get(Person, person_id)
    if person is not None and person.role != "staff":
        person.role = "staff"
        session.add(person)
        session.commit()


def set_active(session: Session, person_id: int, active: bool) -> None:
    person = session.get(Person, person_id)
    if person is not None and person.active != active:
        person.active = active
        session.add(person)
        session.commit()


def move_chat(session: Session, channel: str, old_chat_id: str, new_chat_id: str) -> int:
    """A Telegram group became a supergroup: follow it to its new id."""
    rows = session.exec(select(Person).where(Person.channel == channel, Person.chat_id == old_chat_id)).all()
    for person in rows:
        person.chat_id = new_chat_id
        session.add(person)
    session.commit()
    return len(rows)
