"""Submission rows on SQLite and PostgreSQL: receipts, duplicates, versions and the queries others use."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from storage import submissions as subs
from storage import units as unit_store
from storage.models import Submission

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2020, 9, 1, 9, 0, tzinfo=TZ)
D = "bao-cao-tu-kiem-tra"


@pytest.fixture
def db(any_store, plan):
    with any_store.session() as s:
        unit_store.sync_plan(s, plan)
    return any_store


def new(unit="so-y-te", deliverable=D, sha="a" * 64, at=T0, on_time=True, name="bc.pdf") -> subs.NewFile:
    return subs.NewFile(unit_code=unit, deliverable_id=deliverable, person_id=None, channel="telegram",
                        original_name=name, stored_path=f"{sha[:2]}/{sha[2:4]}/{sha}.pdf", sha256=sha, size=100,
                        detected_type="pdf", received_at=at, on_time=on_time)


def versions(s, unit: str = "so-y-te", deliverable: str = D) -> list[Submission]:
    """Every row of a unit's deliverable, newest first."""
    return list(s.exec(select(Submission).where(Submission.unit_code == unit, Submission.deliverable_id == deliverable)
                       .order_by(Submission.id.desc())).all())


def record(db, item: subs.NewFile, **kw) -> subs.Outcome:
    with db.session() as s:
        return subs.record(s, item, receipt_prefix="KG", receipt_year=2020, **kw)


def test_receipts_are_numbered_from_the_row_id(db):
    first = record(db, new()).created
    second = record(db, new(unit="so-tu-phap", sha="b" * 64)).created
    assert first.receipt_no == f"KG-2020-{first.id:06d}" and second.receipt_no == f"KG-2020-{second.id:06d}"
    assert first.receipt_no != second.receipt_no
    assert subs.receipt_number("KG", 2020, 123) == "KG-2020-000123"


def test_same_content_is_a_duplicate_and_a_new_file_supersedes(db):
    outcome = record(db, new())
    first = outcome.created
    assert outcome.first_received_at == T0  # the first version: its own arrival
    again = record(db, new(at=T0 + timedelta(days=1)))
    assert again.created is None and again.duplicate.id == first.id
    second = record(db, new(sha="c" * 64, at=T0 + timedelta(days=2)))
    assert second.replaced.id == first.id and second.created.superseded_by is None
    assert second.first_received_at == T0  # a later version knows when the first arrived
    with db.session() as s:
        assert subs.get(s, first.id).superseded_by == second.created.id
        assert subs.current_for(s, "so-y-te", D).id == second.created.id
        assert [r.id for r in versions(s)] == [second.created.id, first.id]
    # the first content again: recognised as the old version, current unchanged
    old = record(db, new())
    assert old.duplicate.id == first.id and old.current.id == second.created.id and old.created is None
    # …unless the person re-instates it: a new row, same file
    restored = record(db, new(), allow_same_content=True)
    assert restored.created.sha256 == "a" * 64 and restored.replaced.id == second.created.id


def test_uncommitted_record_leaves_nothing_when_rolled_back(db):
    with db.session() as s:
        out = subs.record(s, new(), receipt_prefix="KG", receipt_year=2020, commit=False)
        assert out.created.id is not None
        s.rollback()
    with db.session() as s:
        assert versions(s) == [] and subs.references(s, new().stored_path) == 0


def test_queries_for_reminders_overview_and_export(db):
    record(db, new())
    record(db, new(sha="d" * 64, at=T0 + timedelta(hours=1)))
    record(db, new(unit="so-tu-phap", sha="d" * 64, on_time=False))
    record(db, new(unit="so-tai-chinh", deliverable="bao-cao-doan-kiem-tra", sha="e" * 64))
    with db.session() as s:
        assert subs.has_submitted(s, "so-y-te", D) and not subs.has_submitted(s, "so-xay-dung", D)
        assert subs.submitted_units(s, D) == {"so-y-te", "so-tu-phap"}
        assert subs.first_received_at(s, "so-y-te", D) == T0
        assert subs.first_received_at(s, "so-xay-dung", D) is None
        assert subs.references(s, new(sha="d" * 64).stored_path) == 2
        received = subs.current_for(s, "so-y-te", D).received_at
        assert received == T0 + timedelta(hours=1) and received.tzinfo is not None


def test_two_files_at_once_on_postgres_leave_one_current_version(pg_url, plan):
    """The unit row lock: the second writer waits, then supersedes the first."""
    import threading

    from support import make_store

    store = make_store(pg_url)
    try:
        with store.session() as s:
            unit_store.sync_plan(s, plan)
        outcomes = []
        with store.session() as first:
            outcomes.append(subs.record(first, new(sha="1" * 64), receipt_prefix="KG", receipt_year=2020,
                                        commit=False))
            worker = threading.Thread(target=lambda: outcomes.append(record(store, new(sha="2" * 64))))
            worker.start()
            worker.join(timeout=1.0)
            assert worker.is_alive()  # blocked on the lock while the first is uncommitted
            first.commit()
        worker.join(timeout=10)
        second = outcomes[1]
        assert second.replaced is not None and second.replaced.id == outcomes[0].created.id
        with store.session() as s:
            assert [r.sha256 for r in versions(s) if r.superseded_by is None] == ["2" * 64]
    finally:
        store.dispose()


def _plans(store, call) -> list[str]:
    """SQLite's query plan of every statement ``call`` runs."""
    import sqlalchemy as sa

    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.session() as s:
            call(s)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    plans = []
    with store.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append(" | ".join(r[-1] for r in rows))
    return plans


def test_submitted_units_is_answered_from_an_index(store, plan):
    """Planning after each intake asked a DISTINCT over every submission: it now reads an index."""
    with store.session() as s:
        unit_store.sync_plan(s, plan)
    record(store, new())
    record(store, new(unit="so-tu-phap", sha="d" * 64))
    [every] = _plans(store, lambda s: subs.submitted_units(s, D))
    assert "COVERING INDEX ix_submission_deliverable_unit" in every and "TEMP B-TREE" not in every, every
    [few] = _plans(store, lambda s: subs.submitted_units(s, D, ["so-y-te", "so-xay-dung"]))
    assert "INDEX" in few and "SCAN submission" not in few, few
    with store.session() as s:
        assert subs.submitted_units(s, D, ["so-y-te", "so-xay-dung"]) == {"so-y-te"}
