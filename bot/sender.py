"""The outbox sender: delivers ``outgoing_message`` rows through the channels, once, within limits.

Interface (reminders, broadcasts and notices rely on these and nothing else):

- ``OutboxSender(services, channels, settings)``; ``await start()`` / ``await stop()``. With
  ``gate``, nothing is claimed while ``gate()`` is false: a leader that lost its database lock
  (``bot.leader``) stops sending at once, before its duties are wound down.
- ``wake()``: look at the outbox now (new rows were written). Safe from any thread.
- ``await drain_once() -> int``: send everything due now and return how many were delivered.
- ``add_guard(kind, fn)``: ``fn(row, now) -> str | None`` runs just before a row of ``kind`` is
  sent (``now`` is business time). A returned string cancels the row with that reason; the
  guard may replace ``row.text`` (saved with the claim). Several guards per kind may be added.
- ``add_listener(fn)``: ``fn(row)`` runs in the event loop after a row reaches a final state here
  (sent, uncertain, failed, undeliverable, cancelled by a guard, or uncertain as interrupted when
  its claimer is gone). ``row`` is a detached ``OutgoingMessage`` with the new status and
  ``last_error``. Errors are logged.

Never twice (the product rule): a row is claimed by a conditional UPDATE (pending → sending,
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so even two senders could not both take it) right
before the platform call, naming the claimer (``bot.claimers``) and the time, and marked sent
right after the platform accepted it. A row found in ``sending`` whose claimer is gone belongs
to a process that died between those two commits: the message may or may not have arrived, so
it becomes ``uncertain`` with that reason (at most once; staff see it apart from failures) —
never sent again. Rows of a claimer still running — another process's sender in flight, say a
rolling deploy's old process finishing — are left to it: looking at the clock instead would
report its delivered messages as lost. Abandoned claims are looked for at start and every
``recover_seconds``. A claimer taken for gone that was only cut off (a frozen machine whose
database session was ended) may still learn the platform took its message: its own uncertain
row then becomes sent, the truth winning over the guess. The window is one HTTP call per row,
and a graceful stop waits for calls in flight, so only a hard kill can leave such rows.

Within limits, not discovering them through 429s: per channel, sends are spaced at the
configured rate (``TELEGRAM_SEND_PER_SECOND``, ``ZALO_SEND_PER_SECOND``) and run concurrently,
so network latency does not lower the rate; and no more than ``rate × rate_window`` sends are
counted in any window (see ``Pacer``), so requests bunched up on the way cannot exceed the limit
at the platform. One chat gets its next message ``private_interval`` (1 s) after the platform
answered the previous one — ``group_interval`` (3 s, i.e. 20/min) for a group (a negative
Telegram id). Guards and batches are read in a worker thread so they never hold sends back.

On ``RetryLater`` the whole channel pauses for the time asked — Telegram's flood control is
per bot, and its 429 does not say whether one chat or the bot was too fast — and the row waits
at least that long, the attempt not counted. ``Unreachable``: the person is marked inactive
(stored), the row ``undeliverable``, and their later rows too — read from the stored flag, so
when they write to the bot again (``people.ensure`` makes them active) they get messages again.
``ChatMoved``: the person and their pending rows follow the new id, and the row goes again at
once. ``Rejected``: ``failed`` with the platform's reason, no retry.

Network failures are decided by whether the request may have reached the platform, which only
the channel can see (it knows the HTTP error): ``Uncertain`` — no answer after the request went
out (a read timeout, a connection dropped before the answer) — means the platform may have
delivered it, so the row becomes ``uncertain`` with that reason and is never sent again, exactly
like a row found ``sending`` after a crash ("never twice" outranks "always arrives"; staff see
it, counted apart from the failures). Any other error (could not connect, no pooled connection,
the request not fully written, a 5xx answer) left nothing at the platform: retried with
exponential backoff (``backoff_base × 2^(attempt-1)``, capped), then ``failed`` after ``max_attempts``.

Recording a result is retried briefly (``record_attempts``, short backoff) when the database
fails ("database is locked"); if it still fails, it is logged and kept in memory to be written on
the sender's next passes — the row stays ``sending`` meanwhile, so it is never sent again, and
its listeners run once it is recorded. A process that stops before that leaves the row
``sending``: the next sender reports it as interrupted, as after a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlmodel import Session, select

from bot.channels.base import Channel
from bot.claimers import Claimer
from bot.delivery import ChatMoved, OutMessage, Rejected, RetryLater, Uncertain, Unreachable
from handlers.context import Services
from handlers.types import Option
from messages.texts import delivery as texts
from storage import outbox
from storage import people as people_store
from storage.models import OutgoingMessage, Person

log = logging.getLogger("agency_bot.sender")

Guard = Callable[[OutgoingMessage, datetime], "str | None"]
Listener = Callable[[OutgoingMessage], None]
Write = Callable[[Session], Any]  # one database write of a send's result
Then = Callable[[Any], None]  # what follows once it is written (listeners), given its result
_BUSY = float("inf")  # a chat with a message in flight


class Pacer:
    """A channel's send rate: evenly spaced slots, and never more than ``rate × window`` sends that
    the platform may count in one window.

    A send counts from the moment it is handed to the network until ``window`` seconds after
    the platform answered it: whatever the network delays, its arrival fell inside that span, so
    no window at the platform's end can hold more than the cap. Spacing alone cannot promise
    that when requests bunch up on the way. ``pause`` (a 429) pushes every later slot back.
    """

    def __init__(self, rate: float, window: float = 1.0):
        self.interval = 1.0 / rate
        self.window = window
        self.cap = max(1, int(rate * window))
        self._next = 0.0
        self.paused_until = 0.0
        self.in_flight = 0
        self._answered: deque[float] = deque()  # loop times at which recent sends were answered

    def reserve(self, now: float) -> float:
        """Take the next slot; returns how long to wait for it."""
        slot = max(now, self._next)
        self._next = slot + self.interval
        return slot - now

    def window_wait(self, now: float) -> float:
        """0 if one more send fits in the window now, else how long to wait (at most a poll)."""
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        if self.in_flight + len(self._answered) < self.cap:
            return 0.0
        if self._answered:
            return min(self._answered[0] + self.window - now, 0.05) or 0.001
        return 0.005  # all in flight: wait for an answer

    def started(self) -> None:
        self.in_flight += 1

    def answered(self, now: float) -> None:
        self.in_flight -= 1
        self._answered.append(now)

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)
        self._next = max(self._next, until)


class OutboxSender:
    def __init__(self, services: Services, channels: dict[str, Channel], settings, *,
                 max_attempts: int = 5, backoff_base: float = 2.0, backoff_max: float = 600.0,
                 private_interval: float = 1.0, group_interval: float = 3.0,
                 batch_size: int = 200, poll_seconds: float = 30.0, max_in_flight: int | None = None,
                 stop_timeout: float = 20.0, rate_window: float = 1.0,
                 record_attempts: int = 4, record_backoff: float = 0.1,
                 claimer: Claimer | None = None, recover_seconds: float = 30.0,
                 gate: Callable[[], bool] = lambda: True):
        self.services = services
        self.channels = channels
        self.settings = settings
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.private_interval = private_interval
        self.group_interval = group_interval
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.stop_timeout = stop_timeout
        self.record_attempts = max(1, record_attempts)
        self.record_backoff = record_backoff
        self.claimer = claimer or Claimer()
        self.gate = gate
        self.recover_seconds = recover_seconds
        self._recovered_at = 0.0  # loop time of the last look for abandoned claims
        self._pacers = {name: Pacer(self._rate(name, ch), rate_window) for name, ch in channels.items()}
        fastest = max((1.0 / p.interval for p in self._pacers.values()), default=1.0)
        self._max_in_flight = max_in_flight or max(4, int(fastest * 2))
        self._guards: dict[str, list[Guard]] = {}
        self._listeners: list[Listener] = []
        self._chat_ready: dict[tuple[str, str], float] = {}  # (channel, chat) -> loop time of next allowed send
        self._unrecorded: list[tuple[OutgoingMessage, str, Write, Then | None]] = []  # writes the database refused
        self._moved: dict[tuple[str, str], str] = {}  # (channel, old chat) -> new chat, during this run
        self._inflight: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._lock: asyncio.Lock | None = None
        self._stop_event: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.sent = 0  # delivered by this sender since it was built

    # ---- interface ----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None

    def add_guard(self, kind: str, fn: Guard) -> None:
        self._guards.setdefault(kind, []).append(fn)

    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def wake(self) -> None:
        loop, event = self._loop, self._wake
        if loop is None or event is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)

    async def start(self) -> None:
        self._bind()
        self._stopping = False
        self._stop_event.clear()
        self.claimer.enter()
        try:
            # nothing of ours is in flight yet: our own rows still ``sending`` are leftovers too,
            # unless their result waits in memory to be written
            waiting = {row.id for row, *_ in self._unrecorded}
            await asyncio.to_thread(self._recover, lambda ids: self.claimer.alive(ids) - {self.claimer.id}, waiting)
        except BaseException:
            self.claimer.leave()
            raise
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def _recover(self, alive: Callable[[set[str]], set[str]], spare: set[int] = frozenset()) -> None:
        """Report the rows whose claimer is gone as interrupted (uncertain), once; runs in a worker thread."""
        self._recovered_at = self._loop.time()
        with self.services.store.session() as s:
            interrupted = outbox.recover_abandoned(s, alive, texts.INTERRUPTED, spare=spare)
        for row in interrupted:
            log.warning("row=%s kind=%s was being sent by %s, which is gone: uncertain, not resent",
                        row.id, row.kind, row.claimed_by or "an older version")
            self._loop.call_soon_threadsafe(self._notify, row)

    async def stop(self) -> None:
        """Stop taking rows; let the messages already handed to a platform finish and be recorded."""
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        if self._task is None:
            return
        self.wake()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), self.stop_timeout)
        except asyncio.TimeoutError:
            log.warning("sender did not stop within %ss; cancelling %d send(s) in flight",
                        self.stop_timeout, len(self._inflight))
            self._task.cancel()
            for task in list(self._inflight):
                task.cancel()
            await asyncio.gather(self._task, *self._inflight, return_exceptions=True)
        self._task = None
        self.claimer.leave()

    async def drain_once(self) -> int:
        """Send every row due now (waiting for per-chat spacing), return how many were delivered."""
        self._bind()
        if self._task is not None:
            return await self._drain()
        # not running in the background: this call is the sender
        self._stopping = False
        self._stop_event.clear()
        self.claimer.enter()
        try:
            return await self._drain()
        finally:
            self.claimer.leave()

    # ---- the loop -----------------------------------------------------------------------
    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._wake = asyncio.Event()
            self._slots = asyncio.Semaphore(self._max_in_flight)
            self._lock = asyncio.Lock()
            self._stop_event = asyncio.Event()
            if self._stopping:
                self._stop_event.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if self._loop.time() - self._recovered_at >= self.recover_seconds:
                    await asyncio.to_thread(self._recover, self.claimer.alive)  # another process may have died
                await self._drain()
            except Exception:  # the database was busy, a guard broke…: log, wait, try again
                log.exception("outbox drain failed")
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), self._idle_seconds())
            except asyncio.TimeoutError:
                pass

    def _idle_seconds(self) -> float:
        """Until the next row falls due or may be retried, at most ``poll_seconds``."""
        clock = self.services.clock
        now, real = clock.now(), clock.real_now()
        wait = self.poll_seconds
        try:
            with self.services.store.session() as s:
                next_due = outbox.next_due_at(s, now)
                next_retry = outbox.next_retry_at(s, now, real)
        except Exception:
            log.exception("could not read the next due time")
            return wait
        if next_due is not None:
            wait = min(wait, (clock.to_real(next_due) - real).total_seconds())
        if next_retry is not None:
            wait = min(wait, (next_retry - real).total_seconds())
        if self._unrecorded:  # results the database refused: try them again soon
            wait = min(wait, 1.0)
        return max(0.05, wait)

    async def _drain(self) -> int:
        async with self._lock:
            sent_before = self.sent
            deferred: set[tuple[str, str]] = set()  # chats that must wait before their next message
            while not self._stopping and self.gate():
                self._retry_unrecorded()
                mono = self._loop.time()
                deferred = {c for c in deferred if self._chat_ready.get(c, 0.0) > mono}
                # reading a batch takes a few queries: in a worker thread, so sends already handed to
                # the network are not held back by it (a held-back burst could cross a rate window)
                rows, persons = await asyncio.to_thread(self._batch, {chat for _, chat in deferred})
                if not rows:
                    if deferred:
                        soonest = min(self._chat_ready.get(c, 0.0) for c in deferred)
                        if soonest == _BUSY and self._inflight:  # wait for a send to those chats to finish
                            await asyncio.wait(list(self._inflight), return_when=asyncio.FIRST_COMPLETED)
                        else:
                            await self._sleep(min(soonest, mono + 1.0) - mono)
                        continue
                    if self._inflight:  # a send may put its row back (moved chat, retry): look again after
                        await asyncio.gather(*list(self._inflight), return_exceptions=True)
                        continue
                    break
                for row in rows:
                    if self._stopping or not self.gate():
                        break
                    await self._dispatch(row, deferred, persons)
                self._prune()
            if self._inflight:
                await asyncio.gather(*list(self._inflight), return_exceptions=True)
            self._retry_unrecorded()
            return self.sent - sent_before

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but return early on stop."""
        if seconds <= 0:
            return
        try:
            await asyncio.wait_for(self._stop_event.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    def _batch(self, busy_chats: set[str]) -> tuple[list[OutgoingMessage], dict[int, Person]]:
        """The next due rows, with what each needs: its person, and whatever the guards ask for."""
        clock = self.services.clock
        with self.services.store.session() as s:
            rows = outbox.due(s, clock.now(), clock.real_now(), limit=self.batch_size, exclude_chats=busy_chats)
        return rows, (self._prepare(rows) if rows else {})

    def _prepare(self, rows: list[OutgoingMessage]) -> dict[int, Person]:
        now = self.services.clock.now()
        for kind in {row.kind for row in rows}:
            for guard in self._guards.get(kind, []):
                prepare = getattr(guard, "prepare", None)
                if prepare is not None:
                    try:
                        prepare([row for row in rows if row.kind == kind], now)
                    except Exception:
                        log.exception("guard preparation failed for kind=%s", kind)
        ids = {row.person_id for row in rows if row.person_id is not None}
        if not ids:
            return {}
        with self.services.store.session() as s:
            return {p.id: p for p in s.exec(select(Person).where(Person.id.in_(ids))).all()}

    async def _dispatch(self, row: OutgoingMessage, deferred: set[tuple[str, str]],
                        persons: dict[int, Person]) -> None:
        """Decide one due row: cancel, record undeliverable, wait for its chat, or send it."""
        now = self.services.clock.now()
        for guard in self._guards.get(row.kind, []):
            try:
                reason = guard(row, now)
            except Exception:
                log.exception("guard failed for row=%s kind=%s; sending anyway", row.id, row.kind)
                reason = None
            if reason:
                await self._finish(row, outbox.CANCELLED, reason)
                return
        person, problem = self._recipient(row, persons)
        if problem:
            await self._finish(row, outbox.UNDELIVERABLE, problem)
            return
        chat_id = person.chat_id if person is not None else row.chat_id
        chat_id = self._moved.get((row.channel, chat_id), chat_id)
        chat = (row.channel, chat_id)
        mono = self._loop.time()
        if self._chat_ready.get(chat, 0.0) > mono:
            deferred.add(chat)
            return
        await self._slots.acquire()
        try:
            pacer = self._pacers[row.channel]
            await self._sleep(pacer.reserve(self._loop.time()))
            while not self._stopping:
                wait = max(pacer.paused_until - self._loop.time(),  # a 429 arrived while we waited
                           pacer.window_wait(self._loop.time()))
                if wait <= 0:
                    break
                await self._sleep(wait)
            if self._stopping or not self.gate():
                self._slots.release()
                return
            with self.services.store.session() as s:
                claimed = outbox.claim(s, row.id, chat_id=chat_id, text=row.text, claimer=self.claimer.id,
                                       at=self.services.clock.real_now())
        except BaseException:
            self._slots.release()
            raise
        if not claimed:  # cancelled or taken meanwhile
            self._slots.release()
            return
        self._chat_ready[chat] = _BUSY  # until this send is answered: see _send
        pacer.started()
        row.status, row.chat_id, row.attempts = outbox.SENDING, chat_id, row.attempts + 1
        task = asyncio.create_task(self._send(row, person), name=f"send-{row.id}")
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        await asyncio.sleep(0)  # let it reach the platform now: claimed-but-unsent rows stay few

    def _recipient(self, row: OutgoingMessage, persons: dict[int, Person]) -> tuple[Person | None, str | None]:
        """The person behind a row (read with its batch), or why it cannot be delivered."""
        if row.person_id is None and not row.chat_id:  # e.g. a unit with no focal point: the reason is on the row
            return None, row.last_error or texts.NO_RECIPIENT
        if row.channel not in self.channels:
            return None, texts.CHANNEL_OFF.format(channel=row.channel or "?")
        person = None
        if row.person_id is not None:
            person = persons.get(row.person_id)
            if person is None:
                return None, texts.NO_PERSON
            if not person.active:  # stored, and set on this batch's copy when a send finds them blocked
                return None, texts.INACTIVE
        if row.document_path and not self._document(row).is_file():
            return None, texts.DOCUMENT_MISSING.format(name=row.document_name or Path(row.document_path).name)
        return person, None

    def _document(self, row: OutgoingMessage) -> Path:
        path = Path(row.document_path)
        files = self.services.files
        if not path.is_absolute() and files is not None:
            path = files.path(row.document_path)
        return path

    async def _send(self, row: OutgoingMessage, person: Person | None) -> None:
        sent_to = row.chat_id  # a moved chat changes row.chat_id below; the limits apply to this one
        try:
            await self._deliver(row, person)
        except Exception:  # a bug, not an outcome: never let the task die unseen
            log.exception("row=%s: sending failed unexpectedly; it stays '%s' and is not resent", row.id, row.status)
        finally:
            # the next message to this chat leaves one interval after the platform answered this one,
            # so network jitter can never bring two of them closer together than the limit
            answered = self._loop.time()
            self._pacers[row.channel].answered(answered)
            self._chat_ready[(row.channel, sent_to)] = answered + self._chat_interval(row.channel, sent_to)
            self._slots.release()

    async def _deliver(self, row: OutgoingMessage, person: Person | None) -> None:
        """One platform call for a claimed row, and its outcome recorded."""
        channel = self.channels[row.channel]
        message = OutMessage(row.text, self._document(row) if row.document_path else None, row.document_name,
                             options=[Option(o["label"], o["choice_id"]) for o in row.options or []],
                             ident=f"row:{row.id}")
        clock = self.services.clock
        try:
            await channel.deliver(row.chat_id, message)
        except asyncio.CancelledError:
            # stopped hard while the platform call was out: it may have arrived
            error = self._write_now(*self._finishing(row, outbox.UNCERTAIN, texts.INTERRUPTED, outbox.SENDING))
            if error is not None:  # it stays 'sending': the next start reports it as interrupted
                log.error("row=%s: could not record the interrupted send", row.id, exc_info=error)
            raise
        except RetryLater as exc:
            after = max(float(exc.after), 0.0)
            self._pacers[row.channel].pause(self._loop.time() + after)
            log.warning("channel=%s asked to wait %ss (row=%s)", row.channel, after, row.id)
            retry_at = clock.real_now() + timedelta(seconds=after)
            await self._record(row, "retry", lambda s: outbox.release(
                s, row.id, next_attempt_at=retry_at, reason=texts.SLOW_DOWN.format(after=after),
                refund_attempt=True))
        except Unreachable:
            if person is not None:
                person.active = False  # the rest of this batch skips them; later batches read the stored flag
                await self._record(row, "inactive person", lambda s: people_store.set_active(s, person.id, False))
            log.info("person=%s unreachable on %s: marked inactive", row.person_id, row.channel)
            await self._finish(row, outbox.UNDELIVERABLE, texts.BLOCKED, expect=outbox.SENDING)
        except ChatMoved as exc:
            old, new = row.chat_id, str(exc.new_chat_id)
            if new == old:
                await self._finish(row, outbox.FAILED, texts.CHAT_MOVED_LOOP, expect=outbox.SENDING)
                return
            self._moved[(row.channel, old)] = new  # later rows of this batch read the old id

            def follow(s: Session) -> None:  # each step is idempotent: safe to write again
                people_store.move_chat(s, row.channel, old, new)
                outbox.move_pending_chat(s, row.channel, old, new)
                outbox.release(s, row.id, next_attempt_at=None, reason=texts.CHAT_MOVED, chat_id=new,
                               refund_attempt=True)

            await self._record(row, "moved chat", follow)
            log.info("chat moved on %s (row=%s): following it", row.channel, row.id)
        except Rejected as exc:
            await self._finish(row, outbox.FAILED, texts.REJECTED.format(reason=exc.reason), expect=outbox.SENDING)
        except Uncertain as exc:
            log.warning("row=%s: no answer from %s after sending (%s): may have arrived; uncertain, not resent",
                        row.id, row.channel, str(exc)[:200])
            await self._finish(row, outbox.UNCERTAIN, texts.UNCERTAIN, expect=outbox.SENDING)
        except Exception as exc:  # nothing reached the platform (could not connect, 5xx): retry with backoff
            error = f"{type(exc).__name__}: {exc}"[:300]
            if row.attempts >= self.max_attempts:
                log.warning("row=%s failed after %d attempts: %s", row.id, row.attempts, type(exc).__name__)
                await self._finish(row, outbox.FAILED, texts.FAILED.format(attempts=row.attempts, error=error),
                                   expect=outbox.SENDING)
            else:
                delay = min(self.backoff_max, self.backoff_base * 2 ** (row.attempts - 1))
                retry_at = clock.real_now() + timedelta(seconds=delay)
                await self._record(row, "retry", lambda s: outbox.release(
                    s, row.id, next_attempt_at=retry_at, reason=texts.TEMPORARY.format(attempt=row.attempts,
                                                                                      error=error)))
        else:
            self.sent += 1  # delivered, whenever the database takes note of it
            when = clock.now()

            def sent(recorded: bool) -> None:
                if recorded:
                    row.status, row.sent_at, row.last_error = outbox.SENT, when, None
                    self._notify(row)

            await self._record(row, "sent", lambda s: outbox.mark_sent(s, row.id, when, claimer=self.claimer.id),
                               sent)

    # ---- outcomes -------------------------------------------------------------------------
    def _finishing(self, row: OutgoingMessage, status: str, reason: str, expect: str) -> tuple[Write, Then]:
        """The write that moves ``row`` to a final state, and the listeners' turn if it did."""
        def then(changed: bool) -> None:
            if changed:
                row.status, row.last_error = status, reason[:500]
                self._notify(row)

        return (lambda s: outbox.finish(s, row.id, status, reason, expect=expect)), then

    async def _finish(self, row: OutgoingMessage, status: str, reason: str, *, expect: str = outbox.PENDING) -> None:
        await self._record(row, status, *self._finishing(row, status, reason, expect))

    async def _record(self, row: OutgoingMessage, what: str, write: Write, then: Then | None = None) -> None:
        """Write a send's result, retrying briefly when the database fails ("database is locked");
        if it still fails, keep it for the next passes (see the module docstring)."""
        for attempt in range(1, self.record_attempts + 1):
            error = self._write_now(write, then)
            if error is None:
                return
            if attempt < self.record_attempts:
                log.warning("row=%s: recording %s failed (%s); trying again", row.id, what, type(error).__name__)
                await asyncio.sleep(self.record_backoff * 2 ** (attempt - 1))
        log.error("row=%s: could not record %s after %d tries; kept in memory to write on the next passes "
                  "(a claimed row is not sent again meanwhile)", row.id, what, self.record_attempts, exc_info=error)
        self._unrecorded.append((row, what, write, then))

    def _write_now(self, write: Write, then: Then | None = None) -> Exception | None:
        """One try at a write (and what follows it); the database's error if it refused."""
        try:
            with self.services.store.session() as s:
                result = write(s)
        except Exception as exc:
            return exc
        if then is not None:
            then(result)
        return None

    def _retry_unrecorded(self) -> None:
        """Write the results the database refused earlier, in order; what fails again waits again."""
        if not self._unrecorded:
            return
        waiting, self._unrecorded = self._unrecorded, []
        for index, (row, what, write, then) in enumerate(waiting):
            error = self._write_now(write, then)
            if error is not None:
                log.warning("%d result(s) still not recorded (%s); trying again later", len(waiting) - index,
                            type(error).__name__)
                self._unrecorded = waiting[index:] + self._unrecorded
                return
            log.info("row=%s: %s recorded after all", row.id, what)

    def _notify(self, row: OutgoingMessage) -> None:
        for fn in self._listeners:
            try:
                fn(row)
            except Exception:
                log.exception("outbox listener failed for row=%s", row.id)

    # ---- limits ---------------------------------------------------------------------------
    def _rate(self, name: str, channel: Channel) -> float:
        own = getattr(channel, "send_per_second", None)
        if own:
            return float(own)
        if name == "zalo":
            return float(self.settings.zalo_send_per_second)
        return float(self.settings.telegram_send_per_second)

    def _chat_interval(self, channel: str, chat_id: str | None) -> float:
        if channel == "telegram" and chat_id and chat_id.startswith("-"):
            return self.group_interval
        return self.private_interval

    def _prune(self) -> None:
        if len(self._chat_ready) > 10_000:
            mono = self._loop.time()
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > mono}
