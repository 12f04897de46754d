"""``GET /healthz``: what a load balancer and a container runtime need to know about this process.

200 only when the database answers: a process that cannot reach it would take webhooks it
cannot act on, so it should be taken out of rotation (503). The body says which role the
process has — ``leader`` (runs the scheduler, the sender, Telegram polling) or ``follower`` —
so an operator sees at a glance which replica is doing the sending.
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


def database_answers(store: Store) -> bool:
    try:
        with store.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception as exc:  # unreachable, refused, authentication…: all mean "no"
        log.warning("health check: the database does not answer (%s)", type(exc).__name__)
        return False


def health_route(store: Store, details: Callable[[], dict]) -> Route:
    """``details()`` adds what the runtime knows (role, plan, channels, business time)."""

    async def healthz(_: Request) -> JSONResponse:
        try:
            ok = await asyncio.wait_for(asyncio.to_thread(database_answers, store), DB_TIMEOUT_S)
        except asyncio.TimeoutError:
            ok = False
        body = {"status": "ok" if ok else "unavailable", "database": ok, **details()}
        return JSONResponse(body, status_code=200 if ok else 503)

    return Route("/healthz", healthz, methods=["GET"])
