"""Inbound events already handled: a platform that resends (Zalo retries a webhook, Telegram resends
an update it thinks failed, an attacker replays one) gets each handled once, across restarts and
across processes sharing the database."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import ProcessedEvent

KEY_MAX = 100  # processed_event.event_id
# Telegram keeps an undelivered update 24 h and Zalo retries within minutes: a week covers every resend
KEEP = timedelta(days=7)


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


def prune(session: Session, real_now: datetime) -> int:
    """Forget events older than ``KEEP`` (no platform resends them any more); returns how many."""
    result = session.execute(sa.delete(ProcessedEvent).where(ProcessedEvent.received_at < real_now - KEEP))
    session.commit()
    return result.rowcount
