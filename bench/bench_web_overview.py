"""The staff web overview (``/web/``) for a national roll-out: 3,000 units and 30,000 submissions,
rendered server-side, against the naive query-per-unit rendering of the same data in the same run.

    python bench/bench_web_overview.py [--units 3000] [--submissions 30000] [--runs 15] [--pg URL]

Data (written in bulk, not timed): the bundled plan grown to ``--units`` units (``bench_reminders.
national_plan``: a tenth departments, a tenth districts, the rest communes), 200 communes with an
inspection date, one focal point for two units in three, and ``--submissions`` submissions spread
over 3/4 of the units, each unit sending its owed report in several versions (older ones superseded),
from 01/08 to 10/10/2020, some after the deadline. Business clock: 20/09/2020 09:00.

Timed, the server's work for one page: the figures (``bot.web.pages.overview.overview``) and the
HTML (Jinja2), i.e. ``overview_html`` as the page handler calls it, after one warm-up (the roster is
cached by the running bot). The baseline builds the same standings the obvious way: per unit, its
inspection date (one query), its submissions (one query) and its focal points (one query), then the
same figures and the same template. Both pages must be byte-identical (the business clock stands still).
Also reported: the whole request through the HTTP stack (Starlette test client, session check
included), and the units page filtered and searched. Median and p95 of ``--runs`` runs each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_reminders import national_plan  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2020, 9, 20, 9, 0, tzinfo=TZ)
FIRST_DAY = datetime(2020, 8, 1, 8, 0, tzinfo=TZ)
DAYS = 70  # submissions arrive over 01/08 … 10/10


def populate(db_url: str, plan, n_submissions: int) -> None:
    import sqlalchemy as sa

    from messages.deadlines import deadlines_for
    from storage.db import Store
    from storage.models import InspectionVisit, Person, Submission, Unit

    store = Store(db_url)
    store.upgrade()
    created = datetime(2020, 7, 1, tzinfo=timezone.utc)
    inspected = plan.inspected_codes
    communes = [u.code for u in plan.units if u.tier == "commune"]
    visited = {code: NOW + timedelta(days=3 + i % 10) for i, code in enumerate(communes[::max(1, len(communes) // 200)][:200])}
    owed = {u.code: [d.deliverable.id for d in deadlines_for(plan, u.code, u.code in inspected or u.code in visited, TZ)]
            for u in plan.units}
    senders = [u.code for i, u in enumerate(plan.units) if i % 4 != 3 and owed[u.code]]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(Unit.__table__), [
            {"code": u.code, "name": u.name, "tier": u.tier, "parent_code": u.parent,
             "inspected": u.code in inspected or u.code in visited, "source": "plan", "created_at": created}
            for u in sorted(plan.units, key=lambda u: u.parent is not None)])
        conn.execute(sa.insert(Person.__table__), [
            {"channel": "telegram", "external_id": str(10_000_000 + i), "chat_id": str(10_000_000 + i),
             "unit_code": u.code, "role": "focal", "active": i % 50 != 0, "registered_at": created,
             "created_at": created} for i, u in enumerate(plan.units) if i % 3 != 2])
        conn.execute(sa.insert(InspectionVisit.__table__), [
            {"unit_code": code, "starts_at": at, "set_at": created} for code, at in visited.items()])
        rows, n = [], 0
        per_unit = -(-n_submissions // len(senders))
        for k, code in enumerate(senders):
            deliverable = owed[code][k % len(owed[code])]
            first = FIRST_DAY + timedelta(days=k % DAYS, hours=k % 9)
            for v in range(min(per_unit, n_submissions - n)):
                n += 1
                rows.append({"id": n, "receipt_no": f"KG-2020-{n:06d}", "unit_code": code, "deliverable_id": deliverable,
                             "channel": "telegram", "original_name": f"bao-cao-v{v + 1}.pdf", "stored_path": "x",
                             "sha256": f"{n:064x}", "size": 1000 + v, "detected_type": "pdf",
                             "received_at": first + timedelta(hours=6 * v), "on_time": True,
                             "superseded_by": None})
        # each version but the last of a unit's deliverable is superseded by the next one
        for older, newer in zip(rows, rows[1:]):
            if (older["unit_code"], older["deliverable_id"]) == (newer["unit_code"], newer["deliverable_id"]):
                older["superseded_by"] = newer["id"]
        conn.execute(sa.insert(Submission.__table__), rows[::-1])  # newest first: what each row points to exists
    store.dispose()


def naive_standings(services):
    """Standings the obvious way: for each unit, its inspection date, submissions and focal points,
    one query each (what a page written unit by unit does)."""
    from handlers.reports import Standing, unit_order
    from messages.deadlines import deadlines_for
    from storage import people
    from storage import reports as report_store

    now = services.clock.now()
    out = {d.id: [] for d in services.plan.deliverables}
    for unit in unit_order(services):
        inspection = services.inspection_at(unit.code)
        with services.store.session() as s:
            received = report_store.received(s, unit.code)
            focal = len(people.focal_points(s, unit.code))
        for deadline in deadlines_for(services.plan, unit.code, unit.inspected, services.tz, inspection):
            got = received.get((unit.code, deadline.deliverable.id))
            out[deadline.deliverable.id].append(Standing(unit, deadline, got, focal, got is None and now > deadline.at))
    return out


def timed(fn, runs: int) -> tuple[float, float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--submissions", type=int, default=30000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", help="a PostgreSQL URL (postgresql+psycopg://…) instead of a SQLite file; "
                                     "the benchmark works in a schema of its own, dropped at the end")
    args = parser.parse_args()

    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from bot.clock import ManualClock
    from bot.web import web_routes
    from bot.web.auth import Staff
    from bot.web.pages.overview import overview, overview_html
    from bot.web.site import Site
    from handlers.context import Services
    from handlers.web_signin import issue_link
    from messages.texts import web as texts
    from storage import people
    from storage.db import Store
    from storage.files import FileStore

    plan = national_plan(args.units)
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        url = _pg_schema(args.pg) if args.pg else f"sqlite:///{folder / 'db.sqlite3'}"
        populate(url, plan, args.submissions)
        clock = ManualClock(NOW)
        services = Services(store=Store(url), plan=plan, clock=clock, files=FileStore(folder / "files"),
                            staff_ids={"telegram": frozenset({"9001"})}, web_url="http://testserver")
        with services.store.session() as s:
            person = people.ensure(s, "telegram", "9001", display_name="Cán bộ")
        site = Site(services)
        staff = Staff(person, "0" * 64, "bench")
        units = len(services.roster().units)

        ours_ms, ours_p95, ours_page = timed(lambda: overview_html(site, None, staff), args.runs)
        figures_ms, _, _ = timed(lambda: overview(services), args.runs)

        def naive_page():
            return site.page(None, "overview.html", staff=staff, title=texts.OVERVIEW_TITLE, nav="overview",
                             view=overview(services, naive_standings(services)))

        naive_ms, naive_p95, naive = timed(naive_page, max(3, args.runs // 3))
        same = ours_page.body == naive.body  # the business clock stands still: the same page to the byte

        app = Starlette(routes=web_routes(services))
        with TestClient(app, base_url="http://testserver") as client:
            token = issue_link(services, None, person.id).url.rsplit("/", 1)[1]
            client.post("/web/signin", data={"token": token}, follow_redirects=False)
            http_ms, http_p95, response = timed(lambda: client.get("/web/"), args.runs)
            assert response.status_code == 200, response.status_code
            units_ms, units_p95, listed = timed(lambda: client.get("/web/units?status=missing&q=xa"), args.runs)
            assert listed.status_code == 200, listed.status_code

        from sqlmodel import func, select

        from storage.models import Submission

        with services.store.session() as s:
            n_sub = s.exec(select(func.count()).select_from(Submission)).one()
        print(f"data: {units} units, {n_sub} submissions ({services.store.dialect}); page {len(ours_page.body) // 1024} KiB")
        print(f"overview (figures + HTML), ours:          median {ours_ms:7.1f} ms   p95 {ours_p95:7.1f} ms"
              f"   (figures alone {figures_ms:.1f} ms)")
        print(f"overview, naive query-per-unit baseline:  median {naive_ms:7.1f} ms   p95 {naive_p95:7.1f} ms")
        print(f"whole request through HTTP (test client): median {http_ms:7.1f} ms   p95 {http_p95:7.1f} ms")
        print(f"units page (filter + search, 100 rows):   median {units_ms:7.1f} ms   p95 {units_p95:7.1f} ms")
        print(f"ratio naive / ours: {naive_ms / ours_ms:.1f}x; same page: {same}; "
              f"budget 300 ms: {'met' if ours_ms <= 300 else 'MISSED'}")
        services.store.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if args.pg:
            _pg_drop(args.pg)


SCHEMA = "bench_web_overview"


def _pg_schema(url: str) -> str:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def _pg_drop(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


if __name__ == "__main__":
    main()
