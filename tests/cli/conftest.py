"""The command line runs as an operator would: in a fresh directory, with none of this machine's settings."""

import os

import pytest


@pytest.fixture(autouse=True)
def fresh_dir(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "ZALO_", "STAFF_", "DATABASE_", "BOT_CLOCK", "PLAN_", "LOG_LEVEL")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path
