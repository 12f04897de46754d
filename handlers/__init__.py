"""Conversation logic, one module per capability; ``build_router`` registers them all.

Never imports ``telegram``, ``httpx`` or anything under ``bot``: channels are adapters.
"""

from __future__ import annotations

from handlers.router import Router


def build_router() -> Router:
    from handlers import broadcast, inspections, questions, reminders, reports, start, status, submissions

    router = Router()
    # order matters only for /help: the focal points' everyday commands first
    for module in (start, status, submissions, questions, inspections, reminders, broadcast, reports):
        module.register(router)
    return router
