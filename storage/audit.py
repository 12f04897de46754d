"""The audit log: every staff action, whichever room it came through (web pages, chat, command line)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import AuditEntry, Person

DETAIL_MAX = 500


def record(session: Session, *, at: datetime, person_id: int | None, via: str, action: str,
           unit_code: str | None = None, detail: str = "") -> AuditEntry:
    row = AuditEntry(at=at, person_id=person_id, via=via, action=action, unit_code=unit_code,
                     detail=(detail or "")[:DETAIL_MAX])
    session.add(row)
    session.commit()
    return row


def entries(session: Session, *, unit_code: str | None = None, limit: int = 100) -> list[tuple[AuditEntry, Person | None]]:
    """The newest entries (of one unit, if given) with the person who acted."""
    query = select(AuditEntry, Person).join(Person, Person.id == AuditEntry.person_id, isouter=True)
    if unit_code is not None:
        query = query.where(AuditEntry.unit_code == unit_code)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return [(entry, person) for entry, person in session.exec(query).all()]
