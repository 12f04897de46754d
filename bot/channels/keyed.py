"""Per-key serialisation for the channels: one lock per key (a person, a document), alive only while used.

Events of one person must run one at a time and in arrival order (their waiting
state and buttons depend on it), while different people run side by side. A
dict of ``asyncio.Lock`` that is never pruned grows with every person ever seen;
pruning the locks that look free (``not lock.locked()``) is wrong: between a
release and the waiting task waking up the lock looks free, and a newcomer would
get a fresh lock and run beside the waiter. So each entry counts its holder and
waiters, and goes away only when that count drops to zero.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, Hashable


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # the holder plus everyone waiting


class KeyedLocks:
    """``async with locks.hold(key):`` runs the body alone among holders of ``key``, first come first served."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1  # counted before waiting: a waiter keeps the entry alive
        try:
            async with entry.lock:  # asyncio.Lock wakes waiters in FIFO order and lets no newcomer barge
                yield
        finally:
            entry.users -= 1
            if entry.users == 0 and self._entries.get(key) is entry:
                del self._entries[key]

    def busy(self, key: Hashable) -> bool:
        """Someone holds or waits for ``key``."""
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry (shutdown); holders still release the lock they have."""
        self._entries.clear()


class LendableSlots:
    """A bound on how many tasks work at once, whose holder can lend its slot out while it only waits.

    A task that waits on something slow and cheap (a user's 25 MB upload trickling in)
    should not keep everyone else out. ``async with slots.lent():`` gives the slot back
    for the duration of the block, and takes one again before returning; outside a
    ``held()`` block it does nothing. Whether the current task holds a slot is tracked
    per task, so a helper deep in a handler can lend without being told.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._sem: asyncio.Semaphore | None = None  # created in the running loop
        self._holders: set[asyncio.Task] = set()

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.size)
        return self._sem

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        sem = self._semaphore()
        await sem.acquire()
        self._holders.add(task)
        try:
            yield
        finally:
            if task in self._holders:  # not if a lend was cancelled before it took a slot back
                self._holders.discard(task)
                sem.release()

    @asynccontextmanager
    async def lent(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task not in self._holders:
            yield
            return
        sem = self._semaphore()
        self._holders.discard(task)
        sem.release()
        try:
            yield
        finally:
            await sem.acquire()  # cancelled here: no slot taken, and ``held`` will not release one
            self._holders.add(task)

    @property
    def in_use(self) -> int:
        return len(self._holders)
