"""The console channel (``agency-bot chat``): the same conversation in a terminal.

Numbered options stand in for buttons; a line naming an existing file sends it
as a submission. Works with no token and no network. While a session is open it
also delivers the outbox rows addressed to its user (a staff notice rehearsed in
another terminal, the summary of one's own notice): each row is claimed like the
sender claims it, so it is printed once even if ``agency-bot run`` looks too.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import re
import shutil
import sys
import threading
from pathlib import Path
from typing import Callable, TextIO

from handlers.context import Services
from handlers.router import Router
from handlers.types import FileTooLarge, IncomingFile, Inbound, Option, Reply
from messages.texts import console as texts
from messages.units import UnitRecord
from storage import outbox, people

CHANNEL = "console"
QUIT = {"/thoat", "/exit", "/quit", "exit", "quit", "thoat"}


def console_identity(services: Services, unit: UnitRecord | None, staff: bool) -> str:
    """The console user's id; registered to ``unit`` directly (the terminal is trusted)."""
    external_id = "console-staff" if staff else f"console-{unit.code}" if unit else "console-guest"
    if staff:
        services.staff_ids[CHANNEL] = services.staff_ids.get(CHANNEL, frozenset()) | {external_id}
    with services.store.session() as s:
        person = people.ensure(s, CHANNEL, external_id, external_id)
        if unit is not None and person.unit_code != unit.code:
            people.register(s, person, unit.code, services.clock.now())
    return external_id


def local_file(path: Path) -> IncomingFile:
    async def fetch(dest: Path, max_bytes: int) -> None:
        if path.stat().st_size > max_bytes:
            raise FileTooLarge(str(path))
        await asyncio.to_thread(shutil.copyfile, path, dest)

    return IncomingFile(name=path.name, size=path.stat().st_size, mime=mimetypes.guess_type(path.name)[0],
                        kind="document", fetch=fetch)


_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(@\w+)?$")  # /dangky, /start@bot: a command word, not a path


def _as_path(text: str) -> Path | None:
    """The line as a path, if it can be one (a question of 300 characters is not)."""
    text = text.strip().strip("'\"")
    if not text or "\n" in text or "\x00" in text:
        return None
    return Path(os.path.expanduser(text))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, an odd character
        return False


def _missing_path(line: str) -> str | None:
    """What to say when the line is plainly a path (``/a/b``, ``~/x.pdf``, ``./x``) to no file."""
    first = line.strip().strip("'\"").split(" ", 1)[0]
    looks_like_path = (first.startswith(("~", "./", "../")) or
                       (first.startswith("/") and len(first) > 1 and not _COMMAND.match(first)))
    if not looks_like_path:
        return None
    path = _as_path(line)
    if path is None or _is_file(path):
        return None
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError):
        is_dir = False
    return (texts.PATH_IS_DIR if is_dir else texts.NO_SUCH_FILE).format(path=path)


POLL_S = 2.0  # how often an open session looks for messages addressed to it


class ConsoleChannel:
    name = CHANNEL

    def __init__(self, services: Services, router: Router, external_id: str,
                 stdin: TextIO = sys.stdin, write: Callable[[str], None] = print):
        self.services = services
        self.router = router
        self.external_id = external_id
        self.stdin = stdin
        self.write = write
        self.options: list[Option] = []

    def inbound_for(self, line: str) -> Inbound:
        base = Inbound(CHANNEL, self.external_id, self.external_id)
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.options):
            base.choice = self.options[int(stripped) - 1].choice_id
            return base
        candidate = _as_path(stripped)
        if candidate is not None and _is_file(candidate):
            base.file = local_file(candidate)
            return base
        base.text = line
        return base

    async def send_line(self, line: str) -> list[Reply]:
        missing = _missing_path(line.strip())
        if missing is not None:  # "/home/x/bc.pdf" that is not there: not a command named "home"
            replies = [Reply(missing)]
        else:
            replies = await self.router.handle(self.services, self.inbound_for(line))
        self.render(replies)
        return replies

    async def deliver_due(self) -> int:
        """Print the outbox rows due for this session's user; returns how many."""
        rows = await asyncio.to_thread(self._claim_due)
        if not rows:
            return 0
        self.render([Reply(texts.INCOMING.format(text=row.text), options=[
            Option(o["label"], o["choice_id"]) for o in row.options or []],
            document=self._document(row), document_name=row.document_name) for row in rows])
        await asyncio.to_thread(self._mark_sent, rows)
        return len(rows)

    def _claim_due(self) -> list:
        clock = self.services.clock
        with self.services.store.session() as s:
            due = outbox.due_for_chat(s, CHANNEL, self.external_id, clock.now())
            return [row for row in due if outbox.claim(s, row.id)]

    def _mark_sent(self, rows: list) -> None:
        from handlers.broadcast_reports import reports_for

        with self.services.store.session() as s:
            for row in rows:
                outbox.mark_sent(s, row.id, self.services.clock.now())
        for row in rows:  # a broadcast's figures and its summary, as the sender's listener would
            reports_for(self.services)(row)

    def _document(self, row) -> Path | None:
        if not row.document_path:
            return None
        path = Path(row.document_path)
        files = self.services.files
        return files.path(row.document_path) if not path.is_absolute() and files is not None else path

    def render(self, replies: list[Reply]) -> None:
        self.options = []
        for reply in replies:
            self.write(texts.BOT + reply.text)
            for option in reply.options:
                self.options.append(option)
                self.write(texts.OPTION.format(n=len(self.options), label=option.label))
            if reply.document is not None:
                self.write(texts.DOCUMENT.format(path=reply.document))
        if self.options:
            self.write(texts.OPTIONS_HINT)

    def _reader(self) -> asyncio.Queue:
        """Lines from stdin, read by a daemon thread: Ctrl-C ends the program even while it waits."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:
            for line in iter(self.stdin.readline, ""):
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line)
                except RuntimeError:  # the conversation already ended
                    return
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, "")

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return queue

    async def run(self, banner: str) -> None:
        self.write(banner)
        interactive = self.stdin.isatty()
        lines = self._reader()
        await self.deliver_due()
        while True:
            if interactive:
                self.write_prompt()
            line = await self._next_line(lines)
            if not line:
                break
            line = line.rstrip("\n")
            if line.strip().lower() in QUIT:
                break
            if not line.strip():
                continue
            if not interactive:
                self.write(texts.PROMPT + line)
            await self.send_line(line)
            await self.deliver_due()
        self.write(texts.BYE)

    async def _next_line(self, lines: asyncio.Queue) -> str:
        """The next typed line; meanwhile, every ``POLL_S``, what others sent to this user."""
        while True:
            try:
                return await asyncio.wait_for(lines.get(), POLL_S)
            except asyncio.TimeoutError:
                if await self.deliver_due() and self.stdin.isatty():
                    self.write_prompt()

    def write_prompt(self) -> None:
        sys.stdout.write(texts.PROMPT)
        sys.stdout.flush()
