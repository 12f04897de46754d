"""One unit's page: focal points, every submission and its versions (with downloads), the
inspection date (set or changed through ``handlers.inspections.set_date``, the same checks and
notices as /datlich), the reminders and notices written for it, and the audit log of staff
actions on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.site import PREFIX, Site
from handlers.context import Services
from handlers.inspections import DEFAULT_TIME, BadInput, parse, set_date
from handlers.reports import Standing
from messages.plan import Deliverable
from messages.texts import web as texts
from messages.units import UnitRecord
from storage import audit, people, unit_history
from storage import reports as report_store
from storage.models import AuditEntry, OutgoingMessage, Person, Submission

FIELD_MAX = 40


@dataclass
class DeliverableHistory:
    deliverable: Deliverable
    standing: Standing | None  # None: the unit does not owe it
    versions: list[Submission]  # newest first


@dataclass
class UnitPage:
    unit: UnitRecord
    parent: UnitRecord | None
    people: list[Person]
    deliverables: list[DeliverableHistory]
    inspection_at: datetime | None
    messages: list[tuple[OutgoingMessage, Person | None]]
    audit: list[tuple[AuditEntry, Person | None]]


def unit_page(services: Services, unit: UnitRecord) -> UnitPage:
    now = services.clock.now()
    deadlines = {d.deliverable.id: d for d in services.deadlines(unit)}
    with services.store.session() as s:
        members = unit_history.people_of(s, unit.code)
        versions = unit_history.submissions_of(s, unit.code)
        received = {d: r for (_, d), r in report_store.received(s, unit.code).items()}
        messages = unit_history.messages_of(s, unit.code)
        entries = audit.entries(s, unit_code=unit.code)
        focal = people.focal_counts(s).get(unit.code, 0)
    histories = []
    for deliverable in services.plan.deliverables:
        deadline, got = deadlines.get(deliverable.id), received.get(deliverable.id)
        standing = Standing(unit, deadline, got, focal, got is None and deadline.passed(now)) if deadline else None
        mine = [v for v in versions if v.deliverable_id == deliverable.id]
        if standing is not None or mine:
            histories.append(DeliverableHistory(deliverable, standing, mine))
    roster = services.roster()
    return UnitPage(unit, roster.get(unit.parent) if unit.parent else None, members, histories,
                    services.inspection_at(unit.code), messages, entries)


def _unit(site: Site, request: Request) -> UnitRecord:
    unit = site.services.roster().get(request.path_params["code"])
    if unit is None:
        raise HTTPException(404)
    return unit


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    unit = _unit(site, request)
    plan = site.services.plan
    return site.page(request, "unit.html", staff=staff, title=unit.name, nav="units",
                     view=unit_page(site.services, unit), people_label=person_label,
                     default_time=DEFAULT_TIME.strftime("%H:%M"), needs_confirm=_needs_confirm(site, unit),
                     list_section=plan.section_label(plan.inspection.section))


def _needs_confirm(site: Site, unit: UnitRecord) -> bool:
    """A unit the plan does not select: a date adds it to the inspected list only when staff tick so."""
    return not unit.inspected and not site.services.may_be_chosen(unit)


@staff_page
async def set_inspection(request: Request, site: Site, staff: Staff) -> Response:
    unit = _unit(site, request)
    form = await request.form()
    day, at = str(form.get("date", "")).strip()[:FIELD_MAX], str(form.get("time", "")).strip()[:FIELD_MAX]
    try:
        _, when, at_time = parse(f"{unit.code} {day} {at}".strip(), site.services)
    except BadInput as exc:
        site.notice(staff.key, str(exc), "error")
    else:
        if _needs_confirm(site, unit) and not form.get("add_to_list"):
            plan = site.services.plan
            site.notice(staff.key, texts.CONFIRM_ADD_FIRST.format(
                unit=unit.name, section=plan.section_label(plan.inspection.section)), "error")
            return RedirectResponse(f"{PREFIX}/units/{unit.code}", status_code=303)
        starts_at = datetime.combine(when, at_time or DEFAULT_TIME, site.services.tz)
        site.notice(staff.key, set_date(staff.context(site), unit, starts_at, default_time=at_time is None,
                                        select=True))
    return RedirectResponse(f"{PREFIX}/units/{unit.code}", status_code=303)


def person_label(person: Person | None) -> str:
    """Staff and recipients as the log shows them: name, channel and platform id."""
    if person is None:
        return texts.OPERATOR
    return texts.PERSON.format(name=person.display_name or texts.NO_NAME,
                               channel=texts.CHANNEL.get(person.channel, person.channel), id=person.external_id)


routes = [
    Route("/units/{code:str}", page, methods=["GET"]),
    Route("/units/{code:str}/inspection", set_inspection, methods=["POST"]),
]
