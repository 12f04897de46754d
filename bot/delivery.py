"""How a channel tells the outbox sender what happened to a message.

A channel's ``deliver`` returns normally when the platform accepted the message
and raises one of these otherwise; any other exception counts as a passing
network fault and is retried with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handlers.types import Option


@dataclass
class OutMessage:
    text: str
    document: Path | None = None
    document_name: str | None = None
    options: list[Option] = field(default_factory=list)


class DeliveryError(Exception):
    """Base of the outcomes the sender acts on."""


class RetryLater(DeliveryError):
    """The platform asked us to slow down (Telegram 429 ``retry_after``)."""

    def __init__(self, after: float, detail: str = ""):
        super().__init__(detail or f"retry after {after}s")
        self.after = after


class Unreachable(DeliveryError):
    """The recipient blocked the bot or unfollowed the OA: stop sending to them."""


class ChatMoved(DeliveryError):
    """A Telegram group became a supergroup; resend to ``new_chat_id``."""

    def __init__(self, new_chat_id: str):
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Rejected(DeliveryError):
    """Permanent for this recipient (Zalo quota or 48-hour window, a bad request): record, do not retry."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
