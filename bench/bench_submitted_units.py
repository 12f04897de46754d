"""What one intake's reminder replan pays to learn whether the unit has submitted, as the table grows.

    python bench/bench_submitted_units.py [--rows 1000 10000 50000] [--repeat 200]

Each intake replans its unit (``handlers.reminders.planning.current_submissions(s, plan, [unit])``).
Before issue 12 that asked ``SELECT DISTINCT unit_code FROM submission WHERE deliverable_id = ?`` for
every deliverable — over the whole table, served by no index — and filtered in Python: the baseline
below runs exactly that query, in the same process, on the same SQLite file (migrated to head, so
with the new index present: the baseline's cost is its query shape, not a missing index).

Reported: the average time per call for both, and their ratio, at each table size.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import select  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def baseline(session, plan, codes) -> set[tuple[str, str]]:
    """The query before issue 12: a DISTINCT over every submission per deliverable, filtered here."""
    from storage.models import Submission

    wanted = set(codes)
    return {(code, d.id) for d in plan.deliverables
            for code in session.exec(select(Submission.unit_code).where(Submission.deliverable_id == d.id)
                                     .distinct()).all() if code in wanted}


def seed(store, plan, rows: int) -> list[str]:
    """``rows`` submissions spread over as many units (communes added to the roster), 2 deliverables."""
    from storage.models import Submission, Unit

    deliverables = [d.id for d in plan.deliverables]
    units = max(rows // 3, 1)
    at = datetime(2020, 9, 1, tzinfo=TZ)
    with store.session() as s:
        s.execute(sa.insert(Unit), [{"code": f"bench-{i}", "name": f"Xã {i}", "level": "commune", "source": "staff",
                                     "inspected": False, "created_at": at} for i in range(units)])
        s.execute(sa.insert(Submission), [{
            "receipt_no": f"B-{i}", "unit_code": f"bench-{i % units}", "deliverable_id": deliverables[i % len(deliverables)],
            "channel": "bench", "original_name": "bc.pdf", "stored_path": "x", "sha256": secrets.token_hex(32),
            "size": 1, "detected_type": "pdf", "received_at": at + timedelta(seconds=i), "on_time": True,
        } for i in range(rows)])
        s.commit()
    return [f"bench-{i}" for i in range(units)]


def timed(store, fn, plan, codes: list[str], repeat: int) -> float:
    start = time.perf_counter()
    with store.session() as s:
        for i in range(repeat):
            fn(s, plan, [codes[i % len(codes)]])
    return (time.perf_counter() - start) / repeat


def main() -> int:
    from handlers.reminders.planning import current_submissions
    from messages.plan_loader import load_plan_cached
    from storage import units as unit_store
    from storage.db import Store

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    plan = load_plan_cached(None)
    print("| submissions | baseline ms/intake | agency-bot ms/intake | baseline ÷ agency-bot |")
    print("|---:|---:|---:|---:|")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            store.upgrade()
            with store.session() as s:
                unit_store.sync_plan(s, plan)
            codes = seed(store, plan, rows)
            with store.session() as s:
                assert baseline(s, plan, codes[:50]) == current_submissions(s, plan, codes[:50])
            timed(store, current_submissions, plan, codes, 10)  # warm-up
            ours = timed(store, current_submissions, plan, codes, args.repeat)
            base = timed(store, baseline, plan, codes, args.repeat)
            store.dispose()
        print(f"| {rows:,} | {base * 1000:.2f} | {ours * 1000:.3f} | {base / ours:.0f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
