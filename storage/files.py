"""Received files on disk, content-addressed: ``<root>/ab/cd/<sha256>.<ext>``.

A file arrives through a temp file in ``<root>/.tmp`` (same file system, so the
final move is an atomic ``rename``); it is hashed and sniffed in one pass, fsynced,
then moved into place and the directory fsynced. Only then may a row point to it.
The same content is stored once, whoever sends it.

If the database refuses the row afterwards, the caller ``release``s the file with
``drop=True``: it is deleted unless a row already points to it or another
submission in this process is using it at that moment. A file that stays without
a row (the bot died between the move and the commit) is harmless — it is named by
its content, no receipt was given, and re-sending the same file reuses it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Awaitable, Callable

from storage.filetypes import ACCEPTED, NAME_EXTENSIONS, extension_of, sniff

log = logging.getLogger("agency_bot.files")

CHUNK = 1 << 20
TEMP_DIR = ".tmp"
TEMP_MAX_AGE_S = 24 * 3600  # temp files older than this are leftovers of a crash
NAME_MAX = 120  # characters kept of an original file name (extension included)
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"\.{2,}")


class FileStoreError(OSError):
    """The file could not be kept (disk full, permissions, a failed move)."""


@dataclass(frozen=True)
class Received:
    """A fetched file sitting in the temp area, hashed and sniffed, not yet kept."""

    temp: Path
    sha256: str
    size: int
    kind: str  # storage.filetypes kind: pdf, docx, … or a refusal (executable, empty, unknown…)

    @property
    def accepted(self) -> bool:
        return self.kind in ACCEPTED


class FileStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._in_use: Counter[str] = Counter()
        self._temp_cleaned = False

    # ---- arrival --------------------------------------------------------------
    def temp_path(self) -> Path:
        """A fresh path in the temp area (created on first use; stale leftovers removed then)."""
        temp_dir = self.root / TEMP_DIR
        temp_dir.mkdir(parents=True, exist_ok=True)
        if not self._temp_cleaned:
            self._temp_cleaned = True
            self.clean_temp()
        return temp_dir / f"in-{secrets.token_hex(8)}"

    async def receive(self, fetch: Callable[[Path, int], Awaitable[None]], max_bytes: int) -> Received:
        """Let the channel stream the file into a temp file, then hash, sniff and fsync it.

        The channel's ``fetch`` owns the writing (it may be an HTTP download or a local
        copy), so the hash is taken in one read-back pass; the pages are still in the
        page cache. Raises whatever ``fetch`` raises (``FileTooLarge``…) after removing
        the temp file.
        """
        temp = self.temp_path()
        try:
            await fetch(temp, max_bytes)
            if not temp.exists():
                temp.touch()
            return await asyncio.to_thread(self._inspect, temp)
        except BaseException:
            self.discard_temp(temp)
            raise

    @staticmethod
    def _inspect(temp: Path) -> Received:
        digest, size = hashlib.sha256(), 0
        with open(temp, "rb+") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(fh.fileno())
        return Received(temp, digest.hexdigest(), size, sniff(temp) if size else "empty")

    def keep(self, received: Received) -> str:
        """Move the temp file to its content address; returns the path relative to ``root``.

        The file is marked in use until ``release``: a failed commit elsewhere will not delete it.
        """
        if not received.accepted:
            raise ValueError(f"refusing to keep a file of kind {received.kind}")
        rel = self.relative_path(received.sha256, ACCEPTED[received.kind])
        target = self.root / rel
        self._in_use[rel] += 1
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and target.stat().st_size == received.size:
                self.discard_temp(received.temp)  # same content already kept
            else:
                os.replace(received.temp, target)
                _fsync_dir(target.parent)
        except OSError as exc:
            self._in_use[rel] -= 1
            self.discard_temp(received.temp)
            raise FileStoreError(f"could not keep file: {exc}") from exc
        return rel

    def acquire(self, rel: str) -> None:
        """Mark an already kept file in use (a submission finishing later, after a button tap)."""
        self._in_use[rel] += 1

    def release(self, rel: str, *, drop: bool = False) -> None:
        """End this submission's use of ``rel``; with ``drop`` delete it if no one else uses it.

        ``drop`` is for a row that was never committed: the caller checks the database first.
        """
        self._in_use[rel] -= 1
        if self._in_use[rel] <= 0:
            del self._in_use[rel]
            if drop:
                try:
                    self.path(rel).unlink(missing_ok=True)
                    log.info("dropped uncommitted file %s", rel)
                except OSError:
                    log.warning("could not drop uncommitted file %s", rel, exc_info=True)

    # ---- lookup ---------------------------------------------------------------
    @staticmethod
    def relative_path(sha256: str, ext: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"

    def path(self, rel: str) -> Path:
        """The absolute path of a stored file; refuses anything that would leave ``root``."""
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or any(p in ("..", "") for p in parts):
            raise ValueError(f"not a stored file path: {rel!r}")
        return self.root.joinpath(*parts)

    def exists(self, rel: str) -> bool:
        try:
            return self.path(rel).is_file()
        except ValueError:
            return False

    # ---- housekeeping -----------------------------------------------------------
    def discard_temp(self, temp: Path) -> None:
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove temp file %s", temp.name, exc_info=True)

    def clean_temp(self, max_age_s: float = TEMP_MAX_AGE_S) -> int:
        """Remove temp files left by a crash mid-download; returns how many."""
        removed, cutoff = 0, time.time() - max_age_s
        for temp in (self.root / TEMP_DIR).glob("in-*"):
            try:
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_name(name: str | None, kind: str, fallback_stem: str) -> str:
    """The sender's file name made safe to keep and show.

    NFC; only the last path component; no control or format characters (U+202E can
    disguise ``exe`` as ``pdf``); no reserved characters, no ``..``; capped in length
    with the extension kept. A name whose extension does not fit the content gets the
    real one appended (``baocao.exe`` holding a PDF becomes ``baocao.exe.pdf``).
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if ch.isspace() else ch for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch.isspace())
    text = _DOTS.sub(".", _RESERVED.sub("_", _SPACES.sub(" ", text))).strip(" ").rstrip(" .")
    ext = text[len(text) - len(extension_of(text)):] if extension_of(text) else ""  # as written
    stem = text[: -len(ext) - 1] if ext else text
    stem = stem.strip(" .") or fallback_stem
    real_ext = ACCEPTED.get(kind, "")
    if real_ext and ext.lower() not in NAME_EXTENSIONS.get(kind, frozenset({real_ext})):
        if ext:
            stem = f"{stem}.{ext}"
        ext = real_ext
    ext = ext[:10]
    room = NAME_MAX - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or fallback_stem[:room]
    return f"{stem}.{ext}" if ext else stem
