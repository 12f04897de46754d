"""One leader among the processes sharing a PostgreSQL database: who leads, who takes over, and a
leader that loses its database session stops sending at once (in one process: two leaderships,
each with its own connections, stand for two processes)."""

from __future__ import annotations

import asyncio

import psycopg
from support import build_test_services, make_store, until
from test_sender_fakes import FakeChannel, add_row, make_sender, person

from bot.claimers import Claimer
from bot.leader import PgLeadership


def end_session(pg_url: str, leadership: PgLeadership) -> None:
    """What a network fault or an administrator does to a process's database session."""
    raw = pg_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (leadership._conn.info.backend_pid,))


async def test_one_leads_the_other_takes_over_when_its_session_ends(pg_url):
    stores = [make_store(pg_url), make_store(pg_url)]
    duties: list[tuple[str, str]] = []

    def duty(name: str, what: str):
        async def run() -> None:
            duties.append((name, what))
        return run

    a, b = (PgLeadership(store, poll_seconds=0.2) for store in stores)
    await a.start(duty("a", "lead"), duty("a", "follow"))
    await until(lambda: a.leading)
    await b.start(duty("b", "lead"), duty("b", "follow"))
    await until(lambda: b.role == "follower")
    assert not b.leading and duties == [("a", "lead")]
    # each process's claims are known alive for as long as its session lives
    assert a.alive_elsewhere({a.instance, b.instance, "elsewhere:1:gone"}) == {a.instance, b.instance}

    end_session(pg_url, a)
    stepped_down = await until(lambda: not a.leading, timeout=5)
    took_over = await until(lambda: b.leading, timeout=5)
    await until(lambda: ("b", "lead") in duties and ("a", "follow") in duties)
    assert stepped_down < 2.0 and took_over < 5.0
    assert b.alive_elsewhere({b.instance}) == {b.instance}
    await until(lambda: a.role == "follower" and a._conn is not None)  # a reconnects and queues again
    assert not a.leading

    await b.stop()  # a graceful stop hands over at once
    await until(lambda: a.leading, timeout=5)
    assert duties[-2:] == [("b", "follow"), ("a", "lead")]
    assert a.alive_elsewhere({b.instance}) == set()  # b's session is gone, and with it its claims
    await a.stop()
    for store in stores:
        store.dispose()


async def test_a_leader_that_loses_its_session_stops_claiming_at_once(pg_url, plan, clock, tmp_path):
    store = make_store(pg_url)
    services = build_test_services(store, plan, clock, tmp_path)
    for i in range(120):
        add_row(services, f"n:{i}", person(services, f"p{i}"))
    leadership = PgLeadership(store, poll_seconds=0.1)
    ch = FakeChannel(send_per_second=60)
    sender = make_sender(services, ch, gate=lambda: leadership.leading,
                         claimer=Claimer(leadership.instance, leadership.alive_elsewhere))
    lost_at: list[float] = []

    async def follow() -> None:
        await sender.stop()

    await leadership.start(sender.start, follow)
    await until(lambda: len(ch.accepted) >= 20)
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as other:
        end_session(pg_url, leadership)
        # another process takes the leader lock as soon as PostgreSQL frees it
        await asyncio.to_thread(other.execute, "SELECT pg_advisory_lock(%s)", (leadership.leader_key,))
        await until(lambda: not leadership.leading, timeout=3)
        lost_at.append(asyncio.get_running_loop().time())
        await asyncio.sleep(0.5)
        assert not leadership.leading
    started_after = [t for _, t in ch.calls if t > lost_at[0] + 0.02]  # a send already claimed may still go out
    assert started_after == [] and len(ch.calls) < 120
    await leadership.stop()
    store.dispose()


async def test_only_the_leader_polls_telegram_and_the_next_one_takes_over_polling(pg_url, tmp_path):
    """Telegram answers a second poller with 409: in polling mode only the leading process polls."""
    import sys
    from pathlib import Path

    sys.path.append(str(Path(__file__).parents[1] / "channels"))
    from fakes.telegram_api import FakeBotApi, text_update
    from telegram_env import tg_settings

    from bot.app import Runtime

    async with FakeBotApi() as fake:
        runtimes = [Runtime.build(tg_settings(fake, tmp_path / f"r{n}", http_port=0, database_url=pg_url))
                    for n in range(2)]
        for runtime in runtimes:
            runtime.leadership.poll_seconds = 0.2
            await runtime.start()
        try:
            await until(lambda: sum(r.leadership.leading for r in runtimes) == 1
                        and sum(r.leadership.role == "follower" for r in runtimes) == 1)
            leader, follower = sorted(runtimes, key=lambda r: not r.leadership.leading)
            polling = [r.channels["telegram"].app.updater.running for r in (leader, follower)]
            await until(lambda: leader.channels["telegram"].app.updater.running)
            assert not follower.channels["telegram"].app.updater.running, polling
            await leader.stop()
            await until(lambda: follower.leadership.leading and follower.channels["telegram"].app.updater.running)
            answers = await fake.converse(text_update(5001, "/help"))  # the new leader polls and answers
            assert answers
        finally:
            for runtime in runtimes:
                await runtime.stop()


async def test_a_failed_step_of_taking_over_is_tried_again(monkeypatch, tmp_path):
    """A database hiccup while the sender starts must not leave a leader that does not send."""
    from bot import leader as leader_module
    from bot.leader import SoleLeadership

    monkeypatch.setattr(leader_module, "RETRY_S", 0.05)
    attempts = []

    async def lead() -> None:
        attempts.append("lead")
        if len(attempts) == 1:
            raise ConnectionError("server closed the connection unexpectedly")

    async def follow() -> None:
        attempts.append("follow")

    sole = SoleLeadership(tmp_path / "run.lock", lambda path: AssertionError(path))
    await sole.start(lead, follow)
    await until(lambda: attempts == ["lead", "lead"])
    await sole.stop()
    assert attempts == ["lead", "lead", "follow"]
