"""PostgreSQL advisory locks: how processes sharing one database take turns and see each other.

Names become keys within a scope (database and schema), so two deployments sharing a server
— or the tests' schemas in one database — never contend for each other's locks:

- ``exclusive(engine, name)``: one process at a time through a start-up step (migrations, the
  plan's roster); a no-op on SQLite, where one process runs per data directory.
- instance locks: each running process holds ``(instances, its claimer id)`` for as long as its
  session lives; ``live_instances`` reads ``pg_locks`` to tell which claimers are still alive.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

_INT31 = 0x7FFFFFFF  # keys of the two-int form stay positive: pg_locks shows them unchanged as oids


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def key64(text: str) -> int:
    """A signed bigint key (the one-argument form)."""
    return int.from_bytes(_digest(text)[:8], "big", signed=True)


def key31(text: str) -> int:
    """A non-negative int4 key (either half of the two-argument form)."""
    return int.from_bytes(_digest(text)[:4], "big") & _INT31


def scope(conn: Connection) -> str:
    """What the keys are scoped to: this database and schema."""
    database, schema = conn.execute(sa.text("SELECT current_database(), current_schema()")).one()
    return f"agency-bot:{database}:{schema}"


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Hold a session advisory lock named ``name`` (waiting for it) around the block; SQLite: nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        key = key64(f"{scope(conn)}:{name}")
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def instance_keys(scope_name: str, claimer_id: str) -> tuple[int, int]:
    """The two-int advisory key a process holds while it lives."""
    return key31(f"{scope_name}:instances"), key31(claimer_id)


def live_instances(conn: Connection, scope_name: str, ids: Iterable[str]) -> set[str]:
    """The ids whose process holds its instance lock right now (any process of this database)."""
    wanted = {claimer_id: instance_keys(scope_name, claimer_id) for claimer_id in ids}
    if not wanted:
        return set()
    namespace = next(iter(wanted.values()))[0]
    held = {row[0] for row in conn.execute(sa.text(
        "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
        "AND classid::bigint = :ns AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        {"ns": namespace})}
    return {claimer_id for claimer_id, (_, key) in wanted.items() if key in held}
