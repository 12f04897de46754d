"""Who did what, when: every staff action is written here, from whichever room it came.

Capabilities call ``record`` where the action happens (setting a date, issuing an
invite, confirming a notice, teaching a question, exporting, downloading), so the
chat, the web pages and the command line leave the same trace. ``actor`` None is
an operator at the command line. The wording of each action is in
``messages/texts/web.py`` (AUDIT_ACTIONS); the detail is data (a date, a topic id, a count).
"""

from __future__ import annotations

import logging

from handlers.context import Services
from handlers.types import Actor
from storage import audit as store

log = logging.getLogger("agency_bot.audit")

CLI = "cli"
ACTIONS = (
    "inspection_set", "invite_issued", "broadcast_confirmed", "question_attached",
    "question_dismissed", "export", "file_downloaded", "signin_link", "signin", "signout",
)


def record(services: Services, actor: Actor | None, action: str, unit_code: str | None = None,
           detail: str = "") -> None:
    """Write one entry; a failure is logged, never raised (the action itself already happened)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    try:
        with services.store.session() as s:
            store.record(s, at=services.clock.real_now(), person_id=actor.person_id if actor else None,
                         via=actor.channel if actor else CLI, action=action, unit_code=unit_code, detail=detail)
    except Exception:
        log.exception("audit entry not written action=%s person=%s", action, actor.person_id if actor else None)
