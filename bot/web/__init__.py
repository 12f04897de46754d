"""The staff web pages under ``/web/``: one more room over the same handlers as the chat.

Pages call the capability functions of ``handlers/`` (standings, set_date, invite,
prepare/confirm of a notice, attach, the workbook) with the signed-in staff member as
actor, so the web and the chat cannot disagree, and every action lands in the same audit
log. Server-rendered with Jinja2 (``templates/``), words from ``messages/texts/web.py``,
the little interactivity by vendored htmx (``static/``); nothing from a CDN.

``web_routes(services, settings)`` is mounted by ``bot/app.py`` beside the webhooks.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.web.security import SecurityHeaders
from bot.web.site import PREFIX, Site
from handlers.context import Services
from messages.texts import web as texts

STATIC = Path(__file__).with_name("static")


def build_web_app(services: Services, *, secure_cookies: bool = False) -> Starlette:
    from bot.web.pages import audit_log, broadcasts, files, invites, overview, questions, signin, unit, units

    routes: list[BaseRoute] = [Mount("/static", app=StaticFiles(directory=STATIC), name="static")]
    for module in (signin, overview, units, unit, files, invites, broadcasts, questions, audit_log):
        routes += module.routes

    async def http_error(request: Request, exc: HTTPException) -> Response:
        site: Site = request.app.state.site
        message = {404: texts.NOT_FOUND, 413: texts.TOO_LARGE}.get(exc.status_code, texts.ERROR_TITLE)
        return site.refusal(request, exc.status_code, message)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.site = Site(services, secure_cookies=secure_cookies)
    return app


def web_routes(services: Services, *, secure_cookies: bool = False) -> list[BaseRoute]:
    """``/web/…`` for the bot's HTTP endpoint (``/web`` alone redirects to the overview)."""
    app = SecurityHeaders(build_web_app(services, secure_cookies=secure_cookies))

    async def to_overview(_: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=307)

    return [Route(PREFIX, to_overview, methods=["GET"]), Mount(PREFIX, app=app)]
