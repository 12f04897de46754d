"""Every table from one database to another, SQLite ↔ PostgreSQL: ``agency-bot db copy`` and the
logical backup (a PostgreSQL snapshot kept as an SQLite file where ``pg_dump`` is not at hand).

The target is migrated to the source's revision first, so the tables match column for column;
rows go through SQLAlchemy's types (aware UTC instants, JSON, booleans), in foreign-key order,
in one transaction on the target. A self-reference (a unit's parent, a submission's newer
version) may point to a row not yet written, so such columns are filled in after the table.
Ids are kept, and PostgreSQL's sequences are moved past them, so new rows never collide.
"""

from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)

BATCH = 1000


def tables() -> list[sa.Table]:
    """The bot's tables, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def row_count(engine: Engine) -> int:
    """Rows in the bot's tables (0 for a database without them): what "empty" means."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        return sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in tables()
                   if t.name in present)


def drop_all(engine: Engine) -> None:
    """Remove the bot's (empty) tables and the migration mark, so a dump can be restored in their place."""
    with engine.begin() as conn:
        SQLModel.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def copy_all(source: Connection, target: Engine) -> dict[str, int]:
    """Copy every row of ``source`` (read in one snapshot by the caller) into ``target``; rows per table."""
    copied = {}
    with target.begin() as dst:
        for table in tables():
            later = [c.parent.name for c in table.foreign_keys if c.column.table is table]
            pk = list(table.primary_key.columns)
            links: list[tuple[dict, dict]] = []
            count = 0
            for batch in _batches(source, table, pk):
                rows = [dict(row) for row in batch]
                if later:
                    for row in rows:
                        values = {name: row[name] for name in later if row[name] is not None}
                        if values:
                            links.append(({c.name: row[c.name] for c in pk}, values))
                            row.update({name: None for name in values})
                dst.execute(table.insert(), rows)
                count += len(rows)
            for key, values in links:
                dst.execute(table.update().where(*[table.c[name] == value for name, value in key.items()])
                            .values(**values))
            copied[table.name] = count
        if target.dialect.name == "postgresql":
            _advance_sequences(dst)
    return copied


def _batches(source: Connection, table: sa.Table, pk: list[sa.Column]) -> Iterator[list]:
    result = source.execute(sa.select(table).order_by(*pk)).mappings()
    while batch := result.fetchmany(BATCH):
        yield batch


def _advance_sequences(conn: Connection) -> None:
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        column = pk[0].name
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": column}).scalar()
        if sequence:
            conn.execute(sa.text(f'SELECT setval(:s, COALESCE((SELECT max("{column}") FROM "{table.name}"), 0) + 1, '
                                 'false)'), {"s": sequence})
