"""``document_text.read_text`` in a child process: hard limits, and the GIL left to the conversation.

Measured (bench/bench_document_text.py): pypdf is pure Python, so reading in a worker thread
holds the GIL in 5 ms slices, and the event loop, which needs it back after every network wait,
answered a burst of other people's questions 2-4x slower while a 20 MB PDF was read. In a child
process the bot keeps its GIL, and the budget becomes a hard one: the child is killed when its
time is up, cannot map more than ``Budget.memory_bytes`` beyond its start (a decompression bomb
gets a MemoryError, not the server's memory), and runs at a lower CPU priority than the bot.

Children are forked from a small server process started once (``forkserver``: never a fork of
the bot's own threads) with the readers already imported, so each file costs a fork and ~0.1 s
of the child's CPU, not an interpreter start. The caller waits for the child in a worker thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from pathlib import Path

from storage.document_text import NOT_READ, Budget, DocumentText, read_text, without_reading

log = logging.getLogger("agency_bot.document_text")

KILL_GRACE_S = 2.0  # beyond the budget's seconds (checked between pages) before the child is killed
NICENESS = 10  # the reading yields the CPU to the conversation (and to everything else) when both want it
# imported once by the server, not by every child; "__main__" too, or each child would import the
# program's main module again (multiprocessing does that for a main run from a path)
PRELOAD = ["__main__", "storage.isolated_read", "pypdf", "lxml.etree", "openpyxl", "xlrd", "olefile", "storage.word97"]

_context = None


def _mp():
    """One multiprocessing context for the process: ``forkserver`` where there is one (POSIX)."""
    global _context
    if _context is None:
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def read_isolated(path: Path | str, kind: str, budget: Budget = Budget()) -> DocumentText:
    """``read_text`` in a child process; blocks the calling thread until it answers or is killed."""
    if (known := without_reading(kind)) is not None:
        return known  # nothing to open: no process
    context = _mp()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, str(path), kind, budget), daemon=True,
                            name="document-text")
    child.start()
    sending.close()
    try:
        if receiving.poll(budget.seconds + KILL_GRACE_S):
            return receiving.recv()
        log.warning("reading %s took longer than %.0f s; stopped", Path(path).name, budget.seconds)
        return DocumentText(NOT_READ, reason="timeout")
    except EOFError:  # the child died without answering: killed by the system or out of memory
        log.warning("reading %s ended without an answer (exit code %s)", Path(path).name, child.exitcode)
        return DocumentText(NOT_READ, reason="too-large")
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiving.close()


def _child(sending, path: str, kind: str, budget: Budget) -> None:
    _limit_memory(budget.memory_bytes)
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # no nice() here
        pass
    try:
        sending.send(read_text(path, kind, budget))
    finally:
        sending.close()


def _limit_memory(extra: int) -> None:
    """The child may map ``extra`` bytes beyond what it holds at start (the interpreter and readers,
    whose size differs between machines)."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            held = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (held + extra, held + extra))
    except (ImportError, ValueError, OSError):  # not on this platform: the budget's other limits remain
        pass
