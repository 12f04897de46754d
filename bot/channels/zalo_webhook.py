"""What Zalo POSTs to the webhook: its signature, and the events as plain data.

Signature: ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw_body + timestamp + oa_secret_key)>``
(plain SHA-256 of the concatenation, not an HMAC; ``timestamp`` is the body's own
top-level field, epoch milliseconds). The bare hex form is accepted too.

Envelope: ``app_id``, ``event_name``, ``timestamp``, ``sender.id``, ``recipient.id``,
``message.{msg_id,text,attachments[].{type,payload.{url,name,size,type,thumbnail}}}``;
``follow``/``unfollow`` name the user in ``follower.id`` and carry no message.
Ids are big numbers: they are kept as strings.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

IGNORED_PREFIXES = ("oa_send_",)  # the OA's own messages echoed back
IGNORED_EVENTS = frozenset({"user_received_message", "user_seen_message", "oa_call_user", "user_call_oa"})
FILE_EVENTS = frozenset({"user_send_file", "user_send_image"})
# messages the bot cannot read: answered with what it can read; other user_* events (reactions...) are not
UNREADABLE_EVENTS = frozenset({"user_send_sticker", "user_send_gif", "user_send_audio", "user_send_video",
                               "user_send_location", "user_send_business_card"})
TEXT_EVENTS = frozenset({"user_send_text", "user_send_link"})


def expected_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(raw_body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(oa_secret_key.encode("utf-8"))
    return digest.hexdigest()


def signature_ok(header: str, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    want = expected_signature(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), want.encode("ascii"))


# "timestamp": 1700000000000 or "timestamp": "1700000000000", found in the raw bytes so that the
# signature is checked before anything parses the body (an unsigned body is never parsed)
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,20})"?')
MAX_TIMESTAMP_CANDIDATES = 4  # nested objects may have a "timestamp" too; the signature tells which is Zalo's


def signed_timestamp(header: str, app_id: str, raw_body: bytes, oa_secret_key: str) -> str | None:
    """The body's timestamp the signature was made with, or None if no candidate verifies.
    The caller then checks, once the body is parsed, that it is the top-level one."""
    for i, match in enumerate(_TIMESTAMP.finditer(raw_body)):
        if i >= MAX_TIMESTAMP_CANDIDATES:
            break
        timestamp = match.group(1).decode("ascii")
        if signature_ok(header, app_id, raw_body, timestamp, oa_secret_key):
            return timestamp
    return None


def top_level_timestamp(body: dict) -> str:
    value = body.get("timestamp")
    return str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)) and str(value).strip():
        return str(value).strip()
    return None


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


@dataclass
class Attachment:
    kind: str  # file | image | gif | ...
    url: str | None
    name: str | None
    size: int | None
    file_type: str | None  # Zalo's "type" in the payload: pdf, docx ...


@dataclass
class ZaloEvent:
    name: str
    user_id: str | None  # who to reply to
    event_id: str | None  # msg_id, or a synthetic id for events without one
    timestamp: str
    text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def ignored(self) -> bool:
        return self.name.startswith(IGNORED_PREFIXES) or self.name in IGNORED_EVENTS or not self.name


def _size(value: Any) -> int | None:
    try:
        size = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return size if size >= 0 else None


def parse_event(body: dict) -> ZaloEvent:
    """Never raises on a dict: missing or odd fields become ``None``."""
    name = body.get("event_name") if isinstance(body.get("event_name"), str) else ""
    timestamp = _id(body.get("timestamp")) or ""
    if name in ("follow", "unfollow"):
        user = _id(_dig(body, "follower", "id")) or _id(_dig(body, "sender", "id"))
        event_id = f"{name}:{user}:{timestamp}" if user else None
        return ZaloEvent(name, user, event_id, timestamp)
    user = _id(_dig(body, "sender", "id"))
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    event_id = _id(message.get("msg_id"))
    text = message.get("text") if isinstance(message.get("text"), str) else None
    attachments = []
    for item in message.get("attachments") or []:
        if not isinstance(item, dict):
            continue
        payload = item.get("payload") if isinstance(item.get("payload"), dict) else {}
        url = payload.get("url") if isinstance(payload.get("url"), str) else None
        attachments.append(Attachment(
            kind=str(item.get("type") or ""), url=url,
            name=payload.get("name") if isinstance(payload.get("name"), str) else None,
            size=_size(payload.get("size")),
            file_type=payload.get("type") if isinstance(payload.get("type"), str) else None,
        ))
    return ZaloEvent(name, user, event_id, timestamp, text, attachments)
