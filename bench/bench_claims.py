"""What claiming an outbox row costs now that it names its claimer and takes the row with
``FOR UPDATE SKIP LOCKED`` (``storage.outbox.claim``), against the plain conditional UPDATE it
replaced, both run in this process on the same database.

    python bench/bench_claims.py [--rows 3000] [--pg URL] [--sqlite]

- **one claimer**: claim every row once, one commit each (what the sender does per message);
- **two claimers racing** (PostgreSQL): two threads, each with its own connection, claim the same
  rows in the same order — what two senders would do. Reported: rows each won, rows won by both
  (must be 0 either way: the status check alone already prevents it), and the time, since with
  the plain UPDATE the loser of a race waits for the winner's commit instead of passing over.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from storage import outbox  # noqa: E402
from storage.db import Store  # noqa: E402

T = outbox.OutgoingMessage.__table__
ROW_ID = sa.bindparam("row_id")
PLAIN = (sa.update(T).where(T.c.id == ROW_ID, T.c.status == outbox.PENDING)
         .values(status=outbox.SENDING, attempts=T.c.attempts + 1,
                 chat_id=sa.func.coalesce(sa.bindparam("chat_id", type_=sa.String), T.c.chat_id),
                 text=sa.func.coalesce(sa.bindparam("text", type_=sa.Text), T.c.text)))


def plain_claim(session, row_id: int, **_) -> bool:
    """The claim before this change: a conditional UPDATE, no claimer."""
    result = session.execute(PLAIN, {"row_id": row_id, "chat_id": None, "text": None})
    session.commit()
    return result.rowcount == 1


def fill(store: Store, rows: int) -> list[int]:
    now = datetime.now(timezone.utc)
    with store.session() as s:
        s.execute(sa.delete(T))
        s.commit()
        outbox.enqueue_many(s, [{"key": f"b:{i}", "kind": "notice", "text": "x", "due_at": now, "channel": "test",
                                 "chat_id": str(i)} for i in range(rows)])
        return [r for r, in s.execute(sa.select(T.c.id).order_by(T.c.id))]


def one(store: Store, claim, rows: int) -> float:
    ids = fill(store, rows)
    started = time.perf_counter()
    with store.session() as s:
        for row_id in ids:
            assert claim(s, row_id, claimer="bench", at=datetime.now(timezone.utc))
    return time.perf_counter() - started


def race(store: Store, claim, rows: int) -> tuple[float, list[int], int]:
    ids = fill(store, rows)
    won: list[set[int]] = [set(), set()]
    gate = threading.Barrier(2)

    def claimer(n: int) -> None:
        with store.session() as s:
            gate.wait()
            for row_id in ids:
                if claim(s, row_id, claimer=f"c{n}", at=datetime.now(timezone.utc)):
                    won[n].add(row_id)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in (0, 1)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, [len(w) for w in won], len(won[0] & won[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true", help="also on an SQLite file")
    args = parser.parse_args()
    name = f"bench_claims_{uuid.uuid4().hex[:10]}"
    admin = args.pg.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    stores = {"PostgreSQL": Store(f"{args.pg.rsplit('/', 1)[0]}/{name}")}
    tmp = tempfile.TemporaryDirectory()
    if args.sqlite:
        stores["SQLite"] = Store(f"sqlite:///{tmp.name}/claims.sqlite3")
    try:
        print("| database | claimers | claim | seconds | ms per row | rows won | won twice | ratio |")
        print("|---|---:|---|---:|---:|---:|---:|---:|")
        for label, store in stores.items():
            store.upgrade()
            one(store, outbox.claim, 200)  # warm up both paths
            one(store, plain_claim, 200)
            base = one(store, plain_claim, args.rows)
            new = one(store, outbox.claim, args.rows)
            for what, seconds in (("plain UPDATE (before)", base), ("SKIP LOCKED, named (now)", new)):
                print(f"| {label} | 1 | {what} | {seconds:.2f} | {1000 * seconds / args.rows:.3f} | {args.rows} | 0 "
                      f"| {seconds / base:.2f} |")
            if label != "PostgreSQL":
                continue
            base_race = race(store, plain_claim, args.rows)
            new_race = race(store, outbox.claim, args.rows)
            for what, (seconds, won, twice) in (("plain UPDATE (before)", base_race),
                                                ("SKIP LOCKED, named (now)", new_race)):
                print(f"| {label} | 2 | {what} | {seconds:.2f} | {1000 * seconds / args.rows:.3f} | "
                      f"{' + '.join(map(str, won))} | {twice} | {seconds / base_race[0]:.2f} |")
    finally:
        for store in stores.values():
            store.dispose()
        tmp.cleanup()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
