"""The key of a reminder row: what it is about, for whom, and which one of its series.

    reminder:{unit}:{topic}:{stamp}:{person}:{offset}

``topic`` is a deliverable id, ``visit`` (an inspection date) or ``window`` (the inspection
window opens); ``stamp`` is the date the series is about (deadline ``yyyymmdd``, visit
``yyyymmddTHHMM``), so a moved date makes new keys and the old rows are cancelled;
``person`` is a person id or ``nobody`` (a unit with no registered focal point: one row,
recorded undeliverable when due, so staff see it); ``offset`` is days before the date
(``7``, ``0``), after it (``-1``: overdue) or ``set…`` (the notice sent at once when staff
set a date). Keys make a second copy impossible; the sender's claim makes a second send
impossible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

PREFIX = "reminder:"
NOBODY = "nobody"
VISIT, WINDOW = "visit", "window"
SET = "set"


@dataclass(frozen=True)
class Key:
    unit: str
    topic: str
    stamp: str
    person: str
    offset: str

    def __str__(self) -> str:
        return f"{PREFIX}{self.unit}:{self.topic}:{self.stamp}:{self.person}:{self.offset}"

    @property
    def series(self) -> str:
        """Every reminder of one subject to one recipient shares this prefix."""
        return f"{PREFIX}{self.unit}:{self.topic}:{self.stamp}:{self.person}:"

    @property
    def is_announce(self) -> bool:
        return self.offset.startswith(SET)

    @classmethod
    def parse(cls, key: str) -> "Key | None":
        if not key.startswith(PREFIX):
            return None
        parts = key[len(PREFIX):].split(":")
        return cls(*parts) if len(parts) == 5 else None


def day_stamp(value: date) -> str:
    return value.strftime("%Y%m%d")


def visit_stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M")
