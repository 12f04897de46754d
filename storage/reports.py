"""Read-only queries behind the overview (/tonghop) and the Excel export.

One pass over the submission table and one over people: the report for every
unit is assembled in memory (hundreds of units, not millions), so the overview
costs two queries whatever the roster size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from storage.models import Person, Submission

FOCAL_ROLES = ("focal", "staff")


@dataclass(frozen=True)
class Received:
    """What a unit sent for one deliverable: the current version, and when the first arrived.

    The deadline is met by the first version: a corrected file sent later does not make
    a report that arrived in time late, so ``on_time`` is the first version's.
    """

    unit_code: str
    deliverable_id: str
    receipt_no: str  # of the current version
    received_at: datetime  # of the current version (UTC)
    original_name: str  # of the current version
    first_received_at: datetime
    on_time: bool
    versions: int


def received(session: Session) -> dict[tuple[str, str], Received]:
    """Every (unit, deliverable) that has at least one submission."""
    rows = session.exec(select(Submission).order_by(Submission.received_at, Submission.id)).all()
    grouped: dict[tuple[str, str], list[Submission]] = {}
    for row in rows:
        grouped.setdefault((row.unit_code, row.deliverable_id), []).append(row)
    out: dict[tuple[str, str], Received] = {}
    for key, versions in grouped.items():
        first = versions[0]
        current = next((v for v in reversed(versions) if v.superseded_by is None), versions[-1])
        out[key] = Received(
            unit_code=key[0], deliverable_id=key[1], receipt_no=current.receipt_no,
            received_at=current.received_at, original_name=current.original_name,
            first_received_at=first.received_at, on_time=first.on_time, versions=len(versions),
        )
    return out


def focal_counts(session: Session, *, active_only: bool = True) -> dict[str, int]:
    """Registered focal points per unit code (people who can be reached for it)."""
    query = (select(Person.unit_code, sa.func.count())
             .where(Person.unit_code.is_not(None), Person.role.in_(FOCAL_ROLES)))
    if active_only:
        query = query.where(Person.active == True)  # noqa: E712
    return {code: n for code, n in session.exec(query.group_by(Person.unit_code)).all()}
