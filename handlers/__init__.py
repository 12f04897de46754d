"""Conversation logic, one module per capability; ``build_router`` registers them all.

Never imports ``telegram``, ``httpx`` or anything under ``bot``: channels are adapters.
"""

from __future__ import annotations

from types import ModuleType

from handlers.context import Services
from handlers.router import Router


def _modules() -> tuple[ModuleType, ...]:
    from handlers import (broadcast, inspections, questions, reminders, reports, start, status, submissions,
                          summary_report, web_signin)

    # order matters only for /help: the focal points' everyday commands first
    return (start, status, submissions, questions, inspections, reminders, broadcast, reports, summary_report,
            web_signin)


def build_router() -> Router:
    router = Router()
    for module in _modules():
        module.register(router)
    return router


def subscribe_all(services: Services) -> None:
    """Let each capability listen to the others' events (``Services.on``)."""
    for module in _modules():
        subscribe = getattr(module, "subscribe", None)
        if subscribe is not None:
            subscribe(services)
