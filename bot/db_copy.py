"""``agency-bot db copy --to URL``: every row of the configured database into another, empty one.

The way from one SQLite file to PostgreSQL when an office outgrows a single process (and back,
for a copy to look at). The source is read in one snapshot, so the bot may keep running; the
target is migrated to the source's revision and must hold no rows. Received files stay where
they are (``DATA_DIR/files``): point the new deployment's ``DATA_DIR`` at them.
"""

from __future__ import annotations

import argparse

import sqlalchemy as sa

from bot.settings import Settings, database_url
from messages.texts import operations as texts
from storage import snapshot, transfer
from storage.db import Store


def add_parser(db_sub) -> None:
    copy = db_sub.add_parser("copy", help=texts.HELP["db.copy"], description=texts.HELP["db.copy"])
    copy.add_argument("--to", required=True, metavar="URL", help=texts.HELP["db.copy.to"])


def cmd_db_copy(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import CliError

    try:
        target_url = database_url(args.to)
        shown = sa.engine.make_url(target_url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        raise CliError(texts.COPY_BAD_URL.format(url=args.to)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    source = Store(settings.resolved_database_url())
    target = Store(target_url)
    try:
        if source.engine.url == target.engine.url:
            raise CliError(texts.COPY_SAME)
        source.upgrade()
        try:
            rows = transfer.row_count(target.engine)
        except sa.exc.DBAPIError as exc:
            raise CliError(texts.COPY_UNREACHABLE.format(target=shown, reason=type(exc.orig).__name__)) from None
        if rows:
            raise CliError(texts.COPY_TARGET_NOT_EMPTY.format(count=rows))
        target.upgrade(source.current_revision() or "head")
        with snapshot.reading(source.engine) as conn:
            copied = transfer.copy_all(conn, target.engine)
    finally:
        source.dispose()
        target.dispose()
    print(texts.COPY_DONE.format(rows=sum(copied.values()), tables=len(copied), target=shown))
    return 0
