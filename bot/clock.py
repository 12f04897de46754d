"""The bot's one clock, in the configured time zone.

Business time (deadlines, reminders, receipts) may start at ``BOT_CLOCK_START``
and then runs forward in real time, so a past plan can be rehearsed. Security
checks (webhook timestamps, token and invite expiry) use ``real_now``.
"""

from __future__ import annotations

import time as _time
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: ZoneInfo, start: datetime | None = None, *, real: Callable[[], float] = _time.time,
                 started_at: datetime | None = None):
        """``started_at``: the real instant business time was at ``start`` (default: now), so that
        several processes, and restarts, share one business time (``storage.clock_anchor``)."""
        self.tz = tz
        self._real = real
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        began = started_at.timestamp() if started_at is not None else real()
        self._offset = (start.timestamp() - began) if start is not None else 0.0

    @property
    def offset(self) -> timedelta:
        """Business time minus real time."""
        return timedelta(seconds=self._offset)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._real() + self._offset, self.tz)

    def real_now(self) -> datetime:
        return datetime.fromtimestamp(self._real(), timezone.utc)

    def to_real(self, business: datetime) -> datetime:
        """The real instant at which the business clock will show ``business`` (for APScheduler)."""
        if business.tzinfo is None:
            business = business.replace(tzinfo=self.tz)
        return datetime.fromtimestamp(business.timestamp() - self._offset, timezone.utc)

    def business(self, real: datetime) -> datetime:
        """A real instant (a row stamped by the real clock) as the business clock showed it, local time:
        what users are shown, so a rehearsal of a past plan does not print this year."""
        if real.tzinfo is None:
            real = real.replace(tzinfo=timezone.utc)
        return datetime.fromtimestamp(real.timestamp() + self._offset, self.tz)

    def local(self, value: datetime) -> datetime:
        """A stored (UTC) instant in the bot's time zone, for display."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(self.tz)


class ManualClock(Clock):
    """A clock that moves only when told: tests and benchmarks."""

    def __init__(self, start: datetime, tz: ZoneInfo | None = None):
        tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        self._t = start.timestamp()
        super().__init__(tz, None, real=lambda: self._t)

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        self._t = when.timestamp()

    def advance(self, **delta: float) -> datetime:
        self._t += timedelta(**delta).total_seconds()
        return self.now()
