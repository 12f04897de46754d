"""``agency-bot backup`` / ``agency-bot restore``: a backup taken while files keep arriving restores to
a bot whose /tonghop and workbook are the original's at that moment, and every receipt's file has its
recorded sha256; PostgreSQL through pg_dump, and through the export where pg_dump is missing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil

import pytest
from ops_data import FOCAL, overview, populate, table_rows
from sqlmodel import select
from support import Talk, build_test_services, make_store, register_focal

from bot import backup as backups
from bot.cli import CliError
from bot.settings import Settings
from data.files import samples
from messages.texts import operations as texts
from storage import snapshot
from storage.db import Store
from storage.models import Submission


def settings_for(url: str, data_dir) -> Settings:
    return Settings(_env_file=None, database_url=url, data_dir=data_dir)


def files_match_receipts(services) -> int:
    """Every submission's file is there with its recorded sha256; returns how many submissions."""
    with services.store.session() as s:
        rows = list(s.exec(select(Submission)).all())
    for row in rows:
        path = services.files.root / row.stored_path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256, row.receipt_no
    return len(rows)


async def restored_bot(url: str, data_dir, plan, clock, router) -> Talk:
    return Talk(build_test_services(Store(url), plan, clock, data_dir), router)


async def test_a_backup_taken_during_intake_restores_the_same_overview(talk, services, router, plan, clock, tmp_path):
    for user, unit in FOCAL:
        await register_focal(talk, user, unit)
    seen = {0: await overview(talk, tmp_path / "seen-0.xlsx")}  # submissions in the store → what staff saw
    out = tmp_path / "backup"
    backup_task = None
    for n in range(1, 13):
        user = FOCAL[n % len(FOCAL)][0]
        replies = await talk(user, file=samples.incoming(samples.pdf(f"Ban {n}"), f"Báo cáo lần {n}.pdf"))
        assert "BIÊN NHẬN" in Talk.text(replies)
        seen[n] = await overview(talk, tmp_path / f"seen-{n}.xlsx")
        if n == 3:  # the backup runs in a thread while the intake goes on
            backup_task = asyncio.create_task(asyncio.to_thread(
                backups.backup, settings_for(services.store.url, tmp_path), out))
    manifest = await backup_task
    assert manifest["database"]["format"] == "sqlite" and (out / "manifest.json").is_file()

    target = tmp_path / "restored"
    backups.restore(settings_for(f"sqlite:///{target / 'db.sqlite3'}", target), out)
    restored = await restored_bot(f"sqlite:///{target / 'db.sqlite3'}", target, plan, clock, router)
    taken = files_match_receipts(restored.services)
    assert 3 <= taken < 12  # taken during the intake, not after it
    assert await overview(restored, tmp_path / "restored.xlsx") == seen[taken]
    restored.services.store.dispose()


async def test_postgresql_backups_by_pg_dump_and_by_export_restore_everything(
        talk, services, router, plan, clock, tmp_path, pg_databases, monkeypatch):
    source_url = pg_databases()
    pg_services = build_test_services(make_store(source_url), plan, clock, tmp_path / "source")
    pg_talk = Talk(pg_services, router)
    await populate(pg_talk, pg_services)
    seen = await overview(pg_talk, tmp_path / "source.xlsx")
    original = table_rows(pg_services.store.engine)
    source = settings_for(source_url, tmp_path / "source")

    if shutil.which("pg_dump"):
        dump = backups.backup(source, tmp_path / "dump")
        assert dump["database"]["format"] == "pg_dump"
        target_url = pg_databases()
        backups.restore(settings_for(target_url, tmp_path / "from-dump"), tmp_path / "dump")
        bot = await restored_bot(target_url, tmp_path / "from-dump", plan, clock, router)
        assert table_rows(bot.services.store.engine) == original and files_match_receipts(bot.services) == 3
        bot.services.store.dispose()

    monkeypatch.setattr(snapshot.shutil, "which", lambda name: None)  # no PostgreSQL tools on this machine
    export = backups.backup(source, tmp_path / "export")
    assert export["database"]["format"] == "export"
    for name, url in (("to-pg", pg_databases()), ("to-sqlite", f"sqlite:///{tmp_path / 'to-sqlite.sqlite3'}")):
        backups.restore(settings_for(url, tmp_path / name), tmp_path / "export")
        bot = await restored_bot(url, tmp_path / name, plan, clock, router)
        assert table_rows(bot.services.store.engine) == original and files_match_receipts(bot.services) == 3
        assert await overview(bot, tmp_path / f"{name}.xlsx") == seen
        bot.services.store.dispose()
    pg_services.store.dispose()


async def test_refusals_leave_everything_as_it_was(talk, services, tmp_path):
    await populate(talk, services)
    out = tmp_path / "backup"
    backups.backup(settings_for(services.store.url, tmp_path), out)
    manifest = json.loads((out / "manifest.json").read_text())
    with pytest.raises(CliError) as refused:  # a folder that holds something
        backups.backup(settings_for(services.store.url, tmp_path), out)
    assert str(refused.value) == texts.BACKUP_TARGET_NOT_EMPTY.format(path=out)
    with pytest.raises(CliError) as refused:  # the running bot's own store is not empty
        backups.restore(settings_for(services.store.url, tmp_path), out)
    assert str(refused.value).startswith("Nơi khôi phục đã có dữ liệu")
    empty = tmp_path / "empty"
    (empty / "files" / "aa").mkdir(parents=True)
    (empty / "files" / "aa" / "stray.pdf").write_bytes(b"%PDF-")
    with pytest.raises(CliError) as refused:  # files where the restored ones would go
        backups.restore(settings_for(f"sqlite:///{empty / 'db.sqlite3'}", empty), out)
    assert str(refused.value) == texts.RESTORE_TARGET_NOT_EMPTY.format(
        what=texts.WHAT_FILES.format(path=empty / "files"))
    damaged = out / "files" / manifest["files"][0]["path"]
    damaged.write_bytes(damaged.read_bytes() + b"x")
    fresh = tmp_path / "fresh"
    with pytest.raises(CliError) as refused:
        backups.restore(settings_for(f"sqlite:///{fresh / 'db.sqlite3'}", fresh), out)
    assert str(refused.value) == texts.RESTORE_BAD_CHECKSUM.format(name=f"files/{manifest['files'][0]['path']}")
    assert not (fresh / "db.sqlite3").exists() and not (fresh / "files").exists()
    with pytest.raises(CliError) as refused:
        backups.restore(settings_for(f"sqlite:///{fresh / 'db.sqlite3'}", fresh), tmp_path)
    assert str(refused.value) == texts.RESTORE_NO_MANIFEST.format(path=tmp_path)


async def test_the_command_line_backs_up_and_restores(talk, services, tmp_path, monkeypatch, capsys, keep_logging):
    from bot.cli import main

    await populate(talk, services)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", services.store.url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["backup", "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.startswith(f"Đã sao lưu vào {tmp_path / 'b'}: cơ sở dữ liệu (sqlite), 3 tệp")
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "new"))
    assert main(["restore", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out.startswith(f"Đã khôi phục bản sao lưu {tmp_path / 'b'}")
    assert table_rows(Store(f"sqlite:///{tmp_path / 'new' / 'agency-bot.sqlite3'}").engine) == \
        table_rows(services.store.engine)
    assert main(["restore", str(tmp_path / "b")]) == 2  # not into a bot that has data
    assert capsys.readouterr().err.strip().startswith("Nơi khôi phục đã có dữ liệu")
