"""``agency-bot db copy --to URL``: SQLite → PostgreSQL → SQLite with units, people, submissions and
their files' metadata, the outbox, questions; the copy is a working bot; refusals are one sentence."""

from __future__ import annotations

import os

import pytest
from ops_data import overview, populate, table_rows
from support import Talk, build_test_services

from bot.cli import main
from messages.texts import operations as texts
from storage import people
from storage.db import Store


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "LOG_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


async def test_copy_to_postgresql_and_back_keeps_every_row(talk, services, router, pg_url, plan, clock, tmp_path,
                                                           cli_env, capsys, keep_logging):
    await populate(talk, services)
    seen = await overview(talk, tmp_path / "original.xlsx")
    original = table_rows(services.store.engine)
    assert all(original[t] for t in ("unit", "person", "submission", "outgoing_message", "question_log",
                                     "broadcast", "inspection_visit", "learned_phrasing"))

    cli_env.setenv("DATABASE_URL", services.store.url)
    assert main(["db", "copy", "--to", pg_url]) == 0
    assert "Đã sao chép" in capsys.readouterr().out
    pg = Store(pg_url)
    assert table_rows(pg.engine) == original
    copied = build_test_services(pg, plan, clock, tmp_path)  # the copy is a working bot
    assert await overview(Talk(copied, router), tmp_path / "copy.xlsx") == seen
    with pg.session() as s:  # new rows get ids past the copied ones
        assert people.ensure(s, "test", "newcomer").id > max(p["id"] for p in original["person"])

    back = tmp_path / "back.sqlite3"
    cli_env.setenv("DATABASE_URL", pg_url)
    assert main(["db", "copy", "--to", f"sqlite:///{back}"]) == 0
    on_pg = table_rows(pg.engine)
    assert table_rows(Store(f"sqlite:///{back}").engine) == on_pg

    # refusals: one sentence each, nothing written
    capsys.readouterr()
    assert main(["db", "copy", "--to", pg_url]) == 2
    assert capsys.readouterr().err.strip() == texts.COPY_SAME
    cli_env.setenv("DATABASE_URL", services.store.url)
    assert main(["db", "copy", "--to", pg_url]) == 2
    assert capsys.readouterr().err.strip() == texts.COPY_TARGET_NOT_EMPTY.format(count=sum(map(len, on_pg.values())))
    assert main(["db", "copy", "--to", "không phải địa chỉ"]) == 2
    assert capsys.readouterr().err.strip() == texts.COPY_BAD_URL.format(url="không phải địa chỉ")
    assert main(["db", "copy", "--to", "postgresql://nobody@127.0.0.1:9/none"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Không kết nối được cơ sở dữ liệu đích") and len(err.splitlines()) == 1
    assert table_rows(pg.engine) == on_pg
    pg.dispose()
