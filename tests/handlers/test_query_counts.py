"""The overview, the full list, the export and the "still owes" audience cost the same number of
SQL statements for 37 units as for 37 + 60: nothing is read once per unit or per deliverable."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from broadcast_helpers import add_submission
from support import TZ, register_focal
from sqlalchemy import event

from handlers.broadcast import audience_units
from handlers.unit_picker import add_unit
from storage import units as unit_store

SELF_REPORT = "bao-cao-tu-kiem-tra"


@contextmanager
def counting(services):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(services.store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(services.store.engine, "before_cursor_execute", count)


async def costs(talk, services) -> dict[str, int]:
    services.roster()  # built once per change of units, not per request: not what is measured
    out = {}
    for name, run in (("tonghop", lambda: talk("staff", "/tonghop")),
                      ("full", lambda: talk.tap("staff", "danh sách đầy đủ")),
                      ("xuatexcel", lambda: talk("staff", "/xuatexcel"))):
        with counting(services) as statements:
            await run()
        out[name] = len(statements)
    with counting(services) as statements:
        audience_units(services, {"kind": "owes", "deliverable": SELF_REPORT})
    out["owes"] = len(statements)
    return out


def add_communes(services, n: int) -> None:
    roster = services.roster()
    districts = [u for u in roster.units if u.level == "district"]
    for i in range(n):
        district = districts[i % len(districts)]
        unit = roster.resolve(f"UBND xã Đếm Số {i}, {district.name.removeprefix('UBND ')}").new_unit
        add_unit(services, unit, source="staff")
        if i % 2:  # half of them are inspected, with a date of their own
            with services.store.session() as s:
                unit_store.set_inspection(s, unit.code, datetime(2020, 9, 20 + i % 5, 8, 0, tzinfo=TZ), None)
        if i % 3 == 0:
            add_submission(services, unit.code, SELF_REPORT)
    services.units_changed()


async def test_report_queries_do_not_grow_with_the_roster(talk, services):
    await register_focal(talk, "yt1", "Sở Y tế")
    add_submission(services, "so-y-te", SELF_REPORT)
    with services.store.session() as s:
        unit_store.set_inspection(s, "so-tai-chinh", datetime(2020, 9, 15, 8, 0, tzinfo=TZ), None)
    small = await costs(talk, services)
    add_communes(services, 60)
    large = await costs(talk, services)
    assert large == small, (small, large)
    assert small["tonghop"] < 20  # and few in absolute terms
