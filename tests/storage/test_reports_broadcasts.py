"""Broadcast rows and their delivery figures on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from messages.plan_loader import load_plan_cached
from storage import broadcasts, conversation, outbox, people
from storage import units as unit_store
from storage.models import Person

NOW = datetime(2020, 9, 1, 2, 0, tzinfo=timezone.utc)


def _people(s):
    rows = [Person(channel="telegram", external_id=str(i), chat_id=str(i), unit_code=code, role=role, active=active)
            for i, (code, role, active) in enumerate([
                ("so-y-te", "focal", True), ("so-y-te", "focal", False), ("so-tu-phap", "focal", True),
                (None, "staff", True), ("so-tai-chinh", "guest", True)])]
    s.add_all(rows)
    s.commit()
    return rows


def test_reachable_focal_points_and_figures(any_store):
    with any_store.session() as s:
        unit_store.sync_plan(s, load_plan_cached(None))
        yt_a, yt_b, tp, staff, _ = _people(s)
        s.add(Person(channel="console", external_id="c", chat_id="c", unit_code="so-y-te", role="focal"))
        s.commit()
        found = people.reachable_focal_points(s, ["so-y-te", "so-tu-phap", "so-tai-chinh"], active_only=False)
        assert [p.id for p in found["so-y-te"]] == [yt_a.id, yt_b.id]  # not the terminal session
        assert [p.id for p in found["so-tu-phap"]] == [tp.id] and found["so-tai-chinh"] == []
        active = people.reachable_focal_points(s, ["so-y-te"])
        assert [p.id for p in active["so-y-te"]] == [yt_a.id]
        assert set(people.reachable_focal_points(s)) == {"so-y-te", "so-tu-phap"}

        row = broadcasts.create(s, created_by=staff.id, audience={"kind": "all"}, label="Tất cả", text="x",
                                document_path=None, document_name=None, now=NOW)
        base = dict(kind="broadcast", text="x", due_at=NOW, broadcast_id=row.id, channel="telegram",
                    document_path=None, document_name=None)
        outbox.enqueue_many(s, [
            dict(key=f"b:{row.id}:1", person_id=yt_a.id, chat_id="0", status="sent", last_error=None, **base),
            dict(key=f"b:{row.id}:2", person_id=yt_b.id, chat_id="1", status="undeliverable",
                 last_error="inactive", **base),
            dict(key=f"b:{row.id}:3", person_id=tp.id, chat_id="2", status="failed", last_error="timeout", **base),
            dict(key=f"b:{row.id}:4", person_id=tp.id, chat_id="2", status="failed", last_error="timeout", **base),
            dict(key=f"b:{row.id}:5", person_id=tp.id, chat_id="2", status="pending", last_error=None, **base),
        ])
        fig = broadcasts.figures(s, row.id)
        assert (fig.total, fig.sent, fig.unreachable, fig.failed, fig.open) == (5, 1, 1, 2, 1)
        assert fig.reasons == {"timeout": 2} and not fig.done and fig.finished == 4
        other = broadcasts.create(s, created_by=staff.id, audience={"kind": "all"}, label="Khác", text="y",
                                  document_path=None, document_name=None, now=NOW)
        many = broadcasts.figures_many(s, [row.id, other.id])
        assert many[row.id] == fig and many[other.id].total == 0 and many[other.id].done
        assert broadcasts.sending(s)[0].id == row.id
        assert broadcasts.mark_done(s, row.id, NOW) and not broadcasts.mark_done(s, row.id, NOW)
        s.commit()
        assert broadcasts.get(s, row.id).status == "done" and broadcasts.recent(s)[1].id == row.id


def test_a_draft_is_claimed_once(any_store):
    with any_store.session() as s:
        unit_store.sync_plan(s, load_plan_cached(None))
        staff = _people(s)[3]
        conversation.set_state(s, staff.id, "broadcast_preview", {"token": "t1", "text": "x"})
        assert broadcasts.claim_draft(s, staff.id, "broadcast_preview", "other") is None
        assert broadcasts.claim_draft(s, staff.id, "broadcast_preview", "t1")["text"] == "x"
        s.commit()
        assert broadcasts.claim_draft(s, staff.id, "broadcast_preview", "t1") is None
