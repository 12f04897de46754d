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

import hashlib
import hmac
import logging
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx

from handlers.types import FileTooLarge

log = logging.getLogger("agency_bot.zalo")

MAX_REDIRECTS = 3
UPLOADABLE = {".pdf", ".doc", ".docx"}
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
LINK_PREFIX = "/zalo/files"


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


def uploadable(path: Path, name: str) -> bool:
    """What the OA upload endpoint accepts as a file message."""
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return suffix in UPLOADABLE and 0 < size <= UPLOAD_MAX_BYTES


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: float  # epoch seconds, real time


class DownloadLinks:
    """Signed, expiring links to copies of documents kept under ``root`` until they expire."""

    def __init__(self, root: Path, base_url: str, secret: str, ttl_s: int, now=time.time):
        self.root = root
        self.base_url = base_url.rstrip("/")
        # a key of its own: a leaked link key must not be the webhook secret
        self._key = hmac.new(secret.encode("utf-8"), b"agency-bot/zalo/download-links/v1", hashlib.sha256).digest()
        self.ttl_s = ttl_s
        self._now = now

    def sign(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode("utf-8"), hashlib.sha256).hexdigest()

    def create(self, document: Path, name: str) -> Link:
        """Copy ``document`` out of reach of whoever may delete it, and sign a link to the copy."""
        self.purge()
        expires = int(self._now()) + self.ttl_s
        token = f"{expires}-{secrets.token_urlsafe(12)}"
        safe_name = Path(name).name.lstrip(".").strip() or "file"
        target = self.root / token / safe_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(document, target)
        path = f"{LINK_PREFIX}/{token}/{safe_name}"
        url = f"{self.base_url}{LINK_PREFIX}/{token}/{quote(safe_name)}?exp={expires}&sig={self.sign(path, expires)}"
        return Link(url, expires)

    def resolve(self, token: str, name: str, exp: str, sig: str) -> Path | None | bool:
        """The file for a request; ``None`` if the signature is wrong, ``False`` if it expired or is gone."""
        if not exp.isdigit() or not sig:
            return None
        path = f"{LINK_PREFIX}/{token}/{name}"
        if not hmac.compare_digest(self.sign(path, int(exp)), sig):
            return None
        if int(exp) < self._now():
            return False
        if "/" in token or token.startswith(".") or "/" in name or name.startswith("."):
            return None
        target = self.root / token / name
        return target if target.is_file() else False

    def purge(self) -> int:
        """Delete copies whose links have expired."""
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
