"""When the database refuses to record what happened to a send ("database is locked"):
the result is written after all, listeners hear it, nothing is sent twice, nothing dies unseen."""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3

import pytest
import sqlalchemy as sa

from bot.delivery import Rejected, Unreachable
from storage import outbox
from test_sender_fakes import FakeChannel, add_row, make_sender, person, rows, statuses


def locked() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("UPDATE outgoing_message ...", {}, sqlite3.OperationalError("database is locked"))


def flaky(monkeypatch, name: str, failures: float = math.inf) -> dict:
    """Make ``outbox.<name>`` fail ``failures`` times; setting ``["left"] = 0`` on the result mends it."""
    real = getattr(outbox, name)
    state = {"left": failures}

    def write(*args, **kw):
        if state["left"] > 0:
            state["left"] -= 1
            raise locked()
        return real(*args, **kw)

    monkeypatch.setattr(outbox, name, write)
    return state


async def test_a_result_the_database_refused_once_is_recorded_on_the_retry(services, monkeypatch, caplog):
    ch = FakeChannel()
    add_row(services, "n:1", person(services, "a"))
    flaky(monkeypatch, "mark_sent", 1)
    heard = []
    sender = make_sender(services, ch, record_backoff=0.01)
    sender.add_listener(lambda row: heard.append((row.key, row.status)))
    with caplog.at_level(logging.WARNING, logger="agency_bot.sender"):
        assert await sender.drain_once() == 1
    assert statuses(services) == {"n:1": "sent"} and heard == [("n:1", "sent")]
    assert rows(services)["n:1"].sent_at == services.clock.now()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a passing lock is only a warning


async def test_a_database_that_keeps_refusing_is_logged_and_the_sender_goes_on(services, monkeypatch, caplog):
    ch = FakeChannel()
    add_row(services, "n:1", person(services, "a"))
    add_row(services, "n:2", person(services, "b"))
    add_row(services, "n:3", person(services, "c"))
    ch.fail("c", Rejected("bad request"))
    database = flaky(monkeypatch, "mark_sent")
    heard = []
    sender = make_sender(services, ch, record_attempts=3, record_backoff=0.01, max_in_flight=1)
    sender.add_listener(lambda row: heard.append((row.key, row.status)))
    with caplog.at_level(logging.WARNING, logger="agency_bot.sender"):
        assert await sender.drain_once() == 2  # both were delivered
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert len(failures) == 2 and all("database is locked" in str(r.exc_info[1]) for r in failures)
    # the other outcome went on being recorded; the delivered rows stay claimed: never sent again
    assert statuses(services) == {"n:1": "sending", "n:2": "sending", "n:3": "failed"}
    assert heard == [("n:3", "failed")]
    assert await sender.drain_once() == 0 and len(ch.calls) == 3

    database["left"] = 0  # the database is back: the next pass records what was kept
    assert await sender.drain_once() == 0
    assert statuses(services) == {"n:1": "sent", "n:2": "sent", "n:3": "failed"}
    assert sorted(heard) == [("n:1", "sent"), ("n:2", "sent"), ("n:3", "failed")]
    assert ch.to("a") == ["n:1"] and ch.to("b") == ["n:2"]


async def test_the_background_sender_writes_kept_results_without_being_woken(services, monkeypatch):
    ch = FakeChannel()
    add_row(services, "n:1", person(services, "a"))
    database = flaky(monkeypatch, "release")  # a retry that cannot be recorded
    ch.fail("a", ConnectionError("refused"))
    sender = make_sender(services, ch, record_attempts=2, record_backoff=0.01, poll_seconds=30)
    await sender.start()
    try:
        for _ in range(200):
            if ch.calls:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        assert statuses(services) == {"n:1": "sending"}
        database["left"] = 0
        for _ in range(300):  # within about a second, not poll_seconds
            if statuses(services)["n:1"] != "sending":
                break
            await asyncio.sleep(0.01)
    finally:
        await sender.stop()
    row = rows(services)["n:1"]
    assert row.status == "pending" and row.next_attempt_at is not None and "refused" in row.last_error


@pytest.mark.parametrize("outcome", ["undeliverable", "failed"])
async def test_a_final_state_refused_once_still_reaches_the_listeners(services, monkeypatch, outcome):
    ch = FakeChannel()
    ch.fail("a", Unreachable("blocked") if outcome == "undeliverable" else Rejected("bad"))
    add_row(services, "n:1", person(services, "a"))
    flaky(monkeypatch, "finish", 2)
    heard = []
    sender = make_sender(services, ch, record_backoff=0.01)
    sender.add_listener(lambda row: heard.append((row.key, row.status)))
    await sender.drain_once()
    assert statuses(services) == {"n:1": outcome} and heard == [("n:1", outcome)]
