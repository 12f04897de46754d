"""The outbox: one row per recipient and message, written before anything is sent.

``enqueue`` is idempotent on ``key``: planning the same reminder twice, or a
broadcast confirmed twice, leaves one row — so nothing can be sent twice.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Callable, Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

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
    options: list[dict] | None = None,
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
        document_path=document_path, document_name=document_name, options=options or None, status=status,
        last_error=last_error,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:
        return False
    if commit:
        session.commit()
    return True


# ---- the sender's queries ---------------------------------------------------------
# Every state change is a conditional UPDATE on the expected current status, so two
# actors (the sender, the reminder planner, another process's sender) can never both
# move the same row: whoever changes it first wins and the other sees rowcount 0. The
# claim also takes the row with FOR UPDATE SKIP LOCKED (PostgreSQL), so a second sender
# passes over a row being claimed instead of queueing behind it.

PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED, CANCELLED, UNDELIVERABLE = "failed", "cancelled", "undeliverable"
# handed to the platform without an answer (a timeout, a crash mid-send): it may have arrived,
# so it is never sent again, and it is reported apart from the failures
UNCERTAIN = "uncertain"
FINAL = frozenset({SENT, UNCERTAIN, FAILED, CANCELLED, UNDELIVERABLE})
_ERROR_MAX = 500


def _clip(reason: str | None) -> str | None:
    return None if reason is None else reason[:_ERROR_MAX]


def due(session: Session, now: datetime, real_now: datetime, *, limit: int = 200,
        exclude_chats: Iterable[str] = ()) -> list[OutgoingMessage]:
    """Pending rows whose business time has come and whose retry wait (real time) is over, oldest first."""
    query = select(OutgoingMessage).where(
        OutgoingMessage.status == PENDING,
        OutgoingMessage.due_at <= now,
        sa.or_(OutgoingMessage.next_attempt_at.is_(None), OutgoingMessage.next_attempt_at <= real_now),
    )
    excluded = [c for c in exclude_chats if c is not None]
    if excluded:
        query = query.where(sa.or_(OutgoingMessage.chat_id.is_(None), OutgoingMessage.chat_id.not_in(excluded)))
    query = query.order_by(OutgoingMessage.due_at, OutgoingMessage.id).limit(limit)
    return list(session.exec(query).all())


def due_for_chat(session: Session, channel: str, chat_id: str, now: datetime, *, limit: int = 20) -> list[OutgoingMessage]:
    """Pending rows due now for one chat of one channel, oldest first (a console session drains its own)."""
    return list(session.exec(select(OutgoingMessage).where(
        OutgoingMessage.status == PENDING, OutgoingMessage.channel == channel, OutgoingMessage.chat_id == chat_id,
        OutgoingMessage.due_at <= now).order_by(OutgoingMessage.due_at, OutgoingMessage.id).limit(limit)).all())


def next_due_at(session: Session, now: datetime) -> datetime | None:
    """The business time of the next pending row not yet due."""
    return session.exec(
        select(sa.func.min(OutgoingMessage.due_at)).where(OutgoingMessage.status == PENDING,
                                                          OutgoingMessage.due_at > now)
    ).first()


def next_retry_at(session: Session, now: datetime, real_now: datetime) -> datetime | None:
    """The real time at which the next due-but-waiting row (backoff, retry_after) may be tried."""
    return session.exec(
        select(sa.func.min(OutgoingMessage.next_attempt_at)).where(
            OutgoingMessage.status == PENDING, OutgoingMessage.due_at <= now,
            OutgoingMessage.next_attempt_at > real_now)
    ).first()


def future_due_times(session: Session, now: datetime, *, limit: int = 1000) -> list[datetime]:
    """Distinct business times at which pending rows fall due (for the scheduler's jobs)."""
    rows = session.exec(
        select(OutgoingMessage.due_at).where(OutgoingMessage.status == PENDING, OutgoingMessage.due_at > now)
        .distinct().order_by(OutgoingMessage.due_at).limit(limit)
    ).all()
    return list(rows)


# The sender runs these once or twice per message: built once, with bound parameters,
# so a call costs a database round trip and not the building of a statement.
_T = OutgoingMessage.__table__
_ID, _STATUS, _EXPECT = sa.bindparam("row_id"), sa.bindparam("status"), sa.bindparam("expect")
_CLAIMER = sa.bindparam("claimer", type_=sa.String)
_FREE = (sa.select(_T.c.id).where(_T.c.id == _ID, _T.c.status == PENDING)
         .with_for_update(skip_locked=True).scalar_subquery())
_CLAIM = (sa.update(_T).where(_T.c.id == _FREE, _T.c.status == PENDING)
          .values(status=SENDING, attempts=_T.c.attempts + 1, claimed_by=_CLAIMER,
                  claimed_at=sa.bindparam("claimed_at", type_=_T.c.claimed_at.type),
                  chat_id=sa.func.coalesce(sa.bindparam("chat_id", type_=sa.String), _T.c.chat_id),
                  text=sa.func.coalesce(sa.bindparam("text", type_=sa.Text), _T.c.text)))
# sent from ``sending``; or from ``uncertain`` when its own claimer learns the platform took it after
# all (another process, believing the claimer gone, reported it uncertain meanwhile)
_SENT = (sa.update(_T).where(_T.c.id == _ID, sa.or_(_T.c.status == SENDING,
                                                    sa.and_(_T.c.status == UNCERTAIN, _T.c.claimed_by == _CLAIMER)))
         .values(status=SENT, sent_at=sa.bindparam("when", type_=_T.c.sent_at.type), last_error=None,
                 next_attempt_at=None))
_RELEASE = (sa.update(_T).where(_T.c.id == _ID, _T.c.status == SENDING)
            .values(status=PENDING, next_attempt_at=sa.bindparam("retry_at", type_=_T.c.next_attempt_at.type),
                    last_error=sa.bindparam("reason", type_=sa.String),
                    chat_id=sa.func.coalesce(sa.bindparam("chat_id", type_=sa.String), _T.c.chat_id),
                    attempts=sa.case((sa.bindparam("refund", type_=sa.Boolean) & (_T.c.attempts > 0),
                                      _T.c.attempts - 1), else_=_T.c.attempts)))
_FINISH = (sa.update(_T).where(_T.c.id == _ID, _T.c.status == _EXPECT)
           .values(status=_STATUS, last_error=sa.bindparam("reason", type_=sa.String), next_attempt_at=None))


def _run(session: Session, statement, params: dict) -> bool:
    result = session.execute(statement, params)
    session.commit()
    return result.rowcount == 1


def claim(session: Session, row_id: int, *, chat_id: str | None = None, text: str | None = None,
          claimer: str | None = None, at: datetime | None = None) -> bool:
    """pending → sending, counting the attempt and naming the claimer. Only the winner may send the row."""
    return _run(session, _CLAIM, {"row_id": row_id, "chat_id": chat_id, "text": text, "claimer": claimer,
                                  "claimed_at": at or datetime.now(timezone.utc)})


def mark_sent(session: Session, row_id: int, when: datetime, *, claimer: str | None = None) -> bool:
    return _run(session, _SENT, {"row_id": row_id, "when": when, "claimer": claimer})


def release(session: Session, row_id: int, *, next_attempt_at: datetime | None, reason: str | None = None,
            chat_id: str | None = None, refund_attempt: bool = False) -> bool:
    """sending → pending: the platform did not take it; try again at ``next_attempt_at`` (real time)."""
    return _run(session, _RELEASE, {"row_id": row_id, "retry_at": next_attempt_at, "reason": _clip(reason),
                                    "chat_id": chat_id, "refund": refund_attempt})


def finish(session: Session, row_id: int, status: str, reason: str | None, *, expect: str = PENDING) -> bool:
    """Move a row to a final state (failed, undeliverable, cancelled) from ``expect``."""
    assert status in FINAL and status != SENT
    return _run(session, _FINISH, {"row_id": row_id, "status": status, "expect": expect, "reason": _clip(reason)})


def recover_abandoned(session: Session, alive: Callable[[set[str]], set[str]], reason: str, *,
                      spare: Iterable[int] = ()) -> list[OutgoingMessage]:
    """Rows left in ``sending`` by a claimer that is gone (``alive`` names those still running):
    the platform may or may not have them.

    The product rule is "never sent twice", so they become ``uncertain`` with ``reason``
    (visible to staff) instead of being sent again. Rows of a claimer still alive are in
    flight and left alone, as are the ids in ``spare``; a row without a claimer is an old one.
    """
    rows = list(session.exec(select(OutgoingMessage).where(OutgoingMessage.status == SENDING)).all())
    claimers = {row.claimed_by for row in rows if row.claimed_by}
    living = alive(claimers) if claimers else set()
    kept = set(spare)
    done = []
    for row in rows:
        if row.claimed_by in living or row.id in kept:
            continue
        if finish(session, row.id, UNCERTAIN, reason, expect=SENDING):
            row.status, row.last_error = UNCERTAIN, _clip(reason)
            done.append(row)
    return done


def sending_claimers(session: Session) -> set[str]:
    """Who holds rows in ``sending`` (cheap: the sender asks now and then whether they still live)."""
    return {c for c in session.exec(select(OutgoingMessage.claimed_by).where(OutgoingMessage.status == SENDING)
                                    .distinct()).all()}


def move_pending_chat(session: Session, channel: str, old_chat_id: str, new_chat_id: str) -> int:
    """A group became a supergroup: its pending rows follow it."""
    result = session.execute(
        sa.update(OutgoingMessage).where(OutgoingMessage.channel == channel, OutgoingMessage.chat_id == old_chat_id,
                                         OutgoingMessage.status == PENDING).values(chat_id=new_chat_id)
    )
    session.commit()
    return result.rowcount


def cancel(session: Session, reasons: dict[int, str]) -> int:
    """Cancel pending rows, each with its reason; rows already taken by the sender are left alone."""
    by_reason: dict[str, list[int]] = {}
    for row_id, reason in reasons.items():
        by_reason.setdefault(_clip(reason), []).append(row_id)
    count = 0
    for reason, ids in by_reason.items():
        for start in range(0, len(ids), 500):
            result = session.execute(
                sa.update(OutgoingMessage)
                .where(OutgoingMessage.id.in_(ids[start:start + 500]), OutgoingMessage.status == PENDING)
                .values(status=CANCELLED, last_error=reason, next_attempt_at=None)
            )
            count += result.rowcount
    session.commit()
    return count


def enqueue_many(session: Session, rows: list[dict], *, commit: bool = True) -> int:
    """Insert rows (dicts of ``OutgoingMessage`` columns), skipping keys that exist; returns how many were added.

    INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL, executed in bulk, so planning
    thousands of reminders takes a few round trips and still never duplicates a key.
    Every dict must have the same keys. Commits unless ``commit=False``.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    table = OutgoingMessage.__table__
    now = datetime.now(timezone.utc)
    rows = [{"status": PENDING, "attempts": 0, "created_at": now, **r} for r in rows]
    added = 0
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        stmt = insert(table).on_conflict_do_nothing(index_elements=["key"])
        # executemany: SQLAlchemy batches it into multi-row INSERTs with one cached compilation;
        # RETURNING counts exactly what was added (psycopg reports no rowcount here)
        returning = dialect == "postgresql" or sqlite3.sqlite_version_info >= (3, 35)
        for start in range(0, len(rows), 5000):
            chunk = rows[start:start + 5000]
            if returning:
                added += len(session.execute(stmt.returning(table.c.id), chunk).all())
            else:
                added += session.execute(stmt, chunk).rowcount
    else:  # pragma: no cover - other databases: one savepoint per row
        for r in rows:
            try:
                with session.begin_nested():
                    session.execute(sa.insert(table).values(**r))
                added += 1
            except sa.exc.IntegrityError:
                pass
    if commit:
        session.commit()
    return added


def with_prefix(session: Session, key_prefix: str, *, statuses: Iterable[str] | None = None,
                due_from: datetime | None = None, due_to: datetime | None = None) -> list[OutgoingMessage]:
    """Rows whose key starts with ``key_prefix`` (one planner's rows), optionally by status and due window."""
    query = select(OutgoingMessage).where(OutgoingMessage.key.startswith(key_prefix, autoescape=True))
    if statuses is not None:
        query = query.where(OutgoingMessage.status.in_(list(statuses)))
    if due_from is not None:
        query = query.where(OutgoingMessage.due_at >= due_from)
    if due_to is not None:
        query = query.where(OutgoingMessage.due_at <= due_to)
    return list(session.exec(query.order_by(OutgoingMessage.due_at, OutgoingMessage.id)).all())
