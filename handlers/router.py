"""The one entry point of the conversation: inbound message in, replies out.

Capability modules register commands, button actions, waiting states, the file
handler and the question handler here (aiogram-style routers, one per feature).
The router finds who is writing, enforces roles and never lets an error leave
the user without an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Literal

from handlers.context import Context, Services
from handlers.formatting import words
from handlers.types import Actor, Inbound, Reply
from messages.texts import common as texts
from messages.vntext import fold
from storage import conversation, people
from storage import units as unit_store

log = logging.getLogger("agency_bot.router")

Role = Literal["any", "focal", "staff"]
Handler = Callable[[Context], Awaitable[list[Reply]]]
# a waiting state's handler may let a message pass (None): the state ends, the message is read as usual
StateHandler = Callable[[Context], Awaitable[list[Reply] | None]]
ChoiceHandler = Callable[[Context, dict], Awaitable[list[Reply]]]
# channels where commands are plain words ("dangky ABC", "trang thai")
BARE_COMMAND_CHANNELS = frozenset({"zalo", "console"})


@dataclass(frozen=True)
class Command:
    name: str  # ASCII, as in /name
    handler: Handler
    role: Role
    description: str  # Vietnamese, for menus and /help
    aliases: tuple[str, ...] = ()  # folded phrases that also mean this command ("dang ky")
    menu: bool = True


@dataclass(frozen=True)
class ChoiceAction:
    handler: ChoiceHandler
    role: Role
    once: bool  # spend the choice when tapped (a second tap is refused)


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, ChoiceAction] = {}
        self.states: dict[str, StateHandler] = {}
        self.file_handler: Handler | None = None
        self.text_handler: Handler | None = None

    # ---- registration ---------------------------------------------------------
    def command(self, name: str, *, role: Role, description: str, aliases: tuple[str, ...] = (),
                menu: bool = True) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = Command(name, fn, role, description, aliases, menu)
            return fn
        return deco

    def action(self, name: str, *, role: Role = "any", once: bool = False) -> Callable[[ChoiceHandler], ChoiceHandler]:
        def deco(fn: ChoiceHandler) -> ChoiceHandler:
            self.actions[name] = ChoiceAction(fn, role, once)
            return fn
        return deco

    def state(self, name: str) -> Callable[[StateHandler], StateHandler]:
        def deco(fn: StateHandler) -> StateHandler:
            self.states[name] = fn
            return fn
        return deco

    def on_file(self, fn: Handler) -> Handler:
        self.file_handler = fn
        return fn

    def on_text(self, fn: Handler) -> Handler:
        self.text_handler = fn
        return fn

    def menu(self, *, staff: bool) -> list[Command]:
        """Commands for a menu: focal points see theirs, staff see theirs too."""
        roles = {"any", "focal", "staff"} if staff else {"any", "focal"}
        return [c for c in self.commands.values() if c.menu and c.role in roles]

    # ---- dispatch -------------------------------------------------------------
    async def handle(self, services: Services, inbound: Inbound) -> list[Reply]:
        try:
            ctx = self._context(services, inbound)
            replies = await self._dispatch(ctx)
            self._group_options(services, replies)
            return replies
        except Exception:
            log.exception("handling failed channel=%s message=%s", inbound.channel, inbound.message_id)
            return [Reply(texts.INTERNAL_ERROR.format(**words(services.plan)))]

    @staticmethod
    def _group_options(services: Services, replies: list[Reply]) -> None:
        """The buttons of one reply are one decision: a one-shot tap spends its siblings too."""
        sets = [[o.choice_id for o in r.options] for r in replies if len(r.options) > 1]
        if sets:
            with services.store.session() as s:
                for ids in sets:
                    conversation.group(s, ids)

    def _context(self, services: Services, inbound: Inbound) -> Context:
        with services.store.session() as s:
            # reminders and notices go to the person's own chat, even if they first wrote in a group
            person = people.ensure(s, inbound.channel, inbound.user_id, inbound.user_id, inbound.display_name)
            is_staff = people.is_staff(person, services.staff_ids)
            unit = None
            if person.unit_code:
                unit = services.roster().get(person.unit_code)
                if unit is None and (row := unit_store.get(s, person.unit_code)) is not None:
                    services.units_changed()
                    unit = unit_store.record(row)
            state = conversation.get_state(s, person.id)
        actor = Actor(person.id, inbound.channel, inbound.user_id, person.chat_id, unit, is_staff,
                      inbound.display_name)
        return Context(services, inbound, actor, state=state.state if state else None,
                       state_data=dict(state.data) if state else {})

    async def _dispatch(self, ctx: Context) -> list[Reply]:
        inbound = ctx.inbound
        if inbound.choice:
            return await self._choice(ctx, inbound.choice)
        parsed = self.parse_command(inbound.channel, inbound.text or "")
        if parsed is not None:
            name, ctx.args = parsed
            command = self.commands.get(name)
            if command is None:
                return [Reply(texts.UNKNOWN_COMMAND.format(name=name))]
            if refusal := self._refuse(ctx, command.role, f"/{name}"):
                return refusal
            if ctx.state is not None:
                ctx.clear_state()
                ctx.state, ctx.state_data = None, {}
            return await command.handler(ctx)
        # a waiting state (e.g. "send the document for this notice") sees text and files first
        if ctx.state is not None and ctx.state in self.states:
            replies = await self.states[ctx.state](ctx)
            if replies is not None:
                return replies
            ctx.clear_state()
            ctx.state, ctx.state_data = None, {}
        if inbound.file is not None:
            if self.file_handler is None:
                return [Reply(texts.EMPTY_MESSAGE)]
            return await self.file_handler(ctx)
        if not (inbound.text or "").strip():
            return [Reply(texts.EMPTY_MESSAGE)]
        if _bare_number(inbound.text):  # an option typed after the options were gone: not a question
            return [Reply(texts.NUMBER_NO_OPTIONS.format(n=inbound.text.strip()))]
        if self.text_handler is None:
            return [Reply(texts.EMPTY_MESSAGE)]
        return await self.text_handler(ctx)

    async def _choice(self, ctx: Context, choice_id: str) -> list[Reply]:
        with ctx.db() as s:
            choice = conversation.get_choice(s, choice_id, ctx.actor.person_id)
        action = self.actions.get(choice.action) if choice else None
        if choice is None or action is None:
            return [Reply(texts.CHOICE_EXPIRED)]
        if refusal := self._refuse(ctx, action.role, f"action:{choice.action}"):
            return refusal
        if action.once:
            with ctx.db() as s:
                if not conversation.mark_used(s, choice):
                    return [Reply(texts.CHOICE_USED)]
        return await action.handler(ctx, dict(choice.payload))

    def _refuse(self, ctx: Context, role: Role, what: str) -> list[Reply] | None:
        if role == "staff" and not ctx.actor.is_staff:
            log.warning("refused staff-only %s to person=%s channel=%s", what, ctx.actor.person_id, ctx.actor.channel)
            return [Reply(texts.STAFF_ONLY.format(**words(ctx.plan)))]
        if role == "focal" and not ctx.actor.registered:
            return [Reply(texts.NOT_REGISTERED.format(**words(ctx.plan)))]
        return None

    def parse_command(self, channel: str, text: str) -> tuple[str, str] | None:
        """``/name@bot args`` anywhere; on Zalo and the console also ``name args`` or an alias."""
        text = text.strip()
        if text.startswith("/") and len(text) > 1:
            head, _, rest = text[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            return (name, rest.strip()) if name else None
        if channel not in BARE_COMMAND_CHANNELS or not text:
            return None
        folded = fold(text)
        original_words = text.split()
        for command in self.commands.values():
            for phrase in (command.name, *command.aliases):
                if folded == phrase or folded.startswith(phrase + " "):
                    args = " ".join(original_words[len(phrase.split()):])
                    if args and not _takes_args(command):
                        continue
                    return command.name, args
        return None


def _bare_number(text: str | None) -> bool:
    """"2", " 3 ": what someone types to pick a numbered option (channels map it while options are shown)."""
    stripped = (text or "").strip()
    return stripped.isascii() and stripped.isdigit() and len(stripped) <= 2


def _takes_args(command: Command) -> bool:
    return getattr(command.handler, "takes_args", False)


def takes_args(fn: Handler) -> Handler:
    """Mark a command whose bare-word form may carry arguments (``dangky ABC``)."""
    fn.takes_args = True  # type: ignore[attr-defined]
    return fn
