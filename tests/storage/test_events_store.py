"""Inbound events handled once (storage/events.py), on SQLite and PostgreSQL."""

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from storage import events
from storage.models import ProcessedEvent


def test_an_event_is_claimed_once_and_forgotten_after_a_week(any_store):
    now = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
    with any_store.session() as s:
        assert events.claim(s, "telegram", "123")
        assert not events.claim(s, "telegram", "123")
        assert events.claim(s, "zalo", "123")  # another channel's id space
        assert events.claim(s, "zalo", "x" * 300) and not events.claim(s, "zalo", "x" * 300)  # long ids hashed
        old = s.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "123",
                                                  ProcessedEvent.channel == "telegram")).one()
        old.received_at = now - timedelta(days=8)
        s.add(old)
        s.commit()
        assert events.prune(s, now) == 1
        assert events.claim(s, "telegram", "123")  # forgotten: a resend this late is not expected
