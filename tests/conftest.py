"""Shared fixtures: stores on SQLite and PostgreSQL, services on a manual clock, a fake channel.

PostgreSQL is used when reachable (``AGENCY_BOT_TEST_PG``, default the local server's
``test`` database); each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from support import PLAN_2026, TZ, Talk, build_test_services, make_store

from bot.clock import ManualClock
from handlers.router import Router
from messages.plan_loader import load_plan_cached
from storage.db import Store

PG_URL = os.environ.get("AGENCY_BOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=2):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); set AGENCY_BOT_TEST_PG"


_PG_SKIP = _pg_reachable()


@pytest.fixture
def pg_url():
    """A PostgreSQL URL bound to a fresh schema (skipped cleanly without a server)."""
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    raw = PG_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_databases():
    """Make PostgreSQL databases of their own (for cluster-wide things: pg_dump, connection limits):
    ``make()`` returns a URL; all are dropped afterwards. Skipped cleanly without a server."""
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    import psycopg

    raw = PG_URL.replace("postgresql+psycopg", "postgresql")
    base = PG_URL.split("?", 1)[0].rsplit("/", 1)[0]
    made: list[str] = []

    def make() -> str:
        name = f"agency_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{base}/{name}"

    yield make
    with psycopg.connect(raw, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(pg_databases):
    """One PostgreSQL database of its own."""
    return pg_databases()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    """A migrated store on each backend: storage tests run on both."""
    if request.param == "sqlite":
        store = make_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        store = make_store(request.getfixturevalue("pg_url"))
    yield store
    store.dispose()


@pytest.fixture
def keep_logging():
    """``bot.cli.main`` points the root logger at the stderr of the moment (a test's capture): put it back."""
    import logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = saved


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite database migrated to head; each test gets a copy (migrating every time is slow).
    ``any_store`` still migrates from empty on every test."""
    path = tmp_path_factory.mktemp("template") / "db.sqlite3"
    template = make_store(f"sqlite:///{path}")
    with template.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    template.dispose()
    return path


@pytest.fixture
def store(tmp_path, sqlite_template):
    import shutil

    shutil.copyfile(sqlite_template, tmp_path / "db.sqlite3")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    yield store
    store.dispose()


@pytest.fixture
def plan():
    return load_plan_cached(None)


@pytest.fixture
def plan_2026():
    """A plan written under two-level local government: departments and communes, no districts."""
    return load_plan_cached(PLAN_2026)


@pytest.fixture
def clock():
    """Business time on 1 September 2020, 09:00 — inside Quý III, before the 30/9 deadline."""
    return ManualClock(datetime(2020, 9, 1, 9, 0, tzinfo=TZ))


@pytest.fixture
def services(store, plan, clock, tmp_path):
    return build_test_services(store, plan, clock, tmp_path)


@pytest.fixture
def router() -> Router:
    from handlers import build_router

    return build_router()


@pytest.fixture
def talk(services, router) -> Talk:
    return Talk(services, router)
