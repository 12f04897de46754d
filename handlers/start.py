"""Greeting, help, cancel — and registration by invite code (/start CODE, /dangky CODE, /moi UNIT)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import audit
from handlers.context import Context, Services
from handlers.formatting import words
from handlers.router import Router, takes_args
from handlers.types import Actor, Reply
from messages.texts import common as common_texts
from messages.texts import registration as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime
from handlers import unit_picker
from handlers.unit_picker import unit_example
from storage import invites, people

log = logging.getLogger("agency_bot.registration")


def greeting(services: Services) -> str:
    plan = services.plan
    return texts.GREETING.format(
        coordinator=plan.unit_name(plan.coordinator),
        plan_title=f"{plan.document.kind.lower()} {plan.document.title[:1].lower()}{plan.document.title[1:]}",
        citation=plan.document.citation,
    )


def register(router: Router) -> None:
    @router.command("start", role="any", description=texts.COMMAND_START)
    @takes_args
    async def start(ctx: Context) -> list[Reply]:
        if ctx.args.strip():
            return await redeem(ctx, ctx.args.strip())
        lines = [greeting(ctx.services)]
        if ctx.actor.unit:
            lines.append(texts.REGISTERED_AS.format(unit=ctx.actor.unit.name))
        elif not ctx.actor.is_staff:
            lines.append(texts.HOW_TO_REGISTER.format(**words(ctx.plan)))
        if ctx.actor.is_staff:
            lines.append(texts.STAFF_GREETING.format(**words(ctx.plan)))
        return [Reply("\n\n".join(lines))]

    @router.command("help", role="any", description=texts.COMMAND_HELP, aliases=("huong dan", "tro giup"))
    async def help_(ctx: Context) -> list[Reply]:
        lines = [texts.HELP_HEADER]
        lines += [texts.HELP_LINE.format(name=c.name, description=c.description)
                  for c in router.menu(staff=False)]
        if ctx.actor.is_staff:
            lines += ["", texts.HELP_STAFF_HEADER.format(**words(ctx.plan))]
            lines += [texts.HELP_LINE.format(name=c.name, description=c.description)
                      for c in router.commands.values() if c.role == "staff" and c.menu]
        lines += ["", texts.HELP_FOOTER]
        if not ctx.actor.registered and not ctx.actor.is_staff:
            lines += [texts.HOW_TO_REGISTER.format(**words(ctx.plan))]
        return [Reply("\n".join(lines))]

    @router.command("huy", role="any", description=texts.COMMAND_CANCEL, aliases=("cancel",))
    async def cancel(ctx: Context) -> list[Reply]:
        # the router clears any waiting state before running a command
        return [Reply(common_texts.CANCELLED)]

    @router.command("dangky", role="any", description=texts.COMMAND_REGISTER, aliases=("dang ky",))
    @takes_args
    async def dangky(ctx: Context) -> list[Reply]:
        code = ctx.args.strip()
        if not code:
            return [Reply(texts.REGISTER_USAGE)]
        return await redeem(ctx, code)

    @router.command("moi", role="staff", description=texts.COMMAND_INVITE)
    @takes_args
    async def moi(ctx: Context) -> list[Reply]:
        query = ctx.args.strip()
        if not query:
            return [Reply(texts.INVITE_USAGE.format(example=unit_example(ctx.services)))]
        picked = unit_picker.pick(ctx, query, "invite_unit")
        return picked if isinstance(picked, list) else invite_replies(ctx, picked)

    @router.action("invite_unit", role="staff", once=True)
    async def invite_unit(ctx: Context, payload: dict) -> list[Reply]:
        unit, added = unit_picker.chosen(ctx, payload)
        if unit is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        return invite_replies(ctx, unit, added)


@dataclass(frozen=True)
class Invitation:
    """A code just issued for a unit (the chat's answer and the web's printable page are made of it)."""

    unit: UnitRecord
    code: str
    expires: datetime  # local time, real clock
    deep_link: str | None  # Telegram's, when the bot runs there


def invite(services: Services, actor: Actor | None, unit: UnitRecord, days: int | None = None) -> Invitation:
    """Issue a code for ``unit`` (in the roster) on behalf of ``actor`` (None: the command line), and log it."""
    code, expires = issue_invite(services, unit.code, actor.person_id if actor else None, days)
    link = services.invite_links.get("telegram")
    audit.record(services, actor, "invite_issued", unit.code)
    log.info("invite issued unit=%s by person=%s", unit.code, actor.person_id if actor else None)
    return Invitation(unit, code, expires, link(code) if link else None)


def invite_replies(ctx: Context, unit: UnitRecord, added: str | None = None) -> list[Reply]:
    lines = [added] if added else []
    issued = invite(ctx.services, ctx.actor, unit)
    lines.append(texts.INVITE_OK.format(unit=unit.name, code=issued.code, expires=fmt_datetime(issued.expires),
                                        how=invite_how(ctx.services, issued.code)))
    return [Reply("\n".join(lines))]


def issue_invite(services: Services, unit_code: str, created_by: int | None, days: int | None = None):
    """A new one-time code for a unit and its expiry as users are shown it (business time, local).
    The code itself expires after that many days of real time (a security limit)."""
    expires = services.clock.real_now() + timedelta(days=days or services.invite_days)
    with services.store.session() as s:
        code = invites.issue(s, unit_code, expires, created_by)
    return code, services.clock.business(expires)


def invite_how(services: Services, code: str) -> str:
    how = [texts.INVITE_HOW_TELEGRAM.format(link=link(code)) for ch, link in services.invite_links.items()
           if ch == "telegram"]
    if "zalo" in services.invite_links:
        how.append(texts.INVITE_HOW_ZALO.format(code=code))
    how.append(texts.INVITE_HOW_ANY.format(code=code))
    return "\n".join(how)


# Guessing: a code is 10 of 31 symbols, but nothing should answer 300 guesses in 13 s.
GUESS_WINDOW = timedelta(minutes=15)
GUESSES_PER_PERSON = 5  # wrong codes per person in the window
GUESSES_PER_CHAT = 20  # wrong codes in one chat (a group where many register) in the window


def _guess_scopes(ctx: Context) -> list[str]:
    return [f"person:{ctx.actor.person_id}", f"chat:{ctx.actor.channel}:{ctx.inbound.chat_id}"[:120]]


def _guessing_wait(ctx: Context) -> timedelta | None:
    """How long this person (or chat) must wait before trying another code; None if they may."""
    now = ctx.services.clock.real_now()  # a security limit: real time, not the business clock
    scopes = _guess_scopes(ctx)
    with ctx.db() as s:
        seen = invites.failures(s, scopes, now - GUESS_WINDOW)
    waits = [times[-limit] + GUESS_WINDOW - now
             for times, limit in zip(seen.values(), (GUESSES_PER_PERSON, GUESSES_PER_CHAT)) if len(times) >= limit]
    return max(waits) if waits else None


def _record_guess(ctx: Context) -> None:
    now = ctx.services.clock.real_now()
    with ctx.db() as s:
        invites.record_failure(s, _guess_scopes(ctx), now, forget_before=now - GUESS_WINDOW)


async def redeem(ctx: Context, code: str) -> list[Reply]:
    services = ctx.services
    wait = _guessing_wait(ctx)
    if wait is not None:
        log.warning("invite refused (too many wrong codes) person=%s", ctx.actor.person_id)
        return [Reply(texts.REGISTER_THROTTLED.format(minutes=max(1, -(-int(wait.total_seconds()) // 60)),
                                                      **words(ctx.plan)))]
    with ctx.db() as s:
        person = people.find(s, ctx.actor.channel, ctx.actor.external_id)
        current = ctx.actor.unit
        if current is not None:
            # a registered person learns nothing about the code's unit: it is not spent, so it is not theirs
            peeked = invites.peek(s, code)
            if peeked is None:
                outcome = "unknown"
            else:
                return [Reply(texts.REGISTER_ALREADY.format(current=current.name, **words(ctx.plan)))]
        else:
            # the spent code and the registration it grants: one transaction
            result = invites.redeem(s, code, person, services.clock.real_now(), commit=False)
            if result.outcome == "ok":
                people.register(s, person, result.unit_code, services.clock.now(), commit=False)
            s.commit()
            outcome = result.outcome
    if outcome != "ok":
        _record_guess(ctx)
    if outcome == "unknown":
        log.info("invite refused (unknown) person=%s", ctx.actor.person_id)
        return [Reply(texts.REGISTER_UNKNOWN.format(**words(ctx.plan)))]
    if outcome == "used":
        return [Reply(texts.REGISTER_USED.format(**words(ctx.plan)))]
    if outcome == "expired":
        return [Reply(texts.REGISTER_EXPIRED.format(**words(ctx.plan)))]
    unit = services.roster().get(result.unit_code)
    log.info("registered person=%s unit=%s", ctx.actor.person_id, result.unit_code)
    services.emit("person_registered", person_id=ctx.actor.person_id, unit_code=result.unit_code)
    return [Reply(texts.REGISTER_OK.format(unit=unit.name if unit else result.unit_code))]
