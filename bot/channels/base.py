"""What the composition root expects of a chat channel."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

from bot.delivery import OutMessage


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
