"""Reminders: the plan's reminder policy turned into outbox rows, kept in step with the store.

The store is the truth. Every reminder is an ``outgoing_message`` row written ahead of time
with a unique key (``keys``). By responsibility:

- ``keys``     what a row's key says (unit, topic, date, person, offset);
- ``policy``   which reminders a unit should get and what each says (no store access);
- ``planning`` ``replan``: the outbox brought in line with the policy (add, revive, cancel);
- ``guard``    ``send_guard``: the check just before a row is sent;
- ``listing``  ``describe_upcoming``: what will be sent and to whom (CLI, /nhacnho);
- here         the /nhacnho command and the event wiring.
"""

from __future__ import annotations

from handlers.context import Context, Services
from handlers.reminders.guard import SendGuard, send_guard
from handlers.reminders.keys import NOBODY, PREFIX, VISIT, WINDOW, Key
from handlers.reminders.listing import describe_upcoming
from handlers.reminders.planning import Changes, Planned, compute, replan, snapshot
from handlers.reminders.policy import Occasion, Visit, occasions, render
from handlers.router import Router, takes_args
from handlers.types import Reply
from messages.texts import reminders as texts

__all__ = [
    "NOBODY", "PREFIX", "VISIT", "WINDOW", "Changes", "Key", "Occasion", "Planned", "SendGuard", "Visit",
    "compute", "describe_upcoming", "occasions", "register", "render", "replan", "send_guard", "snapshot",
    "subscribe",
]

LIST_MAX_DAYS = 120
LIST_DEFAULT_DAYS = 14
# /nhacnho is read in a chat: a screenful or two, then a line pointing to the full listing
# (``agency-bot reminders``). A product choice, not a platform's limit: channels split long texts.
CHAT_LISTING_MAX_CHARS = 3500


def register(router: Router) -> None:
    @router.command("nhacnho", role="staff", description=texts.COMMAND_LIST, aliases=("nhac nho",))
    @takes_args
    async def nhacnho(ctx: Context) -> list[Reply]:
        arg = ctx.args.strip()
        if arg and (not arg.isdigit() or not 1 <= int(arg) <= LIST_MAX_DAYS):
            return [Reply(texts.LIST_USAGE.format(max=LIST_MAX_DAYS))]
        days = int(arg) if arg else LIST_DEFAULT_DAYS
        return [Reply(describe_upcoming(ctx.services, days, max_chars=CHAT_LISTING_MAX_CHARS))]


def subscribe(services: Services) -> None:
    """Replan the unit concerned when something changes what it should be reminded of.

    Not on ``inspection_set``: /datlich (handlers/inspections.py) replans the unit itself,
    since it reports how many focal points were told; answering the event would replan twice.
    """

    def on_unit(services: Services, unit_code: str | None = None, **_: object) -> None:
        if unit_code:
            replan(services, [unit_code])

    for event in ("submission_received", "person_registered"):
        services.on(event, on_unit)
