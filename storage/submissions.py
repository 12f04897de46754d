"""Submissions: one row per file received for one deliverable of one unit.

Versions: the current submission of a (unit, deliverable) is the one with
``superseded_by IS NULL``; a newer file points the older one at itself, so the
history stays. Receipt numbers are ``<PREFIX>-<year>-<id:06d>`` (``KG-2020-000123``),
made from the row id: unique, stable, ordered, and never reused.

Queries for other capabilities (reminders, overview, export) are at the bottom;
they take a session and return rows, nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Submission, Unit


@dataclass(frozen=True)
class NewFile:
    """What is known about a kept file before it becomes a submission."""

    unit_code: str
    deliverable_id: str
    person_id: int | None
    channel: str
    original_name: str
    stored_path: str
    sha256: str
    size: int
    detected_type: str
    received_at: datetime
    # The record of the moment: was THIS file in time against the deadline known when it
    # arrived (what its receipt said)? Never read back to judge a deliverable: that is
    # ``Deadline.met_by(first version)`` against today's deadline (messages/deadlines.py).
    on_time: bool
    content_check: dict | None = None  # what the file's content looks like (handlers/content_check.py)


@dataclass(frozen=True)
class Outcome:
    """``created`` is the new row (None for a duplicate); ``replaced`` the version it supersedes;
    ``duplicate`` the earlier row with the same content; ``current`` the version in force;
    ``first_received_at`` when the deliverable's first version arrived (this one's, if first)."""

    created: Submission | None = None
    replaced: Submission | None = None
    duplicate: Submission | None = None
    current: Submission | None = None
    first_received_at: datetime | None = None


def receipt_number(prefix: str, year: int, submission_id: int) -> str:
    return f"{prefix}-{year}-{submission_id:06d}"


def record(session: Session, new: NewFile, *, receipt_prefix: str, receipt_year: int,
           allow_same_content: bool = False, commit: bool = True) -> Outcome:
    """Record a received file, or recognise it.

    The same content already received for this unit and deliverable is a duplicate
    (no new row) unless ``allow_same_content`` (a person re-instating an older version).
    Otherwise a new row supersedes the current one. The unit row is locked first
    (PostgreSQL ``FOR UPDATE``; SQLite serialises writers anyway) so two files arriving
    at once cannot both become current. With ``commit=False`` the caller commits
    (e.g. after adding an outbox notice in the same transaction).
    """
    session.exec(select(Unit.code).where(Unit.code == new.unit_code).with_for_update()).first()
    current = current_for(session, new.unit_code, new.deliverable_id)
    if current is not None and current.sha256 == new.sha256:
        return Outcome(duplicate=current, current=current)
    if not allow_same_content:
        same = same_content(session, new.unit_code, new.deliverable_id, new.sha256)
        if same is not None:
            return Outcome(duplicate=same, current=current)
    row = Submission(
        receipt_no=f"pending-{secrets.token_hex(12)}", unit_code=new.unit_code,
        deliverable_id=new.deliverable_id, person_id=new.person_id, channel=new.channel,
        original_name=new.original_name, stored_path=new.stored_path, sha256=new.sha256,
        size=new.size, detected_type=new.detected_type, received_at=new.received_at, on_time=new.on_time,
        content_check=new.content_check,
    )
    session.add(row)
    session.flush()
    row.receipt_no = receipt_number(receipt_prefix, receipt_year, row.id)
    session.execute(
        sa.update(Submission)
        .where(Submission.unit_code == new.unit_code, Submission.deliverable_id == new.deliverable_id,
               Submission.superseded_by.is_(None), Submission.id != row.id)
        .values(superseded_by=row.id)
        .execution_options(synchronize_session=False)
    )
    session.add(row)
    session.flush()
    if current is not None:
        current.superseded_by = row.id
    first = first_received_at(session, new.unit_code, new.deliverable_id) if current is not None else row.received_at
    if commit:
        session.commit()
    return Outcome(created=row, replaced=current, current=row, first_received_at=first)


# ---- queries -------------------------------------------------------------------
def current_for(session: Session, unit_code: str, deliverable_id: str) -> Submission | None:
    """The version in force for a unit's deliverable (None if nothing was received)."""
    return session.exec(
        select(Submission).where(Submission.unit_code == unit_code, Submission.deliverable_id == deliverable_id,
                                 Submission.superseded_by.is_(None))
        .order_by(Submission.id.desc())
    ).first()


def has_submitted(session: Session, unit_code: str, deliverable_id: str) -> bool:
    """Has the unit sent anything for the deliverable? (one unit at a time: bench/bench_reminders.py's
    baseline; planning asks ``submitted_units``)"""
    return current_for(session, unit_code, deliverable_id) is not None


def first_received_at(session: Session, unit_code: str, deliverable_id: str) -> datetime | None:
    """When the first version of a unit's deliverable arrived (what ``Deadline.met_by`` judges)."""
    return session.exec(
        select(sa.func.min(Submission.received_at))
        .where(Submission.unit_code == unit_code, Submission.deliverable_id == deliverable_id)
    ).one()


def submitted_units(session: Session, deliverable_id: str, codes: Iterable[str] | None = None) -> set[str]:
    """Codes of the units (of ``codes``, or all) that sent something for a deliverable: one query,
    answered from an index — ``(deliverable_id, unit_code)`` for all, ``(unit_code, deliverable_id)``
    for a few — so the cost of one intake's replan does not grow with the table."""
    query = select(Submission.unit_code).where(Submission.deliverable_id == deliverable_id)
    if codes is None:
        return set(session.exec(query.distinct()).all())
    wanted = list(dict.fromkeys(codes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # keep IN lists small for any backend
        found.update(session.exec(query.where(Submission.unit_code.in_(wanted[start:start + 500])).distinct()).all())
    return found


def same_content(session: Session, unit_code: str, deliverable_id: str, sha256: str) -> Submission | None:
    """The earliest row with this content for the unit's deliverable."""
    return session.exec(
        select(Submission).where(Submission.unit_code == unit_code, Submission.deliverable_id == deliverable_id,
                                 Submission.sha256 == sha256)
        .order_by(Submission.id)
    ).first()


def get(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)


def references(session: Session, stored_path: str) -> int:
    """How many rows point to a stored file (a file with none may be dropped)."""
    return session.exec(select(sa.func.count()).select_from(Submission)
                        .where(Submission.stored_path == stored_path)).one()
