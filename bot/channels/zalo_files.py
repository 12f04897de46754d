"""Files across the Zalo channel: users' attachments in, download links out.

In: an attachment is a bare URL in the webhook body, fetched without auth, so
anyone who can forge a body (or a redirect) could make the bot download from
anywhere. Only hosts on ``ZALO_FILE_HOSTS`` are fetched, redirects are followed
by hand and re-checked, and the size is enforced while streaming.

Out: the OA can send only PDF/DOC/DOCX (<= 5 MB) as files; anything else (the
XLSX export) goes as a link to a copy the bot serves itself. The link carries an
expiry and an HMAC over path + expiry with a key derived from a configured
secret, so it cannot be forged, altered or kept alive.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx

from bot.channels.keyed import KeyedLocks
from handlers.types import FileTooLarge

log = logging.getLogger("agency_bot.zalo")

MAX_REDIRECTS = 3
UPLOADABLE = {".pdf", ".doc", ".docx"}
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
LINK_PREFIX = "/zalo/files"
REUSE_S = 24 * 3600  # one copy per document a day: every link handed out lives at least ttl - 1 day


class FileRefused(Exception):
    """The attachment URL (or a redirect) points outside the allowed hosts."""


def host_allowed(url: str, hosts: list[str]) -> bool:
    """``hosts`` entries are exact names, or ``.example.com`` for that domain and its subdomains."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return False
    host = parts.hostname.lower().rstrip(".")
    for entry in hosts:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


async def fetch_attachment(http: httpx.AsyncClient, url: str, hosts: list[str], dest: Path, max_bytes: int) -> None:
    """Stream ``url`` to ``dest``; ``FileRefused`` off the allow-list, ``FileTooLarge`` past ``max_bytes``."""
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if not host_allowed(url, hosts):
                raise FileRefused(urlsplit(url).hostname or "?")
            async with http.stream("GET", url, follow_redirects=False) as resp:
                if resp.is_redirect and "location" in resp.headers:
                    url = urljoin(url, resp.headers["location"])
                    continue
                resp.raise_for_status()
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FileTooLarge(f"{declared} bytes")
                written = 0
                with open(dest, "wb") as out:
                    async for chunk in resp.aiter_bytes():
                        written += len(chunk)
                        if written > max_bytes:
                            raise FileTooLarge(f"more than {max_bytes} bytes")
                        out.write(chunk)
                return
        raise FileRefused("too many redirects")
    except BaseException:
        dest.unlink(missing_ok=True)  # never leave half a file where the handler looks
        raise


def uploadable(name: str, size: int) -> bool:
    """What the OA upload endpoint accepts as a file message (``size`` from a stat the caller made)."""
    return Path(name).suffix.lower() in UPLOADABLE and 0 < size <= UPLOAD_MAX_BYTES


@dataclass(frozen=True)
class DocumentInfo:
    """One version of a document: a changed file (size or mtime) is another document."""

    path: Path  # resolved
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, document: Path) -> "DocumentInfo | None":
        """Blocking (stat, resolve): call it in a thread. None if there is no such file."""
        try:
            resolved = document.resolve()
            st = resolved.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return cls(resolved, st.st_size, st.st_mtime_ns)

    def key(self, name: str) -> tuple:
        return (str(self.path), self.size, self.mtime_ns, name)


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: float  # epoch seconds, real time


class DownloadLinks:
    """Signed, expiring links to copies of documents kept under ``root`` until they expire.

    One copy serves every recipient of the same document for ``reuse_s`` (a broadcast of
    the XLSX export to a hundred people is one copy, not a hundred), so every link handed
    out still has at least ``ttl_s - reuse_s`` to live. Copies and directory scans run in
    a thread; expired copies are purged by the channel's housekeeping, not on every link.
    """

    def __init__(self, root: Path, base_url: str, secret: str, ttl_s: int, now=time.time,
                 reuse_s: int = REUSE_S):
        self.root = root
        self.base_url = base_url.rstrip("/")
        # a key of its own: a leaked link key must not be the webhook secret
        self._key = hmac.new(secret.encode("utf-8"), b"agency-bot/zalo/download-links/v1", hashlib.sha256).digest()
        self.ttl_s = ttl_s
        self.reuse_s = min(reuse_s, ttl_s)
        self._now = now
        self._cache: dict[tuple, tuple[str, int, Path]] = {}  # document key -> (token, expires, copy)
        self._locks = KeyedLocks()
        self.copies = 0  # copies made by this process (health, tests)

    def sign(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode("utf-8"), hashlib.sha256).hexdigest()

    async def link_for(self, info: DocumentInfo, name: str) -> Link:
        """A link to a copy of this version of a document under ``name``, made at most once per ``reuse_s``."""
        key = info.key(name)
        async with self._locks.hold(key):  # concurrent deliveries of one document wait for one copy
            now = self._now()
            cached = self._cache.get(key)
            if cached is not None:
                token, expires, copy = cached
                if expires - now >= self.ttl_s - self.reuse_s and await asyncio.to_thread(copy.is_file):
                    return self._link(token, copy.name, expires)
            token, expires, copy = await asyncio.to_thread(self._copy, info.path, name)
            self._cache = {k: v for k, v in self._cache.items() if v[1] - now >= self.ttl_s - self.reuse_s}
            self._cache[key] = (token, expires, copy)
            return self._link(token, copy.name, expires)

    def create(self, document: Path, name: str) -> Link:
        """Copy ``document`` out of reach of whoever may delete it, and sign a link to the copy (blocking)."""
        token, expires, copy = self._copy(document, name)
        return self._link(token, copy.name, expires)

    def _copy(self, document: Path, name: str) -> tuple[str, int, Path]:
        expires = int(self._now()) + self.ttl_s
        token = f"{expires}-{secrets.token_urlsafe(12)}"
        safe_name = Path(name).name.lstrip(".").strip() or "file"
        target = self.root / token / safe_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(document, target)
        self.copies += 1
        return token, expires, target

    def _link(self, token: str, safe_name: str, expires: int) -> Link:
        path = f"{LINK_PREFIX}/{token}/{safe_name}"
        url = f"{self.base_url}{LINK_PREFIX}/{token}/{quote(safe_name)}?exp={expires}&sig={self.sign(path, expires)}"
        return Link(url, expires)

    def resolve(self, token: str, name: str, exp: str, sig: str) -> Path | None | bool:
        """The file for a request; ``None`` if the signature is wrong, ``False`` if it expired or is gone."""
        # ASCII only: "²".isdigit() is True but int() refuses it; compare_digest refuses non-ASCII str
        if not (exp.isascii() and exp.isdigit() and len(exp) <= 12) or not (sig.isascii() and len(sig) == 64):
            return None
        path = f"{LINK_PREFIX}/{token}/{name}"
        if not hmac.compare_digest(self.sign(path, int(exp)).encode("ascii"), sig.lower().encode("ascii")):
            return None
        if int(exp) < self._now():
            return False
        if "/" in token or token.startswith(".") or "/" in name or name.startswith("."):
            return None
        target = self.root / token / name
        return target if target.is_file() else False

    def purge(self) -> int:
        """Delete copies whose links have expired (blocking: the channel runs it in a thread)."""
        if not self.root.is_dir():
            return 0
        removed = 0
        now = self._now()
        for entry in self.root.iterdir():
            head = entry.name.split("-", 1)[0]
            if entry.is_dir() and head.isdigit() and int(head) < now:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed
