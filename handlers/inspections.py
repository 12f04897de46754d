"""Setting a unit's inspection date (/datlich, staff): III.2 says Home Affairs announces the dates.

``/datlich UNIT dd/mm/yyyy [hh:mm]``: the unit is named as people write it (a commune
typed in full, commune then district, is added and becomes directly inspected, II.2.c); the date
is checked (31/9 does not exist; a date outside the inspection window or already past is
stored with a warning). A department or district off the plan's list (II.2.a–b) keeps its
date, with a warning, but still owes what the plan says (storage/units.set_inspection).
The unit's focal points are told at once through the outbox, and reminded 7 and 1 days
before: this module replans the unit's reminders itself (it reports how many were told),
so handlers/reminders/ does not replan again on ``inspection_set``; changing the date
cancels the reminders of the old one.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta

from handlers import audit, reminders
from handlers.context import Context, Services
from handlers.router import Router, takes_args
from handlers.start import ensure_unit
from handlers.types import Reply
from messages.texts import common as common_texts
from messages.texts import inspections as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime, fold
from storage import people
from storage import units as unit_store

log = logging.getLogger("agency_bot.inspections")

DEFAULT_TIME = time(8, 0)
_DATE = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/])")
# matched on the folded text (no marks, punctuation as spaces): "08:30", "8h30", "luc 8 gio 30 phut", "14"
_TIME = re.compile(r"^(?:luc )?(\d{1,2})(?: ?(?:h|g|gio)? ?(\d{2})?)?(?: phut)?$")


class BadInput(Exception):
    """A sentence for staff explaining what is wrong with the command."""


def parse(args: str) -> tuple[str, date, time | None]:
    """``UNIT dd/mm/yyyy [hh:mm]`` → (unit text, date, time or None)."""
    m = _DATE.search(args)
    if m is None:
        raise BadInput(texts.NO_DATE)
    unit_text = args[:m.start()].strip().rstrip(",;:-\u2013").strip()
    if not unit_text:
        raise BadInput(texts.NO_UNIT)
    day, month, year = (int(g) for g in m.groups())
    try:
        when = date(year, month, day)
    except ValueError:
        raise BadInput(texts.BAD_DATE.format(value=m.group(0))) from None
    rest = args[m.end():].strip()
    at = None
    if rest:
        t = _TIME.match(fold(rest))
        if t is None:
            raise BadInput(texts.BAD_TIME.format(value=rest))
        hours, minutes = int(t.group(1)), int(t.group(2) or 0)
        if hours > 23 or minutes > 59:
            raise BadInput(texts.BAD_TIME.format(value=rest))
        at = time(hours, minutes)
    return unit_text, when, at


def register(router: Router) -> None:
    @router.command("datlich", role="staff", description=texts.COMMAND, aliases=("dat lich",))
    @takes_args
    async def datlich(ctx: Context) -> list[Reply]:
        try:
            unit_text, day, at = parse(ctx.args)
        except BadInput as exc:
            return [Reply(str(exc))]
        starts_at = datetime.combine(day, at or DEFAULT_TIME, ctx.services.tz)
        resolution = ctx.services.roster().resolve(unit_text)
        if resolution.candidates and not resolution.found:
            options = [ctx.option(u.name, "datlich_unit", code=u.code, starts_at=starts_at.isoformat(),
                                  default_time=at is None) for u in resolution.candidates[:5]]
            return [Reply(texts.WHICH_UNIT.format(query=unit_text, when=fmt_datetime(starts_at)), options=options)]
        unit = resolution.found
        if unit is None:
            return [Reply(texts.UNKNOWN_UNIT.format(query=unit_text))]
        return [Reply(set_date(ctx, unit, starts_at, default_time=at is None))]

    @router.action("datlich_unit", role="staff", once=True)
    async def datlich_unit(ctx: Context, payload: dict) -> list[Reply]:
        unit = ctx.services.roster().get(payload.get("code", ""))
        if unit is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        starts_at = datetime.fromisoformat(payload["starts_at"]).astimezone(ctx.services.tz)
        return [Reply(set_date(ctx, unit, starts_at, default_time=bool(payload.get("default_time"))))]


def set_date(ctx: Context, unit: UnitRecord, starts_at: datetime, *, default_time: bool = False) -> str:
    """Store the date, tell the unit at once, plan its reminders; the answer for staff."""
    services = ctx.services
    lines: list[str] = []
    if ensure_unit(services, unit, source="staff"):
        parent = services.roster().get(unit.parent or "")
        lines.append(texts.NEW_COMMUNE.format(unit=unit.name, parent=parent.name if parent else ""))
    with ctx.db() as s:
        visit = unit_store.inspection_of(s, unit.code)
        previous = visit.starts_at.astimezone(services.tz) if visit else None
        if previous == starts_at:
            return texts.SET_OK.format(unit=unit.name, when=fmt_datetime(starts_at)) + "\n" + texts.SET_SAME
        was_inspected = (row := unit_store.get(s, unit.code)) is not None and row.inspected
        unit_store.set_inspection(s, unit.code, starts_at, ctx.actor.person_id)
        focal = people.focal_points(s, unit.code)
    if unit.tier == "commune" and not was_inspected:
        services.units_changed()  # the commune is now inspected directly: the roster must say so
    log.info("inspection set unit=%s by person=%s changed=%s", unit.code, ctx.actor.person_id, previous is not None)
    audit.record(services, ctx.actor, "inspection_set", unit.code, fmt_datetime(starts_at))
    # the one replan of this change (the reminders' listener does not answer ``inspection_set``)
    changes = reminders.replan(services, [unit.code], previous={unit.code: previous} if previous else None)
    services.emit("inspection_set", unit_code=unit.code, starts_at=starts_at, previous=previous)

    lines.append(texts.SET_OK.format(unit=unit.name, when=fmt_datetime(starts_at)))
    if default_time:
        lines.append(texts.DEFAULT_TIME.format(time=DEFAULT_TIME.strftime("%H:%M")))
    if previous is not None:
        lines.append(texts.SET_CHANGED.format(previous=fmt_datetime(previous)))
    lines += warnings(services, unit, starts_at)
    if not focal:
        lines.append(texts.NO_FOCAL.format(unit=unit.name))
    elif changes.announced:
        lines.append(texts.TOLD.format(count=changes.announced))
    later = reminder_days(services, starts_at)
    if later:
        lines.append(texts.WILL_REMIND.format(dates=", ".join(later)))
    return "\n".join(lines)


def reminder_days(services: Services, starts_at: datetime) -> list[str]:
    now = services.clock.now()
    days = []
    for n in sorted(set(services.plan.reminders.inspection_days_before), reverse=True):
        at = datetime.combine(starts_at.date() - timedelta(days=n), services.plan.reminders.send_at, services.tz)
        if now <= at < starts_at:
            days.append(fmt_datetime(at))
    return days


def warnings(services: Services, unit: UnitRecord, starts_at: datetime) -> list[str]:
    plan = services.plan
    window = plan.inspection.window
    found = []
    if not window.start <= starts_at.date() <= window.end:
        found.append(texts.WARN_OUTSIDE_WINDOW.format(label=window.label, start=fmt_date(window.start),
                                                      end=fmt_date(window.end)))
    if starts_at <= services.clock.now():
        found.append(texts.WARN_PAST)
    if unit.tier != "commune" and unit.code not in plan.inspected_codes:
        found.append(texts.WARN_NOT_LISTED.format(unit=unit.name, section=plan.section_label(plan.inspection.section)))
    if unit.tier == "commune" and not plan.inspects_communes_of(unit.parent):
        district = services.roster().get(unit.parent or "")
        found.append(texts.WARN_DISTRICT_NOT_LISTED.format(
            district=district.name if district else unit.parent, section=plan.section_label(plan.inspection.section),
            communes_section=plan.section_label(plan.inspection.communes_section)))
    if unit.tier == "commune" and unit.parent:
        with services.store.session() as s:
            visits = {v.unit_code for v in unit_store.all_inspections(s)}
        siblings = [u for u in services.roster().children(unit.parent) if u.code in visits]
        expected = plan.inspection.communes_per_district
        if expected and len(siblings) > expected:
            district = services.roster().get(unit.parent)
            found.append(texts.WARN_COMMUNES.format(district=district.name if district else unit.parent,
                                                    count=len(siblings), expected=f"{expected:02d}",
                                                    section=plan.section_label(plan.inspection.communes_section)))
    return found
