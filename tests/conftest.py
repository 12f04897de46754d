"""Shared fixtures: stores on SQLite and PostgreSQL, services on a manual clock, a fake channel.

PostgreSQL is used when reachable (``AGENCY_BOT_TEST_PG``, default the local server's
``test`` database); each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from handlers.context import Services
from handlers.router import Router
from handlers.types import Inbound, IncomingFile, Reply
from messages.plan_loader import load_plan_cached
from storage import units as unit_store
from storage.db import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
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


def make_store(url: str) -> Store:
    store = Store(url)
    store.upgrade()
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path):
    """A migrated store on each backend: storage tests run on both."""
    if request.param == "sqlite":
        store = make_store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    else:
        store = make_store(request.getfixturevalue("pg_url"))
    yield store
    store.dispose()


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
def clock():
    """Business time on 1 September 2020, 09:00 — inside Quý III, before the 30/9 deadline."""
    return ManualClock(datetime(2020, 9, 1, 9, 0, tzinfo=TZ))


def build_test_services(store: Store, plan, clock, data_dir: Path) -> Services:
    from handlers.questions import build_engine
    from storage.files import FileStore

    with store.session() as s:
        unit_store.sync_plan(s, plan)
    services = Services(
        store=store, plan=plan, clock=clock, files=FileStore(data_dir / "files"),
        staff_ids={"telegram": frozenset({"9001"}), "zalo": frozenset({"z-staff"}), "test": frozenset({"staff"})},
        max_file_bytes={"telegram": 20 * 1024 * 1024, "zalo": 5 * 1024 * 1024, "test": 20 * 1024 * 1024,
                        "console": 20 * 1024 * 1024},
    )
    services.questions = build_engine(services)
    from handlers import subscribe_all

    subscribe_all(services)
    return services


@pytest.fixture
def services(store, plan, clock, tmp_path):
    return build_test_services(store, plan, clock, tmp_path)


@pytest.fixture
def router() -> Router:
    from handlers import build_router

    return build_router()


@dataclass
class Talk:
    """An in-process channel (errbot's test backend): push a message, read the replies."""

    services: Services
    router: Router
    channel: str = "test"
    last: list[Reply] = field(default_factory=list)

    async def __call__(self, user: str, text: str | None = None, *, file: IncomingFile | None = None,
                       choice: str | None = None) -> list[Reply]:
        inbound = Inbound(self.channel, user, user, text=text, file=file, choice=choice)
        self.last = await self.router.handle(self.services, inbound)
        return self.last

    async def tap(self, user: str, label_part: str) -> list[Reply]:
        """Tap the button whose label contains ``label_part`` among the last replies."""
        for reply in self.last:
            for option in reply.options:
                if label_part in option.label:
                    return await self(user, choice=option.choice_id)
        raise AssertionError(f"no option containing {label_part!r} in {[o.label for r in self.last for o in r.options]}")

    @staticmethod
    def text(replies: list[Reply]) -> str:
        return "\n".join(r.text for r in replies)


@pytest.fixture
def talk(services, router) -> Talk:
    return Talk(services, router)


async def register_focal(talk: Talk, user: str, unit_query: str) -> None:
    """Staff invite a unit and ``user`` registers with the code (the real path)."""
    import re

    replies = await talk("staff", f"/moi {unit_query}")
    code = re.search(r": ([2-9A-Z]{10})\n", Talk.text(replies)).group(1)
    replies = await talk(user, f"/dangky {code}")
    assert "thành công" in Talk.text(replies), Talk.text(replies)
