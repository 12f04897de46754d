"""The bot's HTTP endpoint: channel webhooks plus ``/healthz``, served by uvicorn in the bot's loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

log = logging.getLogger("agency_bot.http")


def build_app(routes: list[BaseRoute], health: Callable[[], dict]) -> Starlette:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse(health())

    return Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *routes])


class HttpServer:
    """uvicorn without its signal handling (the bot owns shutdown)."""

    def __init__(self, app: Starlette, host: str, port: int):
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(), name="http")
        while not self.server.started:
            if self._task.done():
                self._task.result()  # raises the bind error
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
