"""Who has sent what: the overview (/tonghop), the full list, and the Excel export (/xuatexcel).

Everything is computed from the plan (which unit owes which deliverable, by when)
and the store (units added at run time, submissions, focal points) — never from
hard-coded lists — by ``standings``, which broadcasts reuse for "units that still
owe a report".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from handlers import audit, content_check
from handlers.context import Context, Services
from handlers.router import Router
from handlers.types import Reply
from messages.deadlines import Deadline
from messages.plan import Deliverable
from messages.texts import reports as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime
from storage import people
from storage import reports as report_store

log = logging.getLogger("agency_bot.reports")

# The short overview is read on a phone: a screenful or two. Lists of names shrink to fit;
# the full list (a button) and the workbook have everything. Channels split long texts.
OVERVIEW_MAX_CHARS = 3500
OVERVIEW_NAMES = 8  # missing units named per deliverable in the short overview


@dataclass(frozen=True)
class Standing:
    """One unit against one deliverable it owes."""

    unit: UnitRecord
    deadline: Deadline
    received: report_store.Received | None
    focal_points: int  # active registered focal points
    overdue: bool  # nothing received and the deadline has passed

    @property
    def on_time(self) -> bool:
        """The one rule: the first version arrived by the deadline as it stands now."""
        return self.received is not None and self.deadline.met_by(self.received.first_received_at)

    @property
    def status(self) -> str:
        """on_time | late | missing (still in time) | overdue."""
        if self.received is not None:
            return "on_time" if self.on_time else "late"
        return "overdue" if self.overdue else "missing"

    @property
    def submitted(self) -> bool:
        return self.received is not None

    @property
    def content_flags(self) -> str | None:
        """What looks wrong in the current version's content, for staff (None: nothing, or not read)."""
        return content_check.staff_flags(content_check.Check.from_json(self.received.content_check)) \
            if self.received is not None else None


def unit_order(services: Services) -> list[UnitRecord]:
    """By the plan's levels (parents' levels first); within a level by parent, then plan order, then name."""
    roster = services.roster()
    index = {u.code: i for i, u in enumerate(roster.units)}
    levels = {lv: i for i, lv in enumerate(services.plan.level_order())}

    def key(u: UnitRecord) -> tuple:
        return levels.get(u.level, len(levels)), index.get(u.parent or "", -1), index[u.code], u.name

    return sorted(roster.units, key=key)


def level_order(services: Services, present: set[str]) -> list[str]:
    """The plan's levels that ``present`` has, in plan order, then any unknown ones."""
    order = [lv for lv in services.plan.level_order() if lv in present]
    return order + sorted(present - set(order))


def standings(services: Services) -> dict[str, list[Standing]]:
    """For each deliverable of the plan (in plan order): every unit that owes it, and where it stands."""
    now = services.clock.now()
    with services.store.session() as s:
        received = report_store.received(s)
        focal = people.focal_counts(s)
    units = unit_order(services)
    deadlines = services.deadlines_many(units)  # one query for every unit's inspection date
    out: dict[str, list[Standing]] = {d.id: [] for d in services.plan.deliverables}
    for unit in units:
        for deadline in deadlines[unit.code]:
            got = received.get((unit.code, deadline.deliverable.id))
            out[deadline.deliverable.id].append(Standing(
                unit=unit, deadline=deadline, received=got, focal_points=focal.get(unit.code, 0),
                overdue=got is None and deadline.passed(now),
            ))
    return out


@dataclass
class Tally:
    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0  # not yet received (including overdue)
    overdue: int = 0

    def add(self, st: Standing) -> None:
        self.owed += 1
        status = st.status
        if status == "on_time":
            self.on_time += 1
        elif status == "late":
            self.late += 1
        else:
            self.missing += 1
            self.overdue += status == "overdue"

    @property
    def submitted(self) -> int:
        return self.on_time + self.late


def tally(rows: list[Standing], services: Services) -> tuple[Tally, dict[str, Tally]]:
    """Totals and per-level totals (the plan's levels in order, only those present)."""
    total, by_level = Tally(), {}
    for st in rows:
        total.add(st)
        by_level.setdefault(st.unit.level, Tally()).add(st)
    return total, {lv: by_level[lv] for lv in level_order(services, set(by_level))}


def due_label(deliverable: Deliverable) -> str:
    last = deliverable.due.last_day
    return fmt_date(last) if last is not None else texts.OVERVIEW_DUE_VARIES


# ---- the overview -----------------------------------------------------------------
def _counts(t: Tally, template: str, **extra: str) -> str:
    overdue = texts.OVERVIEW_OVERDUE.format(n=t.overdue) if t.overdue else ""
    return template.format(owed=t.owed, on_time=t.on_time, late=t.late, missing=t.missing, overdue=overdue, **extra)


def overview_text(services: Services, names_per_deliverable: int = OVERVIEW_NAMES) -> str:
    """The short overview: within ``OVERVIEW_MAX_CHARS`` by naming fewer missing units if needed
    (the counts are always all there)."""
    table = standings(services)
    now = fmt_datetime(services.clock.now())
    for names in range(names_per_deliverable, -1, -1):
        blocks = [texts.OVERVIEW_HEADER.format(now=now)]
        for deliverable in services.plan.deliverables:
            rows = table[deliverable.id]
            blocks.append(_overview_block(services, deliverable, rows, names))
        blocks.append(texts.OVERVIEW_FOOTER)
        text = "\n\n".join(blocks)
        if len(text) <= OVERVIEW_MAX_CHARS:
            break
    return text


def _overview_block(services: Services, deliverable: Deliverable, rows: list[Standing], names: int) -> str:
    lines = [texts.OVERVIEW_DELIVERABLE.format(title=deliverable.short, due=due_label(deliverable))]
    if not rows:
        lines.append(texts.OVERVIEW_NOBODY_OWES)
        return "\n".join(lines)
    total, by_level = tally(rows, services)
    lines.append(_counts(total, texts.OVERVIEW_TOTALS))
    if len(by_level) > 1:
        lines += [_counts(t, texts.OVERVIEW_LEVEL, level=services.plan.level_name(lv)) for lv, t in by_level.items()]
    missing = [st.unit.name for st in rows if not st.submitted]
    if not missing:
        lines.append(texts.OVERVIEW_ALL_IN)
    else:
        lines.append(texts.OVERVIEW_MISSING.format(names=_some(missing, names)))
    flagged = [st.unit.name for st in rows if st.content_flags]
    if flagged:
        lines.append(texts.OVERVIEW_FLAGGED.format(n=len(flagged), names=_some(flagged, names)))
    return "\n".join(lines)


def _some(names: list[str], shown: int) -> str:
    """The first ``shown`` names, then "and N other units"."""
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text = texts.OVERVIEW_MISSING_MORE.format(names=text, more=len(names) - shown) if shown else \
            texts.OVERVIEW_MISSING_MORE.format(names="", more=len(names)).strip()
    return text


def full_list_texts(services: Services) -> list[str]:
    """Every unit by deliverable, group and tier: one text per deliverable (channels split long ones)."""
    table = standings(services)
    now = fmt_datetime(services.clock.now())
    out: list[str] = []
    for deliverable in services.plan.deliverables:
        rows = table[deliverable.id]
        lines = [texts.FULL_HEADER.format(title=deliverable.short, now=now)]
        groups = (
            (texts.FULL_GROUP_MISSING, [st for st in rows if not st.submitted]),
            (texts.FULL_GROUP_LATE, [st for st in rows if st.status == "late"]),
            (texts.FULL_GROUP_ON_TIME, [st for st in rows if st.status == "on_time"]),
        )
        for label, members in groups:
            lines.append(texts.FULL_GROUP.format(label=label, n=len(members)))
            if not members:
                lines.append(texts.FULL_NONE)
            for level in level_order(services, {m.unit.level for m in members}):
                in_level = [m for m in members if m.unit.level == level]
                lines.append(texts.FULL_LEVEL.format(level=services.plan.level_name(level)))
                lines += [texts.FULL_LINE.format(name=m.unit.name, detail=_detail(services, m)) for m in in_level]
        out.append("\n".join(lines))
    return out


def _detail(services: Services, st: Standing) -> str:
    if st.received is not None:
        flagged = st.content_flags
        return texts.FULL_RECEIVED.format(receipt=st.received.receipt_no,
                                          when=fmt_datetime(services.clock.local(st.received.first_received_at))) + \
            (texts.FULL_FLAGGED.format(flags=flagged) if flagged else "")
    return texts.FULL_NO_FOCAL if st.focal_points == 0 else ""


# ---- the export ---------------------------------------------------------------------
def write_workbook(services: Services, path: Path | str, table: dict[str, list[Standing]] | None = None) -> Path:
    """The submissions workbook (``agency-bot export --out FILE.xlsx`` and /xuatexcel)."""
    from handlers.workbook import build_workbook

    path = Path(path).resolve()
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = build_workbook(services, standings(services) if table is None else table)
    tmp = path.with_name(f".{path.name}.part")
    workbook.save(tmp)
    tmp.replace(path)  # a reader never sees half a workbook
    return path


EXPORT_KEEP_SECONDS = 24 * 3600  # a workbook sent in chat is kept a day, then swept at the next export
EXPORT_PATTERNS = ("*.xlsx", "*.docx")  # the workbook, the drafted summary report


def exports_dir(services: Services) -> Path:
    """``DATA_DIR/exports``; workbooks and drafts older than a day are removed (they were sent long ago)."""
    import time

    root = getattr(services.files, "root", None)
    if root is not None:
        folder = Path(root).parent / "exports"
    else:
        import tempfile

        folder = Path(tempfile.gettempdir()) / "agency-bot-exports"
    cutoff = time.time() - EXPORT_KEEP_SECONDS
    for old in [p for pattern in EXPORT_PATTERNS for p in folder.glob(pattern)] if folder.is_dir() else ():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    return folder


# ---- commands -----------------------------------------------------------------------
def register(router: Router) -> None:
    @router.command("tonghop", role="staff", description=texts.COMMAND_OVERVIEW, aliases=("tong hop",))
    async def overview(ctx: Context) -> list[Reply]:
        return [Reply(overview_text(ctx.services), options=[ctx.option(texts.BUTTON_FULL_LIST, "overview_full")])]

    @router.action("overview_full", role="staff")
    async def overview_full(ctx: Context, payload: dict) -> list[Reply]:
        return [Reply(text) for text in full_list_texts(ctx.services)]

    @router.command("xuatexcel", role="staff", description=texts.COMMAND_EXPORT, aliases=("xuat excel",))
    async def export(ctx: Context) -> list[Reply]:
        services = ctx.services
        now = services.clock.now()
        name = texts.EXPORT_FILE_NAME.format(stamp=now.strftime("%Y%m%d_%H%M"))
        table = standings(services)
        path = write_workbook(services, exports_dir(services) / f"{ctx.actor.person_id}-{name}", table)
        units = len({st.unit.code for rows in table.values() for st in rows})
        log.info("export written for person=%s", ctx.actor.person_id)
        audit.record(services, ctx.actor, "export")
        return [Reply(texts.EXPORT_DONE.format(now=fmt_datetime(now), units=units, deliverables=len(table)),
                      document=path, document_name=name)]
