"""The reminder scheduler: jobs rebuilt from the store, on the business clock, waking the sender on time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from support import TZ, Talk, build_test_services, register_focal

from bot.clock import Clock
from bot.scheduler import DUE_JOB, REPLAN_JOB, ReminderScheduler
from handlers import build_router
from test_sender_fakes import FakeChannel, add_row, make_sender, person, settings


def rehearsal(store, plan, tmp_path, start: datetime):
    """Services on a running clock that starts at ``start`` (BOT_CLOCK_START)."""
    services = build_test_services(store, plan, Clock(TZ, start), tmp_path)
    return services, Talk(services, build_router())


async def test_jobs_are_rebuilt_from_the_store_on_the_business_clock(store, plan, tmp_path):
    services, _ = rehearsal(store, plan, tmp_path, datetime(2020, 9, 29, 7, 0, tzinfo=TZ))
    a = person(services, "a")
    eight, nine = datetime(2020, 9, 29, 8, 0, tzinfo=TZ), datetime(2020, 9, 29, 9, 0, tzinfo=TZ)
    add_row(services, "n:1", a, due_at=eight)
    add_row(services, "n:2", person(services, "b"), due_at=eight)
    add_row(services, "n:3", a, due_at=nine)
    ids = []
    for _ in range(2):  # start, stop, start again: same jobs, no duplicates
        sender = make_sender(services, FakeChannel())
        scheduler = ReminderScheduler(services, sender, settings(reminder_grace_hours=12))
        await scheduler.start()
        jobs = {job.id: job for job in scheduler.due_jobs()}
        # every unit's future reminders are planned at start-up; ours are among them
        assert f"{DUE_JOB}{int(eight.timestamp())}" in jobs and f"{DUE_JOB}{int(nine.timestamp())}" in jobs
        job = jobs[f"{DUE_JOB}{int(eight.timestamp())}"]
        assert job.next_run_time == services.clock.to_real(eight)  # an hour of real time from now, not 2020
        assert abs((job.next_run_time - services.clock.real_now()) - timedelta(hours=1)) < timedelta(seconds=5)
        assert job.misfire_grace_time == 12 * 3600
        assert scheduler.scheduler.get_job(REPLAN_JOB) is not None
        ids.append(sorted(jobs))
        await scheduler.stop()
    assert ids[0] == ids[1] and len(ids[0]) == len(set(ids[0]))


async def test_a_new_date_adds_its_jobs(store, plan, tmp_path):
    services, talk = rehearsal(store, plan, tmp_path, datetime(2020, 9, 1, 9, 0, tzinfo=TZ))
    scheduler = ReminderScheduler(services, make_sender(services, FakeChannel()), settings())
    await scheduler.start()
    before = {job.id for job in scheduler.due_jobs()}
    await talk("staff", "/datlich Sở Tài chính 15/9/2020 08:30")
    added = {job.id for job in scheduler.due_jobs()} - before
    expected = {f"{DUE_JOB}{int(datetime(2020, 9, d, 8, 0, tzinfo=TZ).timestamp())}" for d in (8, 14)}
    assert expected <= added
    await scheduler.stop()


async def test_the_scheduler_wakes_the_sender_when_a_reminder_falls_due(store, plan, tmp_path):
    """BOT_CLOCK_START=2020-09-28T07:59:58+07:00 agency-bot run: the 1-day reminders go out 2 s later."""
    services, talk = rehearsal(store, plan, tmp_path, datetime(2020, 9, 28, 7, 59, 57, tzinfo=TZ))
    await register_focal(talk, "yte1", "Sở Y tế")
    await register_focal(talk, "yte2", "Sở Y tế")
    await register_focal(talk, "tc1", "Sở Tài chính")  # inspected directly: owes no III.4 report
    ch = FakeChannel()
    sender = make_sender(services, ch)
    sender._idle_seconds = lambda: 3600.0  # only a wake() can start a drain now: the scheduler's job
    scheduler = ReminderScheduler(services, sender, settings())
    await sender.start()
    await scheduler.start()
    try:
        assert ch.accepted == []
        for _ in range(100):
            if len(ch.accepted) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert sorted(chat for chat, _ in ch.accepted) == ["yte1", "yte2"]
        assert services.clock.now() >= datetime(2020, 9, 28, 8, 0, tzinfo=TZ)
        assert all("còn 1 ngày" in text for _, text in ch.accepted)
    finally:
        await scheduler.stop()
        await sender.stop()


async def test_leading_again_after_handing_over_starts_the_scheduler_afresh(services):
    """A leader that lost its lock stops its scheduler; when it leads again, the jobs come back once."""
    from test_sender_fakes import FakeChannel, make_sender, settings

    from bot.scheduler import ReminderScheduler

    scheduler = ReminderScheduler(services, make_sender(services, FakeChannel()), settings())
    for _ in range(2):
        await scheduler.start()
        assert scheduler.scheduler.running
        assert {j.id for j in scheduler.scheduler.get_jobs()} >= {"reminders-replan", "choices-prune"}
        await scheduler.stop()
        assert not scheduler.scheduler.running and scheduler.scheduler.get_jobs() == []
