"""Engine, sessions and migrations.

SQLite by default (WAL, foreign keys on, a busy timeout so the sender and the
handlers can write side by side); PostgreSQL when ``DATABASE_URL`` says so.
The schema is owned by Alembic: ``upgrade()`` runs at every start — one process at a
time when several share a PostgreSQL database (``storage.locks.exclusive``).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import locks

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001 - DB-API objects
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


class StoreUnavailable(Exception):
    """The database cannot be opened. ``kind``: ``driver`` (the DB-API module is not installed),
    ``unreachable``, ``no_database``, ``auth``, ``file`` (SQLite cannot open its file) or ``other``;
    ``detail`` is the name at fault or the driver's first line. ``where`` never holds a password."""

    def __init__(self, kind: str, where: str, detail: str = ""):
        super().__init__(f"{kind}: {where}: {detail}")
        self.kind, self.where, self.detail = kind, where, detail


_NO_DATABASE = re.compile(r'database "([^"]+)" does not exist')
_AUTH = ("password authentication failed", "no password supplied", "authentication failed", "role \"")
_UNREACHABLE = ("connection refused", "could not translate host name", "timeout expired", "timed out",
                "no route to host", "name or service not known", "network is unreachable",
                "connection to server", "could not connect")


def classify(exc: BaseException, where: str) -> StoreUnavailable:
    """A start-up failure of the database as one of ``StoreUnavailable``'s kinds."""
    if isinstance(exc, (ImportError, sa.exc.NoSuchModuleError)):
        return StoreUnavailable("driver", where, getattr(exc, "name", None) or str(exc))
    message = str(getattr(exc, "orig", None) or exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    lowered = message.lower()
    if (m := _NO_DATABASE.search(message)) is not None:
        return StoreUnavailable("no_database", where, m.group(1))
    if any(a in lowered for a in _AUTH):
        return StoreUnavailable("auth", where, first)
    if any(u in lowered for u in _UNREACHABLE):
        return StoreUnavailable("unreachable", where, first)
    if "unable to open database file" in lowered or "readonly database" in lowered or "disk i/o" in lowered:
        return StoreUnavailable("file", where, first)
    return StoreUnavailable("other", where, first)


class Store:
    """The database: sessions for handlers, migrations for start-up."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = make_engine(url)
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise classify(exc, _where(url)) from None

    @classmethod
    def open(cls, url: str) -> "Store":
        """Connect and migrate, or ``StoreUnavailable`` saying why (start-up; never a driver's traceback)."""
        store = cls(url)
        try:
            store.upgrade()
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            store.dispose()
            raise classify(exc, _where(url)) from None
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def upgrade(self, revision: str = "head") -> None:
        with self.exclusive("schema"):
            command.upgrade(alembic_config(self.engine), revision)

    def exclusive(self, name: str):
        """A context in which no other process sharing this PostgreSQL database is in ``name``."""
        return locks.exclusive(self.engine, name)

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            except sa.exc.DBAPIError:
                return None

    def dispose(self) -> None:
        self.engine.dispose()


def _where(url: str) -> str:
    """The URL as an operator may see it: no password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "?"
