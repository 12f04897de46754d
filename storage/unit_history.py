"""A unit's whole history for the staff web page: its people, every submission version, every
reminder and notice written for it. One query each, newest first."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import OutgoingMessage, Person, Submission

MESSAGES_SHOWN = 200


def people_of(session: Session, unit_code: str) -> list[Person]:
    """Everyone registered for the unit, on any channel, active or not (oldest registration first)."""
    return list(session.exec(select(Person).where(Person.unit_code == unit_code)
                             .order_by(Person.registered_at, Person.id)).all())


def submissions_of(session: Session, unit_code: str) -> list[Submission]:
    """Every version the unit sent, newest first."""
    return list(session.exec(select(Submission).where(Submission.unit_code == unit_code)
                             .order_by(Submission.received_at.desc(), Submission.id.desc())).all())


def messages_of(session: Session, unit_code: str, limit: int = MESSAGES_SHOWN) -> list[tuple[OutgoingMessage, Person | None]]:
    """Reminders, notices and broadcasts written for the unit, sent or pending, with their recipient."""
    query = (select(OutgoingMessage, Person).join(Person, Person.id == OutgoingMessage.person_id, isouter=True)
             .where(OutgoingMessage.unit_code == unit_code)
             .order_by(OutgoingMessage.due_at.desc(), OutgoingMessage.id.desc()).limit(limit))
    return [(row, person) for row, person in session.exec(query).all()]
