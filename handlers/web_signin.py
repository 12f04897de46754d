"""Signing staff in to the web pages (bot/web) without passwords: /web in the chat, or
``agency-bot web-link``, gives a one-time link valid ten minutes; spending it opens a
twelve-hour browser session. Only staff get a link, and the pages check the role again
on every request, so taking someone off the staff list also locks them out of the web.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import audit
from handlers.context import Context, Services
from handlers.router import Router
from handlers.types import Actor, Reply
from messages.texts import web as texts
from messages.vntext import fmt_datetime
from storage import people, web_auth

log = logging.getLogger("agency_bot.web")

LINK_VALID = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
SIGNIN_PATH = "/web/signin/"
DEFAULT_WEB_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class SignInLink:
    url: str
    expires: datetime  # local time, real clock


def issue_link(services: Services, actor: Actor | None, person_id: int) -> SignInLink:
    """A one-time sign-in link for ``person_id`` (who must be staff), asked for by ``actor``."""
    now = services.clock.real_now()
    with services.store.session() as s:
        token = web_auth.issue_link(s, person_id, now, LINK_VALID)
    audit.record(services, actor, "signin_link", detail=str(person_id))
    log.info("web sign-in link issued for person=%s", person_id)
    base = (services.web_url or DEFAULT_WEB_URL).rstrip("/")
    return SignInLink(f"{base}{SIGNIN_PATH}{token}", (now + LINK_VALID).astimezone(services.tz))


def link_text(link: SignInLink) -> str:
    return texts.LINK_MESSAGE.format(url=link.url, expires=fmt_datetime(link.expires),
                                     minutes=int(LINK_VALID.total_seconds() // 60))


def register(router: Router) -> None:
    @router.command("web", role="staff", description=texts.COMMAND_WEB, aliases=("trang quan tri",))
    async def web(ctx: Context) -> list[Reply]:
        if ctx.actor.channel == "console":  # the terminal is trusted (console_identity): let the web see it too
            with ctx.db() as s:
                people.grant_staff(s, ctx.actor.person_id)
        return [Reply(link_text(issue_link(ctx.services, ctx.actor, ctx.actor.person_id)))]
