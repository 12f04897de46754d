"""Signing in with a one-time link, and out.

The link's GET only shows a page (chat apps and mail scanners open links to preview
them, which must not spend it); its form POSTs the token, which spends the link, opens
the session and redirects to the overview. ``static/app.js`` submits that form at once,
so a person who clicks the link lands on the overview.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.auth import COOKIE, Staff, clear_cookie, set_cookie, staff_page
from bot.web.site import PREFIX, Site
from handlers import audit
from handlers.web_signin import SESSION_LIFETIME
from messages.texts import web as texts
from storage import web_auth
from storage.models import Person

REFUSALS = {"unknown": texts.LINK_UNKNOWN, "used": texts.LINK_USED, "expired": texts.LINK_EXPIRED}
TOKEN_MAX = 100


async def signin_page(request: Request) -> Response:
    site: Site = request.app.state.site
    token = request.path_params["token"][:TOKEN_MAX]
    services = site.services
    with services.store.session() as s:
        checked = web_auth.check_link(s, token, services.clock.real_now())
        person = s.get(Person, checked.person_id) if checked.person_id else None
    if checked.outcome != "ok" or person is None:
        return site.refusal(request, 410 if checked.outcome != "unknown" else 404, REFUSALS.get(checked.outcome,
                                                                                                 texts.LINK_UNKNOWN))
    name = person.display_name or f"{texts.CHANNEL.get(person.channel, person.channel)} {person.external_id}"
    return site.page(request, "signin.html", title=texts.SIGNIN_TITLE, name=name, token=token)


async def signin(request: Request) -> Response:
    site: Site = request.app.state.site
    services = site.services
    form = await request.form(max_files=0, max_fields=5, max_part_size=1024)
    token = str(form.get("token") or "")[:TOKEN_MAX]
    with services.store.session() as s:
        result = web_auth.redeem_link(s, token, services.clock.real_now(), SESSION_LIFETIME)
        person = s.get(Person, result.person_id) if result.person_id else None
    if result.outcome != "ok" or person is None:
        return site.refusal(request, 410 if result.outcome != "unknown" else 404, REFUSALS.get(result.outcome,
                                                                                                texts.LINK_UNKNOWN))
    staff = Staff(person, "", "")
    audit.record(services, staff.actor, "signin")
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    set_cookie(site, response, result.session_token, int(SESSION_LIFETIME.total_seconds()))
    return response


@staff_page
async def signout(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    with services.store.session() as s:
        web_auth.end_session(s, request.cookies.get(COOKIE, ""), services.clock.real_now())
    audit.record(services, staff.actor, "signout")
    response = site.message(request, 200, texts.SIGNED_OUT, title=texts.SIGN_OUT)
    clear_cookie(site, response)
    return response


routes = [
    Route("/signin/{token}", signin_page, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
]
