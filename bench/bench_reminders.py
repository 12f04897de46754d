"""Reminders for a national roll-out: plan them for 10,000 units, then drain one morning's worth
through a local Bot API server that enforces Telegram's limits, each beside a baseline in the same run.

    python bench/bench_reminders.py [--units 10000] [--scale 2] [--latency-ms 50] [--baseline-units 2000]

The roll-out is synthetic: the bundled Kiên Giang plan with its unit list grown to
``--units`` units (departments, districts and their communes), 1–2 registered Telegram focal
points per unit (5 % with none), 30 % of units having already sent their III.4 report and
500 communes with an inspection date. Everything lives in a SQLite file, as in production.

Planning (``handlers.reminders.replan``: a few bulk reads, one diff, bulk INSERT … ON CONFLICT)
is compared with the obvious per-row planner: per unit, ``services.deadlines`` (one query),
``people.focal_points`` (one query), ``submissions.has_submitted`` (one query) and one
``outbox.enqueue`` per reminder (a savepoint each), a commit per unit — same policy, same texts.
The baseline runs on ``--baseline-units`` units (a prefix of the same roll-out) and its
per-unit cost is compared. Peak memory is measured with tracemalloc in separate runs.

Draining: the morning of 16/9/2020 08:00 (the 14-day reminder) through ``bot.sender.OutboxSender``
→ the real ``TelegramChannel`` (PTB) → HTTP → ``tests/fakes/telegram_api.py`` in its own thread,
enforcing Telegram's limits × ``--scale`` (30/s overall, 1/s per chat) with ``--latency-ms`` added
to every request, as a remote server would. The baseline is the sequential sender most scripts
are: one row at a time, claim → send → mark sent. Reported: achieved rate ÷ allowed rate, 429s,
duplicates and losses.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes.telegram_api import FakeBotApi, Limits  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2020, 9, 1, 9, 0, tzinfo=TZ)
MORNING = datetime(2020, 9, 16, 8, 0, tzinfo=TZ)
SELF_REPORT = "bao-cao-tu-kiem-tra"


# ---- a national roll-out ----------------------------------------------------------------------
def national_plan(n_units: int):
    """The bundled plan with ``n_units`` units: a tenth departments, a tenth districts, the rest communes."""
    from messages.plan import Plan
    from messages.plan_loader import load_plan

    base = load_plan(None)
    data = base.model_dump(mode="json")
    units = list(data["units"])
    extra = n_units - len(units)
    n_dep, n_dist = extra // 10, extra // 10
    n_comm = extra - n_dep - n_dist
    units += [{"code": f"so-nganh-{i:05d}", "name": f"Sở Ngành {i:05d}", "tier": "department", "aliases": []}
              for i in range(n_dep)]
    units += [{"code": f"ubnd-huyen-{i:05d}", "name": f"UBND huyện Số {i:05d}", "tier": "district", "aliases": []}
              for i in range(n_dist)]
    units += [{"code": f"ubnd-xa-{i:05d}", "name": f"UBND xã Số {i:05d}, huyện Số {i % n_dist:05d}",
               "tier": "commune", "parent": f"ubnd-huyen-{i % n_dist:05d}", "aliases": []} for i in range(n_comm)]
    data["units"] = units
    return Plan.model_validate(data)


def populate(db_url: str, plan, data_dir: Path) -> None:
    """Units, focal points, submissions and inspection dates, written in bulk (not timed)."""
    import sqlalchemy as sa

    from storage.db import Store
    from storage.models import InspectionVisit, Person, Submission, Unit

    store = Store(db_url)
    store.upgrade()
    now = datetime(2020, 8, 1, tzinfo=timezone.utc)
    inspected = plan.inspected_codes
    communes = [u.code for u in plan.units if u.tier == "commune"]
    visited = set(communes[::max(1, len(communes) // 500)][:500])
    with store.engine.begin() as conn:
        parents_first = sorted(plan.units, key=lambda u: u.parent is not None)
        conn.execute(sa.insert(Unit.__table__), [
            {"code": u.code, "name": u.name, "tier": u.tier, "parent_code": u.parent,
             "inspected": u.code in inspected or u.code in visited, "source": "plan", "created_at": now}
            for u in parents_first])
        people, chat = [], 100_000_000
        for i, u in enumerate(plan.units):
            if i % 20 == 7:
                continue  # 5 % of units: no focal point yet
            for _ in range(1 + i % 2):
                chat += 1
                people.append({"channel": "telegram", "external_id": str(chat), "chat_id": str(chat),
                               "unit_code": u.code, "role": "focal", "active": True, "registered_at": now,
                               "created_at": now})
        conn.execute(sa.insert(Person.__table__), people)
        conn.execute(sa.insert(Submission.__table__), [
            {"receipt_no": f"BC-{i:06d}", "unit_code": u.code, "deliverable_id": SELF_REPORT, "channel": "telegram",
             "original_name": "bc.pdf", "stored_path": "x", "sha256": "0" * 64, "size": 1, "detected_type": "pdf",
             "received_at": now, "on_time": True}
            for i, u in enumerate(plan.units) if i % 10 < 3])
        conn.execute(sa.insert(InspectionVisit.__table__), [
            {"unit_code": code, "starts_at": datetime(2020, 9, 20 + i % 10, 1, 0, tzinfo=timezone.utc),
             "set_at": now} for i, code in enumerate(sorted(visited))])
    store.dispose()


def make_services(db_url: str, plan, data_dir: Path, clock):
    from handlers.context import Services
    from storage.db import Store
    from storage.files import FileStore

    return Services(store=Store(db_url), plan=plan, clock=clock, files=FileStore(data_dir / "files"))


# ---- planning: ours and the per-row baseline -------------------------------------------------------
def plan_ours(services) -> int:
    from handlers import reminders

    changes = reminders.replan(services)
    return changes.created + changes.revived


def plan_naive(services, limit: int) -> int:
    """The obvious planner: per unit and per row, through the public one-row helpers."""
    from handlers import reminders
    from storage import outbox, people, submissions

    now = services.clock.now()
    added = 0
    for unit in services.roster().units[:limit]:
        visit_at = services.inspection_at(unit.code)
        with services.store.session() as s:
            focal = [p for p in people.focal_points(s, unit.code) if p.channel != "console"]
            visit = None
            if visit_at is not None:
                from handlers.reminders import Visit
                from storage import units as unit_store

                visit = Visit(visit_at, unit_store.inspection_of(s, unit.code).set_at)
            owed = {d.deliverable.id for d in services.deadlines(unit)}
            for occ in reminders.occasions(services, unit, visit, now):
                if occ.due_at < now:
                    continue
                if occ.deliverable is not None and (occ.deliverable.id not in owed or
                                                    submissions.has_submitted(s, unit.code, occ.deliverable.id)):
                    continue
                text = reminders.render(services, occ, occ.due_at)
                for person in focal or [None]:
                    key = occ.key(str(person.id) if person else reminders.NOBODY)
                    added += outbox.enqueue(s, key=str(key), kind=occ.kind, text=text, due_at=occ.due_at,
                                            person=person, unit_code=unit.code,
                                            deliverable_id=occ.deliverable.id if occ.deliverable else None,
                                            last_error=None if person else "no focal point", commit=False)
            s.commit()
    return added


@dataclass
class Timed:
    seconds: float
    rows: int
    units: int
    peak_mb: float | None = None

    @property
    def per_unit_ms(self) -> float:
        return 1000 * self.seconds / self.units


def timed(fn, *, memory: bool) -> tuple[float, int, float | None]:
    gc.collect()
    if memory:
        tracemalloc.start()
    t = time.perf_counter()
    rows = fn()
    seconds = time.perf_counter() - t
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, rows, peak


def bench_planning(plan, template: Path, workdir: Path, baseline_units: int) -> dict[str, Timed]:
    from bot.clock import ManualClock

    results: dict[str, Timed] = {}
    n = len(plan.units)

    def fresh(name: str):
        db = workdir / f"{name}.sqlite3"
        shutil.copy(template, db)
        services = make_services(f"sqlite:///{db}", plan, workdir, ManualClock(START))
        services.roster()  # built once at start-up in the bot too; not part of planning
        return services

    for memory in (False, True):
        services = fresh(f"ours-{memory}")
        seconds, rows, peak = timed(lambda: plan_ours(services), memory=memory)
        if not memory:
            results["ours"] = Timed(seconds, rows, n)
            again, _, _ = timed(lambda: plan_ours(services), memory=False)
            results["ours, again (no change)"] = Timed(again, 0, n)
        else:
            results["ours"].peak_mb = peak
        services.store.dispose()

        services = fresh(f"naive-{memory}")
        seconds, rows, peak = timed(lambda: plan_naive(services, baseline_units), memory=memory)
        if not memory:
            results["naive per-row"] = Timed(seconds, rows, min(baseline_units, n))
        else:
            results["naive per-row"].peak_mb = peak
        services.store.dispose()
    return results


# ---- draining: ours and a sequential sender --------------------------------------------------------
class ServerThread:
    """The fake Bot API server on its own loop in a thread, with added latency per request."""

    def __init__(self, limits: Limits, latency: float):
        self.limits, self.latency = limits, latency
        self.fake: FakeBotApi | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with FakeBotApi(poll_cap=0.2) as fake:
            fake.enforce(self.limits)
            dispatch = fake._dispatch

            async def slow(method, params, files):
                await asyncio.sleep(self.latency)
                return await dispatch(method, params, files)

            fake._dispatch = slow
            self.fake = fake
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        self._ready.wait(10)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@dataclass
class Drain:
    name: str
    due: int  # rows with a recipient due that morning
    accepted: int  # messages the server accepted
    seconds: float  # first request to last accepted one
    allowed: float
    count_429: int
    duplicates: int  # a message accepted more than once
    losses: int  # rows recorded as sent that the server never accepted, or still waiting

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0


def drain_outcome(name: str, fake: FakeBotApi, rows: list, services, allowed: float) -> Drain:
    from storage.models import OutgoingMessage

    sends = [c for c in fake.calls if c.method.lower() == "sendmessage"]
    ok = [c for c in sends if c.ok]
    got = Counter((str(c.params.get("chat_id")), c.params.get("text")) for c in ok)
    with services.store.session() as s:
        now = {r.id: r for r in (s.get(OutgoingMessage, row.id) for row in rows)}
    sent = [r for r in now.values() if r.status == "sent"]
    waiting = [r for r in now.values() if r.status in ("pending", "sending")]
    lost = sum(1 for r in sent if got[(r.chat_id, r.text)] == 0) + len(waiting)
    seconds = (max(c.at for c in ok) - min(c.at for c in sends)) if ok else 0.0
    return Drain(name, len(rows), len(ok), seconds, allowed, fake.count_429,
                 sum(1 for n in got.values() if n > 1), lost)


async def drain(plan, template: Path, workdir: Path, scale: float, latency: float, sequential_rows: int):
    from datetime import timedelta

    import sqlalchemy as sa

    from bot.channels.telegram import TelegramChannel
    from bot.clock import Clock, ManualClock
    from bot.delivery import OutMessage
    from bot.sender import OutboxSender
    from bot.settings import Settings
    from handlers import build_router, reminders
    from storage import outbox
    from storage.models import OutgoingMessage

    results = []
    for name in ("ours", "sequential"):
        db = workdir / f"drain-{name}.sqlite3"
        shutil.copy(template, db)
        services = make_services(f"sqlite:///{db}", plan, workdir, ManualClock(START))
        reminders.replan(services)
        with services.store.session() as s:  # the notices of the inspection dates went out on 1/9
            s.execute(sa.update(OutgoingMessage).where(OutgoingMessage.kind == "notice").values(status="sent"))
            s.commit()
        services.clock = Clock(TZ, MORNING)  # then the bot runs on the morning of 16/9, in real time
        with services.store.session() as s:
            due = [r for r in outbox.due(s, services.clock.now(), services.clock.real_now(), limit=10**7)
                   if r.chat_id]
        with ServerThread(Limits(scale=scale), latency) as fake:
            settings = Settings(_env_file=None, data_dir=workdir, telegram_bot_token=fake.token,
                                telegram_api_base_url=fake.base_url, telegram_api_base_file_url=fake.base_file_url,
                                telegram_send_per_second=30.0 * scale, log_level="WARNING")
            channel = TelegramChannel(settings, services, build_router())
            await channel.app.initialize()
            if name == "ours":
                # Telegram's own numbers, scaled: 30 per (1/scale) s overall, 1 per (1/scale) s per chat
                sender = OutboxSender(services, {"telegram": channel}, settings, rate_window=1.0 / scale,
                                      private_interval=1.0 / scale, group_interval=3.0 / scale)
                sender.add_guard("reminder", reminders.send_guard(services, timedelta(hours=48)))
                await sender.drain_once()
                with services.store.session() as s:  # what the guard let through
                    due = [r for r in due if s.get(OutgoingMessage, r.id).status != "cancelled"]
            else:
                due = due[:sequential_rows]
                for row in due:  # the obvious loop: one at a time
                    with services.store.session() as s:
                        if not outbox.claim(s, row.id):
                            continue
                    await channel.deliver(row.chat_id, OutMessage(row.text))
                    with services.store.session() as s:
                        outbox.mark_sent(s, row.id, services.clock.now())
            await channel.app.shutdown()
            results.append(drain_outcome(name, fake, due, services, 30.0 * scale))
        services.store.dispose()
    return results


# ---- the run ----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--baseline-units", type=int, default=2_000)
    parser.add_argument("--scale", type=float, default=2.0, help="multiply Telegram's limits (default 2: 60/s)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--sequential-rows", type=int, default=300)
    parser.add_argument("--skip-drain", action="store_true")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)
    t = time.perf_counter()
    plan = national_plan(args.units)
    build_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.sqlite3"
        populate(f"sqlite:///{template}", plan, work)
        print(f"Roll-out: {len(plan.units)} units (plan validated in {build_s:.2f}s), SQLite, "
              f"clock {START:%d/%m/%Y %H:%M}\n")
        planning = bench_planning(plan, template, work, args.baseline_units)
        ours, naive = planning["ours"], planning["naive per-row"]
        print("| planner | units | rows written | seconds | ms per unit | peak MB (tracemalloc) |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in planning.items():
            peak = f"{r.peak_mb:.1f}" if r.peak_mb is not None else "—"
            print(f"| {name} | {r.units} | {r.rows} | {r.seconds:.2f} | {r.per_unit_ms:.3f} | {peak} |")
        print(f"\nper unit, naive ÷ ours: {naive.per_unit_ms / ours.per_unit_ms:.1f}×; "
              f"peak memory per unit, naive ÷ ours: "
              f"{(naive.peak_mb / naive.units) / (ours.peak_mb / ours.units):.2f}×\n")
        if not args.skip_drain:
            drains = asyncio.run(drain(plan, template, work, args.scale, args.latency_ms / 1000,
                                       args.sequential_rows))
            print(f"Morning of {MORNING:%d/%m/%Y %H:%M}: limits ×{args.scale:g} ({30 * args.scale:g}/s overall), "
                  f"{args.latency_ms:g} ms per request\n")
            print("| sender | rows due | accepted | seconds | msg/s | ÷ allowed | 429s | duplicates | losses |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for d in drains:
                print(f"| {d.name} | {d.due} | {d.accepted} | {d.seconds:.2f} | {d.rate:.1f} | "
                      f"{d.rate / d.allowed:.3f} | {d.count_429} | {d.duplicates} | {d.losses} |")
            print(f"\nrate, ours ÷ sequential: {drains[0].rate / drains[1].rate:.1f}×; "
                  f"ours at Telegram's real 30/s would take {drains[0].due / 30 / 60:.1f} min for this morning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
