"""Plain replies → Telegram messages; Telegram errors → ``bot.delivery`` outcomes.

Text is split under Telegram's 4096-character limit at paragraph or line breaks,
options become an inline keyboard whose callback data is the option's opaque id
(never its label), documents go with ``sendDocument`` under their display name.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from functools import partial
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.delivery import ChatMoved, DeliveryError, Part, Rejected, RetryLater, Unreachable
from handlers.types import Option

log = logging.getLogger("agency_bot.telegram")

TEXT_LIMIT = 4096  # UTF-16 code units, as Telegram counts
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
# 400 answers that mean "nobody is there" rather than "this message is wrong"
_GONE = ("chat not found", "user not found", "user is deactivated", "peer_id_invalid", "bot was kicked")
# 400 answers worth trying again later
_TRANSIENT = ("try again", "timeout", "timed out", "internal server error", "restart")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    """The longest prefix of ``text`` (in code points) within ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks within ``limit``, cut at a blank line, else a line break, else a space, else anywhere."""
    chunks: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        at, skip = cut, 0
        for separator in ("\n\n", "\n", " "):
            found = window.rfind(separator)
            if found > cut // 3:
                at, skip = found, len(separator)
                break
        piece = rest[:at].rstrip()
        if piece:
            chunks.append(piece)
        rest = rest[at + skip:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def keyboard(options: list[Option]) -> InlineKeyboardMarkup | None:
    rows = []
    for option in options:
        size = len(option.choice_id.encode())
        if not 1 <= size <= CALLBACK_DATA_LIMIT:
            log.error("option dropped: callback data of %d bytes does not fit Telegram's 64", size)
            continue
        rows.append([InlineKeyboardButton(option.label, callback_data=option.choice_id)])
    return InlineKeyboardMarkup(rows) if rows else None


def chat_ref(chat_id: str | int) -> int | str:
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text


def message_parts(bot: Bot, chat_id: str | int, *, text: str, options: list[Option] | None = None,
                  document: Path | None = None, document_name: str | None = None,
                  quote: int | None = None) -> list[Part]:
    """The API calls of one reply, in order: the keyboard goes on the last text message,
    a short text becomes the document's caption."""
    chat = chat_ref(chat_id)
    markup = keyboard(options or [])
    chunks = split_text(text or "")
    reply = ReplyParameters(message_id=quote, allow_sending_without_reply=True) if quote else None
    filename = document_name or (Path(document).name if document is not None else None)

    async def send_document(caption: str | None, markup_: InlineKeyboardMarkup | None, reply_: ReplyParameters | None):
        with Path(document).open("rb") as fh:
            return await bot.send_document(chat, fh, filename=filename, caption=caption, reply_markup=markup_,
                                           reply_parameters=reply_)

    if document is not None and len(chunks) <= 1 and utf16_len(chunks[0] if chunks else "") <= CAPTION_LIMIT:
        return [partial(send_document, chunks[0] if chunks else None, markup, reply)]
    parts: list[Part] = [
        partial(bot.send_message, chat, chunk, reply_markup=markup if index == len(chunks) - 1 else None,
                reply_parameters=reply if index == 0 else None)
        for index, chunk in enumerate(chunks)
    ]
    if document is not None:
        parts.append(partial(send_document, None, None, None if parts else reply))
    elif not chunks and markup is not None:
        log.error("a reply with buttons but no text was not sent")
    return parts


async def send(bot: Bot, chat_id: str | int, **reply: object) -> list[Message]:
    """Send one reply now (see ``message_parts``)."""
    return [await part() for part in message_parts(bot, chat_id, **reply)]


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while int and timedelta both exist
        warnings.simplefilter("ignore")
        after = exc.retry_after
    return after.total_seconds() if isinstance(after, timedelta) else float(after)


def delivery_error(exc: TelegramError) -> DeliveryError | None:
    """The outbox outcome for a Telegram error, or None when it is transient (re-raise it as is)."""
    if isinstance(exc, RetryAfter):
        return RetryLater(retry_seconds(exc), exc.message)
    if isinstance(exc, ChatMigrated):
        return ChatMoved(str(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Unreachable(exc.message)
    if isinstance(exc, BadRequest):
        reason = exc.message.lower()
        if any(marker in reason for marker in _GONE):
            return Unreachable(exc.message)
        if any(marker in reason for marker in _TRANSIENT):
            return None
        return Rejected(exc.message)
    return None
