"""Invitations: codes for the units without a focal point, one at a time or all at once, or for
any unit named as people write it; the answer is a printable sheet (unit, code, Telegram deep
link and its QR code, drawn on the server by segno) to attach to an official dispatch.

Codes are issued by ``handlers.start.invite`` (the same as /moi) and only hashes are stored,
so the sheet is the one place a code is ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.site import Site
from handlers.context import Services
from handlers.reports import unit_order
from handlers.start import Invitation, invite
from messages.texts import web as texts
from messages.units import UnitRecord
from storage import people

QR_SCALE = 3
MAX_AT_ONCE = 500  # a sheet of more codes than this is not something anyone prints


@dataclass
class PrintedCode:
    invitation: Invitation
    qr: Markup  # inline SVG


def without_focal(services: Services) -> list[UnitRecord]:
    with services.store.session() as s:
        focal = people.focal_counts(s)
    return [u for u in unit_order(services) if not focal.get(u.code)]


def qr_svg(text: str) -> Markup:
    return Markup(segno.make(text, error="m").svg_inline(scale=QR_SCALE, border=2, omitsize=True))


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    return site.page(request, "invites.html", staff=staff, title=texts.INVITES_TITLE, nav="invites",
                     units=without_focal(site.services), q=request.query_params.get("q", "")[:200], choices=[])


@staff_page
async def issue(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    form = await request.form()
    roster = services.roster()
    if form.get("all"):
        units = without_focal(services)
    elif form.get("q"):
        q = str(form.get("q")).strip()[:200]
        found = roster.resolve(q)
        if found.unit is None:  # a name not in the roster is never added here (units import, or /moi confirms)
            message = (texts.INVITE_NEW.format(q=q, name=found.new_unit.name) if found.new_unit else
                       texts.INVITE_WHICH.format(q=q) if found.candidates else texts.INVITE_UNKNOWN.format(q=q))
            return site.page(request, "invites.html", staff=staff, title=texts.INVITES_TITLE, nav="invites",
                             units=without_focal(services), q=q, choices=list(found.candidates), message=message)
        units = [found.unit]
    else:
        units = [u for code in form.getlist("unit") if (u := roster.get(str(code))) is not None]
    codes = [invite(services, staff.actor, unit) for unit in units[:MAX_AT_ONCE]]
    printed = [PrintedCode(c, qr_svg(c.deep_link or f"dangky {c.code}")) for c in codes]
    return site.page(request, "invites_print.html", staff=staff, title=texts.PRINT_TITLE, nav="invites",
                     printed=printed)


routes = [
    Route("/invites", page, methods=["GET"]),
    Route("/invites", issue, methods=["POST"]),
]
