"""What the composition root expects of a chat channel, and what every channel shares."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.delivery import OutMessage
from handlers.context import Services
from handlers.types import Reply
from storage import outbox


class Channel(Protocol):
    name: str  # "telegram", "zalo": the ``channel`` stored on people and outgoing rows

    async def start(self) -> None:
        """Connect (polling, webhook registration, token check). Must not block."""

    async def stop(self) -> None: ...

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this channel serves on the bot's endpoint (webhooks)."""

    async def deliver(self, chat_id: str, message: OutMessage) -> None:
        """Send one outgoing message; raise a ``bot.delivery`` error when it was not accepted."""

    def invite_link(self, code: str) -> str | None:
        """A link that registers with ``code`` on this channel, if the platform has one."""


def queue_replies(services: Services, channel: str, chat_id: str, replies: list[Reply], ref: str) -> None:
    """Replies that could not go out now (a 429, a network fault, a broken token) go through the
    outbox instead: the sender delivers them within the platform's limits, buttons included,
    so nothing the user was told — a receipt, an answer — is lost."""
    now = services.clock.now()
    with services.store.session() as s:
        for n, reply in enumerate(replies):
            outbox.enqueue(
                s, key=f"reply:{channel}:{ref}:{n}", kind="reply", text=reply.text, due_at=now,
                channel=channel, chat_id=str(chat_id),
                options=[{"label": o.label, "choice_id": o.choice_id} for o in reply.options],
                document_path=str(reply.document) if reply.document else None,
                document_name=reply.document_name, commit=False,
            )
        s.commit()
    services.wake_outbox()
