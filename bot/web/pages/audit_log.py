"""The audit log of every staff action, newest first (a unit's own entries are on its page)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.pages.unit import person_label
from bot.web.site import Site
from messages.texts import web as texts
from storage import audit

SHOWN = 300


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    with site.services.store.session() as s:
        entries = audit.entries(s, limit=SHOWN)
    units = {u.code: u for u in site.services.roster().units}
    return site.page(request, "audit.html", staff=staff, title=texts.AUDIT_TITLE, nav="audit", entries=entries,
                     units=units, people_label=person_label)


routes = [Route("/audit", page, methods=["GET"])]
