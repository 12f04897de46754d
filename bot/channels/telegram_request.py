"""How the bot talks HTTP to a Bot API server: the plainest form every server understands.

- Methods go as ``POST`` with a JSON body (the Bot API's documented default), uploads as
  multipart, and ``getUpdates`` as ``GET`` with a query string: real Telegram, a Local
  Bot API server and the usual emulators all read these (PTB's own form bodies are not
  read by some emulators).
- Answers are read leniently: an update PTB cannot parse is repaired when a harmless field
  is missing (a date, a chat type, ``chat_instance``), otherwise reduced to its bare
  ``update_id`` so polling moves past it (PTB would refuse the whole batch and fetch it
  again forever, logging users' messages each time). A ``getMe`` without ``is_bot`` or a
  send answer that is not a message does not stop the bot either.
- A server that does not long-poll (answers an empty ``getUpdates`` at once) is asked
  again after a short pause rather than in a tight loop.
- A network failure says whether the request may have reached the server: failing to
  connect or to get a pooled connection is a plain ``TimedOut``/``NetworkError`` (safe to
  send again); no answer after the request went out (read timeout, connection dropped) is
  ``UncertainTimedOut``/``UncertainNetworkError`` — still PTB's types, so PTB and the
  channel treat them as before, but also ``bot.delivery.Uncertain``, which the outbox
  sender never retries (the message may have arrived).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
from telegram import Message, Update
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.delivery import Uncertain, may_have_arrived

log = logging.getLogger("agency_bot.telegram")

EMPTY_POLL_PAUSE = 0.5  # seconds between polls of a server that answers empty at once
_MESSAGE_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")
_RETURNS_MESSAGE = frozenset(m.lower() for m in (
    "sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
    "copyMessage", "forwardMessage",
))


# ---- repairs --------------------------------------------------------------------------------------
def _repair_user(user: Any, *, bot: bool = False) -> None:
    if isinstance(user, dict):
        user.setdefault("is_bot", bot)
        user.setdefault("first_name", str(user.get("username") or user.get("id") or "?"))


def _repair_chat(chat: Any) -> None:
    if isinstance(chat, dict) and "type" not in chat:
        chat["type"] = "private" if not str(chat.get("id", "")).startswith("-") else "supergroup"


def _repair_message(message: Any) -> None:
    if not isinstance(message, dict):
        return
    message.setdefault("date", int(time.time()))
    if "chat" not in message:
        if "chat_id" in message:
            message["chat"] = {"id": message["chat_id"]}
        elif isinstance(message.get("from"), dict) and "id" in message["from"]:
            message["chat"] = {"id": message["from"]["id"], "type": "private"}
    message.setdefault("message_id", 0)
    _repair_chat(message.get("chat"))
    _repair_user(message.get("from"))
    markup = message.get("reply_markup")
    if isinstance(markup, str):
        try:
            message["reply_markup"] = json.loads(markup)
        except ValueError:
            message.pop("reply_markup")
    if "reply_to_message" in message:
        _repair_message(message["reply_to_message"])


def repair_update(update: Any) -> None:
    """Fill fields real Telegram always sends but some servers leave out (in place)."""
    if not isinstance(update, dict):
        return
    for key in _MESSAGE_KEYS:
        _repair_message(update.get(key))
    query = update.get("callback_query")
    if isinstance(query, dict):
        query.setdefault("chat_instance", "0")
        if "id" in query:
            query["id"] = str(query["id"])
        _repair_user(query.get("from"))
        _repair_message(query.get("message"))


def _check(update: Update) -> Update:
    """What no repair can invent: where a message was sent, who tapped a button."""
    for key in _MESSAGE_KEYS:
        message = getattr(update, key)
        if message is not None and (message.chat is None or message.chat.id is None):
            raise ValueError(f"{key} without a chat")
    query = update.callback_query
    if query is not None and (query.from_user is None or query.from_user.id is None):
        raise ValueError("callback_query without a sender")
    return update


def parse_update(data: Any, bot: Any = None) -> Update:
    """An ``Update`` from JSON, repaired if needed; raises if it is beyond repair."""
    try:
        return _check(Update.de_json(data, bot))
    except Exception:  # noqa: BLE001 - try once more with the harmless gaps filled
        repair_update(data)
        return _check(Update.de_json(data, bot))


def _lenient_updates(result: list[Any]) -> tuple[list[Any], bool]:
    cleaned: list[Any] = []
    changed = False
    for item in result:
        try:
            _check(Update.de_json(item, None))
            cleaned.append(item)
            continue
        except Exception:  # noqa: BLE001
            changed = True
        try:
            parse_update(item)
            cleaned.append(item)
        except Exception as exc:  # noqa: BLE001 - beyond repair: keep only its id
            update_id = item.get("update_id") if isinstance(item, dict) else None
            log.warning("malformed Telegram update %s skipped (%s)", update_id, type(exc).__name__)
            if isinstance(update_id, int):
                cleaned.append({"update_id": update_id})
    return cleaned, changed


def _is_message(data: dict) -> bool:
    try:
        message = Message.de_json(data, None)
    except Exception:  # noqa: BLE001
        return False
    return message is not None and message.chat is not None


def lenient_answer(endpoint: str, payload: bytes) -> tuple[bytes, bool]:
    """The answer with whatever PTB would choke on repaired; also whether it was an empty update list."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload, False
    if not isinstance(body, dict) or "result" not in body:
        return payload, False
    result = body["result"]
    changed = False
    if endpoint == "getupdates" and isinstance(result, list):
        body["result"], changed = _lenient_updates(result)
        empty = not result
    else:
        empty = False
        if endpoint == "getme" and isinstance(result, dict):
            changed = "is_bot" not in result or "first_name" not in result
            _repair_user(result, bot=True)
        elif endpoint in _RETURNS_MESSAGE and isinstance(result, dict) and not _is_message(result):
            changed = True
            _repair_message(result)
            if not _is_message(result):  # the send worked; its echo is not needed
                body["result"] = None
    return (json.dumps(body).encode() if changed else payload), empty


_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given" marker type


class UncertainTimedOut(TimedOut, Uncertain):
    """No answer in time after the request went out: Telegram may have acted on it."""


class UncertainNetworkError(NetworkError, Uncertain):
    """The connection broke after the request went out: Telegram may have acted on it."""


# ---- the request --------------------------------------------------------------------------------
class BotApiRequest(BaseRequest):
    """httpx under PTB, speaking JSON to the Bot API server (see the module docstring)."""

    def __init__(self, *, pool_size: int = 128, connect_timeout: float = 10.0, read_timeout: float = 20.0,
                 write_timeout: float = 20.0, pool_timeout: float = 10.0, media_write_timeout: float = 120.0):
        self._timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=write_timeout,
                                      pool=pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        self._client = self._build()

    def _build(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._timeout, limits=self._limits)

    @property
    def read_timeout(self) -> float | None:
        return self._timeout.read

    async def initialize(self) -> None:
        if self._client.is_closed:
            self._client = self._build()

    async def shutdown(self) -> None:
        if not self._client.is_closed:
            await self._client.aclose()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._client.is_closed:
            raise RuntimeError("BotApiRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        timeout = httpx.Timeout(
            connect=self._timeout.connect if isinstance(connect_timeout, _DEFAULT) else connect_timeout,
            read=self._timeout.read if isinstance(read_timeout, _DEFAULT) else read_timeout,
            write=(self._media_write_timeout if uploads else self._timeout.write)
            if isinstance(write_timeout, _DEFAULT) else write_timeout,
            pool=self._timeout.pool if isinstance(pool_timeout, _DEFAULT) else pool_timeout,
        )
        endpoint = url.rsplit("/", 1)[-1].lower()
        headers = {"User-Agent": self.USER_AGENT}
        kwargs: dict[str, Any] = {}
        if request_data is not None and uploads:
            kwargs = {"files": request_data.multipart_data, "data": request_data.json_parameters}
        elif request_data is not None and endpoint == "getupdates":
            method, url = "GET", request_data.parametrized_url(url)
        elif request_data is not None:
            headers["Content-Type"] = "application/json"
            kwargs = {"content": json.dumps(request_data.parameters).encode()}
        started = time.monotonic()
        try:
            response = await self._client.request(method, url, headers=headers, timeout=timeout, **kwargs)
        except httpx.HTTPError as err:  # the message never carries the URL (it holds the token)
            kind, uncertain = f"httpx.{type(err).__name__}", may_have_arrived(err)
            if isinstance(err, httpx.TimeoutException):
                raise (UncertainTimedOut if uncertain else TimedOut)(f"Timed out ({kind})") from err
            raise (UncertainNetworkError if uncertain else NetworkError)(kind) from err
        payload = response.content
        if 200 <= response.status_code < 300:
            payload, empty = lenient_answer(endpoint, payload)
            if empty and request_data is not None:
                asked = request_data.parameters.get("timeout") or 0
                elapsed = time.monotonic() - started
                if isinstance(asked, (int, float)) and asked >= 1 and elapsed < EMPTY_POLL_PAUSE:
                    await asyncio.sleep(EMPTY_POLL_PAUSE - elapsed)
        return response.status_code, payload
