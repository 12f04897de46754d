"""Which process leads: the one that runs the scheduler, the outbox sender and Telegram polling.

Every ``agency-bot run`` serves HTTP (webhooks, pages, health) and writes work to the store;
exactly one at a time does the work that must not be done twice at once.

PostgreSQL (``PgLeadership``): each process keeps one dedicated connection, outside the pool,
on which it
- holds its instance lock for as long as it lives (``storage.locks``: how others know its
  outbox claims are still in flight, ``alive_elsewhere``);
- tries the leader lock (``pg_try_advisory_lock``) every ``poll_seconds`` until it gets it. The
  lock goes with the connection: when a leader dies, PostgreSQL frees it and the next poll of a
  follower takes over, well within 15 s. A leader that vanishes without closing its socket (a
  powered-off machine, a partition) is dropped by ``idle_session_timeout`` on that session
  (PostgreSQL 14+; TCP keepalives before that), since a live leader speaks every poll;
- asks ``SELECT 1`` every poll while leading: when that fails or the session is gone, it stops
  leading at once (``leading`` turns false before the duties are stopped, and the sender checks
  it before every claim), then reconnects and queues for the lock again;
- LISTENs for "the outbox has new rows", which followers NOTIFY after writing some (a broadcast
  confirmed through a webhook that reached a follower), so the leader's sender wakes at once.
A duty change never blocks the connection's loop: the leader keeps answering its polls while
its sender starts, or PostgreSQL would take it for dead.

SQLite (``SoleLeadership``): one process per data directory, enforced by an exclusive file lock
taken before anything else; a second ``agency-bot run`` is refused with one sentence.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Awaitable, Callable

from bot.claimers import new_claimer_id
from storage import locks
from storage.db import Store

log = logging.getLogger("agency_bot.leader")

Duty = Callable[[], Awaitable[None]]
LEADER, FOLLOWER, STARTING = "leader", "follower", "starting"
RETRY_S = 5.0
SETTLE_S = 60.0


class _Duties:
    """Brings the duties in line with the wanted role, one change at a time, off the caller's path.
    ``lead`` and ``follow`` must be safe to run again: a step that failed is retried."""

    def __init__(self, lead: Duty, follow: Duty):
        self._lead, self._follow = lead, follow
        self.wanted = False
        self.active = False
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="leader-duties")

    def want(self, leading: bool) -> None:
        self.wanted = leading
        self._changed.set()

    async def settle(self) -> None:
        """Until the duties match the wanted role."""
        while self.active != self.wanted and not self._task.done():
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            while self.active != self.wanted:
                leading = self.wanted
                try:
                    await (self._lead if leading else self._follow)()
                except Exception:  # the database hiccuped while the sender started…: try again shortly
                    log.exception("could not %s; trying again in %ss",
                                  "take up the leader's work" if leading else "hand it over", RETRY_S)
                    try:
                        await asyncio.wait_for(self._changed.wait(), RETRY_S)  # or at once if the role changes
                    except asyncio.TimeoutError:
                        pass
                    self._changed.clear()
                    continue
                self.active = leading

    async def close(self) -> None:
        self.want(False)
        await self.settle()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class SoleLeadership:
    """SQLite: this process leads as soon as it holds the data directory's lock file."""

    def __init__(self, lock_path: Path, refused: Callable[[Path], Exception]):
        self.instance = new_claimer_id()
        self.role = STARTING
        self._fd = _lock_file(lock_path, refused)
        self._duties: _Duties | None = None

    @property
    def leading(self) -> bool:
        return self.role == LEADER

    def alive_elsewhere(self, ids: set[str]) -> set[str]:
        return set()  # nobody else runs on this data directory

    def wake_leader(self) -> None:
        pass  # the leader is this process; its sender is woken directly

    async def start(self, lead: Duty, follow: Duty, on_wake: Callable[[], None] = lambda: None) -> None:
        self._duties = _Duties(lead, follow)
        self.role = LEADER
        self._duties.want(True)
        try:  # started when this returns, unless a step keeps failing (then it keeps being retried)
            await asyncio.wait_for(self._duties.settle(), SETTLE_S)
        except asyncio.TimeoutError:
            log.error("the leader's work has not started within %ss; still trying", SETTLE_S)

    async def stop(self) -> None:
        self.role = FOLLOWER
        if self._duties is not None:
            await self._duties.close()
        self.release()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor lets go of the lock
            self._fd = None


def _lock_file(path: Path, refused: Callable[[Path], Exception]) -> int:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise refused(path) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


class PgLeadership:
    """PostgreSQL: leader lock, instance lock and LISTEN on one dedicated connection (see the module)."""

    def __init__(self, store: Store, *, poll_seconds: float = 1.0, idle_timeout_s: int = 10,
                 query_timeout: float = 5.0):
        self.store = store
        self.instance = new_claimer_id()
        self.role = STARTING
        self.poll_seconds = poll_seconds
        self.idle_timeout_s = idle_timeout_s
        self.query_timeout = query_timeout
        self.conninfo = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with store.engine.connect() as conn:
            self.scope = locks.scope(conn)
        self.leader_key = locks.key64(f"{self.scope}:leader")
        self.channel = f"agency_bot_{locks.key31(self.scope + ':outbox'):x}"
        self._conn = None
        self._duties: _Duties | None = None
        self._task: asyncio.Task | None = None
        self._on_wake: Callable[[], None] = lambda: None
        self._failing = False  # the connection has been failing since the last warning

    @property
    def leading(self) -> bool:
        return self.role == LEADER

    # ---- what other parts ask ---------------------------------------------------------
    def alive_elsewhere(self, ids: set[str]) -> set[str]:
        """The claimers among ``ids`` whose process still holds its instance lock (runs in a worker thread)."""
        with self.store.engine.connect() as conn:
            return locks.live_instances(conn, self.scope, ids)

    def wake_leader(self) -> None:
        """Tell whichever process leads that the outbox has new rows (a NOTIFY, sent off the loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._notify()
            return
        loop.run_in_executor(None, self._notify)

    def _notify(self) -> None:
        import sqlalchemy as sa

        try:
            with self.store.engine.connect() as conn:
                conn.execute(sa.text("SELECT pg_notify(:channel, '')"), {"channel": self.channel})
                conn.commit()
        except Exception as exc:  # the leader's own poll finds the rows anyway
            log.warning("could not wake the leader (%s)", type(exc).__name__)

    # ---- lifecycle ----------------------------------------------------------------------
    async def start(self, lead: Duty, follow: Duty, on_wake: Callable[[], None] = lambda: None) -> None:
        self._on_wake = on_wake
        self._duties = _Duties(lead, follow)
        await self._connect()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        """Hand the work over: stop the duties (in-flight sends finish), then let go of the locks."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.role = FOLLOWER
        if self._duties is not None:
            await self._duties.close()
        await self._close()

    # ---- the connection's loop ------------------------------------------------------------
    async def _connect(self) -> None:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                                     keepalives=1, keepalives_idle=5, keepalives_interval=2,
                                                     keepalives_count=3)
        try:
            for setting in (f"SET idle_session_timeout = '{int(self.idle_timeout_s)}s'",
                            "SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 2",
                            "SET tcp_keepalives_count = 3"):
                try:
                    await conn.execute(setting)
                except psycopg.errors.UndefinedObject:  # idle_session_timeout needs PostgreSQL 14
                    log.info("PostgreSQL does not know %s; keepalives alone detect a vanished leader", setting)
            await conn.execute("SELECT pg_advisory_lock(%s, %s)", locks.instance_keys(self.scope, self.instance))
            await conn.execute(f'LISTEN "{self.channel}"')
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # already broken
                pass

    async def _run(self) -> None:
        while True:
            try:
                if self._conn is None:
                    await self._connect()
                await self._poll()
                async for _ in self._conn.notifies(timeout=self.poll_seconds):
                    self._on_wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away, the session was ended, a poll hung
                self._lost(exc)
                await self._close()
                await asyncio.sleep(self.poll_seconds)
            else:
                self._failing = False

    async def _poll(self) -> None:
        conn = self._conn
        if self.leading:
            await asyncio.wait_for(conn.execute("SELECT 1"), self.query_timeout)
            return
        cur = await asyncio.wait_for(conn.execute("SELECT pg_try_advisory_lock(%s)", (self.leader_key,)),
                                     self.query_timeout)
        if (await cur.fetchone())[0]:
            self.role = LEADER
            log.info("this process now leads (%s)", self.instance)
            self._duties.want(True)
        elif self.role != FOLLOWER:
            self.role = FOLLOWER
            log.info("this process follows; another one leads")
            self._duties.want(False)

    def _lost(self, exc: Exception) -> None:
        was = self.leading
        self.role = FOLLOWER  # before anything awaits: the sender checks it before every claim
        if was or not self._failing:  # once per outage, not once per poll
            log.warning("the leadership connection failed (%s: %s)%s", type(exc).__name__, str(exc)[:200],
                        "; stopped leading" if was else "; retrying every %ss" % self.poll_seconds)
        self._failing = True
        self._duties.want(False)
