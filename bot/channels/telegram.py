"""The Telegram channel: a python-telegram-bot ``Application`` that only translates.

Every update becomes a plain ``Inbound`` for ``router.handle``; the replies come back
as messages, inline keyboards and documents. Polling by default; with
``TELEGRAM_WEBHOOK_URL`` the webhook is registered (secret and ``allowed_updates``)
and updates arrive on the bot's own HTTP endpoint at ``/telegram/webhook`` — of
whichever process the load balancer picks. Telegram answers a second poller with 409,
so with ``poll_on_start=False`` polling waits for ``start_leading`` (``bot.leader``).

``TELEGRAM_API_BASE_URL`` / ``TELEGRAM_API_BASE_FILE_URL`` point at another Bot API
server: a Local Bot API server (its ``--local`` mode answers ``getFile`` with a path
on its disk, which is read directly when this machine can see it; otherwise files are
downloaded over HTTP), or a test server. The 20 MB download cap is applied only on
Telegram's cloud API; elsewhere ``TELEGRAM_MAX_FILE_MB`` alone decides.
"""

from __future__ import annotations

import os

# PTB 22 warns that RetryAfter.retry_after becomes a timedelta; opt in now (retry_seconds reads both)
os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
import hmac
import json
import logging
import sys
import time
from functools import partial
from typing import Callable
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import (Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, CallbackQuery,
                      LinkPreviewOptions, Message, Update)
from telegram.error import (BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter,
                            TelegramError, TimedOut)
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, Defaults, TypeHandler

from bot.channels.base import queue_replies
from bot.channels.telegram_inbound import CHANNEL, Me, TelegramFiles, translate_message, update_kind
from bot.channels.telegram_outbound import delivery_error, message_parts, send, utf16_len
from bot.channels.telegram_plumbing import PerPersonUpdateProcessor, server_urls
from bot.channels.telegram_request import BotApiRequest, parse_update
from bot.delivery import OutMessage, Part, PartsInFlight, Uncertain
from bot.http import BodyBroken, BodyTooLarge, read_body
from bot.logs import RefusalLog
from bot.settings import Settings, SettingsError
from handlers.context import Services
from handlers.formatting import words
from handlers.router import Command, Router
from handlers.types import Inbound
from messages.texts import common as common_texts
from messages.texts import telegram as texts
from storage import events, people

log = logging.getLogger("agency_bot.telegram")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]  # always sent: Telegram keeps the last value
MAX_WEBHOOK_BODY = 1024 * 1024
MAX_RUNNING_UPDATES = 64
_COMMAND_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def build_application(settings: Settings, *, update_processor: BaseUpdateProcessor | bool | None = None
                      ) -> tuple[Application, bool]:
    """A PTB application for the configured server; also whether that server is Telegram's cloud.

    ``update_processor`` replaces the per-person processor (benchmarks compare PTB's own modes)."""
    base_url, file_url, cloud = server_urls(settings.telegram_api_base_url, settings.telegram_api_base_file_url)
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application"):  # DEBUG lines carry messages
        if logging.getLogger(name).getEffectiveLevel() < logging.INFO:
            logging.getLogger(name).setLevel(logging.INFO)
    app = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(base_url)
        .base_file_url(file_url)
        .defaults(Defaults(tzinfo=settings.tz, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(PerPersonUpdateProcessor(MAX_RUNNING_UPDATES) if update_processor is None
                            else update_processor)
        .request(BotApiRequest())
        .get_updates_request(BotApiRequest(pool_size=1, read_timeout=10.0))
        .job_queue(None)  # reminders run on bot/scheduler.py
        .build()
    )
    return app, cloud


def _menu(commands: list[Command]) -> list[BotCommand]:
    menu = []
    for command in commands:
        if not (1 <= len(command.name) <= 32 and set(command.name) <= _COMMAND_NAME_OK):
            log.warning("command /%s cannot appear in Telegram's menu (a-z, 0-9, _ only)", command.name)
            continue
        menu.append(BotCommand(command.name, (command.description or command.name)[:256]))
    return menu[:100]


class TelegramChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, services: Services, router: Router, *,
                 update_processor: BaseUpdateProcessor | bool | None = None, poll_on_start: bool = True):
        self.settings = settings
        self.poll_on_start = poll_on_start
        self.services = services
        self.router = router
        self.app, self.cloud = build_application(settings, update_processor=update_processor)
        self.webhook_url = settings.telegram_webhook_url
        self.me: Me | None = None
        self._http: httpx.AsyncClient | None = None
        self._menu_pending: set[int] = set()  # staff whose menu Telegram refused (never wrote to the bot yet)
        self._in_flight = PartsInFlight()
        self.files = TelegramFiles(self.app.bot, self._client, cloud=self.cloud)
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._refusals = RefusalLog(log, "telegram webhook")

    # ---- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        server = urlsplit(self.app.bot.base_url).netloc
        try:
            await self.app.initialize()  # getMe: fails fast on a wrong token or an unreachable server
        except InvalidToken:
            raise SettingsError(texts.TOKEN_REJECTED.format(server=server)) from None
        except NetworkError as exc:
            raise SettingsError(texts.SERVER_UNREACHABLE.format(server=server, error=exc.message)) from None
        bot = self.app.bot
        self.me = Me(bot.id, bot.username)
        await self._set_menus()
        await self.app.start()
        if self.webhook_url:
            try:
                await bot.set_webhook(self.webhook_url, secret_token=self._secret(),
                                      allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
            except BadRequest as exc:
                await self.stop()
                raise SettingsError(texts.WEBHOOK_REFUSED.format(url=self.webhook_url, error=exc.message)) from None
            mode = "webhook"
        else:
            if self.poll_on_start:
                await self.start_leading()
            mode = "polling" if self.poll_on_start else "polling when leading"
        log.info("telegram channel started as @%s (%s, %s server)", self.me.username, mode,
                 "cloud" if self.cloud else "custom")

    async def start_leading(self) -> None:
        """Poll for updates (only one process may): nothing to do in webhook mode."""
        if self.webhook_url or self.app.updater is None or self.app.updater.running:
            return
        await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                                             error_callback=self._on_polling_error)

    async def stop_leading(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def stop(self) -> None:
        # the webhook stays registered on purpose: Telegram keeps updates for us while we are down
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=True)
        return self._http

    def _secret(self) -> str | None:
        secret = self.settings.telegram_webhook_secret
        return secret.get_secret_value() if secret is not None else None

    # ---- menus -----------------------------------------------------------------------------------
    def _staff_chats(self) -> set[int]:
        chats = set(self.settings.staff_telegram_ids)
        with self.services.store.session() as s:
            for person in people.staff(s):
                if person.channel == CHANNEL and person.external_id.lstrip("-").isdigit():
                    chats.add(int(person.external_id))
        return chats

    async def _set_menus(self) -> None:
        bot = self.app.bot
        try:
            await bot.set_my_commands(_menu(self.router.menu(staff=False)), scope=BotCommandScopeDefault())
        except TelegramError as exc:
            log.warning("the command menu was not set: %s", exc)
        self._menu_pending = self._staff_chats()
        for chat_id in sorted(self._menu_pending):
            await self._set_staff_menu(chat_id)

    async def _set_staff_menu(self, chat_id: int) -> None:
        try:
            await self.app.bot.set_my_commands(_menu(self.router.menu(staff=True)),
                                               scope=BotCommandScopeChat(chat_id))
            self._menu_pending.discard(chat_id)
        except TelegramError as exc:
            # usually "chat not found": that person has not written to the bot yet; retried when they do
            log.info("staff menu deferred for one staff chat: %s", exc)

    # ---- inbound ---------------------------------------------------------------------------------
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self._on_callback(update.callback_query)
        elif update.message is not None:
            await self._on_message(update.message)
        else:
            log.debug("ignored update %s (%s)", update.update_id, update_kind(update))
            return
        user = update.effective_user
        if user is not None and user.id in self._menu_pending:
            await self._set_staff_menu(user.id)  # Telegram knows their chat now
            self._menu_pending.discard(user.id)  # one retry: a server without menus is not asked forever

    async def _on_message(self, message: Message) -> None:
        decision = translate_message(message, self.me or Me(self.app.bot.id, self.app.bot.username), self.files)
        if decision.answer is not None:
            await send(self.app.bot, message.chat.id, text=decision.answer)
            return
        if decision.inbound is None:
            log.debug("ignored message %s: %s", message.message_id, decision.why)
            return
        replies = await self.router.handle(self.services, decision.inbound)
        await self._render(message.chat.id, replies, decision.quote, ref=f"m{message.chat.id}:{message.message_id}")

    async def _on_callback(self, query: CallbackQuery) -> None:
        try:
            await query.answer()  # stop the client's spinner first, whatever happens next
        except TelegramError as exc:
            log.debug("callback answer failed: %s", exc)
        if not query.data:
            return
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        group = message is not None and message.chat.type != "private"
        if message is not None and (not group or self._offered_to(message, query.from_user.id)):
            await self._retire_keyboard(message, query.data)
        inbound = self._inbound_for_choice(query, chat_id)
        replies = await self.router.handle(self.services, inbound)
        await self._render(chat_id, replies, message.message_id if group and message is not None else None,
                           ref=f"q{query.id}")

    @staticmethod
    def _inbound_for_choice(query: CallbackQuery, chat_id: int) -> Inbound:
        message = query.message
        return Inbound(CHANNEL, str(query.from_user.id), str(chat_id), choice=query.data,
                       display_name=query.from_user.full_name or None,
                       message_id=str(message.message_id) if message is not None else None)

    @staticmethod
    def _offered_to(message, user_id: int) -> bool:
        """In a group, the keyboard belongs to the person whose message the bot answered."""
        replied = getattr(message, "reply_to_message", None)
        return replied is None or replied.from_user is None or replied.from_user.id == user_id

    async def _retire_keyboard(self, message, data: str) -> None:
        """Show what was chosen and take the buttons away, so they cannot be tapped again by mistake."""
        bot = self.app.bot
        if isinstance(message, Message) and message.text and message.reply_markup is not None:
            label = next((b.text for row in message.reply_markup.inline_keyboard for b in row
                          if b.callback_data == data), None)
            if label is not None:
                text = f"{message.text}\n\n{texts.CHOSEN.format(label=label)}"
                if utf16_len(text) <= 4096:
                    try:
                        await bot.edit_message_text(text, chat_id=message.chat.id, message_id=message.message_id,
                                                    reply_markup=None)
                        return
                    except TelegramError as exc:
                        log.debug("could not mark the choice: %s", exc)
        try:
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id,
                                                reply_markup=None)
        except TelegramError as exc:  # already gone, too old, not modified
            log.debug("could not remove the keyboard: %s", exc)

    async def _render(self, chat_id: int | str, replies: list, quote: int | None, ref: str = "") -> None:
        """Answer now; if Telegram says "slow down" or the network fails, the rest goes through the
        outbox (paced, retried) instead of being lost."""
        for i, reply in enumerate(replies):
            try:
                await send(self.app.bot, chat_id, text=reply.text, options=reply.options, document=reply.document,
                           document_name=reply.document_name, quote=quote)
            except (RetryAfter, TimedOut, NetworkError) as exc:
                if isinstance(exc, (BadRequest, Uncertain)):  # wrong, or it may have arrived: never twice
                    raise
                log.warning("reply to %s not sent now (%s); queued in the outbox", ref or "update",
                            type(exc).__name__)
                queue_replies(self.services, CHANNEL, str(chat_id), replies[i:], ref or f"t{time.monotonic_ns()}")
                return
            quote = None

    # ---- errors ----------------------------------------------------------------------------------
    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        kind = update_kind(update)
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, TelegramError):
            log.warning("telegram update %s (%s) failed: %s: %s", update_id, kind, type(error).__name__, error)
        else:
            log.error("telegram update %s (%s) failed", update_id, kind, exc_info=error)
        if isinstance(error, (Forbidden, ChatMigrated, InvalidToken)) or not isinstance(update, Update):
            return
        chat = update.effective_chat
        if chat is None or kind not in ("message", "callback_query"):
            return
        try:
            await self.app.bot.send_message(chat.id, common_texts.INTERNAL_ERROR.format(**words(self.services.plan)))
        except TelegramError as exc:
            log.warning("could not tell the user about the failure: %s", type(exc).__name__)

    @staticmethod
    def _on_polling_error(error: TelegramError) -> None:
        log.warning("telegram polling: %s: %s", type(error).__name__, error)

    # ---- webhook ---------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        if not self.webhook_url:
            return []
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    async def _webhook(self, request: Request) -> Response:
        expected = (self._secret() or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            self._refusals.refused("wrong or missing secret")
            return Response(status_code=403)
        if not self.app.running:  # shutting down: nothing would read the queue; Telegram will resend
            return Response(status_code=503)
        try:
            body = await read_body(request, MAX_WEBHOOK_BODY)  # a chunked body has no length to check first
        except BodyTooLarge:
            self._refusals.refused("body too large")
            return Response(status_code=413)
        except BodyBroken:
            return Response(status_code=400)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = parse_update(data, self.app.bot)
        except Exception as exc:  # noqa: BLE001 - anything unparseable is the sender's fault
            self._refusals.refused(f"unreadable body ({type(exc).__name__})")
            return Response(status_code=400)
        if not await asyncio.to_thread(self._claim, update.update_id):
            log.info("telegram update %s already handled", update.update_id)
            return Response(status_code=200)  # Telegram resent it: it is done, do not answer twice
        await self.app.update_queue.put(update)  # processed in the background; Telegram gets its 200 now
        return Response(status_code=200)

    def _claim(self, update_id: int) -> bool:
        with self.services.store.session() as s:
            return events.claim(s, CHANNEL, str(update_id))

    # ---- outbox ----------------------------------------------------------------------------------
    async def deliver(self, chat_id: str, message: OutMessage) -> None:
        """Send one outgoing message; PTB does not retry: the sender decides from the raised outcome."""
        async def mapped(part: Part) -> object:
            try:
                return await part()
            except TelegramError as exc:
                outcome = delivery_error(exc)
                if outcome is None:
                    raise
                raise outcome from None

        parts = message_parts(self.app.bot, chat_id, text=message.text, options=message.options,
                              document=message.document, document_name=message.document_name)
        # a retry of this row skips the chunks Telegram already took (no duplicated first half)
        await self._in_flight.run(PartsInFlight.key(chat_id, message), [partial(mapped, p) for p in parts])

    def invite_link(self, code: str) -> str | None:
        return deep_link(self.me.username, code) if self.me and self.me.username else None


async def deep_link_factory(settings: Settings) -> Callable[[str], str] | None:
    """For ``agency-bot invite``: ask the configured server who the bot is; None (said on stderr) if it cannot."""
    base_url, file_url, _ = server_urls(settings.telegram_api_base_url, settings.telegram_api_base_file_url)
    bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=base_url, base_file_url=file_url,
              request=BotApiRequest(pool_size=2, connect_timeout=5.0, read_timeout=10.0),
              get_updates_request=BotApiRequest(pool_size=1, connect_timeout=5.0))
    try:
        async with bot:
            username = bot.username
    except InvalidToken:
        reason = texts.REASON_TOKEN
    except NetworkError as exc:
        reason = texts.REASON_NETWORK if not isinstance(exc, BadRequest) else texts.REASON_OTHER.format(
            error=type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - any failure leaves the invite usable by code
        reason = texts.REASON_OTHER.format(error=type(exc).__name__)
    else:
        return lambda code: deep_link(username, code)
    print(texts.DEEP_LINK_UNAVAILABLE.format(reason=reason), file=sys.stderr)
    return None
