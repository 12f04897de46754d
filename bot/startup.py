"""What start-up needs from the machine — a writable data folder, a database it can open —
refused in one sentence (``SettingsError``) instead of a driver's or the OS's traceback."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from bot.settings import Settings, SettingsError
from messages.texts import config as texts
from storage.db import Store, StoreUnavailable


def os_reason(exc: OSError) -> str:
    """Why the OS refused, in Vietnamese (the errno's name, not the English strerror)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    return texts.OS_REASONS.get(name) or texts.OS_REASON_OTHER.format(code=name or exc.errno)


def ensure_data_dir(path: Path) -> None:
    """``DATA_DIR`` exists and takes a file (a probe written and removed), or one sentence why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise FileExistsError(errno.EEXIST, "not a directory")
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SettingsError(texts.DATA_DIR_UNUSABLE.format(path=path, reason=os_reason(exc))) from None


def open_store(settings: Settings) -> Store:
    """The migrated store; a missing driver, an unreachable server, a missing database or an
    unwritable SQLite file is one sentence naming it."""
    ensure_data_dir(settings.data_dir)
    try:
        return Store.open(settings.resolved_database_url())
    except StoreUnavailable as exc:
        raise SettingsError(_sentence(exc)) from None


def _sentence(exc: StoreUnavailable) -> str:
    where = exc.where
    if exc.kind == "driver":
        return texts.DB_DRIVER_MISSING
    if exc.kind == "unreachable":
        return texts.DB_UNREACHABLE.format(where=where)
    if exc.kind == "no_database":
        return texts.DB_MISSING.format(name=exc.detail, where=where)
    if exc.kind == "auth":
        return texts.DB_AUTH.format(where=where)
    if exc.kind == "file":
        readonly = "readonly" in exc.detail.lower()
        return texts.DB_FILE.format(where=where, reason=texts.DB_READONLY if readonly else texts.DB_CANNOT_OPEN)
    return texts.DB_OTHER.format(where=where, reason=exc.detail)
