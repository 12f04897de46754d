"""The outbox: one row per recipient and message, written before anything is sent.

``enqueue`` is idempotent on ``key``: planning the same reminder twice, or a
broadcast confirmed twice, leaves one row — so nothing can be sent twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import OutgoingMessage, Person


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    text: str,
    due_at: datetime,
    person: Person | None = None,
    channel: str | None = None,
    chat_id: str | None = None,
    unit_code: str | None = None,
    deliverable_id: str | None = None,
    broadcast_id: int | None = None,
    document_path: str | None = None,
    document_name: str | None = None,
    status: str = "pending",
    last_error: str | None = None,
    commit: bool = True,
) -> bool:
    """Add a row unless one with ``key`` exists; True if added."""
    row = OutgoingMessage(
        key=key, kind=kind, text=text, due_at=due_at,
        person_id=person.id if person else None,
        channel=person.channel if person else channel,
        chat_id=person.chat_id if person else chat_id,
        unit_code=unit_code, deliverable_id=deliverable_id, broadcast_id=broadcast_id,
        document_path=document_path, document_name=document_name, status=status, last_error=last_error,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:
        return False
    if commit:
        session.commit()
    return True
