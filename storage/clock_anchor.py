"""Where ``BOT_CLOCK_START``'s business time began in real time (one row per start value).

The first process to start with a value records the real instant; every process after it (another
one of the cluster, a restart) reads it back, so business time is the same everywhere and only moves
forward. A new ``BOT_CLOCK_START`` value starts a new rehearsal.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import ClockAnchor


def real_start(session: Session, start: datetime, now_real: datetime) -> datetime:
    """The real instant business time was at ``start``: the recorded one, or ``now_real`` (recorded now).
    The caller holds the start-up lock, so two processes never both record one."""
    row = session.get(ClockAnchor, start)
    if row is None:
        row = ClockAnchor(start=start, real_at=now_real)
        session.add(row)
        session.commit()
    return row.real_at
