"""Telling people things outside a conversation: through the outbox, never directly.

Used by capabilities that must reach someone other than the person writing
(an inspection date set by staff, a new submission for the staff chat).
"""

from __future__ import annotations

import logging

from handlers.context import Services
from storage import outbox, people
from storage.models import Person

log = logging.getLogger("agency_bot.notify")


def notify_people(services: Services, persons: list[Person], key: str, text: str, *, kind: str = "notice",
                  unit_code: str | None = None) -> int:
    """One outbox row per person (key ``{key}:{person.id}``); returns how many were new."""
    added = 0
    now = services.clock.now()
    with services.store.session() as s:
        for person in persons:
            added += outbox.enqueue(s, key=f"{key}:{person.id}", kind=kind, text=text, due_at=now,
                                    person=person, unit_code=unit_code, commit=False)
        s.commit()
    if added:
        services.wake_outbox()
    return added


def staff_people(services: Services) -> list[Person]:
    """Staff reachable by the bot: granted in the store, or listed in STAFF_*_IDS."""
    with services.store.session() as s:
        return people.staff(s, services.staff_ids, reachable_only=True)


def notify_staff(services: Services, key: str, text: str) -> int:
    return notify_people(services, staff_people(services), key, text)
