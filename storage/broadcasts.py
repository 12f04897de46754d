"""Staff notices and their delivery figures.

A broadcast row is written only when staff confirm, in the same transaction as
its outgoing rows (``storage.outbox``): a notice exists with all its recipients
or not at all. Delivery figures are read back from the outbox rows, which the
sender keeps up to date, so they are right after a restart too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Broadcast, ConversationState, OutgoingMessage

OPEN_STATUSES = ("pending", "sending")  # the sender has not finished with these


@dataclass
class Figures:
    """Where the outgoing rows of one broadcast stand."""

    total: int = 0
    sent: int = 0
    uncertain: int = 0  # handed over without an answer (timeout, crash): may have arrived, never resent
    failed: int = 0  # gave up after retries, or refused by the platform
    unreachable: int = 0  # blocked the bot / unfollowed (now or before the notice)
    cancelled: int = 0
    open: int = 0  # pending or being sent
    reasons: Counter = field(default_factory=Counter)  # last_error of failed rows
    uncertain_reasons: Counter = field(default_factory=Counter)  # last_error of uncertain rows

    @property
    def finished(self) -> int:
        return self.total - self.open

    @property
    def done(self) -> bool:
        return self.open == 0


def figures(session: Session, broadcast_id: int) -> Figures:
    return figures_many(session, [broadcast_id])[broadcast_id]


def figures_many(session: Session, broadcast_ids: list[int]) -> dict[int, Figures]:
    """``figures`` of several broadcasts in one query (the history lists ten)."""
    out = {broadcast_id: Figures() for broadcast_id in broadcast_ids}
    if not broadcast_ids:
        return out
    M = OutgoingMessage
    rows = session.exec(
        select(M.broadcast_id, M.status, M.last_error, sa.func.count())
        .where(M.broadcast_id.in_(broadcast_ids))
        .group_by(M.broadcast_id, M.status, M.last_error)
    ).all()
    for broadcast_id, status, error, n in rows:
        _count(out[broadcast_id], status, error, n)
    return out


def _count(fig: Figures, status: str, error: str | None, n: int) -> None:
    fig.total += n
    if status == "sent":
        fig.sent += n
    elif status in OPEN_STATUSES:
        fig.open += n
    elif status == "undeliverable":
        fig.unreachable += n
    elif status == "cancelled":
        fig.cancelled += n
    elif status == "uncertain":
        fig.uncertain += n
        fig.uncertain_reasons[error or status] += n
    else:  # failed, and any final status a newer sender may add
        fig.failed += n
        fig.reasons[error or status] += n


def claim_draft(session: Session, person_id: int, state: str, token: str) -> dict | None:
    """Take the draft a person is confirming, once: the waiting state is removed in the
    caller's transaction, so a second confirmation (or a stale button) finds nothing."""
    row = session.get(ConversationState, person_id)
    if row is None or row.state != state or (row.data or {}).get("token") != token:
        return None
    data = dict(row.data)
    session.delete(row)
    session.flush()
    return data


def create(session: Session, *, created_by: int | None, audience: dict, label: str, text: str,
           document_path: str | None, document_name: str | None, now: datetime) -> Broadcast:
    """A confirmed broadcast (flushed, not committed: the caller adds its outgoing rows)."""
    row = Broadcast(created_by=created_by, audience=audience, audience_label=label[:300], text=text,
                    document_path=document_path, document_name=document_name, status="sending",
                    confirmed_at=now)
    session.add(row)
    session.flush()
    return row


def sending(session: Session) -> list[Broadcast]:
    return list(session.exec(select(Broadcast).where(Broadcast.status == "sending").order_by(Broadcast.id)).all())


def mark_done(session: Session, broadcast_id: int, now: datetime) -> bool:
    """Close a broadcast once; False if someone else already did (the summary goes once)."""
    result = session.execute(
        sa.update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "sending")
        .values(status="done", finished_at=now, summary_sent=True)
    )
    return result.rowcount == 1


def recent(session: Session, limit: int = 10) -> list[Broadcast]:
    return list(session.exec(
        select(Broadcast).where(Broadcast.status != "draft").order_by(Broadcast.id.desc()).limit(limit)
    ).all())


def get(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.get(Broadcast, broadcast_id)
