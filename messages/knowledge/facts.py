"""The values answer templates are filled with, all read from the plan and the store.

Plan-wide values are computed once; values about the unit concerned (its inspection
date, its deadlines) are looked up only when a template asks for them.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Protocol

from messages.deadlines import Deadline, calendar_days, deadline
from messages.knowledge_schema import PLACEHOLDERS
from messages.plan import Obligation, Plan, official_date
from messages.texts import questions as texts
from messages.units import Roster, UnitRecord
from messages.vntext import fmt_date, fmt_datetime

EXAMPLE_SUBORDINATES = 10


class Clock(Protocol):
    def now(self) -> datetime: ...


class World(Protocol):
    """What the engine asks the running bot (``handlers.context.Services`` is one).

    ``clock`` (the business clock) is optional: without it, "how many days are left" answers give
    the deadline only."""

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


def fragment(text: str) -> str:
    """A sentence or title used inside another sentence: no final stop, lower-case first letter
    unless a name starts it ("Kết quả tự kiểm tra…" → "kết quả tự kiểm tra…"; "Sở Nội vụ…" stays)."""
    text = text.strip().rstrip(".;")
    words = text.split()
    if len(words) >= 2 and words[0][:1].isupper() and words[0][1:].islower() and not words[1][:1].isupper():
        return text[0].lower() + text[1:]
    return text


def quoted(wording: str) -> str:
    """The plan's own words, in quotation marks (its dates are written as the plan writes them)."""
    return texts.QUOTED.format(text=wording) if wording else ""


# "Căn cứ Kế hoạch, xây dựng…": the lead-in refers to the plan the bot is quoting; in a list of duties it is noise
_PLAN_LEAD_IN = re.compile(r"^Căn cứ [Kk]ế hoạch(?: này)?\s*,\s*")


class PlanFacts:
    def __init__(self, plan: Plan):
        self.plan = plan
        doc, insp = plan.document, plan.inspection
        names = {u.code: u.name for u in plan.units}
        ratio = next((o.ratio for o in plan.obligations if o.ratio is not None), None)
        report = next((d for d in plan.deliverables if d.applies_to == "not_inspected" and d.due.last_day), None)
        team = next((d for d in plan.deliverables if d.applies_to == "inspected"), None)
        implements = [b for b in plan.legal_bases if b.relation == "implements"]
        order = plan.level_order()
        listed = [[c for c in (plan.selection(lv).units if plan.selection(lv) else [])] for lv in order]
        first = listed[0] if listed else []
        second = listed[1] if len(listed) > 1 else []
        per_parent = next((s.per_parent for s in insp.selection if s.per_parent), 0)
        later = next((s for s in insp.selection if s.per_parent), None)
        parent_level = plan.level(later.level).parent if later else None
        n_parents = len(plan.selection(parent_level).units) if parent_level and plan.selection(parent_level) else 0
        n_communes = per_parent * n_parents + sum(len(s.units) for s in insp.selection if s.per_parent)
        targets = insp.coverage.targets if insp.coverage else []
        coverage_ratio = next((t.ratio for t in targets if t.ratio is not None), None)
        coverage_count = next((t.count for t in targets if t.count is not None), 0)
        self.ratio = ratio
        self.static: dict[str, Any] = {
            "citation": doc.citation, "doc_kind": doc.kind, "doc_number": doc.number,
            "doc_date": official_date(doc.date),  # the document's date as citations write it (03/3/2020)
            "doc_year": doc.year, "doc_title": doc.title, "doc_subject": fragment(doc.title), "issuer": doc.issuer,
            "place": doc.place,
            "signer": doc.signer.full, "signer_name": doc.signer.name, "signer_position": doc.signer.position,
            "signer_capacity": doc.signer.capacity or "", "recipients": bullets(doc.recipients),
            "legal_bases": self._bases(), "implements": "; ".join(b.label for b in implements) or doc.citation,
            "quote": {s.id: s.text for s in plan.sections},
            "coordinator": names.get(plan.coordinator, plan.coordinator),
            "window": insp.window.label, "window_start": fmt_date(insp.window.start), "window_end": fmt_date(insp.window.end),
            "departments": bullets([names[c] for c in first]),
            "departments_inline": ", ".join(names[c] for c in first), "n_departments": len(first),
            "districts": bullets([names[c] for c in second]),
            "districts_inline": ", ".join(names[c] for c in second), "n_districts": len(second),
            "communes_per_district": per_parent, "n_communes": n_communes,
            "coverage_pct": pct(coverage_ratio) if coverage_ratio else "", "coverage_communes": coverage_count,
            "n_inspected": len(first) + len(second) + n_communes,
            "ratio_pct": pct(ratio) if ratio is not None else "",
            "coordinator_duties": self._duties("coordinator"), "inspected_duties": self._duties("inspected"),
            "not_inspected_duties": self._duties("not_inspected"), "all_duties": self._duties("all"),
            "report_title": report.title if report else "", "report_deadline": fmt_date(report.due.last_day) if report else "",
            "report_wording": quoted(report.due.wording) if report else "",
            "report_recipient": report.recipient if report else "",
            "report_content": fragment(report.content) if report else "",
            "team_report_recipient": team.recipient if team else "",
            "team_report_content": fragment(team.content) if team else "",
            "example_n": EXAMPLE_SUBORDINATES,
            "example_required": math.ceil(round((ratio or 0) * EXAMPLE_SUBORDINATES, 6)),
        }
        self.report = report
        missing = PLACEHOLDERS - set(self.static) - LAZY
        assert not missing, f"placeholders without a value: {missing}"

    def _bases(self) -> str:
        """The legal bases, each cited the administrative way ("… ngày 04/02/2016 …"), including the one
        an amending decision amends (its subject in the plan file spells that date out in words)."""
        by_id = {b.id: b for b in self.plan.legal_bases}
        lines = []
        for b in self.plan.legal_bases:
            if b.relation == "implements":
                lines.append(texts.IMPLEMENTS.format(label=b.label, subject=b.subject))
            elif b.amends and b.amends in by_id:
                lines.append(texts.BASIS_AMENDS.format(label=b.label, amended=by_id[b.amends].label))
            else:
                lines.append(texts.BASIS.format(label=b.label, subject=b.subject))
        return "\n".join(lines)

    def duty(self, o: Obligation) -> str:
        """An obligation as a list item: without the "Căn cứ Kế hoạch," lead-in, deadlines in quotes."""
        text = _PLAN_LEAD_IN.sub("", o.text.strip())
        text = text[:1].upper() + text[1:]
        for d in self.plan.deliverables:
            if d.due.wording and d.due.wording in text:
                text = text.replace(d.due.wording, quoted(d.due.wording))
        return text.rstrip(".;")

    def _duties(self, audience: str) -> str:
        return bullets([self.duty(o) for o in self.plan.obligations if o.applies_to == audience])

    def may_be_chosen(self, unit: UnitRecord, inspected: frozenset[str] | None = None) -> bool:
        """A unit not (yet) chosen that the announcer may still choose (the plan leaves a choice)."""
        return not unit.inspected and self.plan.may_be_chosen(unit.level, unit.parent,
                                                              inspected if inspected is not None else self.plan.listed_codes)

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

    def _now(self) -> datetime | None:
        clock = getattr(self.world, "clock", None)
        return clock.now() if clock is not None else None

    def _compute(self, key: str) -> Any:
        plan, unit = self.pf.plan, self.unit
        if key in ("n_given", "n_exact", "n_required"):
            n = self.number or 0
            exact = (self.pf.ratio or 0) * n
            return {"n_given": n, "n_exact": decimal(exact), "n_required": math.ceil(round(exact, 6))}[key]
        if key == "report_countdown":
            report, now = self.pf.report, self._now()
            if report is None:
                return ""
            if now is None:
                return texts.COUNTDOWN_NO_CLOCK.format(date=fmt_date(report.due.last_day))
            due = deadline(plan, report, now.tzinfo, None)
            return countdown(calendar_days(due.at, now), now, fmt_date(due.at), texts.COUNTDOWN_DEADLINE)
        if unit is None:
            return ""
        if key == "unit":
            return unit.name
        if key == "unit_parent":
            parent = self.world.roster().get(unit.parent) if (self.world and unit.parent) else None
            return parent.name if parent else texts.UNKNOWN_PARENT
        if key == "unit_duties":
            obligations = plan.obligations_for(unit.code, unit.inspected, unit.level)
            return "\n".join(texts.DUTY.format(text=self.pf.duty(o), section=o.section) for o in obligations)
        if key == "inspection_date":
            at = self.world.inspection_at(unit.code) if self.world else None
            return fmt_datetime(at) if at else texts.INSPECTION_NOT_SET
        if key == "inspection_countdown":
            at = self.world.inspection_at(unit.code) if self.world else None
            now = self._now()
            if at is None:
                return texts.INSPECTION_NOT_SET
            if now is None:
                return fmt_datetime(at)
            return countdown(calendar_days(at, now), now, fmt_datetime(at), texts.COUNTDOWN_INSPECTION)
        if key == "unit_deadlines":
            lines = []
            for d in (self.world.deadlines(unit) if self.world else []):
                if d.deliverable.due.last_day is not None:
                    lines.append(texts.DEADLINE_DATE.format(title=d.deliverable.title, date=fmt_date(d.at),
                                                            wording=quoted(d.deliverable.due.wording)))
                elif not d.unset:
                    lines.append(texts.DEADLINE_SCHEDULED.format(title=d.deliverable.title, date=fmt_datetime(d.at)))
                else:
                    lines.append(texts.DEADLINE_PROVISIONAL.format(title=d.deliverable.title,
                                                                   wording=quoted(d.deliverable.due.wording)))
            return "\n".join(lines)
        raise KeyError(key)


def countdown(days: int, now: datetime, when: str, templates: tuple[str, str, str]) -> str:
    """"hôm nay 01/09/2020, còn 29 ngày đến …" / "… là hôm nay" / "… đã qua 3 ngày" (calendar days)."""
    ahead, today, past = templates
    template = ahead if days > 0 else today if days == 0 else past
    return template.format(today=fmt_date(now), days=abs(days), when=when)


# placeholders computed on use (about the unit concerned, the question, or today)
LAZY = frozenset({"unit", "unit_parent", "unit_duties", "unit_deadlines", "inspection_date", "inspection_countdown",
                  "n_given", "n_exact", "n_required", "report_countdown"})

__all__ = ["PlanFacts", "Facts", "World", "LAZY"]
