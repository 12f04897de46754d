"""Plain messages in and out: what every channel turns its updates into, and renders back.

Nothing here knows a platform exists. A channel adapter builds an ``Inbound``,
hands it to the router and renders the ``Reply`` list its own way (inline
buttons on Telegram, ``oa.query.show`` on Zalo, numbered lines in the console).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, Literal

from messages.units import UnitRecord


class FileTooLarge(Exception):
    """Raised by a fetch when the file grows past the limit while streaming."""


@dataclass
class IncomingFile:
    """A file someone sent. ``fetch(dest)`` streams it to ``dest`` (never into memory whole)
    and raises ``FileTooLarge`` past ``max_bytes``."""

    name: str | None
    size: int | None
    mime: str | None
    kind: Literal["document", "photo"]
    fetch: Callable[[Path, int], Awaitable[None]]  # (destination, max_bytes)


@dataclass
class Inbound:
    channel: str  # telegram | zalo | console
    user_id: str  # the platform's id of the sender, as text
    chat_id: str  # where replies go
    text: str | None = None
    file: IncomingFile | None = None
    choice: str | None = None  # the id of a tapped button
    display_name: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Option:
    label: str
    choice_id: str  # opaque, ASCII, short: callback data carries this, never the label


@dataclass
class Reply:
    text: str
    options: list[Option] = field(default_factory=list)
    document: Path | None = None  # a file to send with (or instead of) the text
    document_name: str | None = None


@dataclass(frozen=True)
class Actor:
    """The person behind an inbound message, as handlers need them."""

    person_id: int
    channel: str
    external_id: str
    chat_id: str
    unit: UnitRecord | None
    is_staff: bool
    display_name: str | None = None

    @property
    def registered(self) -> bool:
        return self.unit is not None
