"""The values answer templates are filled with, all read from the plan and the store.

Plan-wide values are computed once; values about the unit concerned (its inspection
date, its deadlines) are looked up only when a template asks for them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Protocol

from messages.deadlines import Deadline
from messages.knowledge_schema import PLACEHOLDERS
from messages.plan import Plan
from messages.texts import questions as texts
from messages.units import Roster, UnitRecord
from messages.vntext import fmt_date, fmt_datetime

EXAMPLE_SUBORDINATES = 10


class World(Protocol):
    """What the engine asks the running bot (``handlers.context.Services`` is one)."""

    def roster(self) -> Roster: ...

    def inspection_at(self, unit_code: str) -> datetime | None: ...

    def deadlines(self, unit: UnitRecord) -> list[Deadline]: ...


def pct(ratio: float) -> str:
    value = round(ratio * 100, 2)
    return f"{value:g}%".replace(".", ",")


def decimal(value: float) -> str:
    value = round(value, 6)
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").replace(".", ",")


def bullets(lines: list[str]) -> str:
    return "\n".join(texts.BULLET.format(text=line.rstrip(".;")) for line in lines)


class PlanFacts:
    def __init__(self, plan: Plan):
        self.plan = plan
        doc, insp = plan.document, plan.inspection
        names = {u.code: u.name for u in plan.units}
        ratio = next((o.ratio for o in plan.obligations if o.ratio is not None), None)
        report = next((d for d in plan.deliverables if d.applies_to == "not_inspected" and d.due.date), None)
        team = next((d for d in plan.deliverables if d.applies_to == "inspected"), None)
        implements = [b for b in plan.legal_bases if b.relation == "implements"]
        n_communes = insp.communes_per_district * len(insp.districts) if not insp.communes else len(insp.communes)
        self.ratio = ratio
        self.static: dict[str, Any] = {
            "citation": doc.citation, "doc_kind": doc.kind, "doc_number": doc.number, "doc_date": fmt_date(doc.date),
            "doc_year": doc.year, "doc_title": doc.title, "issuer": doc.issuer, "place": doc.place,
            "signer": doc.signer.full, "signer_name": doc.signer.name, "signer_position": doc.signer.position,
            "signer_capacity": doc.signer.capacity or "", "recipients": bullets(doc.recipients),
            "legal_bases": self._bases(), "implements": "; ".join(b.label for b in implements) or doc.citation,
            "quote": {s.id: s.text for s in plan.sections},
            "coordinator": names.get(plan.coordinator, plan.coordinator),
            "window": insp.window.label, "window_start": fmt_date(insp.window.start), "window_end": fmt_date(insp.window.end),
            "departments": bullets([names[c] for c in insp.departments]),
            "departments_inline": ", ".join(names[c] for c in insp.departments), "n_departments": len(insp.departments),
            "districts": bullets([names[c] for c in insp.districts]),
            "districts_inline": ", ".join(names[c] for c in insp.districts), "n_districts": len(insp.districts),
            "communes_per_district": insp.communes_per_district, "n_communes": n_communes,
            "coverage_pct": pct(insp.coverage.departments_ratio), "coverage_communes": insp.coverage.communes,
            "n_inspected": len(insp.departments) + len(insp.districts) + n_communes,
            "ratio_pct": pct(ratio) if ratio is not None else "",
            "coordinator_duties": self._duties("coordinator"), "inspected_duties": self._duties("inspected"),
            "not_inspected_duties": self._duties("not_inspected"), "all_duties": self._duties("all"),
            "report_title": report.title if report else "", "report_deadline": fmt_date(report.due.date) if report else "",
            "report_wording": report.due.wording if report else "", "report_recipient": report.recipient if report else "",
            "report_content": report.content if report else "",
            "team_report_recipient": team.recipient if team else "", "team_report_content": team.content if team else "",
            "example_n": EXAMPLE_SUBORDINATES,
            "example_required": math.ceil(round((ratio or 0) * EXAMPLE_SUBORDINATES, 6)),
        }
        missing = PLACEHOLDERS - set(self.static) - {"unit", "unit_parent", "unit_duties", "unit_deadlines",
                                                    "inspection_date", "n_given", "n_exact", "n_required"}
        assert not missing, f"placeholders without a value: {missing}"

    def _bases(self) -> str:
        lines = []
        for b in self.plan.legal_bases:
            if b.relation == "implements":
                lines.append(texts.IMPLEMENTS.format(label=b.label, subject=b.subject))
            elif b.amends:
                lines.append(texts.BASIS_AMENDS.format(label=b.label, subject=b.subject))
            else:
                lines.append(texts.BASIS.format(label=b.label, subject=b.subject))
        return "\n".join(lines)

    def _duties(self, audience: str) -> str:
        return bullets([o.text for o in self.plan.obligations if o.applies_to == audience])

    def may_be_chosen(self, unit: UnitRecord) -> bool:
        """A commune not (yet) chosen whose district is inspected directly (II.2.c)."""
        return unit.tier == "commune" and not unit.inspected and unit.parent in self.plan.inspection.districts

    def values(self, unit: UnitRecord | None, world: World | None, number: int | None) -> "Facts":
        return Facts(self, unit, world, number)


class Facts(dict):
    """``str.format_map`` source: plan values, plus the unit's own looked up on first use."""

    def __init__(self, plan_facts: PlanFacts, unit: UnitRecord | None, world: World | None, number: int | None):
        super().__init__(plan_facts.static)
        self.pf, self.unit, self.world, self.number = plan_facts, unit, world, number

    def __missing__(self, key: str) -> Any:
        value = self._compute(key)
        self[key] = value
        return value

    def _compute(self, key: str) -> Any:
        plan, unit = self.pf.plan, self.unit
        if key in ("n_given", "n_exact", "n_required"):
            n = self.number or 0
            exact = (self.pf.ratio or 0) * n
            return {"n_given": n, "n_exact": decimal(exact), "n_required": math.ceil(round(exact, 6))}[key]
        if unit is None:
            return ""
        if key == "unit":
            return unit.name
        if key == "unit_parent":
            parent = self.world.roster().get(unit.parent) if (self.world and unit.parent) else None
            return parent.name if parent else texts.UNKNOWN_PARENT
        if key == "unit_duties":
            obligations = plan.obligations_for(unit.code, unit.inspected)
            return "\n".join(texts.DUTY.format(text=o.text.rstrip(".;"), section=o.section) for o in obligations)
        if key == "inspection_date":
            at = self.world.inspection_at(unit.code) if self.world else None
            return fmt_datetime(at) if at else texts.INSPECTION_NOT_SET
        if key == "unit_deadlines":
            lines = []
            for d in (self.world.deadlines(unit) if self.world else []):
                if d.deliverable.due.date is not None:
                    lines.append(texts.DEADLINE_DATE.format(title=d.deliverable.title, wording=d.deliverable.due.wording,
                                                            date=fmt_date(d.at)))
                elif not d.provisional:
                    lines.append(texts.DEADLINE_SCHEDULED.format(title=d.deliverable.title, date=fmt_datetime(d.at)))
                else:
                    lines.append(texts.DEADLINE_PROVISIONAL.format(title=d.deliverable.title, wording=d.deliverable.due.wording))
            return "\n".join(lines)
        raise KeyError(key)


__all__ = ["PlanFacts", "Facts", "World"]
