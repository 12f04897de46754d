"""The outbox sender: once, in order, within limits; every platform outcome handled."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.delivery import ChatMoved, Rejected, RetryLater, Uncertain, Unreachable
from messages.texts import delivery as reasons
from storage import outbox
from storage.models import Person
from test_sender_fakes import FakeChannel, add_row, later, make_sender, person, rows, statuses


async def test_due_rows_are_sent_once_and_future_ones_wait(services):
    ch = FakeChannel()
    a, b = person(services, "a"), person(services, "b")
    add_row(services, "n:1", a)
    add_row(services, "n:2", b)
    add_row(services, "n:3", a, due_at=later(services, hours=1))
    sender = make_sender(services, ch)
    assert await sender.drain_once() == 2
    assert sorted(ch.accepted) == [("a", "n:1"), ("b", "n:2")]
    assert statuses(services) == {"n:1": "sent", "n:2": "sent", "n:3": "pending"}
    assert rows(services)["n:1"].sent_at == services.clock.now()
    assert await sender.drain_once() == 0  # nothing twice
    services.clock.advance(hours=1)
    assert await sender.drain_once() == 1
    assert ch.to("a") == ["n:1", "n:3"]


async def test_network_errors_are_retried_with_backoff_then_failed(services):
    ch = FakeChannel()
    a = person(services, "a")
    ch.fail("a", *[ConnectionError("reset by peer")] * 3)
    add_row(services, "n:1", a)
    sender = make_sender(services, ch, max_attempts=3, backoff_base=2.0)
    waits = []
    for _ in range(3):
        assert await sender.drain_once() == 0
        row = rows(services)["n:1"]
        if row.status == "pending":
            waits.append((row.next_attempt_at - services.clock.real_now()).total_seconds())
            assert "reset by peer" in row.last_error
            assert await sender.drain_once() == 0  # not before its time
            services.clock.advance(seconds=waits[-1])
    assert waits == [2.0, 4.0]  # exponential
    row = rows(services)["n:1"]
    assert row.status == "failed" and row.attempts == 3
    assert "3" in row.last_error and "ConnectionError" in row.last_error and "reset by peer" in row.last_error
    assert len(ch.calls) == 3 and ch.accepted == []


async def test_a_passing_fault_is_recovered(services):
    ch = FakeChannel()
    a = person(services, "a")
    ch.fail("a", TimeoutError("slow"))
    add_row(services, "n:1", a)
    sender = make_sender(services, ch)
    await sender.drain_once()
    services.clock.advance(seconds=5)
    assert await sender.drain_once() == 1
    row = rows(services)["n:1"]
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None and ch.to("a") == ["n:1"]


async def test_retry_after_pauses_the_channel_and_the_row_waits_as_told(services):
    ch = FakeChannel()
    a, b = person(services, "a"), person(services, "b")
    ch.fail("a", RetryLater(0.3))
    add_row(services, "n:1", a)
    add_row(services, "n:2", b)
    sender = make_sender(services, ch, max_in_flight=1)
    await sender.drain_once()
    row = rows(services)["n:1"]
    assert row.status == "pending" and row.attempts == 0  # a 429 is not a failed attempt
    assert (row.next_attempt_at - services.clock.real_now()).total_seconds() == pytest.approx(0.3)
    assert "0.3" in row.last_error
    # the other chat's message waited for the pause too: Telegram's flood wait is per bot
    (_, t_a), (_, t_b) = ch.calls
    assert t_b - t_a >= 0.29
    services.clock.advance(seconds=1)
    assert await sender.drain_once() == 1
    assert ch.to("a") == ["n:1"] and ch.to("b") == ["n:2"]


async def test_blocked_user_is_marked_inactive_and_skipped(services):
    ch = FakeChannel()
    a, b = person(services, "a"), person(services, "b")
    ch.fail("a", Unreachable("Forbidden: bot was blocked by the user"))
    add_row(services, "n:1", a)
    add_row(services, "n:2", b)
    add_row(services, "n:3", a, due_at=later(services, minutes=1))
    seen = []
    sender = make_sender(services, ch)
    sender.add_listener(lambda row: seen.append((row.key, row.status)))
    await sender.drain_once()
    services.clock.advance(minutes=1)
    await sender.drain_once()
    got = rows(services)
    assert got["n:1"].status == "undeliverable" and got["n:1"].last_error == reasons.BLOCKED
    assert got["n:3"].status == "undeliverable" and got["n:3"].last_error == reasons.INACTIVE
    assert got["n:2"].status == "sent"
    with services.store.session() as s:
        assert s.get(Person, a.id).active is False and s.get(Person, b.id).active is True
    assert len([c for c, _ in ch.calls if c == "a"]) == 1  # never tried again
    assert sorted(seen) == [("n:1", "undeliverable"), ("n:2", "sent"), ("n:3", "undeliverable")]


async def test_a_person_who_unblocks_the_bot_gets_messages_again(services):
    ch = FakeChannel()
    a = person(services, "a")
    ch.fail("a", Unreachable("Forbidden: bot was blocked by the user"))
    add_row(services, "n:1", a)
    add_row(services, "n:2", a)  # same batch: skipped once n:1 found them blocked
    sender = make_sender(services, ch)
    assert await sender.drain_once() == 0
    got = rows(services)
    assert (got["n:1"].status, got["n:1"].last_error) == ("undeliverable", reasons.BLOCKED)
    assert (got["n:2"].status, got["n:2"].last_error) == ("undeliverable", reasons.INACTIVE)
    assert len(ch.calls) == 1
    person(services, "a")  # they unblock the bot and write to it: people.ensure makes them active again
    add_row(services, "n:3", a)
    assert await sender.drain_once() == 1  # the same sender, no restart
    assert ch.to("a") == ["n:3"] and rows(services)["n:3"].status == "sent"


async def test_a_send_that_may_have_arrived_is_uncertain_and_never_resent(services):
    ch = FakeChannel()
    a, b = person(services, "a"), person(services, "b")
    ch.fail("a", Uncertain("ReadTimeout after sending"))
    ch.fail("b", ConnectionError("connection refused"))  # nothing reached the platform: retried
    add_row(services, "n:1", a)
    add_row(services, "n:2", b)
    heard = []
    sender = make_sender(services, ch, max_attempts=5)
    sender.add_listener(lambda row: heard.append((row.key, row.status, row.last_error)))
    assert await sender.drain_once() == 0
    for _ in range(3):  # long after any backoff
        services.clock.advance(hours=1)
        await sender.drain_once()
    got = rows(services)
    assert (got["n:1"].status, got["n:1"].last_error, got["n:1"].attempts) == ("uncertain", reasons.UNCERTAIN, 1)
    assert got["n:2"].status == "sent" and got["n:2"].attempts == 2
    assert [c for c, _ in ch.calls].count("a") == 1 and ch.to("a") == []
    assert ("n:1", "uncertain", reasons.UNCERTAIN) in heard


async def test_migrated_group_is_followed_to_its_new_id(services):
    ch = FakeChannel("telegram")
    group = person(services, "-100", channel="telegram", chat_id="-100")
    ch.fail("-100", ChatMoved("-1009999"))
    add_row(services, "n:1", group)
    add_row(services, "n:2", group, due_at=later(services, minutes=5))
    sender = make_sender(services, ch)
    assert await sender.drain_once() == 1
    assert ch.to("-1009999") == ["n:1"] and ch.to("-100") == []
    with services.store.session() as s:
        assert s.get(Person, group.id).chat_id == "-1009999"
    assert rows(services)["n:2"].chat_id == "-1009999"
    services.clock.advance(minutes=5)
    assert await sender.drain_once() == 1
    assert ch.to("-1009999") == ["n:1", "n:2"]
    assert rows(services)["n:1"].attempts == 1


async def test_rejected_is_failed_without_retry(services):
    ch = FakeChannel("zalo")
    z = person(services, "z1", channel="zalo")
    ch.fail("z1", Rejected("Zalo 12004: ngoài khung 48 giờ"))
    add_row(services, "n:1", z)
    sender = make_sender(services, ch)
    await sender.drain_once()
    services.clock.advance(hours=1)
    await sender.drain_once()
    row = rows(services)["n:1"]
    assert row.status == "failed" and "12004" in row.last_error and len(ch.calls) == 1


async def test_rows_that_cannot_be_delivered_say_why(services):
    ch = FakeChannel()
    gone = person(services, "gone")
    add_row(services, "n:zalo", person(services, "z", channel="zalo"))  # channel not configured
    add_row(services, "n:gone", gone)
    add_row(services, "n:nobody", None, channel="test")
    with services.store.session() as s:
        from storage import people

        people.set_active(s, gone.id, False)
    sender = make_sender(services, ch)
    await sender.drain_once()
    got = rows(services)
    assert got["n:zalo"].status == "undeliverable" and "zalo" in got["n:zalo"].last_error
    assert got["n:gone"].status == "undeliverable" and got["n:gone"].last_error == reasons.INACTIVE
    assert got["n:nobody"].status == "undeliverable" and got["n:nobody"].last_error == reasons.NO_RECIPIENT
    assert ch.calls == []


async def test_guards_cancel_or_reword_a_row_just_before_sending(services):
    ch = FakeChannel()
    a = person(services, "a")
    add_row(services, "r:stale", a, kind="reminder")
    add_row(services, "r:fresh", a, kind="reminder")
    add_row(services, "b:1", a, kind="broadcast")
    sender = make_sender(services, ch)

    def guard(row, now):
        if row.key == "r:stale":
            return "no longer relevant"
        row.text = f"{row.key} as of {now:%H:%M}"
        return None

    sender.add_guard("reminder", guard)
    await sender.drain_once()
    got = rows(services)
    assert got["r:stale"].status == "cancelled" and got["r:stale"].last_error == "no longer relevant"
    assert ch.to("a") == ["r:fresh as of 09:00", "b:1"]
    assert got["r:fresh"].text == "r:fresh as of 09:00"  # what was sent is what is stored


async def test_a_broken_guard_does_not_stop_the_sender(services):
    ch = FakeChannel()
    add_row(services, "r:1", person(services, "a"), kind="reminder")
    sender = make_sender(services, ch)
    sender.add_guard("reminder", lambda row, now: 1 / 0)
    assert await sender.drain_once() == 1


async def test_one_message_per_second_per_private_chat_and_per_three_seconds_per_group(services):
    ch = FakeChannel("telegram")
    a = person(services, "11", channel="telegram")
    g = person(services, "-22", channel="telegram", chat_id="-22")
    for i in range(3):
        add_row(services, f"a:{i}", a)
        add_row(services, f"g:{i}", g)
    sender = make_sender(services, ch, private_interval=0.2, group_interval=0.3)
    assert await sender.drain_once() == 6
    for chat, interval in (("11", 0.2), ("-22", 0.3)):
        times = [t for c, t in ch.calls if c == chat]
        assert len(times) == 3
        assert all(b - a >= interval - 0.01 for a, b in zip(times, times[1:]))
    assert ch.to("11") == ["a:0", "a:1", "a:2"]  # in order


async def test_sends_are_paced_but_run_concurrently(services):
    ch = FakeChannel(delay=0.1, send_per_second=50)
    for i in range(10):
        add_row(services, f"n:{i}", person(services, f"p{i}"))
    sender = make_sender(services, ch)
    assert await sender.drain_once() == 10
    starts = sorted(t for _, t in ch.calls)
    # the channel's rate: k sends span at least (k-1)/50 s (give or take one database commit of jitter)
    assert all(starts[j] - starts[i] >= (j - i) / 50 - 0.02 for i in range(10) for j in range(i + 1, 10))
    assert ch.max_in_flight > 1  # network latency is overlapped, not serialized


async def test_listeners_hear_every_final_state_and_survive_errors(services):
    ch = FakeChannel()
    a = person(services, "a")
    ch.fail("a", Rejected("bad"))
    add_row(services, "n:1", a)
    add_row(services, "n:2", person(services, "b"))
    heard = []
    sender = make_sender(services, ch)
    sender.add_listener(lambda row: 1 / 0)
    sender.add_listener(lambda row: heard.append((row.key, row.status, row.last_error)))
    await sender.drain_once()
    assert sorted(heard) == [("n:1", "failed", reasons.REJECTED.format(reason="bad")), ("n:2", "sent", None)]


async def test_documents_are_attached_and_a_missing_one_is_reported(services, tmp_path):
    ch = FakeChannel()
    got_docs = []
    original = ch.deliver

    async def deliver(chat_id, message):
        got_docs.append((message.document, message.document_name))
        await original(chat_id, message)

    ch.deliver = deliver
    doc = tmp_path / "thong-bao.pdf"
    doc.write_bytes(b"%PDF-1.4")
    a = person(services, "a")
    with services.store.session() as s:
        outbox.enqueue(s, key="d:1", kind="broadcast", text="x", due_at=services.clock.now(), person=a,
                       document_path=str(doc), document_name="Thông báo.pdf")
        outbox.enqueue(s, key="d:2", kind="broadcast", text="x", due_at=services.clock.now(), person=a,
                       document_path=str(tmp_path / "missing.pdf"), document_name="Mất.pdf")
    await make_sender(services, ch).drain_once()
    assert got_docs == [(doc, "Thông báo.pdf")]
    assert rows(services)["d:2"].status == "undeliverable" and "Mất.pdf" in rows(services)["d:2"].last_error


async def test_graceful_restart_mid_drain_loses_and_repeats_nothing(services, store, plan, clock, tmp_path):
    from support import build_test_services, make_store

    ch = FakeChannel(delay=0.01, send_per_second=200)
    people_ = [person(services, f"p{i}") for i in range(40)]
    for i, p in enumerate(people_):
        add_row(services, f"n:{i}", p)
    first = make_sender(services, ch)
    await first.start()
    while len(ch.accepted) < 10:
        await asyncio.sleep(0.005)
    await first.stop()
    done = len(ch.accepted)
    assert 10 <= done < 40
    assert "sending" not in statuses(services).values()  # a graceful stop leaves nothing ambiguous
    # a new process: new store object on the same database file, new services, new sender
    store2 = make_store(store.url)
    services2 = build_test_services(store2, plan, clock, tmp_path)
    second = make_sender(services2, ch)
    await second.start()
    for _ in range(400):
        if len(ch.accepted) >= 40:
            break
        await asyncio.sleep(0.01)
    await second.stop()
    store2.dispose()
    assert sorted(chat for chat, _ in ch.accepted) == sorted(f"p{i}" for i in range(40))  # each exactly once
    assert set(statuses(services).values()) == {"sent"}


async def test_a_send_cut_off_by_a_hard_stop_is_uncertain_not_resent(services):
    ch = FakeChannel()
    ch.hold = True  # the platform never answers
    add_row(services, "n:1", person(services, "a"))
    sender = make_sender(services, ch, stop_timeout=0.2)
    await sender.start()
    while not ch.calls:
        await asyncio.sleep(0.01)
    await sender.stop()
    row = rows(services)["n:1"]
    assert row.status == "uncertain" and row.last_error == reasons.INTERRUPTED
    ch.hold = False
    assert await make_sender(services, ch).drain_once() == 0


async def test_rows_left_sending_by_a_dead_process_are_not_resent(services):
    a = person(services, "a")
    add_row(services, "n:1", a)
    add_row(services, "n:2", a)
    with services.store.session() as s:
        row_id = rows(services)["n:1"].id
        assert outbox.claim(s, row_id)  # claimed, then the process died
    ch = FakeChannel()
    heard = []
    sender = make_sender(services, ch)
    sender.add_listener(lambda row: heard.append((row.key, row.status)))
    await sender.start()
    for _ in range(200):
        if ch.accepted:
            break
        await asyncio.sleep(0.01)
    await sender.stop()
    assert ch.accepted == [("a", "n:2")]
    assert rows(services)["n:1"].status == "uncertain" and rows(services)["n:1"].last_error == reasons.INTERRUPTED
    assert ("n:1", "uncertain") in heard


async def test_a_second_sender_started_mid_drain_leaves_the_first_ones_sends_alone(services):
    """A rolling deploy: the new process's sender starts while the old one has messages in flight.
    Those are not "interrupted" — the old sender records them sent when the platform answers."""
    ch = FakeChannel()
    ch.hold = True  # the platform is slow to answer
    for i in range(3):
        add_row(services, f"n:{i}", person(services, f"p{i}"))
    first = make_sender(services, ch)
    await first.start()
    while len(ch.calls) < 3:
        await asyncio.sleep(0.01)
    assert set(statuses(services).values()) == {"sending"}
    heard = []
    second = make_sender(services, FakeChannel())
    second.add_listener(lambda row: heard.append((row.key, row.status)))
    await second.start()
    await asyncio.sleep(0.1)
    assert set(statuses(services).values()) == {"sending"} and heard == []
    ch.hang.set()  # the platform answers: the first sender records its own rows
    for _ in range(200):
        if set(statuses(services).values()) == {"sent"}:
            break
        await asyncio.sleep(0.01)
    await first.stop()
    await second.stop()
    assert set(statuses(services).values()) == {"sent"} and sorted(c for c, _ in ch.accepted) == ["p0", "p1", "p2"]
    assert {r.claimed_by for r in rows(services).values()} == {first.claimer.id}


async def test_wake_from_another_thread_and_own_timer(services):
    ch = FakeChannel()
    a = person(services, "a")
    sender = make_sender(services, ch, poll_seconds=30)
    await sender.start()
    await asyncio.sleep(0.05)
    add_row(services, "n:1", a)
    threading.Thread(target=sender.wake).start()
    for _ in range(200):
        if ch.accepted:
            break
        await asyncio.sleep(0.01)
    await sender.stop()
    assert ch.accepted == [("a", "n:1")]


async def test_a_cancelled_row_is_never_sent(services):
    ch = FakeChannel()
    add_row(services, "n:1", person(services, "a"))
    with services.store.session() as s:
        assert outbox.cancel(s, {rows(services)["n:1"].id: "staff cancelled"}) == 1
    assert await make_sender(services, ch).drain_once() == 0
    assert ch.calls == []


async def test_two_senders_on_one_database_never_send_a_row_twice(services):
    ch = FakeChannel(delay=0.005)
    for i in range(30):
        add_row(services, f"n:{i}", person(services, f"p{i}"))
    one, two = make_sender(services, ch), make_sender(services, ch)
    await asyncio.gather(one.drain_once(), two.drain_once())
    assert sorted(c for c, _ in ch.accepted) == sorted(f"p{i}" for i in range(30))


async def test_backoff_is_capped(services):
    ch = FakeChannel()
    a = person(services, "a")
    ch.fail("a", *[OSError("down")] * 4)
    add_row(services, "n:1", a)
    sender = make_sender(services, ch, max_attempts=10, backoff_base=4.0, backoff_max=10.0)
    waits = []
    for _ in range(4):
        await sender.drain_once()
        row = rows(services)["n:1"]
        waits.append((row.next_attempt_at - services.clock.real_now()).total_seconds())
        services.clock.advance(seconds=waits[-1])
    assert waits == [4.0, 8.0, 10.0, 10.0]
    assert await sender.drain_once() == 1


async def test_a_queued_reply_keeps_its_buttons(services):
    """A reply that could not go at once (a 429) is sent later from the outbox, buttons included."""
    from bot.channels.base import queue_replies
    from handlers.types import Option, Reply

    ch = FakeChannel()
    queue_replies(services, "test", "a", [Reply("Chọn đơn vị:", options=[Option("Sở Y tế", "c1"),
                                                                           Option("Sở Tư pháp", "c2")])], "u1")
    sender = make_sender(services, ch)
    assert await sender.drain_once() == 1
    [message] = ch.messages
    assert message.text == "Chọn đơn vị:" and [(o.label, o.choice_id) for o in message.options] == [
        ("Sở Y tế", "c1"), ("Sở Tư pháp", "c2")]
