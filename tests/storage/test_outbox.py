"""The outbox queries on SQLite and PostgreSQL: every state change is conditional, keys are unique."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from storage import outbox
from storage.models import OutgoingMessage, Person

T0 = datetime(2020, 9, 29, 1, 0, tzinfo=timezone.utc)  # 08:00 in Kiên Giang


def _person(s, ext="a") -> Person:
    p = Person(channel="telegram", external_id=ext, chat_id=ext)
    s.add(p)
    s.commit()
    return p


def _row(key: str, due=T0, **kw) -> dict:
    return {"key": key, "kind": "reminder", "text": key, "due_at": due, "person_id": None, "channel": "telegram",
            "chat_id": kw.pop("chat_id", "1"), "unit_code": None, "deliverable_id": None, "last_error": None, **kw}


def _ids(session) -> dict[str, int]:
    return {r.key: r.id for r in session.exec(select(OutgoingMessage)).all()}


def test_enqueue_many_skips_existing_keys_in_bulk(any_store):
    with any_store.session() as s:
        assert outbox.enqueue_many(s, [_row(f"k{i}") for i in range(1200)]) == 1200
        assert outbox.enqueue_many(s, [_row(f"k{i}") for i in range(1195, 1205)]) == 5
        assert outbox.enqueue(s, key="k0", kind="notice", text="x", due_at=T0) is False
        assert len(s.exec(select(OutgoingMessage)).all()) == 1205
        row = s.exec(select(OutgoingMessage).where(OutgoingMessage.key == "k3")).one()
        assert row.status == "pending" and row.attempts == 0 and row.due_at == T0


def test_claim_is_won_once_and_final_states_are_conditional(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("a"), _row("b")])
        a, b = _ids(s)["a"], _ids(s)["b"]
        assert outbox.claim(s, a, chat_id="99", text="new text")
        assert not outbox.claim(s, a)  # a second claimant loses
        assert not outbox.finish(s, a, "cancelled", "late cancel")  # the planner cannot cancel a row in flight
        assert outbox.mark_sent(s, a, T0)
        assert not outbox.mark_sent(s, a, T0)
        row = s.get(OutgoingMessage, a)
        s.refresh(row)
        assert (row.status, row.attempts, row.chat_id, row.text) == ("sent", 1, "99", "new text")
        assert not outbox.mark_sent(s, b, T0)  # never claimed: cannot be "sent"
        assert outbox.cancel(s, {a: "x", b: "no longer planned"}) == 1
        s.refresh(s.get(OutgoingMessage, b))
        assert s.get(OutgoingMessage, b).status == "cancelled" and s.get(OutgoingMessage, b).last_error == "no longer planned"


def test_release_puts_a_row_back_with_its_wait_and_can_refund_the_attempt(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("a")])
        a = _ids(s)["a"]
        outbox.claim(s, a)
        assert outbox.release(s, a, next_attempt_at=T0 + timedelta(seconds=30), reason="429", refund_attempt=True)
        row = s.get(OutgoingMessage, a)
        s.refresh(row)
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, "429")
        assert outbox.due(s, T0, T0) == []  # waiting
        assert [r.key for r in outbox.due(s, T0, T0 + timedelta(seconds=30))] == ["a"]
        assert outbox.next_retry_at(s, T0, T0) == T0 + timedelta(seconds=30)


def test_due_orders_filters_and_skips_busy_chats(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [
            _row("late", due=T0 + timedelta(minutes=1), chat_id="1"),
            _row("first", due=T0 - timedelta(hours=1), chat_id="2"),
            _row("second", due=T0, chat_id="1"),
            _row("future", due=T0 + timedelta(days=1), chat_id="3"),
            _row("nochat", due=T0, chat_id=None),
        ])
        assert [r.key for r in outbox.due(s, T0, T0)] == ["first", "second", "nochat"]
        assert [r.key for r in outbox.due(s, T0, T0, exclude_chats={"2"})] == ["second", "nochat"]
        assert [r.key for r in outbox.due(s, T0, T0, limit=1)] == ["first"]
        assert outbox.next_due_at(s, T0) == T0 + timedelta(minutes=1)
        assert outbox.future_due_times(s, T0) == [T0 + timedelta(minutes=1), T0 + timedelta(days=1)]


def test_only_claims_of_a_gone_claimer_are_recovered_as_uncertain(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("old"), _row("dead"), _row("live"), _row("spared"), _row("waiting")])
        ids = _ids(s)
        outbox.claim(s, ids["old"])  # an older version named no claimer
        outbox.claim(s, ids["dead"], claimer="host:1:dead", at=T0)
        outbox.claim(s, ids["live"], claimer="host:2:live", at=T0)
        outbox.claim(s, ids["spared"], claimer="host:1:dead", at=T0)
        assert outbox.sending_claimers(s) == {None, "host:1:dead", "host:2:live"}
        asked = []

        def alive(claimers):
            asked.append(set(claimers))
            return {"host:2:live"} & claimers

        recovered = outbox.recover_abandoned(s, alive, "interrupted", spare=[ids["spared"]])
        assert sorted(r.key for r in recovered) == ["dead", "old"] and asked == [{"host:1:dead", "host:2:live"}]
        s.expire_all()
        got = {r.key: (r.status, r.last_error) for r in s.exec(select(OutgoingMessage)).all()}
        assert got == {"old": ("uncertain", "interrupted"), "dead": ("uncertain", "interrupted"),
                       "live": ("sending", None), "spared": ("sending", None), "waiting": ("pending", None)}
        assert outbox.recover_abandoned(s, alive, "interrupted", spare=[ids["spared"]]) == []


def test_a_claim_names_its_claimer_and_only_it_may_still_record_an_uncertain_row_as_sent(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("a")])
        row_id = _ids(s)["a"]
        assert outbox.claim(s, row_id, claimer="me", at=T0)
        assert not outbox.claim(s, row_id, claimer="other", at=T0)  # taken
        s.expire_all()
        row = s.get(OutgoingMessage, row_id)
        assert (row.claimed_by, row.claimed_at, row.attempts) == ("me", T0, 1)
        assert outbox.finish(s, row_id, "uncertain", "no answer", expect="sending")
        assert not outbox.mark_sent(s, row_id, T0, claimer="other")
        assert outbox.mark_sent(s, row_id, T0, claimer="me")  # its answer came after all
        s.expire_all()
        assert s.get(OutgoingMessage, row_id).status == "sent"


def test_moved_chat_moves_pending_rows_only(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("a", chat_id="-1"), _row("b", chat_id="-1"), _row("c", chat_id="-1")])
        ids = _ids(s)
        outbox.claim(s, ids["a"])
        outbox.finish(s, ids["c"], "undeliverable", "x")
        assert outbox.move_pending_chat(s, "telegram", "-1", "-2") == 1
        s.expire_all()
        assert {r.key: r.chat_id for r in s.exec(select(OutgoingMessage)).all()} == {"a": "-1", "b": "-2", "c": "-1"}


def test_prefix_queries_escape_like_wildcards(any_store):
    with any_store.session() as s:
        outbox.enqueue_many(s, [_row("reminder:a_b:1"), _row("reminder:axb:1"), _row("broadcast:1:2")])
        assert [r.key for r in outbox.with_prefix(s, "reminder:a_b:")] == ["reminder:a_b:1"]
        assert {r.key for r in outbox.with_prefix(s, "reminder:")} == {"reminder:a_b:1", "reminder:axb:1"}
