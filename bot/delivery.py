"""How a channel tells the outbox sender what happened to a message.

A channel's ``deliver`` returns normally when the platform accepted the message
and raises one of these otherwise; any other exception counts as a passing
network fault and is retried with backoff.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx

from handlers.types import Option


@dataclass
class OutMessage:
    text: str
    document: Path | None = None
    document_name: str | None = None
    options: list[Option] = field(default_factory=list)
    ident: str | None = None  # the outbox row it comes from ("row:42"): retries of it resume, others never do


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


class Uncertain(DeliveryError):
    """The request went out but no answer came back (read timeout, connection dropped before the
    answer): the platform may have delivered it. Never resent — "never twice" — the row fails
    with that reason, like a row found ``sending`` after a crash."""


# httpx errors raised before the request was complete at the platform: it cannot have been acted on
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout,
             httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)


def may_have_arrived(exc: httpx.HTTPError) -> bool:
    """Whether the platform may have received (and acted on) the request that failed with ``exc``.
    Anything not known to fail before the request was complete counts as "may have"."""
    return not isinstance(exc, _NOT_SENT)


Part = Callable[[], Awaitable[Any]]


class PartsInFlight:
    """Remembers how many parts of a multi-part message (text chunks, then a document) went out,
    so that when the sender retries the row, the parts already delivered are not sent again.

    Keyed by the outbox row when there is one, so only retries of that row resume; a finished
    row's entry is harmless (nothing retries it) and ages out. Kept in memory: a restart forgets,
    which only matters for a row cut off by a hard crash — and those the sender never resends.
    """

    def __init__(self, limit: int = 1000):
        self._done: OrderedDict[str, int] = OrderedDict()
        self._limit = limit

    @staticmethod
    def key(chat_id: str, message: OutMessage) -> str:
        """The outbox row (and chat: a moved chat starts over), else the content (interactive replies)."""
        if message.ident:
            return f"{message.ident}@{chat_id}"
        ident = [str(chat_id), message.text, str(message.document or ""), [o.choice_id for o in message.options]]
        return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode()).hexdigest()

    async def run(self, key: str, parts: list[Part]) -> list[Any]:
        done = self._done.get(key, 0)
        results = []
        try:
            for index, part in enumerate(parts):
                if index < done:
                    continue
                results.append(await part())
                self._done[key] = index + 1
                self._done.move_to_end(key)
                while len(self._done) > self._limit:
                    self._done.popitem(last=False)
        except (Rejected, Unreachable, ChatMoved):
            self._done.pop(key, None)  # not retried as is: forget the progress
            raise
        self._done.pop(key, None)
        return results
