"""``agency-bot backup --out DIR`` and ``agency-bot restore DIR``.

A backup is a folder: the database (``database.sqlite3`` — SQLite's online backup, or a
logical export of PostgreSQL — or ``database.pgdump`` from ``pg_dump``), the received files
under ``files/`` as they are stored (content-addressed), and ``manifest.json`` with the size
and SHA-256 of each, written last: a folder without it is not a backup.

Taken while the bot runs: the database first, then the files. Files are kept before the row
that names them is committed (``storage.files``), so every submission in the snapshot finds
its file; files that arrive later are copied too and are harmless. A restore checks every
checksum before touching anything, goes only into an empty database and an empty files
folder, and migrates the result to the running version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from bot.settings import Settings
from messages.texts import operations as texts
from storage import snapshot, transfer
from storage.db import Store

log = logging.getLogger("agency_bot.backup")

MANIFEST = "manifest.json"
FILES = "files"
SQLITE_NAME, DUMP_NAME = "database.sqlite3", "database.pgdump"
CHUNK = 1 << 20


def add_parsers(sub) -> None:
    H = texts.HELP
    backup = sub.add_parser("backup", help=H["backup"], description=H["backup"])
    backup.add_argument("--out", required=True, type=Path, metavar="DIR", help=H["backup.out"])
    restore = sub.add_parser("restore", help=H["restore"], description=H["restore"])
    restore.add_argument("source", type=Path, metavar="DIR", help=H["restore.dir"])


def _refuse(text: str) -> Exception:
    from bot.cli import CliError

    return CliError(text)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    manifest = backup(settings, args.out)
    size = manifest["database"]["size"] + sum(f["size"] for f in manifest["files"])
    print(texts.BACKUP_DONE.format(path=args.out, format=manifest["database"]["format"],
                                   files=len(manifest["files"]), size=_human(size)))
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    manifest = restore(settings, args.source)
    print(texts.RESTORE_DONE.format(path=args.source, created=manifest["created_at"], files=len(manifest["files"]),
                                    revision=manifest["restored_revision"]))
    return 0


# ---- backup ----------------------------------------------------------------------------
def backup(settings: Settings, out: Path) -> dict:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise _refuse(texts.BACKUP_TARGET_NOT_EMPTY.format(path=out))
    out.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    try:
        database = _database(store, out)
    finally:
        store.dispose()
    files = _copy_files(settings.files_dir, out / FILES)
    manifest = {"format": 1, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": database, "files": files}
    temp = out / (MANIFEST + ".part")
    temp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temp, out / MANIFEST)
    return manifest


def _database(store: Store, out: Path) -> dict:
    info = {"dialect": store.dialect, "revision": store.current_revision()}
    if store.dialect == "postgresql":
        info["schema"] = snapshot.current_schema(store.engine)
        why = snapshot.pg_dump(store.engine, out / DUMP_NAME)
        if why is None:
            return {**info, **_described(out / DUMP_NAME), "format": "pg_dump"}
        log.warning("pg_dump did not work (%s): exporting the tables instead", why)
        (out / DUMP_NAME).unlink(missing_ok=True)
        _export(store, out / SQLITE_NAME, info["revision"])
        return {**info, **_described(out / SQLITE_NAME), "format": "export"}
    snapshot.sqlite_copy(snapshot.sqlite_file(store.engine), out / SQLITE_NAME)
    return {**info, **_described(out / SQLITE_NAME), "format": "sqlite"}


def _export(store: Store, path: Path, revision: str | None) -> None:
    """PostgreSQL → an SQLite file at the same revision, read in one snapshot."""
    target = Store(f"sqlite:///{path}")
    try:
        target.upgrade(revision or "head")
        with snapshot.reading(store.engine) as source:
            transfer.copy_all(source, target.engine)
    finally:
        target.dispose()
    snapshot.self_contained(path)


def _copy_files(root: Path, dest: Path) -> list[dict]:
    """Every kept file (the temp area left out), hashed while copied."""
    listed = []
    if not root.is_dir():
        return listed
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if rel.parts[0].startswith("."):  # the temp area: files not yet kept
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            digest, size = _copy(path, target)
        except FileNotFoundError:  # released meanwhile (a refused commit): nothing points to it
            continue
        listed.append({"path": rel.as_posix(), "size": size, "sha256": digest})
    return listed


def _copy(source: Path, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest(), size


def _described(path: Path) -> dict:
    return {"file": path.name, "size": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---- restore ---------------------------------------------------------------------------
def restore(settings: Settings, source: Path) -> dict:
    manifest = _verified(source)
    database = manifest["database"]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    try:
        _check_empty(store, settings.files_dir)
        if database["format"] == "pg_dump":
            _restore_dump(store, source / database["file"], database)
        elif store.dialect == "sqlite":
            store.dispose()  # the file is replaced page by page: no connection of ours may hold it
            snapshot.sqlite_copy(source / database["file"], snapshot.sqlite_file(store.engine))
        else:
            _import(store, source / database["file"], database.get("revision"))
        store.upgrade()
        manifest["restored_revision"] = store.current_revision()
    finally:
        store.dispose()
    for entry in manifest["files"]:
        target = settings.files_dir / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy(source / FILES / entry["path"], target)
    return manifest


def _verified(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        entries = [(manifest["database"]["file"], manifest["database"]["sha256"])]
        entries += [(f"{FILES}/{f['path']}", f["sha256"]) for f in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise _refuse(texts.RESTORE_NO_MANIFEST.format(path=source)) from None
    for name, expected in entries:
        path = source / name
        if ".." in Path(name).parts or not path.is_file():
            raise _refuse(texts.RESTORE_MISSING_FILE.format(name=name))
        if _sha256(path) != expected:
            raise _refuse(texts.RESTORE_BAD_CHECKSUM.format(name=name))
    return manifest


def _check_empty(store: Store, files_dir: Path) -> None:
    rows = transfer.row_count(store.engine)
    if rows:
        raise _refuse(texts.RESTORE_TARGET_NOT_EMPTY.format(what=texts.WHAT_DATABASE.format(count=rows)))
    if files_dir.is_dir() and any(p.is_file() for p in files_dir.rglob("*")):
        raise _refuse(texts.RESTORE_TARGET_NOT_EMPTY.format(what=texts.WHAT_FILES.format(path=files_dir)))


def _restore_dump(store: Store, dump: Path, database: dict) -> None:
    if store.dialect != "postgresql":
        raise _refuse(texts.RESTORE_NEEDS_POSTGRES)
    if shutil.which("pg_restore") is None:
        raise _refuse(texts.RESTORE_NEEDS_PG_RESTORE)
    schema = snapshot.current_schema(store.engine)
    if database.get("schema") not in (None, schema):
        raise _refuse(texts.RESTORE_SCHEMA_MISMATCH.format(schema=database["schema"], target=schema))
    transfer.drop_all(store.engine)  # empty tables of a first start would collide with the dump's
    why = snapshot.pg_restore(store.engine, dump)
    if why is not None:
        raise _refuse(texts.RESTORE_FAILED.format(reason=why))


def _import(store: Store, path: Path, revision: str | None) -> None:
    """An SQLite backup into PostgreSQL: the same revision first, then every row."""
    store.upgrade(revision or "head")
    source = snapshot.read_only(path)
    try:
        with source.connect() as conn:
            transfer.copy_all(conn, store.engine)
    finally:
        source.dispose()


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
