"""Read-only queries behind the overview (/tonghop) and the Excel export.

One pass over the submission table: what every unit sent is assembled in memory
(hundreds of units, not millions), so the overview costs the same few queries
whatever the roster size. Focal points are counted by ``storage.people.focal_counts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from storage.models import Submission


@dataclass(frozen=True)
class Received:
    """What a unit sent for one deliverable: the current version, and when the first arrived.

    Whether it was on time is not stored here: it is ``Deadline.met_by(first_received_at)``
    against the deadline as it stands when asked (messages/deadlines.py).
    """

    unit_code: str
    deliverable_id: str
    receipt_no: str  # of the current version
    received_at: datetime  # of the current version (UTC)
    original_name: str  # of the current version
    first_received_at: datetime
    versions: int
    content_check: dict | None = None  # of the current version (handlers/content_check.py)


def received(session: Session, unit_code: str | None = None) -> dict[tuple[str, str], Received]:
    """Every (unit, deliverable) that has at least one submission (of one unit, if given)."""
    query = select(Submission)
    if unit_code is not None:
        query = query.where(Submission.unit_code == unit_code)
    rows = session.exec(query.order_by(Submission.received_at, Submission.id)).all()
    grouped: dict[tuple[str, str], list[Submission]] = {}
    for row in rows:
        grouped.setdefault((row.unit_code, row.deliverable_id), []).append(row)
    out: dict[tuple[str, str], Received] = {}
    for key, versions in grouped.items():
        first = versions[0]
        current = max((v for v in versions if v.superseded_by is None), key=lambda v: v.id, default=versions[-1])
        out[key] = Received(
            unit_code=key[0], deliverable_id=key[1], receipt_no=current.receipt_no,
            received_at=current.received_at, original_name=current.original_name,
            first_received_at=first.received_at, versions=len(versions), content_check=current.content_check,
        )
    return out
