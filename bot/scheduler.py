"""The reminder scheduler: one in-process APScheduler 3.x that wakes the outbox sender on time.

The store is the truth (reminders are ``outgoing_message`` rows, see ``handlers/reminders/``);
APScheduler only holds jobs rebuilt from it at start-up and after each replan:

- one date job per distinct due time of pending rows, id ``outbox-due-<epoch>`` with
  ``replace_existing=True`` (no duplicates on restart), run at ``clock.to_real(due)`` because
  ``BOT_CLOCK_START`` shifts business time away from the wall clock APScheduler runs on;
- ``reminders-replan``: every ``replan_minutes``, bring the rows in line with the policy;
- ``choices-prune``: once a day, forget buttons past their life.

Jobs only *wake* the sender; whether a late reminder is still sent is decided from the store
(``REMINDER_GRACE_HOURS`` in the reminder guard), so ``misfire_grace_time`` is set to that same
grace on purpose: with APScheduler's default of 1 s a job delayed by a busy loop or a suspended
machine would be silently skipped. Jobs live in memory: a job store shared by processes is not
supported by APScheduler and is not needed when the rows are the truth.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers import reminders
from handlers.context import Services

log = logging.getLogger("agency_bot.scheduler")

DUE_JOB = "outbox-due-"
REPLAN_JOB = "reminders-replan"
PRUNE_JOB = "choices-prune"
MAX_DUE_JOBS = 1000  # the nearest ones; the periodic replan adds later ones as time passes


class ReminderScheduler:
    def __init__(self, services: Services, sender, settings, *, replan_minutes: float = 15.0):
        self.services = services
        self.sender = sender
        self.grace = timedelta(hours=settings.reminder_grace_hours)
        self.replan_minutes = replan_minutes
        self._tz = settings.tz
        self.scheduler = self._build()
        guard = reminders.send_guard(services, self.grace)
        sender.add_guard("reminder", guard)
        sender.add_guard("notice", guard)  # the at-once inspection notice; other notices pass through
        for event in ("submission_received", "inspection_set", "person_registered"):
            services.on(event, self._after_event)  # after handlers.reminders replanned the unit

    async def start(self) -> None:
        await asyncio.to_thread(reminders.replan, self.services)
        self.scheduler.start()
        self.scheduler.add_job(self._replan_job, "interval", minutes=self.replan_minutes, id=REPLAN_JOB,
                               replace_existing=True)
        self.scheduler.add_job(self._prune_job, "interval", hours=24, id=PRUNE_JOB, replace_existing=True)
        self.sync_jobs()
        self.sender.wake()
        log.info("scheduler started: %d due-time job(s)", len(self.due_jobs()))

    @property
    def running(self) -> bool:
        return self.scheduler.running

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            self.scheduler = self._build()  # a leader handing over keeps no job; leading again starts afresh

    def _build(self) -> AsyncIOScheduler:
        misfire = max(60, int(self.grace.total_seconds()))
        return AsyncIOScheduler(
            timezone=self._tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire},
        )

    # ---- jobs ------------------------------------------------------------------------------
    def sync_jobs(self) -> None:
        """One job per distinct future due time in the store; stale ones removed."""
        from storage import outbox

        clock = self.services.clock
        with self.services.store.session() as s:
            times = outbox.future_due_times(s, clock.now(), limit=MAX_DUE_JOBS)
        wanted = {}
        for due in times:
            wanted[f"{DUE_JOB}{int(due.timestamp())}"] = clock.to_real(due)
        for job in self.due_jobs():
            if job.id not in wanted:
                job.remove()
        existing = {job.id for job in self.due_jobs()}
        for job_id, run_at in wanted.items():
            if job_id not in existing:
                self.scheduler.add_job(self._fire, "date", run_date=run_at, id=job_id, replace_existing=True)

    def due_jobs(self) -> list:
        return [job for job in self.scheduler.get_jobs() if job.id.startswith(DUE_JOB)]

    async def _fire(self) -> None:
        self.sender.wake()

    async def _replan_job(self) -> None:
        try:
            await asyncio.to_thread(reminders.replan, self.services)
            self.sync_jobs()
        except Exception:
            log.exception("periodic replan failed")
        self.sender.wake()

    async def _prune_job(self) -> None:
        """Old buttons and old inbound event ids are forgotten once a day (buttons are refused past
        their life anyway; no platform resends an event after a week)."""
        from storage import conversation, events

        def prune() -> tuple[int, int]:
            with self.services.store.session() as s:
                return conversation.prune(s), events.prune(s, self.services.clock.real_now())

        try:
            log.info("pruned %d expired choice(s) and %d old event id(s)", *await asyncio.to_thread(prune))
        except Exception:
            log.exception("pruning choices failed")

    def _after_event(self, services: Services, **_: object) -> None:
        if not self.scheduler.running:  # a follower: the leader's scheduler finds the rows
            return
        try:
            self.sync_jobs()
        except Exception:
            log.exception("could not update scheduler jobs")
