"""The Zalo Official Account channel: webhook in, OA Open API out; the conversation is the router's.

In: ``POST /zalo/webhook``. The signature and the timestamp are checked on the
request, Zalo gets its 200 at once (it retries slow answers), and the event is
handled in a background task: duplicates (same ``msg_id``, remembered in the
``processed_event`` table across restarts) and the OA's own echoes are dropped,
events of one user are handled one at a time and in order (``keyed.KeyedLocks``),
and at most ``HANDLING_SLOTS`` events are handled at once; a handler waiting for a
user's attachment to download lends its slot out, so slow uploads never hold up
other users.

Out: replies and outbox messages (``deliver``) take the same road: 2,000-character
parts, ``oa.query.show`` buttons (numbered options past five, typed back as digits),
PDF/DOC/DOCX uploaded and sent as files, anything else as a signed, expiring
download link served by ``GET /zalo/files/...``. One upload, and one link copy,
serve every recipient of the same document. An outbox row is keyed by its id
(``OutMessage.ident``), so a retried row resumes after the parts that already went.

Operating it: in Zalo for Developers set the OA webhook to
``PUBLIC_BASE_URL/zalo/webhook`` with the events user_send_text, user_send_file,
user_send_image, follow and unfollow; put the app's id and secret, the OA secret
key and the pair from the OA authorisation in ``ZALO_*``. The pair seeds the
database once; after that the bot rotates it itself (``zalo_tokens``). After a
re-authorisation, put the new pair in the environment and restart: a pair the
bot has never seen replaces the stored one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import mimetypes
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.keyed import KeyedLocks, LendableSlots
from bot.channels.zalo_api import ZaloApi, ZaloApiError, ZaloTransient
from bot.channels.zalo_files import (DocumentInfo, DownloadLinks, FileRefused, fetch_attachment, host_allowed,
                                     uploadable)
from bot.channels.zalo_render import choice_from_payload, numbered, text_messages
from bot.channels.zalo_tokens import TokenBroken, TokenKeeper, TokenTransient
from bot.channels.zalo_webhook import (FILE_EVENTS, TEXT_EVENTS, UNREADABLE_EVENTS, ZaloEvent, parse_event,
                                       signature_ok)
from bot.delivery import OutMessage, PartsInFlight, Rejected, RetryLater, Uncertain, Unreachable
from bot.settings import Settings
from handlers.context import Services
from handlers.formatting import words
from handlers.router import Router
from handlers.types import IncomingFile, Inbound, Option, Reply
from messages.texts import registration as registration_texts
from messages.texts import zalo as texts
from messages.vntext import fmt_datetime, fold
from storage import outbox, people
from storage import tokens as token_store
from storage.models import ProcessedEvent

log = logging.getLogger("agency_bot.zalo")

CHANNEL = "zalo"
MAX_BODY_BYTES = 1024 * 1024
LINK_TTL_S = 7 * 24 * 3600  # download links: a notice may be read days later
OPTIONS_TTL_S = 24 * 3600  # typed digits refer to the last options shown, for a day
PENDING_LIMIT = 10_000  # people whose last options are remembered (the oldest are forgotten first)
UPLOAD_CACHE_TTL_S = 3600  # one upload serves a whole broadcast of the same document
BROKEN_RETRY_S = 600.0
HOUSEKEEPING_S = 3600.0  # expired link copies, stale options and uploads are cleared this often
# events handled at once (a handler and its answers to Zalo): the rest wait their turn, so a burst
# cannot starve the 200s Zalo waits for; attachment downloads do not count (the slot is lent out)
HANDLING_SLOTS = 16


class ZaloChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, services: Services, router: Router):
        self.settings = settings
        self.services = services
        self.router = router
        self.app_id = settings.zalo_app_id or ""
        self._oa_secret = settings.zalo_oa_secret_key.get_secret_value() if settings.zalo_oa_secret_key else ""
        self._client: httpx.AsyncClient | None = None
        self.keeper = TokenKeeper(
            services.store, self._http, app_id=self.app_id,
            app_secret=settings.zalo_app_secret.get_secret_value() if settings.zalo_app_secret else "",
            oauth_base_url=settings.zalo_oauth_base_url, real_now=services.clock.real_now,
            env_access_token=(settings.zalo_oa_access_token.get_secret_value()
                              if settings.zalo_oa_access_token else None),
            env_refresh_token=(settings.zalo_oa_refresh_token.get_secret_value()
                               if settings.zalo_oa_refresh_token else ""),
            on_broken=self._tell_staff_reauth,
        )
        self.api = ZaloApi(settings.zalo_api_base_url, self.keeper, self._http)
        base_url = settings.public_base_url or f"http://{settings.http_host}:{settings.http_port}"
        self.links = DownloadLinks(settings.data_dir / "zalo-links", base_url, self._oa_secret, LINK_TTL_S,
                                   now=lambda: services.clock.real_now().timestamp())
        self.hosts = list(settings.zalo_file_hosts)
        self._tasks: set[asyncio.Task] = set()
        self._user_locks = KeyedLocks()  # one user's events one at a time, in order
        self._slots = LendableSlots(HANDLING_SLOTS)
        # user -> (shown at, options): what typed digits refer to; oldest first
        self._pending: OrderedDict[str, tuple[float, list[Option]]] = OrderedDict()
        self._in_flight = PartsInFlight()  # a retried row skips the parts already sent
        self._uploads: dict[tuple, tuple[float, str]] = {}
        self._upload_locks = KeyedLocks()  # concurrent deliveries of one document share one upload
        self._keeper_task: asyncio.Task | None = None
        self._housekeeping_task: asyncio.Task | None = None
        self._stopping = False

    # ---- Channel protocol ---------------------------------------------------------
    async def start(self) -> None:
        self._stopping = False
        if not self.settings.public_base_url:
            log.warning("PUBLIC_BASE_URL is not set: Zalo download links point at %s:%s, which users may not "
                        "reach", self.settings.http_host, self.settings.http_port)
        self._keeper_task = asyncio.create_task(self.keeper.keep_fresh(), name="zalo-token-keeper")
        self._housekeeping_task = asyncio.create_task(self._housekeeping(), name="zalo-housekeeping")

    async def stop(self) -> None:
        self._stopping = True  # webhooks arriving from now on get 503: Zalo sends them again later
        for task in (self._keeper_task, self._housekeeping_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._keeper_task = self._housekeeping_task = None
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=10)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/zalo/webhook", self._webhook, methods=["POST"]),
            Route("/zalo/files/{token}/{name}", self._download, methods=["GET", "HEAD"]),
        ]

    def invite_link(self, code: str) -> str | None:
        # An OA has no deep link that carries a payload: users type "dangky CODE" instead.
        return None

    async def deliver(self, chat_id: str, message: OutMessage) -> None:
        try:
            await self._send(chat_id, message, strict=True)  # message.ident: a retried row resumes by its id
        except TokenBroken:
            raise RetryLater(BROKEN_RETRY_S, "zalo OA needs re-authorisation") from None
        except TokenTransient as exc:
            raise ZaloTransient(f"token refresh: {exc}") from None

    async def settle(self) -> None:
        """Wait until every webhook received so far has been handled (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---- HTTP client --------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=60.0), follow_redirects=False)
        return self._client

    async def _housekeeping(self) -> None:
        """Now and then, never on the way of a message: expired link copies, stale options and uploads."""
        while True:
            try:
                removed = await asyncio.to_thread(self.links.purge)
                if removed:
                    log.info("zalo: %s expired download link copies removed", removed)
                self._prune_pending()
                now = time.monotonic()
                self._uploads = {k: v for k, v in self._uploads.items() if now - v[0] < UPLOAD_CACHE_TTL_S}
            except Exception:
                log.exception("zalo housekeeping")
            await asyncio.sleep(HOUSEKEEPING_S)

    # ---- inbound --------------------------------------------------------------------
    async def _webhook(self, request: Request) -> Response:
        if self._stopping:
            return PlainTextResponse("shutting down", status_code=503)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return PlainTextResponse("body too large", status_code=413)
        header = request.headers.get("x-zevent-signature")
        if not header:
            log.warning("zalo webhook refused: no signature")
            return PlainTextResponse("missing signature", status_code=401)
        try:
            raw = await request.body()
        except Exception:  # the client went away
            return PlainTextResponse("bad request", status_code=400)
        if len(raw) > MAX_BODY_BYTES:
            return PlainTextResponse("body too large", status_code=413)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            log.warning("zalo webhook refused: the body is not a JSON object")
            return PlainTextResponse("bad request", status_code=400)
        timestamp = body.get("timestamp")
        timestamp = str(timestamp).strip() if isinstance(timestamp, (int, str)) and not isinstance(timestamp, bool) else ""
        if not timestamp or not signature_ok(header, self.app_id, raw, timestamp, self._oa_secret):
            log.warning("zalo webhook refused: bad signature")
            return PlainTextResponse("bad signature", status_code=403)
        if not self._fresh(timestamp):
            log.warning("zalo webhook refused: stale or future timestamp")
            return PlainTextResponse("stale event", status_code=403)
        self._spawn(self._process(body))
        return JSONResponse({"error": 0, "message": "Success"})

    def _fresh(self, timestamp: str) -> bool:
        try:
            sent = float(timestamp) / 1000.0
        except ValueError:
            return False
        now = self.services.clock.real_now().timestamp()
        return abs(now - sent) <= self.settings.zalo_webhook_max_age_s

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, body: dict) -> None:
        try:
            event = parse_event(body)
            if event.ignored or event.name.startswith("anonymous_"):
                return
            if not event.user_id or not event.event_id:
                log.info("zalo %s event without sender or message id ignored", event.name or "?")
                return
            # the user's turn first, then a slot: a user's backlog waits without taking slots from others
            async with self._user_locks.hold(event.user_id), self._slots.held():
                if not await asyncio.to_thread(self._claim, event.event_id):
                    log.info("zalo event %s already handled", _short(event.event_id))
                    return
                await self._handle(event)
        except Exception:
            log.exception("zalo event failed")

    def _claim(self, event_id: str) -> bool:
        """Remember the event; False if it was seen before (Zalo retries, or a replay)."""
        key = event_id if len(event_id) <= 100 else hashlib.sha256(event_id.encode()).hexdigest()
        with self.services.store.session() as s:
            try:
                s.add(ProcessedEvent(channel=CHANNEL, event_id=key))
                s.commit()
            except sa.exc.IntegrityError:
                s.rollback()
                return False
        return True

    async def _handle(self, event: ZaloEvent) -> None:
        uid = event.user_id
        if event.name == "follow":
            await self._reply(uid, self._greeting(uid), event.event_id)
        elif event.name == "unfollow":
            with self.services.store.session() as s:
                person = people.find(s, CHANNEL, uid)
                if person is not None:
                    people.set_active(s, person.id, False)
                    log.info("person=%s unfollowed the OA: marked inactive", person.id)
        elif event.name in TEXT_EVENTS:
            await self._on_text(uid, event)
        elif event.name in FILE_EVENTS:
            usable = [a for a in event.attachments if a.url]
            if not usable:
                log.warning("zalo %s event %s without an attachment URL", event.name, _short(event.event_id))
                await self._reply(uid, [Reply(texts.FILE_UNREADABLE)], event.event_id)
            for attachment in usable:
                await self._on_file(uid, event, attachment)
        elif event.name in UNREADABLE_EVENTS:
            # stickers, audio, locations...: the router says what it can read
            await self._dispatch(Inbound(CHANNEL, uid, uid, message_id=event.event_id), event.event_id)
        else:  # reactions, clicks, form submissions...: nothing to answer
            log.debug("zalo %s event ignored", event.name)

    def _greeting(self, uid: str) -> list[Reply]:
        from handlers.start import greeting

        with self.services.store.session() as s:
            person = people.ensure(s, CHANNEL, uid, uid)  # a returning follower is reachable again
        lines = [greeting(self.services)]
        unit = self.services.roster().get(person.unit_code) if person.unit_code else None
        is_staff = people.is_staff(person, self.services.staff_ids)
        if unit is not None:
            lines.append(registration_texts.REGISTERED_AS.format(unit=unit.name))
        elif not is_staff:
            lines.append(texts.HOW_TO_REGISTER.format(**words(self.services.plan)))
        commands = ", ".join(c.name for c in self.router.menu(staff=False) if c.name != "start")
        if commands:
            lines.append(texts.COMMANDS_HINT.format(commands=commands))
        if is_staff:
            lines.append(registration_texts.STAFF_GREETING.format(**words(self.services.plan)))
        return [Reply("\n\n".join(lines))]

    async def _on_text(self, uid: str, event: ZaloEvent) -> None:
        text = event.text or ""
        choice = choice_from_payload(text) or self._typed_choice(uid, text)
        inbound = Inbound(CHANNEL, uid, uid, text=None if choice else text, choice=choice,
                          message_id=event.event_id)
        await self._dispatch(inbound, event.event_id)

    def _typed_choice(self, uid: str, text: str) -> str | None:
        """A number (or the exact label) of the last options shown to this user."""
        entry = self._pending.get(uid)
        if entry is None or not text.strip():
            return None
        shown_at, options = entry
        if time.monotonic() - shown_at > OPTIONS_TTL_S:
            self._pending.pop(uid, None)
            return None
        typed = text.strip().rstrip(".)")
        if typed.isdigit():
            n = int(typed)
            return options[n - 1].choice_id if 1 <= n <= len(options) else None
        folded = fold(text)
        for option in options:
            if fold(option.label) == folded:
                return option.choice_id
        return None

    async def _on_file(self, uid: str, event: ZaloEvent, attachment) -> None:
        if not host_allowed(attachment.url, self.hosts):
            host = urlsplit(attachment.url).hostname or "?"
            log.warning("zalo attachment refused: host %s is not in ZALO_FILE_HOSTS", host)
            await self._reply(uid, [Reply(texts.FILE_HOST_REFUSED)], event.event_id)
            return
        kind = "document" if event.name == "user_send_file" else "photo"
        name = attachment.name or _name_from_url(attachment.url, kind, event.event_id)
        fetch = partial(self._fetch, attachment.url)
        incoming = IncomingFile(name=name, size=attachment.size, mime=mimetypes.guess_type(name)[0], kind=kind,
                                fetch=fetch)
        caption = (event.text or "").strip() or None
        if caption and self.router.parse_command(CHANNEL, caption) is not None:
            caption = None  # a caption that reads as a command must not swallow the file
        await self._dispatch(Inbound(CHANNEL, uid, uid, text=caption, file=incoming,
                                     message_id=event.event_id), event.event_id)

    async def _fetch(self, url: str, dest: Path, max_bytes: int) -> None:
        try:
            async with self._slots.lent():  # a slow upload keeps this user's turn, not a slot others need
                await fetch_attachment(self._http(), url, self.hosts, dest, max_bytes)
        except FileRefused as exc:
            log.warning("zalo attachment refused: redirected off the allowed hosts (%s)", exc)
            raise

    async def _dispatch(self, inbound: Inbound, ref: str) -> None:
        replies = await self.router.handle(self.services, inbound)
        await self._reply(inbound.user_id, replies, ref)

    # ---- options typed back as digits -------------------------------------------------
    def _remember_options(self, uid: str, options: list[Option]) -> None:
        self._pending[uid] = (time.monotonic(), list(options))
        self._pending.move_to_end(uid)
        self._prune_pending()

    def _prune_pending(self) -> None:
        """Oldest first: options past their day, and people beyond ``PENDING_LIMIT``."""
        now = time.monotonic()
        while self._pending:
            uid, (shown_at, _) = next(iter(self._pending.items()))
            if now - shown_at <= OPTIONS_TTL_S and len(self._pending) <= PENDING_LIMIT:
                break
            del self._pending[uid]

    # ---- outbound -------------------------------------------------------------------
    async def _reply(self, uid: str, replies: list[Reply], ref: str) -> None:
        """Answer an inbound message; what cannot go now goes through the outbox (nothing is lost, nothing twice)."""
        if not any(r.options for r in replies):
            self._pending.pop(uid, None)
        for i, reply in enumerate(replies):
            # keyed by the event: a later, identical reply never resumes this one's progress
            message = OutMessage(reply.text, reply.document, reply.document_name, list(reply.options),
                                 ident=f"zalo-reply:{ref}:{i}")
            attempt = _Attempt()
            try:
                await self._send(uid, message, attempt=attempt)
            except (Rejected, Unreachable) as exc:
                log.warning("zalo reply to event %s refused: %s", _short(ref), exc)
                return
            except Exception as exc:  # passing failure or a broken token chain: let the sender retry
                log.warning("zalo reply to event %s failed (%s); the rest is queued in the outbox", _short(ref),
                            type(exc).__name__)
                # a part that went out unanswered may have arrived: never send it twice
                self._queue(uid, ref, i, reply, attempt, replies[i + 1:], skip_failed=isinstance(exc, Uncertain))
                return

    def _queue(self, uid: str, ref: str, first: int, failed: Reply, attempt: _Attempt, rest: list[Reply], *,
               skip_failed: bool) -> None:
        rows = []
        head = _remainder(failed, attempt, skip_failed)
        if head is not None:
            rows.append((first, *head))
        for n, reply in enumerate(rest, first + 1):
            rows.append((n, _with_numbers(reply.text, reply.options), reply.document, reply.document_name))
        with self.services.store.session() as s:
            person = people.find(s, CHANNEL, uid)
            for n, text, document, document_name in rows:
                outbox.enqueue(s, key=f"zalo-reply:{ref}:{n}", kind="notice", text=text,
                               due_at=self.services.clock.now(), person=person, channel=CHANNEL, chat_id=uid,
                               document_path=str(document) if document else None,
                               document_name=document_name if document else None, commit=False)
            s.commit()
        for reply in [failed, *rest]:
            if reply.options:
                self._remember_options(uid, reply.options)
        if rows:
            self.services.wake_outbox()

    async def _send(self, chat_id: str, message: OutMessage, *, strict: bool = False,
                    attempt: _Attempt | None = None) -> None:
        """Send one message as Zalo parts; a retry of the same ``message.ident`` skips the parts that went."""
        file_token, link_text = None, ""
        if message.document is not None:
            document = Path(message.document)
            name = message.document_name or document.name or texts.DOCUMENT_FALLBACK_NAME
            info = await asyncio.to_thread(DocumentInfo.of, document)
            if info is None:
                log.error("zalo: the document to send is missing (%s)", _file_ref(name))
                if strict:
                    raise Rejected(texts.REJECT_DOCUMENT_MISSING)
            else:
                if uploadable(name, info.size):
                    try:
                        file_token = await self._upload(info, name)
                    except ZaloApiError as exc:
                        log.warning("zalo refused the upload (%s); sending a link instead", exc.code)
                if file_token is None:
                    link = await self.links.link_for(info, name)
                    expires = datetime.fromtimestamp(link.expires_at, tz=self.services.clock.tz)
                    link_text = texts.DOWNLOAD_LINK.format(name=name, url=link.url, expires=fmt_datetime(expires))
        text = message.text
        body = f"{text.strip()}\n\n{link_text}" if link_text and text.strip() else (link_text or text)
        messages = text_messages(body, message.options)
        if file_token is not None:
            messages.append({"attachment": {"type": "file", "payload": {"token": file_token}}})
        if attempt is not None:
            attempt.messages = messages
        parts = [partial(self._send_part, chat_id, index, part, attempt) for index, part in enumerate(messages)]
        await self._in_flight.run(PartsInFlight.key(chat_id, message), parts)
        if message.options:
            self._remember_options(chat_id, message.options)

    async def _send_part(self, chat_id: str, index: int, part: dict, attempt: _Attempt | None) -> dict:
        result = await self.api.send(chat_id, part)
        if attempt is not None:
            attempt.sent = index + 1
        return result

    async def _upload(self, info: DocumentInfo, name: str) -> str:
        key = info.key(name)
        async with self._upload_locks.hold(key):  # a broadcast's concurrent deliveries wait for one upload
            cached = self._uploads.get(key)
            if cached is not None and time.monotonic() - cached[0] < UPLOAD_CACHE_TTL_S:
                return cached[1]
            token = await self.api.upload_file(info.path, name)
            now = time.monotonic()
            self._uploads = {k: v for k, v in self._uploads.items() if now - v[0] < UPLOAD_CACHE_TTL_S}
            self._uploads[key] = (now, token)
            return token

    async def _download(self, request: Request) -> Response:
        token = request.path_params.get("token", "")
        name = request.path_params.get("name", "")
        found = await asyncio.to_thread(self.links.resolve, token, name, request.query_params.get("exp", ""),
                                        request.query_params.get("sig", ""))
        if found is None:
            return PlainTextResponse(texts.DOWNLOAD_FORBIDDEN, status_code=403)
        if found is False:
            return PlainTextResponse(texts.DOWNLOAD_EXPIRED, status_code=410)
        return FileResponse(found, filename=name, content_disposition_type="attachment")

    # ---- the token chain broke ---------------------------------------------------------
    def _tell_staff_reauth(self) -> None:
        """Tell staff once per broken chain, on their other channels (Zalo itself is what broke)."""
        from handlers.notify import notify_people, staff_people

        persons = [p for p in staff_people(self.services) if p.channel != CHANNEL]
        if not persons:
            log.error("zalo OA needs re-authorisation and no staff outside Zalo can be told")
            return
        chain = token_store.fingerprint(self.keeper.pair.refresh_token)[:16]
        notify_people(self.services, persons, f"zalo-reauth:{chain}", texts.REAUTH_NEEDED)


@dataclass
class _Attempt:
    """How far one send got: the parts it built and how many of them Zalo accepted."""

    messages: list[dict] | None = None  # None: it failed before any part was built (upload, token)
    sent: int = 0


def _with_numbers(text: str, options: list[Option]) -> str:
    """An outbox row has no buttons: its options go as numbered lines, typed back as digits."""
    if not options:
        return text
    return f"{text}\n\n{numbered(options)}" if text.strip() else numbered(options)


def _remainder(reply: Reply, attempt: _Attempt, skip_failed: bool) -> tuple[str, Path | None, str | None] | None:
    """(text, document, name) for what of ``reply`` did not go, or None if nothing is left."""
    if attempt.messages is None:
        return _with_numbers(reply.text, reply.options), reply.document, reply.document_name
    left = attempt.messages[attempt.sent + (1 if skip_failed else 0):]
    if not left:
        return None
    kinds = {(m.get("attachment") or {}).get("type") for m in left}
    text = "\n\n".join(m["text"] for m in left if m.get("text") and m["text"] != "\u2026")
    if "template" in kinds:  # the buttons did not go: the options go numbered
        text = _with_numbers(text, reply.options)
    elif "file" not in kinds and not text.strip():
        return None
    # a link is already in the text; an uploaded file that did not go is sent again from the document
    document = reply.document if "file" in kinds else None
    return text, document, reply.document_name if document else None


def _file_ref(name: str) -> str:
    """How logs name a document: its extension and a short hash (a file name may carry a person's name)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{PurePosixPath(name).suffix.lower() or 'no extension'} #{digest}"


def _short(event_id: str | None) -> str:
    return (event_id or "?")[:12]


def _name_from_url(url: str, kind: str, event_id: str | None) -> str:
    tail = unquote(PurePosixPath(urlsplit(url).path).name)
    if tail and "." in tail and len(tail) <= 120:
        return tail
    return f"zalo-{'image' if kind == 'photo' else 'file'}-{_short(event_id)}" + (".jpg" if kind == "photo" else "")
