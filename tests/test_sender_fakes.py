"""A fake channel for the outbox sender and helpers shared by the sender and reminder tests.

``FakeChannel.deliver`` records what the platform accepted and can be told, per chat, to
fail in order: any exception instance (``RetryLater(2)``, ``Unreachable()``, ``ChatMoved("-200")``,
``Rejected("quota")``, ``ConnectionError()``…). It also records when each call started and how
many were in flight at once, so spacing and concurrency can be checked.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from datetime import datetime, timedelta

from bot.delivery import OutMessage
from bot.sender import OutboxSender
from bot.settings import Settings
from storage import outbox, people
from storage.models import OutgoingMessage, Person


class FakeChannel:
    def __init__(self, name: str = "test", *, delay: float = 0.0, send_per_second: float | None = None):
        self.name = name
        self.delay = delay
        self.send_per_second = send_per_second
        self.accepted: list[tuple[str, str]] = []  # (chat_id, text) the platform took
        self.messages: list[OutMessage] = []  # the same, whole (options, documents)
        self.calls: list[tuple[str, float]] = []  # (chat_id, loop time) of every attempt
        self.faults: dict[str, deque] = defaultdict(deque)
        self.in_flight = 0
        self.max_in_flight = 0
        self.hang = asyncio.Event()  # deliveries wait on it when ``hold`` is set
        self.hold = False

    def fail(self, chat_id: str, *errors: BaseException) -> None:
        self.faults[str(chat_id)].extend(errors)

    async def deliver(self, chat_id: str, message: OutMessage) -> None:
        self.calls.append((chat_id, asyncio.get_running_loop().time()))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.hold:
                await self.hang.wait()
            queue = self.faults.get(str(chat_id))
            if queue:
                raise queue.popleft()
            self.accepted.append((chat_id, message.text))
            self.messages.append(message)
        finally:
            self.in_flight -= 1

    def to(self, chat_id: str) -> list[str]:
        return [text for chat, text in self.accepted if chat == chat_id]

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def routes(self) -> list:
        return []

    def invite_link(self, code: str) -> str | None:
        return None


def settings(**kw) -> Settings:
    base = {"telegram_send_per_second": 1000.0, "zalo_send_per_second": 1000.0, "reminder_grace_hours": 48}
    return Settings(_env_file=None, **{**base, **kw})


def make_sender(services, channel: FakeChannel | dict, **kw) -> OutboxSender:
    channels = channel if isinstance(channel, dict) else {channel.name: channel}
    kw.setdefault("private_interval", 0.0)
    kw.setdefault("group_interval", 0.0)
    sender = OutboxSender(services, channels, kw.pop("settings", None) or settings(), **kw)
    services.wake_outbox = sender.wake
    return sender


def person(services, external_id: str, *, channel: str = "test", unit: str | None = None,
           chat_id: str | None = None) -> Person:
    with services.store.session() as s:
        p = people.ensure(s, channel, external_id, chat_id or external_id)
        if unit:
            people.register(s, p, unit, services.clock.now())
        return p


def add_row(services, key: str, who: Person | None = None, *, text: str | None = None, kind: str = "notice",
            due_at: datetime | None = None, channel: str | None = None, chat_id: str | None = None) -> None:
    with services.store.session() as s:
        assert outbox.enqueue(s, key=key, kind=kind, text=text or key, due_at=due_at or services.clock.now(),
                              person=who, channel=channel, chat_id=chat_id)


def rows(services, prefix: str = "") -> dict[str, OutgoingMessage]:
    with services.store.session() as s:
        return {r.key: r for r in outbox.with_prefix(s, prefix)}


def statuses(services, prefix: str = "") -> dict[str, str]:
    return {k: r.status for k, r in rows(services, prefix).items()}


def later(services, **delta) -> datetime:
    return services.clock.now() + timedelta(**delta)
