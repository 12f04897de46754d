"""The summary report the coordinating office owes the People's Committee, drafted as DOCX.

``/baocaotonghop`` (staff) and ``agency-bot report --out FILE.docx``. The layout (as the decree
on administrative documents, Nghị định 30, sets it) and every sentence are in the template
``messages/templates/bao-cao-tong-hop.docx``: docxtpl, Jinja tags in a Word file staff can edit.
This module only gathers the facts, all from the plan and the store, so another plan's report
needs no code change. The counts are ``handlers.reports.standings`` and ``tally``, the same as
/tonghop and the workbook.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from handlers.context import Context, Services
from handlers.formatting import late_by
from handlers.reports import Standing, Tally, due_label, exports_dir, standings, tally, unit_order
from handlers.router import Router
from handlers.types import Reply
from messages.plan import official_date
from messages.texts import summary_report as texts
from messages.vntext import fmt_datetime, long_date

log = logging.getLogger("agency_bot.summary_report")

TEMPLATE = Path(__file__).resolve().parents[1] / "messages" / "templates" / "bao-cao-tong-hop.docx"


def report_context(services: Services) -> dict[str, Any]:
    """Everything the template fills in: the plan, the counts, the lists, the inspections."""
    plan, clock = services.plan, services.clock
    doc = plan.document
    now = clock.local(clock.now())
    table = standings(services)
    return {
        "parent_body": doc.issuer,
        "issuer": plan.unit_name(plan.coordinator),
        "recipient": doc.issuer,
        "place": doc.place,
        "date_long": long_date(now.date()),
        "as_of": fmt_datetime(now),
        "plan": {
            "citation": doc.citation, "kind": doc.kind, "number": doc.number, "date": official_date(doc.date),
            "date_long": long_date(doc.date), "issuer": doc.issuer, "title": doc.title,
            "title_lower": doc.title[:1].lower() + doc.title[1:], "year": doc.year,
        },
        "window": plan.summary_dates(),
        "deliverables": [_deliverable(services, d, table[d.id]) for d in plan.deliverables],
        **_inspected(services),
    }


def _counts(name: str, t: Tally) -> dict[str, Any]:
    return {"name": name, "owed": t.owed, "on_time": t.on_time, "late": t.late, "missing": t.missing,
            "overdue": t.overdue}


def _deliverable(services: Services, deliverable, rows: list[Standing]) -> dict[str, Any]:
    local, level_name = services.clock.local, services.plan.level_name
    total, by_level = tally(rows, services)
    late = [{"name": st.unit.name, "level": level_name(st.unit.level), "level_id": st.unit.level,
             "received": fmt_datetime(local(st.received.first_received_at)),
             "late_by": late_by(st.deadline, local(st.received.first_received_at))}
            for st in rows if st.status == "late"]
    missing = [{"name": st.unit.name, "level": level_name(st.unit.level), "level_id": st.unit.level,
                "overdue": st.overdue} for st in rows if not st.submitted]
    flagged = [{"name": st.unit.name, "flags": st.content_flags} for st in rows if st.content_flags]
    return {
        "title": deliverable.title, "short": deliverable.short,
        "section": services.plan.section_label(deliverable.section), "due": due_label(deliverable),
        "levels": [_counts(level_name(level), t) for level, t in by_level.items()] if rows else [],
        "total": _counts(texts.TOTAL, total), "late": late, "missing": missing, "flagged": flagged,
        "late_by_level": _by_level(services, late, by_level),
        "missing_by_level": _by_level(services, missing, by_level),
        "overdue": total.overdue > 0,
    }


def _by_level(services: Services, units: list[dict[str, Any]], levels: dict[str, Tally]) -> list[dict[str, Any]]:
    """Units grouped by administrative level, levels in the tally's (the plan's) order."""
    return [{"level": services.plan.level_name(level), "units": members} for level in levels
            if (members := [u for u in units if u["level_id"] == level])]


def _inspected(services: Services) -> dict[str, Any]:
    """The units inspected directly, in roster order, with the dates staff set."""
    dates = services.inspections()
    units = [u for u in unit_order(services) if u.inspected]
    inspected = []
    for unit in units:
        at = dates.get(unit.code)
        inspected.append({"name": unit.name, "level": services.plan.level_name(unit.level),
                          "date": fmt_datetime(at) if at is not None else None})
    return {"inspected": inspected, "inspected_dated": sum(1 for u in inspected if u["date"])}


def write_report(services: Services, path: Path | str, template: Path | str = TEMPLATE) -> Path:
    """Render the draft into ``path`` (``.docx`` added if missing), through a temp file."""
    from docxtpl import DocxTemplate

    path = Path(path).resolve()
    if path.suffix.lower() != ".docx":
        path = path.with_name(path.name + ".docx")
    path.parent.mkdir(parents=True, exist_ok=True)
    document = DocxTemplate(str(template))
    document.render(report_context(services), autoescape=True)  # names such as "Sở KH&ĐT" stay XML
    tmp = path.with_name(f".{path.name}.part")
    document.save(str(tmp))
    tmp.replace(path)  # a reader never sees half a document
    return path


def register(router: Router) -> None:
    @router.command("baocaotonghop", role="staff", description=texts.COMMAND, aliases=("bao cao tong hop",))
    async def draft(ctx: Context) -> list[Reply]:
        services = ctx.services
        now = services.clock.now()
        name = texts.FILE_NAME.format(stamp=services.clock.local(now).strftime("%Y%m%d_%H%M"))
        target = exports_dir(services) / f"{ctx.actor.person_id}-{name}"
        path = await asyncio.to_thread(write_report, services, target)
        log.info("summary report drafted for person=%s", ctx.actor.person_id)
        return [Reply(texts.DONE.format(now=fmt_datetime(services.clock.local(now)),
                                        citation=services.plan.document.citation),
                      document=path, document_name=name)]
