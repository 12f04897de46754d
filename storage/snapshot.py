"""Consistent copies of a live database, without stopping the bot.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page under one
  read transaction, so a copy taken while files arrive is a state the database really had;
- PostgreSQL: ``pg_dump`` (one snapshot by design) in its custom format when the program is
  installed and matches the server, restored with ``pg_restore``; otherwise the caller reads
  through ``reading`` — a REPEATABLE READ transaction, one snapshot for every table.
The password goes to the tools through ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storage import locks

DUMP_TIMEOUT_S = 3600
_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )")


def sqlite_file(engine: Engine) -> Path:
    return Path(engine.url.database or "")


def self_contained(path: Path) -> None:
    """Fold an SQLite file's WAL into it, so the file alone is the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def read_only(path: Path) -> Engine:
    """An engine that reads an SQLite file without changing a byte of it (a backup stays as it was)."""
    return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page (WAL included) into ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, readable without its WAL
        finally:
            dst.close()
    finally:
        src.close()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one state of the database."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="agency-bot-snapshot-") as tmp:
            copy = Path(tmp) / "snapshot.sqlite3"
            sqlite_copy(sqlite_file(engine), copy)
            snapshot = sa.create_engine(f"sqlite:///{copy}")
            try:
                with snapshot.connect() as conn:
                    yield conn
            finally:
                snapshot.dispose()
        return
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            yield conn


def _libpq(engine: Engine) -> tuple[list[str], dict[str, str]]:
    """``--dbname`` for the PostgreSQL tools and the environment carrying the password."""
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return [f"--dbname={url.set(password=None).render_as_string(hide_password=False)}"], env


def current_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT current_schema()")).scalar()


def pg_dump(engine: Engine, out: Path) -> str | None:
    """Dump the bot's schema to ``out``; None on success, else why not (the caller exports instead)."""
    program = shutil.which("pg_dump")
    if program is None:
        return "pg_dump not found"
    dbname, env = _libpq(engine)
    args = [program, *dbname, "--format=custom", "--no-owner", "--no-privileges",
            f"--schema={current_schema(engine)}", f"--file={out}"]
    return _run(args, env)


def pg_restore(engine: Engine, dump: Path) -> str | None:
    """Restore a dump into the (empty) database; None on success, else the tool's complaint."""
    program = shutil.which("pg_restore")
    if program is None:
        return "pg_restore not found"
    dbname, env = _libpq(engine)
    listing = subprocess.run([program, "--list", str(dump)], capture_output=True, text=True, timeout=DUMP_TIMEOUT_S)
    if listing.returncode != 0:
        return listing.stderr.strip()[-300:] or "pg_restore --list failed"
    # the schema itself exists already in the target (a dump of "public" would create it again)
    wanted = [line for line in listing.stdout.splitlines() if not _SCHEMA_ENTRY.search(line)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as fh:
        fh.write("\n".join(wanted) + "\n")
    try:
        with locks.exclusive(engine, "schema"):
            return _run([program, *dbname, "--no-owner", "--no-privileges", "--exit-on-error",
                         "--single-transaction", f"--use-list={fh.name}", str(dump)], env)
    finally:
        os.unlink(fh.name)


def _run(args: list[str], env: dict[str, str]) -> str | None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return type(exc).__name__
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else f"exit status {done.returncode}"
    return None
