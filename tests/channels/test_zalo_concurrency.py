"""Per-user order and cross-user concurrency: the keyed locks both channels use, and Zalo's handling slots."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels import zalo as zalo_module
from bot.channels.keyed import KeyedLocks, LendableSlots
from handlers.router import Router
from handlers.types import Option, Reply


# ---- KeyedLocks ------------------------------------------------------------------------------------
async def test_a_key_runs_one_at_a_time_in_arrival_order_and_is_forgotten_after():
    locks = KeyedLocks()
    running: dict[str, int] = {}
    worst: dict[str, int] = {}
    order: list[tuple[str, int]] = []

    async def job(key: str, n: int) -> None:
        async with locks.hold(key):
            running[key] = running.get(key, 0) + 1
            worst[key] = max(worst.get(key, 0), running[key])
            order.append((key, n))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            running[key] -= 1

    tasks = []
    for n in range(30):
        for key in ("a", "b", "c"):
            tasks.append(asyncio.create_task(job(key, n)))
        if n % 7 == 0:
            await asyncio.sleep(0)  # newcomers arrive while others are being released and woken
    await asyncio.gather(*tasks)
    assert worst == {"a": 1, "b": 1, "c": 1}
    for key in ("a", "b", "c"):
        assert [n for k, n in order if k == key] == list(range(30))
    assert len(locks) == 0  # nobody holds or waits: nothing kept


async def test_a_newcomer_between_a_release_and_the_waiter_waking_waits_its_turn():
    """The race of pruning "unlocked" locks: the waiter is woken but has not run yet."""
    locks = KeyedLocks()
    inside: list[str] = []
    overlap = []
    first_in = asyncio.Event()
    let_go = asyncio.Event()

    async def first() -> None:
        async with locks.hold("u"):
            first_in.set()
            await let_go.wait()

    async def later(name: str) -> None:
        async with locks.hold("u"):
            if inside:
                overlap.append((inside[-1], name))
            inside.append(name)
            await asyncio.sleep(0.01)
            inside.remove(name)

    a = asyncio.create_task(first())
    await first_in.wait()
    b = asyncio.create_task(later("waiter"))
    await asyncio.sleep(0)  # the waiter now waits for the lock
    assert locks.busy("u")
    let_go.set()
    await asyncio.sleep(0)  # a releases; the waiter is woken but has not run
    c = asyncio.create_task(later("newcomer"))
    await asyncio.gather(a, b, c)
    assert overlap == [] and len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_entry_behind():
    locks = KeyedLocks()
    hold = asyncio.Event()

    async def holder() -> None:
        async with locks.hold("k"):
            await hold.wait()

    async def waiter() -> None:
        async with locks.hold("k"):
            pass

    h = asyncio.create_task(holder())
    await asyncio.sleep(0)
    w = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.gather(w, return_exceptions=True)
    hold.set()
    await h
    assert len(locks) == 0


async def test_a_lent_slot_lets_another_task_in_and_is_taken_back():
    slots = LendableSlots(1)
    events: list[str] = []
    lent = asyncio.Event()
    back = asyncio.Event()

    async def downloader() -> None:
        async with slots.held():
            events.append("downloader in")
            async with slots.lent():
                lent.set()
                await back.wait()
            events.append("downloader back")
            assert slots.in_use == 1

    async def other() -> None:
        await lent.wait()
        async with slots.held():
            events.append("other in")
        back.set()

    await asyncio.gather(downloader(), other())
    assert events == ["downloader in", "other in", "downloader back"]
    async with slots.lent():  # outside a held slot: nothing to lend
        assert slots.in_use == 0


async def test_a_lend_cancelled_before_taking_the_slot_back_never_over_releases():
    slots = LendableSlots(1)
    lent = asyncio.Event()
    stay = asyncio.Event()

    async def lender() -> None:
        async with slots.held():
            async with slots.lent():
                lent.set()
                await asyncio.sleep(0)
            # taking the slot back waits for ``hog``; cancelled there

    async def hog() -> None:
        await lent.wait()
        async with slots.held():
            await stay.wait()

    h = asyncio.create_task(hog())
    t = asyncio.create_task(lender())
    await lent.wait()
    await asyncio.sleep(0.01)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)
    stay.set()
    await h
    # exactly one slot exists: two tasks can never hold it together
    inside = []

    async def probe(n: int) -> None:
        async with slots.held():
            inside.append(n)
            assert len(inside) == 1
            await asyncio.sleep(0)
            inside.remove(n)

    await asyncio.gather(*(probe(n) for n in range(5)))


# ---- the Zalo channel ---------------------------------------------------------------------------------
def slow_file_router(tmp_path) -> Router:
    router = Router()

    @router.on_file
    async def receive(ctx):
        dest = tmp_path / f"in-{ctx.inbound.message_id}"
        await ctx.inbound.file.fetch(dest, 1_000_000)
        return [Reply(f"nhận {ctx.inbound.file.name} ({dest.stat().st_size} byte)")]

    @router.on_text
    async def answer(ctx):
        return [Reply(f"đáp: {ctx.inbound.text}")]

    return router


@pytest.fixture
def zalo_router(tmp_path):
    return slow_file_router(tmp_path)


async def test_slow_uploads_of_many_users_block_nobody_else(rig, zalo):
    zalo.hold_files()
    uploaders = [f"up{n}" for n in range(zalo_module.HANDLING_SLOTS + 2)]  # more than there are slots
    for n, user in enumerate(uploaders):
        url = zalo.add_file(f"bc{n}.pdf", b"%PDF" + b"x" * 100)
        assert (await rig.hook.post(rig.hook.file(user, url, f"bc{n}.pdf", 104))).status_code == 200
    try:
        await zalo.files_stuck(len(uploaders))
        # every download is stuck, and another user still gets an answer
        assert (await rig.hook.post(rig.hook.text("reader", "hạn nộp?"))).status_code == 200
        await zalo.wait_for(1, "reader")
        assert zalo.texts("reader") == ["đáp: hạn nộp?"]
        assert all(zalo.to(u) == [] for u in uploaders)
    finally:
        zalo.release_files()
    await rig.channel.settle()
    assert all(zalo.texts(u) == [f"nhận bc{n}.pdf (104 byte)"] for n, u in enumerate(uploaders))
    assert len(rig.channel._user_locks) == 0 and rig.channel._slots.in_use == 0


async def test_one_users_events_are_answered_in_order_while_a_download_waits(rig, zalo):
    zalo.hold_files()
    url = zalo.add_file("bc.pdf", b"%PDF-1.4")
    await rig.hook.post(rig.hook.file("u1", url, "bc.pdf", 8))
    try:
        await zalo.files_stuck(1)
        await rig.hook.post(rig.hook.text("u1", "câu thứ hai"))
        await rig.hook.post(rig.hook.text("u2", "người khác"))
        await zalo.wait_for(1, "u2")  # someone else is not held up
        await asyncio.sleep(0.05)
        assert zalo.to("u1") == []  # u1's text waits for u1's file
    finally:
        zalo.release_files()
    await rig.channel.settle()
    assert zalo.texts("u1") == ["nhận bc.pdf (8 byte)", "đáp: câu thứ hai"]


async def test_remembered_options_are_bounded_and_age_out(rig, monkeypatch):
    channel = rig.channel
    options = [Option("Mục 1", "c1"), Option("Mục 2", "c2")]
    channel._pending["old"] = (time.monotonic() - zalo_module.OPTIONS_TTL_S - 1, options)
    channel._remember_options("new", options)
    assert "old" not in channel._pending and "new" in channel._pending  # aged out without "old" writing again
    monkeypatch.setattr(zalo_module, "PENDING_LIMIT", 50)
    for n in range(200):
        channel._remember_options(f"u{n}", options)
    assert len(channel._pending) == 50
    assert list(channel._pending)[0] == "u150" and "u199" in channel._pending  # the oldest went first
    channel._remember_options("u150", options)  # showing again makes it the newest
    assert list(channel._pending)[-1] == "u150"
