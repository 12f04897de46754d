"""Setting a unit's inspection date (/datlich, staff): the plan's announcer sets the dates.

``/datlich UNIT dd/mm/yyyy [hh:mm]``: the unit is named as people write it (a name the roster
does not have is added only when staff confirm it, handlers/unit_picker.py); the date is checked
(31/9 does not exist; a date outside the inspection window or already past is stored with a
warning). Who is inspected is the plan's selection (messages/plan.py ``Selection``):
- a unit the plan lists, or one staff already chose, just gets its date;
- a unit the plan leaves to the announcer's choice (N communes of each inspected district, say) is
  chosen by getting a date, and the reply says so (a warning when the plan's number is passed);
- any other unit is added to the inspected list only after staff confirm it.
The unit's focal points are told at once through the outbox, and reminded before: this module
replans the unit's reminders itself (it reports how many were told), so handlers/reminders/ does
not replan again on ``inspection_set``; changing the date cancels the reminders of the old one.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta

from handlers import reminders, unit_picker
from handlers.context import Context, Services
from handlers.formatting import selection_rule
from handlers.router import Router, takes_args
from handlers.types import Reply
from handlers.unit_picker import unit_example
from messages.texts import common as common_texts
from messages.texts import inspections as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime, fold, plain_date
from storage import people
from storage import units as unit_store

log = logging.getLogger("agency_bot.inspections")

DEFAULT_TIME = time(8, 0)
_DATE = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/])")
# matched on the folded text (no marks, punctuation as spaces): "08:30", "8h30", "luc 8 gio 30 phut", "14"
_TIME = re.compile(r"^(?:luc )?(\d{1,2})(?: ?(?:h|g|gio)? ?(\d{2})?)?(?: phut)?$")


class BadInput(Exception):
    """A sentence for staff explaining what is wrong with the command."""


def usage(services: Services) -> str:
    """The syntax, with an example taken from the loaded plan's own units and window."""
    window = services.plan.inspection.window
    example_day = min(window.start + timedelta(days=14), window.end)
    return texts.USAGE.format(example=unit_example(services), date=plain_date(example_day))


def parse(args: str, services: Services) -> tuple[str, date, time | None]:
    """``UNIT dd/mm/yyyy [hh:mm]`` → (unit text, date, time or None)."""
    m = _DATE.search(args)
    if m is None:
        raise BadInput(texts.NO_DATE + "\n" + usage(services))
    unit_text = args[:m.start()].strip().rstrip(",;:-\u2013").strip()
    if not unit_text:
        raise BadInput(texts.NO_UNIT + "\n" + usage(services))
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
            unit_text, day, at = parse(ctx.args, ctx.services)
        except BadInput as exc:
            return [Reply(str(exc))]
        starts_at = datetime.combine(day, at or DEFAULT_TIME, ctx.services.tz)
        payload = {"starts_at": starts_at.isoformat(), "default_time": at is None}
        picked = unit_picker.pick(ctx, unit_text, "datlich_unit", **payload)
        if isinstance(picked, list):
            return picked
        return schedule(ctx, picked, starts_at, default_time=at is None)

    @router.action("datlich_unit", role="staff", once=True)
    async def datlich_unit(ctx: Context, payload: dict) -> list[Reply]:
        unit, added = unit_picker.chosen(ctx, payload)
        if unit is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        starts_at = datetime.fromisoformat(payload["starts_at"]).astimezone(ctx.services.tz)
        replies = schedule(ctx, unit, starts_at, default_time=bool(payload.get("default_time")))
        return [Reply(added), *replies] if added else replies

    @router.action("datlich_select", role="staff", once=True)
    async def datlich_select(ctx: Context, payload: dict) -> list[Reply]:
        unit = ctx.services.roster().get(payload.get("code", ""))
        if unit is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        if not payload.get("confirm"):
            return [Reply(texts.NOT_ADDED.format(unit=unit.name))]
        starts_at = datetime.fromisoformat(payload["starts_at"]).astimezone(ctx.services.tz)
        return [Reply(set_date(ctx, unit, starts_at, default_time=bool(payload.get("default_time")), select=True))]


def schedule(ctx: Context, unit: UnitRecord, starts_at: datetime, *, default_time: bool) -> list[Reply]:
    """Set the date, or first ask staff to confirm adding a unit the plan does not select."""
    services = ctx.services
    if unit.inspected or services.may_be_chosen(unit):
        return [Reply(set_date(ctx, unit, starts_at, default_time=default_time, select=True))]
    plan = services.plan
    payload = {"code": unit.code, "starts_at": starts_at.isoformat(), "default_time": default_time}
    options = [ctx.option(texts.BUTTON_ADD, "datlich_select", confirm=True, **payload),
               ctx.option(texts.BUTTON_KEEP_OUT, "datlich_select", confirm=False, **payload)]
    return [Reply(texts.CONFIRM_ADD.format(unit=unit.name, when=fmt_datetime(starts_at),
                                           section=plan.section_label(plan.inspection.section)), options=options)]


def set_date(ctx: Context, unit: UnitRecord, starts_at: datetime, *, default_time: bool = False,
             select: bool = False) -> str:
    """Store the date (``select``: and make the unit inspected directly if it is not yet), tell the
    unit at once, plan its reminders; the answer for staff."""
    services, plan = ctx.services, ctx.plan
    lines: list[str] = []
    candidate = services.may_be_chosen(unit)  # the plan leaves its choice to the announcer
    with ctx.db() as s:
        visit = unit_store.inspection_of(s, unit.code)
        previous = visit.starts_at.astimezone(services.tz) if visit else None
        if previous == starts_at and unit.inspected:
            return texts.SET_OK.format(unit=unit.name, when=fmt_datetime(starts_at)) + "\n" + texts.SET_SAME
        chosen = select and unit_store.select_for_inspection(s, unit.code)
        unit_store.set_inspection(s, unit.code, starts_at, ctx.actor.person_id)
        focal = people.focal_points(s, unit.code)
    if chosen:
        services.units_changed()  # the unit is inspected directly now: the roster must say so
        selection = plan.selection(unit.level)
        lines.append(texts.CHOSEN.format(unit=unit.name, section=plan.section_label(selection.section),
                                         rule=selection_rule(plan, selection))
                     if candidate
                     else texts.ADDED_TO_LIST.format(unit=unit.name,
                                                     section=plan.section_label(plan.inspection.section)))
    log.info("inspection set unit=%s by person=%s changed=%s chosen=%s", unit.code, ctx.actor.person_id,
             previous is not None, chosen)
    # the one replan of this change (the reminders' listener does not answer ``inspection_set``)
    changes = reminders.replan(services, [unit.code], previous={unit.code: previous} if previous else None)
    services.emit("inspection_set", unit_code=unit.code, starts_at=starts_at, previous=previous)

    lines.append(texts.SET_OK.format(unit=unit.name, when=fmt_datetime(starts_at)))
    if default_time:
        lines.append(texts.DEFAULT_TIME.format(time=DEFAULT_TIME.strftime("%H:%M")))
    if previous is not None:
        lines.append(texts.SET_CHANGED.format(previous=fmt_datetime(previous)))
    lines += warnings(services, services.roster().get(unit.code) or unit, starts_at)
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
    found += _over_selection(services, unit)
    return found


def _over_selection(services: Services, unit: UnitRecord) -> list[str]:
    """More units of the unit's level chosen than the plan says (per parent, or in all)."""
    plan, roster = services.plan, services.roster()
    selection = plan.selection(unit.level)
    if selection is None or not selection.chosen_later:
        return []
    listed = set(selection.units)
    if selection.per_parent is not None and unit.parent:
        chosen = [u for u in roster.children(unit.parent) if u.level == unit.level and u.inspected]
        expected, where = selection.per_parent + len([u for u in chosen if u.code in listed]), roster.get(unit.parent)
        where_name = where.name if where else unit.parent
    elif selection.count is not None:
        chosen = [u for u in roster.of_level(unit.level) if u.inspected]
        expected, where_name = selection.count + len(listed), plan.level_name(unit.level)
    else:
        return []
    if len(chosen) <= expected:
        return []
    return [texts.WARN_OVER_SELECTION.format(where=where_name, count=len(chosen), expected=f"{expected:02d}",
                                             level=plan.level_name(unit.level),
                                             section=plan.section_label(selection.section))]
