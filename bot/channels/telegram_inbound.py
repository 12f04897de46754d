"""Telegram updates → plain ``Inbound`` events, and files the handlers can ``fetch``.

Only translation lives here: who wrote, where to answer, what they sent. Whether a
document is a good submission, or a text a question, is for the handlers to say.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import httpx
from telegram import Bot, Document, Message, PhotoSize, Update
from telegram.constants import ChatType, MessageEntityType, UpdateType
from telegram.error import BadRequest

from handlers.types import FileTooLarge, Inbound, IncomingFile
from messages.texts import telegram as texts

log = logging.getLogger("agency_bot.telegram")

CHANNEL = "telegram"
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what the cloud Bot API lets a bot download
CHUNK = 64 * 1024
# media a person may send that the conversation cannot use (answered in private chats, ignored in groups)
UNSUPPORTED_MEDIA = ("sticker", "voice", "video", "video_note", "audio", "animation", "location", "venue",
                     "contact", "poll", "dice", "game", "story", "paid_media", "checklist")


@dataclass(frozen=True)
class Me:
    id: int
    username: str


@dataclass
class Decision:
    """What to do with a message: route ``inbound``, or answer ``answer`` directly, or ignore (``why``)."""

    inbound: Inbound | None = None
    answer: str | None = None
    why: str = ""
    quote: int | None = None  # message to reply to (group chats, so it is clear whom the bot answers)


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in UpdateType:
        if getattr(update, kind.value, None) is not None:
            return kind.value
    return "unknown"


class DownloadFailed(OSError):
    """The Bot API server did not hand the file over (its detail never carries the URL: it holds the token)."""


class TelegramFiles:
    """Turns documents and photos into ``IncomingFile`` whose ``fetch`` streams to disk."""

    def __init__(self, bot: Bot, client: Callable[[], httpx.AsyncClient], *, cloud: bool):
        self.bot = bot
        self.client = client
        self.cloud = cloud

    def document(self, doc: Document) -> IncomingFile:
        return IncomingFile(name=doc.file_name, size=doc.file_size, mime=doc.mime_type, kind="document",
                            fetch=self._fetcher(doc.file_id, doc.file_size))

    def photo(self, sizes: tuple[PhotoSize, ...]) -> IncomingFile:
        best = max(sizes, key=lambda p: (p.width * p.height, p.file_size or 0))
        return IncomingFile(name=f"anh_{best.file_unique_id}.jpg", size=best.file_size, mime="image/jpeg",
                            kind="photo", fetch=self._fetcher(best.file_id, best.file_size))

    def limit(self, max_bytes: int) -> int:
        return min(max_bytes, CLOUD_DOWNLOAD_LIMIT) if self.cloud else max_bytes

    def too_large(self, limit: int, *, telegram_refused: bool = False) -> FileTooLarge:
        """The refusal, worded so the person knows whether Telegram or this bot set the limit."""
        if telegram_refused or (self.cloud and limit >= CLOUD_DOWNLOAD_LIMIT):
            return FileTooLarge(texts.FILE_TOO_BIG_CLOUD.format(limit_mb=CLOUD_DOWNLOAD_LIMIT // (1024 * 1024)))
        return FileTooLarge(texts.FILE_TOO_BIG.format(limit_mb=max(1, limit // (1024 * 1024))))

    def _fetcher(self, file_id: str, declared: int | None):
        async def fetch(dest: Path, max_bytes: int) -> None:
            await self.fetch(file_id, declared, Path(dest), max_bytes)
        return fetch

    async def fetch(self, file_id: str, declared: int | None, dest: Path, max_bytes: int) -> None:
        limit = self.limit(max_bytes)
        if declared is not None and declared > limit:
            raise self.too_large(limit)
        try:
            tg_file = await self.bot.get_file(file_id)
        except BadRequest as exc:
            if "too big" in exc.message.lower():  # the server's own download limit
                raise self.too_large(limit, telegram_refused=True) from None
            raise
        if tg_file.file_size is not None and tg_file.file_size > limit:
            raise self.too_large(limit)
        if not tg_file.file_path:
            raise DownloadFailed("the Bot API server gave no file_path")
        try:
            local = Path(tg_file.file_path)
            if local.is_absolute() and local.is_file():  # a Local Bot API server in --local mode, same machine
                await asyncio.to_thread(_copy_limited, local, dest, limit)
            else:
                await self._stream(self._url(tg_file.file_path), dest, limit)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise

    def _url(self, file_path: str) -> str:
        # PTB prefixes the file URL; some servers already answer a full URL
        prefix = self.bot.base_file_url + "/"
        rest = file_path[len(prefix):] if file_path.startswith(prefix) else None
        if rest and rest.startswith(("http://", "https://")):
            return rest
        return file_path

    async def _stream(self, url: str, dest: Path, limit: int) -> None:
        try:
            async with self.client().stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadFailed(f"file download answered HTTP {response.status_code}")
                length = response.headers.get("content-length")
                if length and length.isdigit() and int(length) > limit:
                    raise self.too_large(limit)
                written = 0
                with dest.open("wb") as out:
                    async for chunk in response.aiter_bytes(CHUNK):
                        written += len(chunk)
                        if written > limit:
                            raise self.too_large(limit)
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise DownloadFailed(f"file download failed ({type(exc).__name__})") from None


def _copy_limited(src: Path, dest: Path, limit: int) -> None:
    if src.stat().st_size > limit:
        raise FileTooLarge(texts.FILE_TOO_BIG.format(limit_mb=max(1, limit // (1024 * 1024))))
    with src.open("rb") as fin, dest.open("wb") as fout:
        shutil.copyfileobj(fin, fout, CHUNK)


def _mentions_me(message: Message, me: Me, caption: bool) -> tuple[bool, str | None]:
    """Is the bot mentioned, and the text without that mention."""
    entities = message.parse_caption_entities() if caption else message.parse_entities()
    body = message.caption if caption else message.text
    for entity, value in entities.items():
        if entity.type == MessageEntityType.MENTION and value.lower() == f"@{me.username.lower()}":
            return True, (body or "").replace(value, "", 1).strip()
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user and entity.user.id == me.id:
            return True, body
    return False, body


def _addressed(message: Message, body: str | None, me: Me, caption: bool) -> tuple[bool, str | None]:
    """In a group the bot answers only what is meant for it: a command, a mention, a reply to it."""
    if body and body.startswith("/"):
        head = body.split(maxsplit=1)[0]
        if "@" in head:
            return head.split("@", 1)[1].lower() == me.username.lower(), body
        return True, body
    mentioned, stripped = _mentions_me(message, me, caption)
    if mentioned:
        return True, stripped
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return True, body
    return False, body


def translate_message(message: Message, me: Me, files: TelegramFiles) -> Decision:
    user = message.from_user
    if user is None or user.is_bot:
        return Decision(why="no human sender")
    private = message.chat.type == ChatType.PRIVATE
    has_caption = message.text is None
    body = message.text if message.text is not None else message.caption
    quote = None
    if not private:
        addressed, body = _addressed(message, body, me, has_caption)
        if not addressed:
            return Decision(why="group message not meant for the bot")
        quote = message.message_id
    incoming = None
    if message.document is not None:
        incoming = files.document(message.document)
    elif message.photo:
        incoming = files.photo(message.photo)
    elif message.text is None:
        if any(getattr(message, attr, None) for attr in UNSUPPORTED_MEDIA):
            if private:
                return Decision(answer=texts.UNSUPPORTED_MEDIA)
            return Decision(why="unsupported media in a group")
        return Decision(why="service message")
    if incoming is not None and body is not None and body.startswith("/"):
        body = None  # "/nopbaocao" as a caption: the file is the submission, not the command
    inbound = Inbound(CHANNEL, str(user.id), str(message.chat.id), text=body, file=incoming,
                      display_name=user.full_name or None, message_id=str(message.message_id))
    return Decision(inbound=inbound, quote=quote)
