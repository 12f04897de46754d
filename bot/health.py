"""``GET /healthz``: what a load balancer and a container runtime need to know about this process.

200 only when the database answers: a process that cannot reach it would take webhooks it
cannot act on, so it should be taken out of rotation (503). The body says which role the
process has — ``leader`` (runs the scheduler, the sender, Telegram polling) or ``follower`` —
so an operator sees at a glance which replica is doing the sending.

Anyone may call it, so the database is asked at most once per ``CACHE_S`` whatever the number
of calls, and a change (down, up again) is logged once, not once per call.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from storage.db import Store

log = logging.getLogger("agency_bot.health")

DB_TIMEOUT_S = 3.0
CACHE_S = 1.0


def database_answers(store: Store) -> bool:
    try:
        with store.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # unreachable, refused, authentication…: all mean "no"
        return False


class DatabaseCheck:
    """Whether the database answers, asked at most once per ``CACHE_S`` (concurrent calls share one)."""

    def __init__(self, store: Store):
        self.store = store
        self.ok: bool | None = None
        self._at = float("-inf")
        self._lock = asyncio.Lock()

    async def __call__(self) -> bool:
        async with self._lock:
            loop = asyncio.get_running_loop()
            if loop.time() - self._at >= CACHE_S:
                try:
                    ok = await asyncio.wait_for(asyncio.to_thread(database_answers, self.store), DB_TIMEOUT_S)
                except asyncio.TimeoutError:
                    ok = False
                if ok != self.ok:
                    (log.info if ok else log.warning)("health check: the database %s",
                                                      "answers" if ok else "does not answer")
                self.ok, self._at = ok, loop.time()
            return bool(self.ok)


def health_route(store: Store, details: Callable[[], dict]) -> Route:
    """``details()`` adds what the runtime knows (role, plan, channels, business time)."""
    check = DatabaseCheck(store)

    async def healthz(_: Request) -> JSONResponse:
        ok = await check()
        body = {"status": "ok" if ok else "unavailable", "database": ok, **details()}
        return JSONResponse(body, status_code=200 if ok else 503)

    return Route("/healthz", healthz, methods=["GET"])
