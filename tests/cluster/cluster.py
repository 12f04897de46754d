"""Several real ``agency-bot run`` processes on one PostgreSQL database, against the fake Telegram (and
Zalo) servers running in the test's event loop, in webhook mode behind a stand-in load balancer.

    cluster = Cluster(tmp_path, db_url, fake_telegram, business_start=...)
    await cluster.start("p1"); await cluster.healthy("p1")
    await cluster.say(STAFF, "/thongbao", via="p2")    # one update through one process
    await cluster.post(update)                          # round robin, the next process if one refuses
    cluster.kill("p1")                                  # SIGKILL; cluster.stop("p2"): SIGTERM, waits
    await broadcast(cluster, "…", via=["p1", "p2"])     # staff's /thongbao to every unit, step by step

Scripts under ``bench/`` use it too (with the repository root and ``tests/`` on ``sys.path``).

Every process gets the same business clock: ``BOT_CLOCK_START`` is the cluster's business time at
its launch. Each process writes its (JSON) log to ``<root>/<name>-<n>.log``; ``tails()`` shows them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from fakes.telegram_api import FakeBotApi, text_update

from storage.db import Store
from storage.models import Person

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_URL = "https://bot.example.gov.vn/telegram/webhook"
SECRET = "cluster_Webhook-Secret_0123456789"
STAFF = 9001
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV")


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    port: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.returncode is None


class Cluster:
    def __init__(self, root: Path, db_url: str, telegram: FakeBotApi, *, business_start: datetime,
                 env: dict[str, str] | None = None):
        self.root, self.db_url, self.telegram = root, db_url, telegram
        self.business_start, self.real_start = business_start, time.time()
        self.extra = env or {}
        self.procs: dict[str, Proc] = {}
        self.logs: list[Path] = []
        self._turn = itertools.count()
        self._store: Store | None = None

    # ---- processes ---------------------------------------------------------------------
    def business_now(self) -> datetime:
        return self.business_start + timedelta(seconds=time.time() - self.real_start)

    def _env(self, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in _KEEP}
        env.update({
            "DATABASE_URL": self.db_url, "DATA_DIR": str(self.root / "data"), "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(port), "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
            "BOT_CLOCK_START": self.business_now().isoformat(), "STAFF_TELEGRAM_IDS": str(STAFF),
            "TELEGRAM_BOT_TOKEN": self.telegram.token, "TELEGRAM_API_BASE_URL": self.telegram.base_url,
            "TELEGRAM_API_BASE_FILE_URL": self.telegram.base_file_url, "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_SEND_PER_SECOND": "100",
        })
        env.update(self.extra)
        return env

    async def start(self, name: str) -> Proc:
        port = free_port()
        log = self.root / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as err:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=self._env(port), cwd=self.root,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=err)
        self.procs[name] = Proc(name, port, process, log)
        return self.procs[name]

    async def healthy(self, name: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        proc = self.procs[name]
        while time.monotonic() < deadline:
            if not proc.alive:
                raise AssertionError(f"{name} exited with {proc.process.returncode}:\n{self.tail(proc.log)}")
            found = await self.health(name)
            if found is not None and found.get("role") in ("leader", "follower"):
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} not healthy within {timeout}s:\n{self.tail(proc.log)}")

    async def health(self, name: str, timeout: float = 5.0) -> dict | None:
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                answer = await client.get(f"{self.procs[name].url}/healthz")
        except httpx.HTTPError:
            return None
        return answer.json() if answer.status_code == 200 else None

    async def stop(self, name: str, timeout: float = 40.0) -> int:
        """SIGTERM, as a deployment does: the process hands over and exits."""
        proc = self.procs[name]
        proc.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(proc.process.wait(), timeout)

    async def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.process.kill()
        await proc.process.wait()

    def running(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.alive]

    async def roles(self, names: list[str] | None = None) -> dict[str, str | None]:
        names = self.running() if names is None else names
        answers = await asyncio.gather(*(self.health(name, timeout=1.0) for name in names))
        return {name: (health or {}).get("role") for name, health in zip(names, answers)}

    async def leader(self, timeout: float = 20.0, among: list[str] | None = None) -> str:
        """The one running process (of ``among``) that leads: waits for an election."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            roles = await self.roles(among)
            leaders = [name for name, role in roles.items() if role == "leader"]
            assert len(leaders) <= 1, roles
            if leaders:
                return leaders[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no leader within {timeout}s: {await self.roles()}")

    async def close(self) -> None:
        for name in self.running():
            await self.kill(name)
        if self._store is not None:
            self._store.dispose()

    # ---- the load balancer ---------------------------------------------------------------
    async def post(self, update: dict, via: str | None = None) -> str:
        """Deliver one webhook update like Telegram through a load balancer: to ``via`` or the next
        running process; a refused or failed delivery goes to the next one (Telegram retries)."""
        update.setdefault("update_id", self.telegram._next_update_id)
        self.telegram._next_update_id = max(self.telegram._next_update_id, update["update_id"] + 1)
        names = self.running()
        start = names.index(via) if via in names else next(self._turn) % len(names)
        for attempt in range(len(names) * 3):
            name = names[(start + attempt) % len(names)]
            if not self.procs[name].alive:
                continue
            try:
                status = await self.telegram.post_webhook(update, f"{self.procs[name].url}/telegram/webhook", SECRET)
            except httpx.HTTPError:
                status = 0
            if status == 200:
                return name
            await asyncio.sleep(0.1)
        raise AssertionError(f"no process took update {update['update_id']}")

    async def say(self, user: int, text: str, via: str | None = None, *, answers: int = 1,
                  timeout: float = 20.0) -> list[str]:
        """``user`` writes ``text``; returns the texts the bot sent to that chat in answer."""
        return await self.deliver(user, text_update(user, text), via, answers=answers, timeout=timeout)

    async def deliver(self, user: int, update: dict, via: str | None = None, *, answers: int = 1,
                      timeout: float = 20.0) -> list[str]:
        before = len(self.telegram.sent(user))
        await self.post(update, via)
        await self.telegram.wait_for("sendMessage", chat_id=user, count=before + answers, timeout=timeout)
        return self.telegram.texts(user)[before:]

    # ---- the database, as the test sees it ------------------------------------------------
    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db_url)
        return self._store

    def seed_focal_points(self, first_id: int, count: int, zalo_every: int = 0) -> dict[str, str]:
        """``count`` registered focal points spread over the plan's units, written straight to the store;
        every ``zalo_every``-th one on Zalo, the others on Telegram. Returns chat id → channel."""
        seeded = {}
        with self.store.session() as s:
            units = [code for code, in s.execute(sa.text("SELECT code FROM unit ORDER BY code"))]
            now = self.business_now()
            for i in range(count):
                external = str(first_id + i)
                channel = "zalo" if zalo_every and i % zalo_every == 0 else "telegram"
                s.add(Person(channel=channel, external_id=external, chat_id=external, unit_code=units[i % len(units)],
                             role="focal", registered_at=now))
                seeded[external] = channel
            s.commit()
        return seeded

    def rows(self, where: str = "true") -> list[dict]:
        with self.store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM outgoing_message WHERE {where}")).mappings()]

    def tail(self, log: Path, lines: int = 40) -> str:
        try:
            return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def tails(self) -> str:
        return "\n\n".join(f"== {log.name}\n{self.tail(log)}" for log in self.logs)


# ---- what the scenarios do and check -----------------------------------------------------------
def sends(fake: FakeBotApi, marker: str) -> list:
    """Accepted messages whose text contains ``marker``."""
    return [c for c in fake.sent() if marker in (c.params.get("text") or "")]


async def broadcast(cluster: Cluster, text: str, via: list[str]) -> None:
    """Staff's /thongbao to every unit, each step through the next process in ``via``."""
    fake, steps = cluster.telegram, itertools.cycle(via)
    await cluster.say(STAFF, "/thongbao", via=next(steps))
    await cluster.deliver(STAFF, fake.button(STAFF, "Tất cả đơn vị"), via=next(steps))
    await cluster.say(STAFF, text, via=next(steps))
    await cluster.deliver(STAFF, fake.button(STAFF, "Không đính kèm"), via=next(steps))
    confirmed = await cluster.deliver(STAFF, fake.button(STAFF, "Xác nhận gửi"), via=next(steps))
    assert "Đã xác nhận thông báo số" in "\n".join(confirmed), confirmed


def received_once(fake: FakeBotApi, marker: str) -> Counter:
    """How many each recipient got (staff's preview quotes the notice: not counted); fails on a second copy."""
    per_chat = Counter(c.chat_id for c in sends(fake, marker) if c.chat_id != str(STAFF))
    assert max(per_chat.values(), default=1) == 1, [chat for chat, n in per_chat.items() if n > 1]
    return per_chat
