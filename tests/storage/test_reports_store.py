"""The report queries on SQLite and PostgreSQL: versions, first arrival, focal points."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from messages.plan_loader import load_plan_cached
from storage import people, reports
from storage import units as unit_store
from storage.models import Person, Submission

T0 = datetime(2020, 9, 10, 3, 0, tzinfo=timezone.utc)


def _sub(s: Session, receipt: str, unit: str, at: datetime, on_time: bool, name: str) -> Submission:
    row = Submission(receipt_no=receipt, unit_code=unit, deliverable_id="bao-cao-tu-kiem-tra", channel="telegram",
                     original_name=name, stored_path=f"x/{receipt}.pdf", sha256=receipt.ljust(64, "0"), size=10,
                     detected_type="pdf", received_at=at, on_time=on_time)
    s.add(row)
    s.commit()
    return row


def test_received_keeps_the_current_version_and_the_first_arrival(any_store):
    with any_store.session() as s:
        unit_store.sync_plan(s, load_plan_cached(None))
        v1 = _sub(s, "A1", "so-y-te", T0, True, "v1.pdf")
        v2 = _sub(s, "A2", "so-y-te", T0 + timedelta(days=30), False, "v2.pdf")
        v1.superseded_by = v2.id
        s.add(v1)
        s.commit()
        _sub(s, "B1", "so-tu-phap", T0 + timedelta(days=1), False, "tp.pdf")
        got = reports.received(s)
    assert set(got) == {("so-y-te", "bao-cao-tu-kiem-tra"), ("so-tu-phap", "bao-cao-tu-kiem-tra")}
    yt = got[("so-y-te", "bao-cao-tu-kiem-tra")]
    assert (yt.receipt_no, yt.original_name, yt.versions) == ("A2", "v2.pdf", 2)
    assert yt.first_received_at == T0 and yt.received_at == T0 + timedelta(days=30)
    assert got[("so-tu-phap", "bao-cao-tu-kiem-tra")].first_received_at == T0 + timedelta(days=1)
    with any_store.session() as s:
        assert set(reports.received(s, "so-y-te")) == {("so-y-te", "bao-cao-tu-kiem-tra")}


def test_focal_counts(any_store):
    with any_store.session() as s:
        unit_store.sync_plan(s, load_plan_cached(None))
        s.add_all([
            Person(channel="telegram", external_id="1", chat_id="1", unit_code="so-y-te", role="focal"),
            Person(channel="zalo", external_id="2", chat_id="2", unit_code="so-y-te", role="focal"),
            Person(channel="telegram", external_id="3", chat_id="3", unit_code="so-y-te", role="focal", active=False),
            Person(channel="telegram", external_id="4", chat_id="4", unit_code="so-tu-phap", role="focal"),
            Person(channel="telegram", external_id="5", chat_id="5", role="guest"),
            Person(channel="console", external_id="6", chat_id="6", unit_code="so-tu-phap", role="focal"),
        ])
        s.commit()
        # active, on a channel the bot can write to: the same rule as reminders and broadcasts
        assert people.focal_counts(s) == {"so-y-te": 2, "so-tu-phap": 1}
