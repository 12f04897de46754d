"""Loading the roster from the spreadsheet staff already keep (``agency-bot units import``).

Columns (header names as staff write them, any order): name, level, parent, optional code,
optional inspected. Every row is checked before anything is written: a bad level, an unknown
parent or a duplicate name stops the whole import with one line per problem (row numbers as
the spreadsheet shows them), so a half-loaded roster never exists. The plan file stays the
authority on its own units: a row naming one of them changes nothing.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from handlers.context import Services
from messages.plan import Level
from messages.texts import units as texts
from messages.units import UnitRecord, expand
from messages.vntext import fold, nfc, slug
from storage import units as unit_store

log = logging.getLogger("agency_bot.roster")

COLUMNS = {  # folded header → field
    "name": "name", "ten": "name", "ten don vi": "name", "don vi": "name",
    "level": "level", "cap": "level", "cap hanh chinh": "level",
    "parent": "parent", "thuoc": "parent", "don vi cap tren": "parent", "cap tren": "parent",
    "code": "code", "ma": "code", "ma don vi": "code",
    "inspected": "inspected", "kiem tra truc tiep": "inspected", "duoc kiem tra": "inspected",
}
YES = frozenset({"x", "1", "co", "yes", "true", "y", "c"})
NO = frozenset({"0", "khong", "no", "false", "n", "k"})


class ImportFailed(Exception):
    """The file cannot be read as a roster; one sentence for the operator."""


@dataclass(frozen=True)
class Row:
    line: int
    name: str
    level: str
    parent: str = ""
    code: str = ""
    inspected: str = ""


@dataclass(frozen=True)
class Change:
    line: int
    kind: str  # add | update | same | plan
    unit: UnitRecord


@dataclass
class Report:
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)


# ---- reading ---------------------------------------------------------------------------------
def read_rows(path: Path) -> list[Row]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFailed(texts.IMPORT_NO_FILE.format(path=path))
    try:
        table = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path) if suffix == ".csv" else None
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise ImportFailed(texts.IMPORT_UNREADABLE.format(path=path, reason=type(exc).__name__)) from None
    if table is None:
        raise ImportFailed(texts.IMPORT_WRONG_TYPE.format(path=path))
    if not table:
        raise ImportFailed(texts.IMPORT_EMPTY.format(path=path))
    header = {COLUMNS.get(fold(str(h or ""))): i for i, h in enumerate(table[0])}
    missing = [c for c in ("name", "level") if c not in header]
    if missing:
        raise ImportFailed(texts.IMPORT_COLUMNS.format(missing=", ".join(missing)))
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        values = {f: nfc(str(cells[i])).strip() if i < len(cells) and cells[i] is not None else ""
                  for f, i in header.items() if f is not None}
        if any(values.values()):
            rows.append(Row(n, values.get("name", ""), values.get("level", ""), values.get("parent", ""),
                            values.get("code", ""), values.get("inspected", "")))
    return rows


def _read_xlsx(path: Path) -> list[list]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


def _read_csv(path: Path) -> list[list]:
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [r for r in csv.reader(text.splitlines(), dialect)]


# ---- checking ------------------------------------------------------------------------------
def check(services: Services, rows: list[Row]) -> Report:
    """What the import would change, or why it cannot be done. Writes nothing."""
    plan = services.plan
    report = Report()
    seen: dict[tuple[str | None, str], int] = {}
    pending: dict[str, UnitRecord] = {}  # name key → unit added by an earlier row (a parent of later ones)
    for row in rows:
        problems_before = len(report.problems)
        level = _level(plan.levels, row.level)
        if not row.name:
            report.problems.append(texts.IMPORT_NO_NAME.format(line=row.line))
        if level is None:
            report.problems.append(texts.IMPORT_BAD_LEVEL.format(
                line=row.line, value=row.level, levels=", ".join(lv.name for lv in plan.levels)))
            continue
        parent = None
        if level.parent is not None:
            parent = _parent(services, row.parent, level, pending)
            if parent is None:
                report.problems.append(texts.IMPORT_BAD_PARENT.format(
                    line=row.line, value=row.parent or "—", level=plan.level_name(level.parent)))
        elif row.parent:
            report.problems.append(texts.IMPORT_NO_PARENT_LEVEL.format(line=row.line, level=level.name))
        inspected = _flag(row.inspected)
        if inspected == "?":
            report.problems.append(texts.IMPORT_BAD_FLAG.format(line=row.line, value=row.inspected))
        if row.code and slug(row.code) != row.code:
            report.problems.append(texts.IMPORT_BAD_CODE.format(line=row.line, value=row.code))
        key = (parent.code if parent else None, expand(row.name))
        if key in seen:
            report.problems.append(texts.IMPORT_DUPLICATE.format(line=row.line, name=row.name, first=seen[key]))
        seen[key] = row.line
        if len(report.problems) > problems_before:
            continue
        report.changes.append(_change(services, row, level, parent, inspected))
        pending[expand(row.name)] = report.changes[-1].unit
    return report


def _level(levels: list[Level], value: str) -> Level | None:
    """A level by its id, its name, its short name or one of its kind words ("xã", "commune")."""
    key = fold(value)
    for lv in levels:
        if key in {fold(lv.id), fold(lv.name), fold(lv.short), *(fold(k) for k in lv.kinds)}:
            return lv
    return None


def _parent(services: Services, value: str, level: Level, pending: dict[str, UnitRecord]) -> UnitRecord | None:
    if not value:
        return None
    hit = pending.get(expand(value))
    if hit is None:
        hit = services.roster().resolve(value).unit
    return hit if hit is not None and hit.level == level.parent else None


def _flag(value: str) -> bool | None | str:
    key = fold(value)
    if not key:
        return None
    return True if key in YES else False if key in NO else "?"


def _change(services: Services, row: Row, level: Level, parent: UnitRecord | None, inspected: bool | None) -> Change:
    roster = services.roster()
    code = row.code or slug(row.name)
    existing = roster.get(code) or _same_name(services, row.name, level, parent)
    plan_unit = services.plan.unit(existing.code) if existing else None
    if plan_unit is not None:
        return Change(row.line, "plan", existing)
    unit = UnitRecord(existing.code if existing else code, row.name, level.id, parent.code if parent else None,
                      inspected=existing.inspected if (existing and inspected is None) else bool(inspected))
    if existing is None:
        return Change(row.line, "add", unit)
    same = (existing.name, existing.level, existing.parent, existing.inspected) == \
           (unit.name, unit.level, unit.parent, unit.inspected)
    return Change(row.line, "same" if same else "update", unit)


def _same_name(services: Services, name: str, level: Level, parent: UnitRecord | None) -> UnitRecord | None:
    pool = services.roster().children(parent.code) if parent else services.roster().of_level(level.id)
    key = expand(name)
    return next((u for u in pool if u.level == level.id and expand(u.name) == key), None)


# ---- writing ---------------------------------------------------------------------------------
def apply(services: Services, report: Report) -> None:
    """Write the checked changes in one transaction (parents come before their children in the file)."""
    if report.problems:
        raise ImportFailed(texts.IMPORT_NOT_APPLIED)
    with services.store.session() as s:
        for change in report.changes:
            if change.kind in ("add", "update"):
                unit_store.upsert(s, change.unit, source="import")
        s.commit()
    services.units_changed()
    log.info("roster import: %d added, %d updated", report.count("add"), report.count("update"))


def describe(services: Services, report: Report, dry_run: bool) -> str:
    lines = []
    if report.problems:
        lines.append(texts.IMPORT_PROBLEMS.format(n=len(report.problems)))
        lines += [texts.IMPORT_PROBLEM.format(text=p) for p in report.problems]
        return "\n".join(lines)
    head = texts.IMPORT_DRY_RUN if dry_run else texts.IMPORT_DONE
    lines.append(head.format(add=report.count("add"), update=report.count("update"), same=report.count("same"),
                             plan=report.count("plan")))
    for change in report.changes:
        if change.kind in ("add", "update"):
            parent = services.roster().get(change.unit.parent or "")
            lines.append(texts.IMPORT_LINE[change.kind].format(
                line=change.line, name=change.unit.name, code=change.unit.code,
                level=services.plan.level_name(change.unit.level),
                parent=texts.NEW_UNIT_PARENT.format(parent=parent.name) if parent else "",
                inspected=texts.IMPORT_INSPECTED if change.unit.inspected else ""))
    return "\n".join(lines)


def list_roster(services: Services) -> str:
    """``agency-bot units list``: every unit by level, with code, parent and whether it is inspected."""
    plan, roster = services.plan, services.roster()
    lines = []
    for level in plan.level_order():
        units = roster.of_level(level)
        lines.append(texts.LIST_LEVEL.format(level=plan.level_name(level), count=len(units)))
        for u in units:
            parent = roster.get(u.parent or "")
            lines.append(texts.LIST_LINE.format(
                code=u.code, name=u.name, parent=texts.NEW_UNIT_PARENT.format(parent=parent.name) if parent else "",
                inspected=texts.IMPORT_INSPECTED if u.inspected else "",
                source=texts.LIST_FROM_PLAN if plan.unit(u.code) else texts.LIST_ADDED))
    return "\n".join(lines)

