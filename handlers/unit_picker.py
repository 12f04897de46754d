"""Which unit a staff member means: one found, several to choose from, or a new one to confirm.

Staff type names as people write them (/moi, /datlich, the web, the CLI). A name the roster
does not have is never added on its own: staff see the name the bot read and confirm it, and
existing units it may be a misspelling of are offered first ("Bình Sơnn" → "Bình Sơn").
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from handlers.context import Context, Services
from handlers.types import Reply
from messages.texts import units as texts
from messages.units import Resolution, UnitRecord
from storage import units as unit_store

log = logging.getLogger("agency_bot.units")
MAX_OPTIONS = 5


def unit_examples(services: Services, per_level: int = 1) -> str:
    """Names of the loaded plan's own units, one per level, for usage hints."""
    plan, roster = services.plan, services.roster()
    found: list[str] = []
    for level_id in plan.level_order():
        level = plan.level(level_id)
        units = sorted(roster.of_level(level_id), key=lambda u: not u.inspected)
        if units:
            found += [u.name for u in units[:per_level]]
        elif level.parent is not None and (parents := roster.of_level(level.parent)):
            found.append(texts.EXAMPLE_PLACE.format(kind=level.kinds[0], parent=parents[0].name.removeprefix("UBND ")))
    return texts.EXAMPLES_JOIN.join(found)


def unit_example(services: Services) -> str:
    """One name of the loaded plan's units (the first listed for inspection), for a command's syntax."""
    return unit_examples(services).split(texts.EXAMPLES_JOIN)[0]


def describe(services: Services, unit: UnitRecord) -> dict[str, str]:
    """``level`` and ``parent`` words for a sentence about a unit."""
    parent = services.roster().get(unit.parent or "")
    return {"level": services.plan.level_name(unit.level),
            "parent": texts.NEW_UNIT_PARENT.format(parent=parent.name) if parent else ""}


def pick(ctx: Context, query: str, action: str, **payload) -> UnitRecord | list[Reply]:
    """The unit ``query`` names, or the replies that let staff choose or confirm one; a tapped
    option calls ``action`` with ``payload`` plus the unit (read it back with ``chosen``)."""
    res: Resolution = ctx.services.roster().resolve(query)
    if res.unit is not None:
        return res.unit
    options = [ctx.option(u.name, action, code=u.code, **payload) for u in res.candidates[:MAX_OPTIONS]]
    if res.new_unit is not None:
        new = res.new_unit
        options.append(ctx.option(texts.ADD_BUTTON.format(unit=new.name), action, new=asdict(new), **payload))
        return [Reply(texts.NEW_UNIT.format(query=query, unit=new.name, **describe(ctx.services, new)),
                      options=options)]
    if options:
        return [Reply(texts.WHICH.format(query=query), options=options)]
    if res.missing_parent is not None:
        example = unit_examples(ctx.services).split(texts.EXAMPLES_JOIN)[-1]
        return [Reply(texts.NEEDS_PARENT.format(query=query, example=example))]
    return [Reply(texts.UNKNOWN.format(query=query, examples=unit_examples(ctx.services)))]


def chosen(ctx: Context, payload: dict) -> tuple[UnitRecord | None, str | None]:
    """The unit behind a tapped option, and the line saying it was added when staff confirmed
    a new one (the only way a typed name becomes a unit)."""
    services = ctx.services
    if "new" in payload:
        new = UnitRecord(**{**payload["new"], "aliases": tuple(payload["new"].get("aliases") or ())})
        added = add_unit(services, new, source="staff")
        unit = services.roster().get(new.code)
        if unit is None:
            return None, None
        log.info("unit added code=%s by person=%s", unit.code, ctx.actor.person_id)
        return unit, texts.ADDED.format(unit=unit.name, **describe(services, unit)) if added else None
    return services.roster().get(payload.get("code", "")), None


def add_unit(services: Services, unit: UnitRecord, source: str) -> bool:
    """Store a unit staff confirmed; True if it was new."""
    with services.store.session() as s:
        if unit_store.get(s, unit.code) is not None:
            return False
        unit_store.add(s, unit, source)
    services.units_changed()
    return True
