"""Who is asking: the session cookie, the staff role (checked on every request) and CSRF.

``staff_page`` wraps every page and action: no live session → 401, a session whose
person is not staff (any more) → 403, a POST without this session's form token → 403.
The cookie holds a random token (HttpOnly, SameSite=Strict, Secure on https); the
store only its hash. The form token is derived from the cookie (``web_auth.csrf_token``).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from functools import wraps
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bot.web.site import CHANNEL, Site
from handlers.context import Context
from handlers.types import Actor, Inbound
from messages.texts import web as texts
from storage import people, web_auth
from storage.models import Person

log = logging.getLogger("agency_bot.web")

COOKIE = "agency_bot_web"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_FIELDS = 200
MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member of one request."""

    person: Person
    csrf: str
    key: str  # the session's hash: names its one-shot notices, never the token itself

    @property
    def actor(self) -> Actor:
        p = self.person
        return Actor(p.id, CHANNEL, p.external_id, p.chat_id, None, True, p.display_name)

    def context(self, site: Site) -> Context:
        """A handler context for this staff member, for capabilities shaped for the chat (``set_date``)."""
        p = self.person
        return Context(site.services, Inbound(CHANNEL, p.external_id, p.chat_id, display_name=p.display_name),
                       self.actor)

    @property
    def name(self) -> str:
        return self.person.display_name or f"{texts.CHANNEL.get(self.person.channel, self.person.channel)} " \
                                           f"{self.person.external_id}"


Page = Callable[[Request, Site, Staff], Awaitable[Response]]


def staff_page(fn: Page) -> Callable[[Request], Awaitable[Response]]:
    @wraps(fn)
    async def endpoint(request: Request) -> Response:
        site: Site = request.app.state.site
        token = request.cookies.get(COOKIE)
        person = signed_in(site, token) if token else None
        if person is None:
            return site.refusal(request, 401, texts.NOT_SIGNED_IN)
        if not people.is_staff(person, site.services.staff_ids):
            log.warning("web refused to non-staff person=%s path=%s", person.id, request.url.path)
            plan = site.services.plan
            return site.refusal(request, 403, texts.FORBIDDEN.format(coordinator=plan.unit_name(plan.coordinator)))
        csrf = web_auth.csrf_token(token)
        if request.method == "POST":
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > site.max_body:  # before any of it is read or spooled to disk
                return site.refusal(request, 413, texts.TOO_LARGE)
            form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES)
            sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
            if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf):
                log.warning("web refused a form without a valid CSRF token person=%s path=%s", person.id,
                            request.url.path)
                return site.refusal(request, 403, texts.CSRF_FAILED)
        return await fn(request, site, Staff(person, csrf, web_auth.hash_token(token)))

    return endpoint


def signed_in(site: Site, token: str) -> Person | None:
    services = site.services
    with services.store.session() as s:
        person_id = web_auth.session_person(s, token, services.clock.real_now())
        return s.get(Person, person_id) if person_id is not None else None


def set_cookie(site: Site, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(COOKIE, token, max_age=max_age, path="/web", httponly=True, samesite="strict",
                        secure=site.secure_cookies)


def clear_cookie(site: Site, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/web", httponly=True, samesite="strict", secure=site.secure_cookies)
