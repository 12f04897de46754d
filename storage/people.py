"""People: who is who on which channel, their unit and role."""

from __future__ import annotations

from datetime import datetime

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


def register(session: Session, person: Person, unit_code: str, when: datetime) -> Person:
    person.unit_code = unit_code
    if person.role != "staff":
        person.role = "focal"
    person.registered_at = when
    session.add(person)
    session.commit()
    return person


def focal_points(session: Session, unit_code: str, *, active_only: bool = True) -> list[Person]:
    query = select(Person).where(Person.unit_code == unit_code, Person.role.in_(["focal", "staff"]))
    if active_only:
        query = query.where(Person.active == True)  # noqa: E712
    return list(session.exec(query.order_by(Person.id)).all())


def staff(session: Session) -> list[Person]:
    return list(session.exec(select(Person).where(Person.role == "staff", Person.active == True)).all())  # noqa: E712


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
