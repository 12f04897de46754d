"""Who claims outbox rows, and which claimers still live.

A row in ``sending`` is a message handed to a platform whose answer has not been recorded.
Only its claimer can finish it; a row whose claimer is gone (killed, crashed) is recovered
by another sender as "uncertain". Recovering a row whose claimer is merely busy would report
a delivered message as lost, so liveness must be known, not guessed from the clock:

- in this process: the claimers of the senders running here (a registry kept while they run);
- elsewhere: whatever ``elsewhere`` answers — on PostgreSQL, every ``agency-bot run`` holds an
  advisory lock named after its claimer for as long as its database session lives
  (``bot.leader``), so a killed process's claims are free the moment PostgreSQL drops it.
On SQLite only one process runs per data directory, so "not running here" means gone.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections import Counter
from typing import Callable

_RUNNING: Counter[str] = Counter()  # claimers of the senders running in this process


def new_claimer_id() -> str:
    """Readable in the outbox (host and pid), unique across restarts (a random tail)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Claimer:
    def __init__(self, claimer_id: str | None = None, elsewhere: Callable[[set[str]], set[str]] | None = None):
        self.id = claimer_id or new_claimer_id()
        self.elsewhere = elsewhere

    def enter(self) -> None:
        """A sender using this name started working."""
        _RUNNING[self.id] += 1

    def leave(self) -> None:
        _RUNNING[self.id] -= 1
        if _RUNNING[self.id] <= 0:
            del _RUNNING[self.id]

    def alive(self, ids: set[str]) -> set[str]:
        """The ids among ``ids`` whose claimer is still running (here or, if known, elsewhere)."""
        here = {i for i in ids if _RUNNING.get(i)}
        rest = set(ids) - here
        if rest and self.elsewhere is not None:
            here |= self.elsewhere(rest) & rest
        return here
