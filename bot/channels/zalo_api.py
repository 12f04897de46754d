"""A small client for the Zalo OA Open API: customer-service messages and file uploads.

Every call carries the ``access_token`` header (not Bearer). Zalo answers HTTP 200
with ``{"error": code, "message": ..., "data": ...}``; this module turns codes into
the outcomes the outbox sender acts on (``bot.delivery``):
- token errors: refresh once and retry the call once;
- the user unfollowed, blocked or was banned: ``Unreachable``;
- quota and messaging-window errors, bad requests: ``Rejected(reason)``;
- HTTP 429: ``RetryLater``; HTTP 5xx, network faults, Zalo's "unknown error":
  ``ZaloTransient`` (any non-delivery exception is retried with backoff);
- a message sent without an answer (read timeout, connection dropped after the request
  went out): ``Uncertain`` — Zalo may have delivered it, so the sender does not send it
  again. Failing to connect is transient (nothing went out), and so is any failure of an
  upload (an upload reaches no one; doing it again is harmless).
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from pathlib import Path

import httpx

from bot.channels.zalo_tokens import TokenKeeper
from bot.delivery import Rejected, RetryLater, Uncertain, Unreachable, may_have_arrived
from messages.texts import zalo as texts

log = logging.getLogger("agency_bot.zalo.api")

SEND_PATH = "/v3.0/oa/message/cs"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"

TOKEN_ERRORS = frozenset({-216, 216, -401, 401, -124})
# not following the OA any more, blocked the OA's messages, banned or inactive account
UNREACHABLE_ERRORS = frozenset({-213, -217, -227})
# outside the interaction window (48 h / 7 days), night curfew, message type refused by the user
WINDOW_ERRORS = frozenset({-230, -232, -234, -244})
# Zalo's own quota family (12000-12010 and neighbours) and the OA's message quota
QUOTA_ERRORS = frozenset(range(12000, 12100)) | {-211}
RATE_ERRORS = frozenset({-32})
TRANSIENT_ERRORS = frozenset({-100, -1})


class ZaloTransient(Exception):
    """Zalo or the network failed in passing: retry later (the sender backs off)."""


class ZaloApiError(Exception):
    """An error code outside the delivery outcomes (used by uploads, which callers may work around)."""

    def __init__(self, code: int, message: str):
        super().__init__(f"zalo error {code}: {message}")
        self.code = code
        self.message = message


def classify(code: int, message: str) -> Exception:
    """The outcome for a non-zero ``error`` in a send response."""
    if code in UNREACHABLE_ERRORS:
        return Unreachable(f"zalo {code}: {message}")
    if code in RATE_ERRORS:
        return RetryLater(60.0, f"zalo {code}: {message}")
    if code in TRANSIENT_ERRORS:
        return ZaloTransient(f"zalo {code}: {message}")
    if code in QUOTA_ERRORS:
        return Rejected(texts.REJECT_QUOTA.format(code=code))
    if code in WINDOW_ERRORS:
        return Rejected(texts.REJECT_WINDOW.format(code=code))
    if code in TOKEN_ERRORS:
        return RetryLater(300.0, f"zalo {code}: access token refused after a refresh")
    return Rejected(texts.REJECT_OTHER.format(code=code, message=(message or "")[:200]))


def _retry_after(resp: httpx.Response) -> float:
    value = resp.headers.get("retry-after", "")
    try:
        return max(1.0, float(value))
    except ValueError:
        return 30.0


class ZaloApi:
    def __init__(self, base_url: str, keeper: TokenKeeper, http):
        self.base_url = base_url.rstrip("/")
        self.keeper = keeper
        self._http = http  # () -> httpx.AsyncClient

    async def send(self, user_id: str, message: dict) -> dict:
        """POST one customer-service message; returns Zalo's ``data`` (``message_id``, ``quota``...)."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        return await self._call(SEND_PATH, json=body, delivers=True)

    async def upload_file(self, path: Path, name: str) -> str:
        """Upload a PDF/DOC/DOCX; returns the token a file message refers to."""
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        content = await asyncio.to_thread(path.read_bytes)  # at most 5 MB (checked by the caller), off the loop
        data = await self._call(UPLOAD_FILE_PATH, files={"file": (name, content, mime)}, raise_codes=True)
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise ZaloApiError(0, "upload answered without a token")
        return str(token)

    async def _call(self, path: str, *, json: dict | None = None, files: dict | None = None,
                    raise_codes: bool = False, delivers: bool = False) -> dict:
        url = self.base_url + path
        for attempt in (1, 2):
            token = await self.keeper.token()
            try:
                resp = await self._http().post(url, json=json, files=files, headers={"access_token": token})
            except httpx.HTTPError as exc:
                if delivers and may_have_arrived(exc):
                    raise Uncertain(f"zalo: {type(exc).__name__} on {path} after sending") from None
                raise ZaloTransient(f"{type(exc).__name__} on {path}") from None
            if resp.status_code == 429:
                raise RetryLater(_retry_after(resp), f"zalo HTTP 429 on {path}")
            if resp.status_code >= 500:
                raise ZaloTransient(f"zalo HTTP {resp.status_code} on {path}")
            try:
                body = resp.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                if resp.status_code >= 400:
                    raise Rejected(texts.REJECT_OTHER.format(code=f"HTTP {resp.status_code}", message=""))
                raise ZaloTransient(f"zalo sent a non-JSON answer on {path}")
            try:
                code = int(body.get("error", 0) or 0)
            except (TypeError, ValueError):
                code = -1
            if code == 0 and resp.status_code < 400:
                data = body.get("data")
                return data if isinstance(data, dict) else {}
            message = str(body.get("message") or "")
            if code in TOKEN_ERRORS and attempt == 1:
                log.info("zalo refused the access token (%s); refreshing once", code)
                await self.keeper.refresh(token)
                continue
            log.warning("zalo %s answered error %s (%s)", path, code, message[:120])
            if raise_codes and code not in TOKEN_ERRORS | RATE_ERRORS | TRANSIENT_ERRORS:
                raise ZaloApiError(code, message)
            raise classify(code, message)
        raise AssertionError("unreachable")  # pragma: no cover
