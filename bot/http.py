"""The bot's HTTP endpoint: channel webhooks plus ``/healthz``, served by uvicorn in the bot's loop."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.settings import SettingsError
from messages.texts import config as texts

log = logging.getLogger("agency_bot.http")


class BodyTooLarge(Exception):
    """The request body went past its budget; nothing more of it is read."""


class BodyBroken(Exception):
    """The client went away or sent a broken body."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and given up at ``limit`` bytes: a chunked upload of any size,
    signed or not, never costs more than ``limit`` plus one chunk (``await request.body()`` keeps it all)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(declared)
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"more than {limit}")
            parts.append(chunk)
    except BodyTooLarge:
        raise
    except Exception as exc:  # ClientDisconnect, a broken chunked encoding
        raise BodyBroken(type(exc).__name__) from None
    return b"".join(parts)


def build_app(routes: list[BaseRoute], health: Callable[[], dict] | None = None) -> Starlette:
    """``health``: a plain ``/healthz`` (tests); the runtime brings its own (``bot.health``) in ``routes``."""
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse(health())

    own = [Route("/healthz", healthz, methods=["GET"])] if health is not None else []
    return Starlette(routes=[*own, *routes])


class HttpServer:
    """uvicorn serving a socket the bot binds itself: a port in use is one clear sentence, not
    uvicorn's ``sys.exit``; ``log_config=None`` keeps uvicorn's loggers under the bot's (redacting) handler."""

    def __init__(self, app: Starlette, host: str, port: int):
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                lifespan="off", log_config=None, timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        host, port = self.server.config.host, self.server.config.port
        try:
            sock = socket.create_server((host, port))
        except OSError as exc:
            raise SettingsError(texts.PORT_IN_USE.format(host=host, port=port, reason=exc.strerror or exc)) from None
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]), name="http")
        while not self.server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0 in tests)."""
        sockets = [s for srv in self.server.servers for s in srv.sockets]
        return sockets[0].getsockname()[1] if sockets else self.server.config.port

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        await self._task
        self._task = None
