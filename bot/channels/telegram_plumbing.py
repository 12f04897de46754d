"""The parts of the Telegram adapter that tune python-telegram-bot itself.

- which Bot API server to talk to (Telegram's cloud, a Local Bot API server, a test server);
- per-person ordering with concurrency across people (a long download never blocks others).

The HTTP side (JSON bodies, lenient answers) is in ``telegram_request``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.keyed import KeyedLocks

CLOUD_API = "https://api.telegram.org/bot"
CLOUD_FILES = "https://api.telegram.org/file/bot"
_PLACEHOLDERS = ("{token}", "{TOKEN}", "{bot_token}", "{BOT_TOKEN}", "{bot-token}", "{BOT-TOKEN}")


def _has_placeholder(url: str) -> bool:
    return any(p in url for p in _PLACEHOLDERS)


def normalise_api_url(url: str) -> str:
    """``http://host:8081``, ``…/``, ``…/bot`` all mean the server's ``/bot<token>/`` tree (PTB appends the token)."""
    url = url.strip().rstrip("/")
    if _has_placeholder(url) or url.endswith("/bot"):
        return url
    return url + "/bot"


def normalise_file_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if _has_placeholder(url) or url.endswith("/bot"):
        return url
    if url.endswith("/file"):
        return url + "/bot"
    return url + "/file/bot"


def file_url_for(api_url: str) -> str:
    """The download tree that goes with an API URL, as Bot API servers lay it out (``/file/bot<token>/``)."""
    index = api_url.rfind("/bot")
    if index < 0:
        return normalise_file_url(api_url)
    return api_url[:index] + "/file" + api_url[index:]


def server_urls(api_url: str | None, file_url: str | None) -> tuple[str, str, bool]:
    """(base_url, base_file_url, is_cloud) from the settings; the cloud caps bot downloads at 20 MB."""
    base = normalise_api_url(api_url) if api_url else CLOUD_API
    files = normalise_file_url(file_url) if file_url else (CLOUD_FILES if not api_url else file_url_for(base))
    return base, files, base.startswith("https://api.telegram.org/")


def person_key(update: object) -> object | None:
    """Whose conversation an update belongs to (its sender), or None."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Updates of different people run concurrently (up to ``max_running``); each person's
    run one at a time, in arrival order, so their waiting state and buttons stay consistent."""

    def __init__(self, max_running: int = 64):
        # the base semaphore only bounds queued tasks; the real bound is ``_running`` below, taken
        # after the person's lock so one person's backlog cannot starve everyone else
        super().__init__(max_concurrent_updates=100_000)
        self._max_running = max_running
        self._running: asyncio.Semaphore | None = None
        self._locks = KeyedLocks()

    async def initialize(self) -> None:
        self._running = asyncio.Semaphore(self._max_running)

    async def shutdown(self) -> None:
        self._locks.clear()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._running is None:
            self._running = asyncio.Semaphore(self._max_running)
        key = person_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        async with self._locks.hold(key), self._running:
            await coroutine
