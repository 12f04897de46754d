"""A fake Telegram Bot API server on loopback, for tests and benchmarks.

It speaks the Bot API over real HTTP (form, multipart or JSON bodies, like
python-telegram-bot and other clients send), so the bot under test runs its
real ``Application`` against it through ``TELEGRAM_API_BASE_URL``.

    from fakes.telegram_api import FakeBotApi, Limits, text_update

    async with FakeBotApi() as fake:                 # uvicorn on 127.0.0.1:<free port>, this event loop
        settings = Settings(telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
                            telegram_api_base_file_url=fake.base_file_url, ...)
        replies = await fake.converse(text_update(111, "/start"))   # push, wait for the bot's answers
        replies[0].params["text"]

Updates   ``push_update(dict) -> update_id`` (ids assigned when missing); ``getUpdates`` long-polls
          (its ``timeout`` is capped by ``poll_cap`` seconds so shutdown stays quick).
          Builders from real samples in ``tests/fixtures/telegram/``: ``text_update``,
          ``document_update``, ``photo_update``, ``callback_update``, ``load_update(name)``.
          ``await post_webhook(update, url)`` delivers one update the way Telegram does in webhook mode.
Records   ``calls`` (every request: ``Call(method, params, files, status, result, encoding)``),
          ``calls_to(method, chat_id=None)``, ``sent(chat_id)`` (accepted send* calls), ``texts(chat_id)``,
          ``messages[(chat_id, message_id)]`` (the bot's messages after edits), ``commands[scope_key(...)]``,
          ``webhook``, ``answered_callbacks``; waiting: ``wait_for(method, chat_id=, count=)``,
          ``converse(update)``, ``tap(user_id, label_part)`` (a callback on the chat's latest
          keyboard; ``button(...)`` builds it without sending), ``wait_quiet()``. Like Telegram it
          refuses what the bot must not do: texts over
          4096 UTF-16 units, callback data over 64 bytes, unknown callback query ids, edits of unknown
          or unchanged messages, ``getUpdates`` while a webhook is set, bad menu commands.
Files     ``add_file(file_id, content, declared_size=None, chunked=False)``: served by ``getFile`` and
          ``GET /file/bot<token>/<file_path>``; ``getFile`` answers 400 "file is too big" above
          ``max_download_bytes`` (20 MB, like the cloud API). ``chunked`` streams without Content-Length.
Faults    ``fail(status, description, method=, chat_id=, retry_after=, migrate_to_chat_id=, times=1)``;
          shortcuts ``block(chat_id)`` (403), ``migrate(chat_id, new_id)`` (400 + migrate_to_chat_id),
          ``flood(retry_after)`` (429); ``times=None`` means until ``clear_faults()``.
Latency   ``FakeBotApi(latency=0.05)`` delays every API answer, like a remote server.
Threads   the server lives in the event loop that started it; from another thread use that loop's
          ``call_soon_threadsafe`` for ``push_update`` (reading ``calls`` is safe anywhere).
Imports   tests get ``tests/`` on sys.path from pytest; a script under ``bench/`` must put the
          repository root on sys.path as well as ``tests/`` (``sys.path[:0] = [ROOT, ROOT / "tests"]``),
          or the folder ``tests/handlers`` would shadow the installed ``handlers`` package.
Limits    ``enforce(Limits(global_per_second=30, private_per_second=1, group_per_minute=20, scale=1.0))``
          answers send* methods with 429 + ``retry_after`` past Telegram's documented limits;
          ``count_429`` and ``sends_accepted`` count outcomes. ``scale`` speeds all windows up
          (``scale=10``: 300/s overall, 10/s per private chat); ``retry_after`` is an int at scale 1,
          a float otherwise. ``enforce(None)`` turns it off.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import hashlib
import email.policy
import itertools
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"
DEFAULT_TOKEN = "7000000001:TEST-fake-token-agency-bot"
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024
SEND_METHODS = frozenset(m.lower() for m in (
    "sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "sendAudio", "sendVideo", "sendVoice",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll", "copyMessage", "forwardMessage",
))
DEFAULT_ALLOWED = ("chat_member", "message_reaction", "message_reaction_count")  # excluded unless asked
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Upload:
    filename: str | None
    content: bytes
    content_type: str | None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    at: float
    status: int = 0
    result: Any = None
    encoding: str = ""  # how the client sent it: "query", "json", "form" or "multipart"

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)


@dataclass
class Fault:
    status: int
    description: str
    method: str | None = None  # lower-case; None = any method
    chat_id: str | None = None
    parameters: dict | None = None
    times: int | None = 1  # None = until cleared

    def matches(self, method: str, params: dict) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.chat_id is None:
            return True
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else {}
        return self.chat_id in (str(params.get("chat_id")), str(scope.get("chat_id")))


@dataclass
class HostedFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    declared_size: int | None = None
    chunked: bool = False


@dataclass
class Limits:
    """Telegram's documented send limits; ``None`` disables one, ``scale`` multiplies every rate."""

    global_per_second: float | None = 30.0
    private_per_second: float | None = 1.0
    group_per_minute: float | None = 20.0
    scale: float = 1.0


class _Window:
    """A sliding window: at most ``cap`` events per ``seconds``."""

    def __init__(self, rate: float, base_seconds: float, scale: float):
        if rate * base_seconds >= 1:
            self.cap, seconds = int(rate * base_seconds), base_seconds
        else:
            self.cap, seconds = 1, 1 / rate
        self.seconds = seconds / scale
        self.events: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.events and now - self.events[0] >= self.seconds:
            self.events.popleft()
        return 0.0 if len(self.events) < self.cap else self.seconds - (now - self.events[0])


class _Limiter:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.windows: dict[Any, _Window] = {}

    def _window(self, key: Any) -> _Window | None:
        lim = self.limits
        if key not in self.windows:
            if key == "global":
                rate, base = lim.global_per_second, 1.0
            elif key[0] == "private":
                rate, base = lim.private_per_second, 1.0
            else:
                rate, base = lim.group_per_minute, 60.0
            self.windows[key] = _Window(rate, base, lim.scale) if rate else None
        return self.windows[key]

    def check(self, chat_id: str | None, now: float) -> float:
        """Seconds to wait (0: accepted and counted)."""
        keys: list[Any] = ["global"]
        if chat_id is not None:
            private = not chat_id.startswith("-")
            keys.append(("private" if private else "group", chat_id))
        windows = [w for w in (self._window(k) for k in keys) if w is not None]
        wait = max((w.wait(now) for w in windows), default=0.0)
        if wait > 0:
            return wait
        for w in windows:
            w.events.append(now)
        return 0.0


def scope_key(scope: dict | None = None, language_code: str | None = None) -> tuple:
    """The key of ``FakeBotApi.commands`` for a ``BotCommandScope`` as JSON (default scope: ``scope_key()``)."""
    scope = scope or {"type": "default"}
    return (scope.get("type", "default"), str(scope.get("chat_id", "")), str(scope.get("user_id", "")),
            language_code or "")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode(value: str) -> Any:
    stripped = value.strip()
    if stripped[:1] in ("{", "[") or stripped in ("true", "false", "null"):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, Upload]]:
    raw = b"Content-Type: " + content_type.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    params: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None or part.get_content_type() not in ("text/plain",):
            files[name] = Upload(filename, payload, part.get_content_type())
        else:
            params[name] = _decode(payload.decode("utf-8"))
    return params, files


async def _read_params(request: Request) -> tuple[dict[str, Any], dict[str, Upload], str]:
    params: dict[str, Any] = {k: _decode(v) for k, v in request.query_params.items()}
    body = await request.body()
    ctype = request.headers.get("content-type", "")
    if not body:
        return params, {}, "query"
    if ctype.startswith("application/json"):
        data = json.loads(body)
        params.update(data if isinstance(data, dict) else {})
        return params, {}, "json"
    if ctype.startswith("multipart/form-data"):
        more, files = _parse_multipart(ctype, body)
        params.update(more)
        return params, files, "multipart"
    params.update({k: _decode(v) for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True)})
    return params, {}, "form"


def _error(status: int, description: str, parameters: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


class FakeBotApi:
    def __init__(self, token: str = DEFAULT_TOKEN, *, username: str = "agency_test_bot",
                 first_name: str = "Trợ lý CCHC", poll_cap: float = 1.0,
                 max_download_bytes: int = CLOUD_DOWNLOAD_LIMIT, latency: float = 0.0):
        self.token = token
        self.latency = latency  # seconds added to every API answer (a remote server's round trip)
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.poll_cap = poll_cap
        self.max_download_bytes = max_download_bytes
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, int], dict] = {}
        self.commands: dict[tuple, list[dict]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.files: dict[str, HostedFile] = {}
        self.chats: dict[str, dict] = {}
        self.callback_ids: set[str] = set()
        self.answered_callbacks: list[dict] = []
        self.faults: list[Fault] = []
        self.count_429 = 0
        self.sends_accepted = 0
        self._limiter: _Limiter | None = None
        self._pending: list[dict] = []
        self._allowed: list[str] = []
        self._next_update_id = 900000001
        self._message_ids: dict[str, itertools.count] = {}
        self._file_seq = itertools.count(1)
        self._tick = asyncio.Event()
        self._closing = False
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None
        self.port = 0
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
        ])
        self._methods: dict[str, Callable[[dict, dict], Any]] = {
            "getme": self._get_me, "getupdates": self._get_updates, "sendmessage": self._send_message,
            "senddocument": self._send_document, "sendphoto": self._send_photo,
            "answercallbackquery": self._answer_callback, "editmessagereplymarkup": self._edit_markup,
            "editmessagetext": self._edit_text, "deletemessage": self._ok, "setmycommands": self._set_commands,
            "getmycommands": self._get_commands, "deletemycommands": self._delete_commands,
            "setwebhook": self._set_webhook, "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._webhook_info, "getfile": self._get_file, "logout": self._ok, "close": self._ok,
            "sendchataction": self._ok, "getchat": self._get_chat, "setmydescription": self._ok,
            "setmyshortdescription": self._ok,
        }

    # ---- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> "FakeBotApi":
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # the test owns signals
        self._task = asyncio.create_task(self._server.serve(), name="fake-telegram-api")
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None

    async def __aenter__(self) -> "FakeBotApi":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``TELEGRAM_API_BASE_URL`` (PTB appends the token)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    @property
    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    # ---- test controls ------------------------------------------------------------------------
    def push_update(self, update: dict) -> int:
        """Queue an update for ``getUpdates``; returns its ``update_id``."""
        update = copy.deepcopy(update)
        if "update_id" not in update or update["update_id"] < self._next_update_id:
            update["update_id"] = self._next_update_id
        self._next_update_id = update["update_id"] + 1
        self._learn(update)
        self._pending.append(update)
        self._notify()
        return update["update_id"]

    async def post_webhook(self, update: dict, url: str | None = None, secret: str | None = None) -> int:
        """Deliver one update by HTTP POST like Telegram's webhook does; returns the HTTP status."""
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._learn(update)
        secret = secret if secret is not None else self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with httpx.AsyncClient() as client:
            response = await client.post(url or self.webhook["url"], json=update, headers=headers)
        return response.status_code

    def add_file(self, file_id: str, content: bytes, *, file_unique_id: str | None = None,
                 declared_size: int | None = None, chunked: bool = False, file_path: str | None = None) -> HostedFile:
        hosted = HostedFile(file_id, file_unique_id or f"uniq{next(self._file_seq)}", content,
                            file_path or f"documents/file_{next(self._file_seq)}", declared_size, chunked)
        self.files[file_id] = hosted
        return hosted

    def fail(self, status: int, description: str, *, method: str | None = None, chat_id: object = None,
             retry_after: float | None = None, migrate_to_chat_id: int | None = None,
             times: int | None = 1) -> Fault:
        parameters = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        fault = Fault(status, description, method.lower() if method else None,
                      None if chat_id is None else str(chat_id), parameters or None, times)
        self.faults.append(fault)
        return fault

    def block(self, chat_id: object, times: int | None = None) -> Fault:
        return self.fail(403, "Forbidden: bot was blocked by the user", chat_id=chat_id, times=times)

    def migrate(self, chat_id: object, new_chat_id: int, times: int | None = None) -> Fault:
        return self.fail(400, "Bad Request: group chat was upgraded to a supergroup chat", chat_id=chat_id,
                         migrate_to_chat_id=new_chat_id, times=times)

    def flood(self, retry_after: float, *, method: str | None = None, chat_id: object = None,
              times: int | None = 1) -> Fault:
        return self.fail(429, f"Too Many Requests: retry after {retry_after}", method=method, chat_id=chat_id,
                         retry_after=retry_after, times=times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def enforce(self, limits: Limits | None) -> None:
        self._limiter = _Limiter(limits) if limits else None

    # ---- reading what happened ----------------------------------------------------------------
    def calls_to(self, method: str, chat_id: object = None, *, ok: bool | None = None) -> list[Call]:
        m = method.lower()
        return [c for c in self.calls if c.method.lower() == m
                and (chat_id is None or c.chat_id == str(chat_id)) and (ok is None or c.ok == ok)]

    def sent(self, chat_id: object = None) -> list[Call]:
        """Accepted send* calls (to one chat if given), in order."""
        return [c for c in self.calls if c.method.lower() in SEND_METHODS and c.ok
                and (chat_id is None or c.chat_id == str(chat_id))]

    def texts(self, chat_id: object = None) -> list[str]:
        """Texts and captions the bot sent (to one chat if given)."""
        return [c.params.get("text") or c.params.get("caption") or "" for c in self.sent(chat_id)]

    def last_message(self, chat_id: object) -> dict | None:
        mine = [m for (cid, _), m in self.messages.items() if cid == str(chat_id)]
        return mine[-1] if mine else None

    async def wait_for(self, method: str, *, chat_id: object = None, count: int = 1, timeout: float = 10.0,
                       ok: bool | None = True) -> list[Call]:
        """Wait until at least ``count`` matching calls were made; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method, chat_id, ok=ok)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{method} to {chat_id}: {len(found)} of {count} calls; "
                                   f"seen {[c.method for c in self.calls[-10:]]}")
            await self._wait_tick(remaining)

    async def wait_quiet(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Wait until the bot made no call but long polls for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [c for c in self.calls if c.method.lower() != "getupdates"]
            last = busy[-1].at if busy else 0.0
            idle = time.monotonic() - last
            if idle >= quiet:
                return
            await asyncio.sleep(quiet - idle)
        raise TimeoutError("the bot kept calling the API")

    async def converse(self, update: dict, chat_id: object = None, *, count: int = 1,
                       timeout: float = 10.0) -> list[Call]:
        """Push ``update`` and return the send* calls the bot made to its chat in answer."""
        if chat_id is None:
            chat_id = _chat_of(update)
        before = len(self.sent(chat_id))
        self.push_update(update)
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id)) < before + count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no answer to {chat_id}; seen {[c.method for c in self.calls[-10:]]}")
            await self._wait_tick(remaining)
        await self.wait_quiet()
        return self.sent(chat_id)[before:]

    async def tap(self, user_id: int, label_part: str, chat_id: object = None, **kw: Any) -> list[Call]:
        """Tap the inline button whose label contains ``label_part`` in the chat's latest keyboard."""
        chat_id = user_id if chat_id is None else chat_id
        return await self.converse(self.button(user_id, label_part, chat_id), chat_id, **kw)

    def button(self, user_id: int, label_part: str, chat_id: object = None) -> dict:
        """The callback update of tapping that button (to deliver yourself, e.g. by ``post_webhook``)."""
        chat_id = user_id if chat_id is None else chat_id
        for (cid, _), message in reversed(list(self.messages.items())):
            if cid != str(chat_id):
                continue
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label_part in button.get("text", ""):
                        return callback_update(user_id, button["callback_data"], message)
        raise AssertionError(f"no button containing {label_part!r} in chat {chat_id}")

    # ---- internals ----------------------------------------------------------------------------
    def _notify(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    async def _wait_tick(self, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._tick.wait(), timeout)

    def _learn(self, update: dict) -> None:
        def walk(node: Any) -> None:
            if isinstance(node, dict):
                chat = node.get("chat")
                if isinstance(chat, dict) and "id" in chat:
                    self.chats[str(chat["id"])] = chat
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(update)
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self.callback_ids.add(str(query["id"]))

    def _chat(self, chat_id: Any) -> dict:
        key = str(chat_id)
        if key in self.chats:
            return self.chats[key]
        if key.startswith("-100"):
            return {"id": int(key), "title": "Supergroup", "type": "supergroup"}
        if key.startswith("-"):
            return {"id": int(key), "title": "Group", "type": "group"}
        if key.lstrip("-").isdigit():
            return {"id": int(key), "first_name": "User", "type": "private"}
        raise ApiError(400, "Bad Request: chat not found")

    def _message(self, chat_id: Any, **content: Any) -> dict:
        if chat_id in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chat(chat_id)
        ids = self._message_ids.setdefault(str(chat["id"]), itertools.count(1))
        message = {"message_id": next(ids), "from": self.bot_user, "chat": chat, "date": int(time.time())}
        message.update({k: v for k, v in content.items() if v is not None})
        self.messages[(str(chat["id"]), message["message_id"])] = message
        return message

    @staticmethod
    def _markup(params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup) if markup else None
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup if "inline_keyboard" in markup else None

    @staticmethod
    def _caption(params: dict) -> str | None:
        caption = params.get("caption")
        if caption is not None and _utf16_len(str(caption)) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption

    def _upload(self, params: dict, files: dict, field_name: str) -> tuple[bytes, str | None, str | None] | str:
        if field_name in files:
            upload = files[field_name]
            if not upload.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return upload.content, upload.filename, upload.content_type
        value = params.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, "Bad Request: wrong remote file identifier specified")
            return upload.content, upload.filename, upload.content_type
        if not value:
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        return str(value)  # a file_id or URL

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        try:
            params, files, encoding = await _read_params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse request body")
        except ClientDisconnect:  # the client died mid-request (a killed bot): nothing was asked
            return Response(status_code=400)
        call = Call(method, params, files, time.monotonic(), encoding=encoding)
        self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            call.status, call.result = 200, await self._dispatch(method.lower(), params, files)
            response = JSONResponse({"ok": True, "result": call.result})
        except ApiError as exc:
            call.status = exc.status
            response = _error(exc.status, exc.description, exc.parameters)
        self._notify()
        return response

    async def _dispatch(self, method: str, params: dict, files: dict) -> Any:
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        for fault in self.faults:
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                if fault.status == 429:
                    self.count_429 += 1
                raise ApiError(fault.status, fault.description, fault.parameters)
        if method in SEND_METHODS:
            if self._limiter is not None:
                wait = self._limiter.check(None if params.get("chat_id") is None else str(params["chat_id"]),
                                           time.monotonic())
                if wait > 0:
                    self.count_429 += 1
                    after = max(1, math.ceil(wait)) if self._limiter.limits.scale == 1 else round(max(wait, 0.001), 3)
                    raise ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
            result = await handler(params, files)
            self.sends_accepted += 1
            return result
        return await handler(params, files)

    # ---- Bot API methods ----------------------------------------------------------------------
    async def _ok(self, params: dict, files: dict) -> bool:
        return True

    async def _get_me(self, params: dict, files: dict) -> dict:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def _get_chat(self, params: dict, files: dict) -> dict:
        return {**self._chat(params.get("chat_id")), "accent_color_id": 0, "max_reaction_count": 11}

    @staticmethod
    def _kind(update: dict) -> str:
        return next((k for k in update if k != "update_id"), "")

    def _wanted(self, update: dict) -> bool:
        kind = self._kind(update)
        return kind in self._allowed if self._allowed else kind not in DEFAULT_ALLOWED

    async def _get_updates(self, params: dict, files: dict) -> list[dict]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = [str(a) for a in allowed]
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = min(float(params.get("timeout") or 0), self.poll_cap)
        deadline = time.monotonic() + timeout
        while True:
            self._pending = [u for u in self._pending if u["update_id"] >= offset and self._wanted(u)]
            if self._pending or self._closing or time.monotonic() >= deadline:
                return self._pending[:limit]
            await self._wait_tick(deadline - time.monotonic())

    async def _send_message(self, params: dict, files: dict) -> dict:
        text = params.get("text")
        if text is None or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._message(params.get("chat_id"), text=str(text), reply_markup=self._markup(params))

    async def _send_document(self, params: dict, files: dict) -> dict:
        got = self._upload(params, files, "document")
        caption, markup = self._caption(params), self._markup(params)
        if isinstance(got, str):
            hosted = self.files.get(got)
            document = {"file_id": got, "file_unique_id": hosted.file_unique_id if hosted else got[-12:]}
        else:
            content, filename, ctype = got
            file_id = f"BQACfake{next(self._file_seq):06d}"
            hosted = self.add_file(file_id, content)
            document = {"file_id": file_id, "file_unique_id": hosted.file_unique_id, "file_name": filename,
                        "mime_type": ctype, "file_size": len(content)}
        return self._message(params.get("chat_id"), document=document, caption=caption, reply_markup=markup)

    async def _send_photo(self, params: dict, files: dict) -> dict:
        got = self._upload(params, files, "photo")
        caption, markup = self._caption(params), self._markup(params)
        file_id = got if isinstance(got, str) else f"AgACfake{next(self._file_seq):06d}"
        if not isinstance(got, str):
            self.add_file(file_id, got[0])
        size = {"file_id": file_id, "file_unique_id": file_id[-12:], "width": 1280, "height": 960}
        return self._message(params.get("chat_id"), photo=[size], caption=caption, reply_markup=markup)

    async def _answer_callback(self, params: dict, files: dict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.answered_callbacks.append(params)
        return True

    def _find(self, params: dict) -> dict:
        key = (str(params.get("chat_id")), int(params.get("message_id") or 0))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _edit_markup(self, params: dict, files: dict) -> dict:
        message = self._find(params)
        markup = self._markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def _edit_text(self, params: dict, files: dict) -> dict:
        message = self._find(params)
        text = params.get("text")
        if text is None or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if _utf16_len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._markup(params)
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        message["text"] = str(text)
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def _set_commands(self, params: dict, files: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list)
                           else "Bad Request: parameter \"commands\" is required")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else None
        if scope and scope.get("type") in ("chat", "chat_administrators", "chat_member"):
            self._chat(scope.get("chat_id"))
        self.commands[scope_key(scope, params.get("language_code"))] = commands
        return True

    async def _get_commands(self, params: dict, files: dict) -> list[dict]:
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else None
        return self.commands.get(scope_key(scope, params.get("language_code")), [])

    async def _delete_commands(self, params: dict, files: dict) -> bool:
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else None
        self.commands.pop(scope_key(scope, params.get("language_code")), None)
        return True

    async def _set_webhook(self, params: dict, files: dict) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, files)
        if not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if str(params.get("drop_pending_updates")).lower() == "true":
            self._pending.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = [str(a) for a in allowed]
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": list(self._allowed),
                        "max_connections": int(params.get("max_connections") or 40)}
        return True

    async def _delete_webhook(self, params: dict, files: dict) -> bool:
        if str(params.get("drop_pending_updates")).lower() == "true":
            self._pending.clear()
        self.webhook = {"url": ""}
        return True

    async def _webhook_info(self, params: dict, files: dict) -> dict:
        info = {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._pending)}
        if self.webhook["url"]:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _get_file(self, params: dict, files: dict) -> dict:
        hosted = self.files.get(str(params.get("file_id") or ""))
        if hosted is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = hosted.declared_size if hosted.declared_size is not None else len(hosted.content)
        if size > self.max_download_bytes:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": hosted.file_id, "file_unique_id": hosted.file_unique_id, "file_size": size,
                "file_path": hosted.file_path}

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        path = request.path_params["path"]
        hosted = next((f for f in self.files.values() if f.file_path == path), None)
        self.calls.append(Call("download", {"path": path}, {}, time.monotonic(), 200 if hosted else 404))
        self._notify()
        if hosted is None:
            return _error(404, "Not Found")
        content = hosted.content

        async def chunks():
            for i in range(0, len(content), 64 * 1024):
                yield content[i:i + 64 * 1024]
                await asyncio.sleep(0)

        if hosted.chunked:
            return StreamingResponse(chunks(), media_type="application/octet-stream")
        return Response(content, media_type="application/octet-stream")


# ---- updates built from the real samples in tests/fixtures/telegram/ ------------------------------
def load_update(name: str) -> dict:
    """A fixture update as Telegram sends it (``name`` without ``.json``)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _chat_of(update: dict) -> Any:
    for kind in ("message", "edited_message", "channel_post"):
        if kind in update:
            return update[kind]["chat"]["id"]
    query = update.get("callback_query")
    if query:
        return (query.get("message") or {}).get("chat", {}).get("id", query["from"]["id"])
    raise ValueError("update without a chat")


def _person(message: dict, user_id: int, chat_id: int | None, chat_type: str | None) -> dict:
    message["from"]["id"] = user_id
    chat_id = user_id if chat_id is None else chat_id
    if chat_id == user_id and (chat_type or "private") == "private":
        message["chat"] = {**message["chat"], "id": chat_id, "type": "private"}
    else:
        message["chat"] = {"id": chat_id, "title": "Nhóm đầu mối CCHC",
                           "type": chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")}
    return message


def _entities(text: str) -> list[dict] | None:
    if text.startswith("/"):
        head = text.split(maxsplit=1)[0]
        return [{"offset": 0, "length": _utf16_len(head), "type": "bot_command"}]
    return None


def text_update(user_id: int, text: str, *, chat_id: int | None = None, chat_type: str | None = None,
                message_id: int | None = None, first_name: str | None = None) -> dict:
    """A text message (commands get their ``bot_command`` entity, as real clients send)."""
    update = load_update("text_message")
    message = _person(update.pop("message"), user_id, chat_id, chat_type)
    message["text"] = text
    message["date"] = int(time.time())
    if first_name is not None:
        message["from"]["first_name"] = first_name
    if message_id is not None:
        message["message_id"] = message_id
    if entities := _entities(text):
        message["entities"] = entities
    update.pop("update_id")
    update["message"] = message
    return update


def document_update(user_id: int, file_id: str, file_name: str | None, *, size: int | None,
                    mime_type: str | None = "application/pdf", caption: str | None = None,
                    chat_id: int | None = None, chat_type: str | None = None, file_unique_id: str | None = None) -> dict:
    update = load_update("document")
    message = _person(update.pop("message"), user_id, chat_id, chat_type)
    document = {"file_id": file_id, "file_unique_id": file_unique_id or "u" + hashlib.sha1(file_id.encode()).hexdigest()[:12]}
    if file_name is not None:
        document["file_name"] = file_name
    if mime_type is not None:
        document["mime_type"] = mime_type
    if size is not None:
        document["file_size"] = size
    message["document"] = document
    message["date"] = int(time.time())
    message.pop("caption", None)
    if caption is not None:
        message["caption"] = caption
        if ents := _entities(caption):
            message["caption_entities"] = ents
    update.pop("update_id")
    update["message"] = message
    return update


def photo_update(user_id: int, sizes: list[tuple[str, str, int]], *, chat_id: int | None = None,
                 caption: str | None = None) -> dict:
    """A photo; ``sizes`` are (file_id, file_unique_id, file_size), smallest first as Telegram sends them."""
    update = load_update("photo")
    message = _person(update.pop("message"), user_id, chat_id, None)
    message["photo"] = [{"file_id": fid, "file_unique_id": uid, "file_size": size, "width": 90 * (i + 1),
                         "height": 67 * (i + 1)} for i, (fid, uid, size) in enumerate(sizes)]
    if caption is not None:
        message["caption"] = caption
    update.pop("update_id")
    update["message"] = message
    return update


_CALLBACK_IDS = itertools.count(3977851023764591102)


def callback_update(user_id: int, data: str, message: dict | None = None) -> dict:
    """A tap on an inline button of ``message`` (the bot's message as the fake holds it)."""
    update = load_update("callback_query")
    query = update["callback_query"]
    query["id"] = str(next(_CALLBACK_IDS))
    query["from"]["id"] = user_id
    query["data"] = data
    if message is not None:
        query["message"] = copy.deepcopy(message)
    else:
        query["message"]["chat"]["id"] = user_id
    update.pop("update_id")
    return update
