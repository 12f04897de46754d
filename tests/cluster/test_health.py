"""``/healthz``: the process's role, and 503 — not 200 — while the database does not answer;
on SQLite, a second ``agency-bot run`` on the same data directory is refused with one sentence."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
import pytest
from support import until

from bot.app import Runtime
from bot.cli import main
from bot.settings import Settings, SettingsError
from messages.texts import operations as texts


def _admin(pg_database: str, sql: str) -> None:
    name = pg_database.rsplit("/", 1)[1]
    base = pg_database.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)[0] + "/test"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.format(name=name))


async def health(runtime: Runtime) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"http://127.0.0.1:{runtime.http.port}/healthz")


async def test_healthz_says_the_role_and_503_while_the_database_is_down(pg_database, tmp_path):
    runtime = Runtime.build(Settings(_env_file=None, database_url=pg_database, data_dir=tmp_path, http_port=0))
    runtime.leadership.poll_seconds = 0.2
    await runtime.start()
    try:
        await until(lambda: runtime.leadership.leading)
        answer = await health(runtime)
        assert answer.status_code == 200
        assert answer.json()["role"] == "leader" and answer.json()["database"] is True

        # the database stops answering: no new connection, the current ones dropped
        _admin(pg_database, 'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        _admin(pg_database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        await until(lambda: not runtime.leadership.leading, timeout=5)
        await until(lambda: not runtime.scheduler.scheduler.running and runtime.sender._task is None)  # handed over
        for _ in range(50):  # the check is cached for a second
            answer = await health(runtime)
            if answer.status_code != 200:
                break
            await asyncio.sleep(0.1)
        assert answer.status_code == 503
        assert answer.json()["database"] is False and answer.json()["role"] == "follower"

        _admin(pg_database, 'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')  # back: it leads again
        await until(lambda: runtime.leadership.leading, timeout=10)
        await until(lambda: runtime.scheduler.scheduler.running and runtime.sender._task is not None)  # duties back
        await asyncio.sleep(1.0)
        answer = await health(runtime)
        assert answer.status_code == 200 and answer.json()["role"] == "leader"
    finally:
        _admin(pg_database, 'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await runtime.stop()


async def test_a_second_run_on_the_same_sqlite_data_directory_is_refused(tmp_path, monkeypatch, capsys,
                                                                         keep_logging):
    first = Runtime.build(Settings(_env_file=None, data_dir=tmp_path, http_port=0))
    await first.start()
    try:
        assert first.leadership.leading
        with pytest.raises(SettingsError) as refused:
            Runtime.build(Settings(_env_file=None, data_dir=tmp_path, http_port=0))
        assert str(refused.value) == texts.ALREADY_RUNNING.format(path=tmp_path.resolve())
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        monkeypatch.setenv("HTTP_PORT", "0")
        assert await asyncio.to_thread(main, ["run"]) == 2  # the command line: one sentence, no traceback
        err = capsys.readouterr().err
        assert err.strip() == texts.ALREADY_RUNNING.format(path=tmp_path.resolve())
    finally:
        await first.stop()
    second = Runtime.build(Settings(_env_file=None, data_dir=tmp_path, http_port=0))  # the lock went with it
    second.leadership.release()
    second.services.store.dispose()
