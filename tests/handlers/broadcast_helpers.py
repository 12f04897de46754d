"""Helpers shared by the broadcast, report and export tests.

Submissions and inspection dates go straight into the store (the tables are the contract;
the intake has its own tests). ``RecordingChannel`` stands in for a platform behind the
real outbox sender (``make_sender``)."""

from __future__ import annotations

import secrets
from datetime import datetime
from types import SimpleNamespace

from sqlmodel import select

from bot.delivery import Rejected, Uncertain, Unreachable
from storage import units as unit_store
from storage.models import OutgoingMessage, Submission


def add_submission(services, unit_code: str, deliverable_id: str, *, at: datetime | None = None,
                   on_time: bool = True, name: str = "bao-cao.pdf", supersedes: int | None = None) -> Submission:
    """A submission row as the intake writes it. ``on_time`` is only the at-arrival record (what the
    receipt said): whether the report counts as on time is computed from ``at`` (its first version's)."""
    at = at or services.clock.now()
    row = Submission(receipt_no=f"BN-{secrets.token_hex(3).upper()}", unit_code=unit_code,
                     deliverable_id=deliverable_id, channel="test", original_name=name,
                     stored_path=f"aa/bb/{secrets.token_hex(32)}.pdf", sha256=secrets.token_hex(32), size=1234,
                     detected_type="pdf", received_at=at, on_time=on_time)
    with services.store.session() as s:
        s.add(row)
        s.commit()
        if supersedes is not None:
            old = s.get(Submission, supersedes)
            old.superseded_by = row.id
            s.add(old)
            s.commit()
    return row


def set_inspection(services, unit_code: str, when: datetime) -> None:
    """A date for the unit, which staff chose for direct inspection (as /datlich does)."""
    with services.store.session() as s:
        unit_store.select_for_inspection(s, unit_code)
        unit_store.set_inspection(s, unit_code, when, None)
    services.units_changed()


def outgoing(services, **where) -> list[OutgoingMessage]:
    with services.store.session() as s:
        query = select(OutgoingMessage)
        for column, value in where.items():
            query = query.where(getattr(OutgoingMessage, column) == value)
        return list(s.exec(query.order_by(OutgoingMessage.id)).all())


class RecordingChannel:
    """Takes messages like a platform would; ``blocked``/``rejected`` chats fail like one."""

    name = "test"
    # fast, but slow enough that the sender's pacer yields between rows: at 1000/s a SQLite
    # commit outlasts the slot and bot/sender.py claims every row before sending any
    send_per_second = 200.0

    def __init__(self):
        self.got: list[tuple[str, str]] = []
        self.blocked: set[str] = set()
        self.rejected: set[str] = set()
        self.unanswered: set[str] = set()  # taken by the platform, but its answer never came back

    async def deliver(self, chat_id, message):
        if chat_id in self.blocked:
            raise Unreachable("Forbidden: bot was blocked by the user")
        if chat_id in self.rejected:
            raise Rejected("quota exceeded")
        self.got.append((chat_id, message.text))
        if chat_id in self.unanswered:
            raise Uncertain("ReadTimeout after sending")

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.got if chat == chat_id]


def make_sender(services, channel, **kw):
    """The real outbox sender over ``channel``, with the broadcast reports listening."""
    from bot.sender import OutboxSender
    from handlers.broadcast_reports import reports_for

    settings = SimpleNamespace(telegram_send_per_second=1000.0, zalo_send_per_second=1000.0)
    sender = OutboxSender(services, {"test": channel}, settings, private_interval=0.0, group_interval=0.0, **kw)
    services.wake_outbox = sender.wake
    sender.add_listener(reports_for(services))
    return sender
