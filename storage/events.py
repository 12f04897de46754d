"""Inbound events already handled: a platform that resends (Zalo retries a webhook, Telegram resends
an update it thinks failed, an attacker replays one) gets each handled once, across restarts and
across processes sharing the database."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import ProcessedEvent

KEY_MAX = 100  # processed_event.event_id


def claim(session: Session, channel: str, event_id: str) -> bool:
    """Remember the event; False if it was seen before (the unique key decides, so two processes
    receiving the same event at once cannot both handle it)."""
    key = event_id if len(event_id) <= KEY_MAX else hashlib.sha256(event_id.encode()).hexdigest()
    session.add(ProcessedEvent(channel=channel, event_id=key))
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        return False
    return True
