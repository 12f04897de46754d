"""The values answer templates are filled with, all read from the plan's structure and the store.

The shared knowledge pack (``pack.yaml``) writes its answers once for every plan; what differs
from plan to plan comes from here: the document, its bases and signer, the levels and who of
each is inspected (listed, or chosen later by a rule), the window, the deliverables and their
deadlines, the duties of each group, and the sections to cite (``s_…`` values read "Mục III.4").
A value a plan cannot give is empty, and a topic that ``needs`` it is left out of that plan's
knowledge. Plan-wide values are computed once; values about the unit concerned (its inspection
date, its deadlines, its level's rule) are looked up only when a template asks for them.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Iterable, Protocol

from messages.deadlines import Deadline, calendar_days, deadline, work_calendar
from messages.plan import Deliverable, Obligation, Plan, Selection, official_date
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


def at_least(ratio: float, n: int) -> int:
    """"Từ 30% trở lên" of n units, as a count: rounded up (4 of 12, not 3,6)."""
    return math.ceil(round(ratio * n, 6))


def bullets(lines: Iterable[str]) -> str:
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
        doc = plan.document
        ids = [s.id for s in plan.sections]
        self._children = {p: [c for c in ids if c.rpartition(".")[0] == p] for p in ids}
        self.report = next((d for d in plan.deliverables if d.applies_to == "not_inspected" and d.due.last_day), None)
        self.team = next((d for d in plan.deliverables if d.applies_to == "inspected"), None)
        self.ratio_duty = next((o for o in plan.obligations if o.ratio is not None), None)
        implements = [b for b in plan.legal_bases if b.relation == "implements"]
        self.static: dict[str, Any] = {
            "citation": doc.citation, "doc_kind": doc.kind, "doc_number": doc.number,
            "doc_date": official_date(doc.date),  # the document's date as citations write it (03/3/2020)
            "doc_year": doc.year, "doc_title": doc.title, "doc_subject": fragment(doc.title), "issuer": doc.issuer,
            "issuer_short": doc.issuer_short, "place": doc.place,
            "signer": doc.signer.full, "signer_name": doc.signer.name, "signer_position": doc.signer.position,
            "signer_capacity": doc.signer.capacity or "", "recipients": bullets(doc.recipients),
            "recipients_last": doc.recipients[-1], "legal_bases": self._bases(),
            "implements": "; ".join(b.label for b in implements),
            "quote": {s.id: s.text for s in plan.sections},
            "coordinator": plan.coordinator_name, "announcer": plan.unit_name(plan.inspection.announced_by),
            "example_n": EXAMPLE_SUBORDINATES, **_example_units(plan),
            **self._sections(), **self._inspection(), **self._deliverables(), **self._duties(),
        }
        self.static["coordinator_inspection"] = self._coordinator_inspection()

    # ---- sections -----------------------------------------------------------------
    def label(self, section_ids: Iterable[str]) -> str:
        """"Mục III.3.a, III.3.b" (labelled parts as they are: "Phần căn cứ"); every subsection of a
        section cited is the section ("Mục II.2.a, II.2.b, II.2.c" → "Mục II.2")."""
        ids = self._whole(list(dict.fromkeys(section_ids)))
        numbered = [self.plan.section_label(s).removeprefix("Mục ") for s in ids
                    if self.plan.section_label(s).startswith("Mục ")]
        named = [self.plan.section_label(s) for s in ids if not self.plan.section_label(s).startswith("Mục ")]
        return ", ".join(([f"Mục {texts.SECTIONS_AND.join(numbered)}"] if numbered else []) + named)

    def _whole(self, ids: list[str]) -> list[str]:
        out: list[str] = []
        for s in ids:
            parent = s.rpartition(".")[0]
            children = self._children.get(parent, ())
            if len(children) > 1 and all(c in ids for c in children):
                s = parent
            if s not in out:
                out.append(s)
        return out

    def _coordinator_inspection(self) -> str:
        """"không thuộc đối tượng kiểm tra trực tiếp (Mục II.2)" or "cũng thuộc … (Mục II.2.a)"."""
        listed = [s.section for s in self.plan.inspection.selection if self.plan.coordinator in s.units]
        if listed:
            return texts.COORDINATOR_LISTED.format(section=self.label(listed))
        return texts.COORDINATOR_NOT_LISTED.format(section=self.static["s_selection"])

    def _sections(self) -> dict[str, str]:
        insp, plan = self.plan.inspection, self.plan
        ids = {s.id for s in plan.sections}
        part = {name: self.label([name]) if name in ids else "" for name in ("signature", "recipients", "preamble")}
        return {
            "s_inspection": self.label([insp.section]), "s_window": self.label([insp.window_section]),
            "s_announce": self.label([insp.announce_section]),
            "s_coverage": self.label([insp.coverage.section]) if insp.coverage else "",
            "s_selection": self.label(s.section for s in insp.selection),
            "s_report": self.label([self.report.section]) if self.report else "",
            "s_team_report": self.label([self.team.section]) if self.team else "",
            "s_ratio": self.label([self.ratio_duty.section]) if self.ratio_duty else "",
            "s_signature": part["signature"], "s_recipients": part["recipients"], "s_preamble": part["preamble"],
        }

    # ---- who is inspected -----------------------------------------------------------
    def _inspection(self) -> dict[str, Any]:
        plan, insp = self.plan, self.plan.inspection
        lines, inline, rules = [], [], []
        n_inspected = 0
        for sel in insp.selection:
            level = plan.level_name(sel.level)
            names = [plan.unit_name(c) for c in sel.units]
            if names:
                lines.append(texts.LISTED_LEVEL.format(level=level, n=len(names), kinds=self._kinds(sel.level, names),
                                                       names=", ".join(names)))
                inline.append(", ".join(names))
                n_inspected += len(names)
            if sel.chosen_later:
                rule = self.rule(sel.level)
                rules.append(texts.RULE_LINE.format(level=level, rule=rule, section=self.label([sel.section]),
                                                    announcer=plan.unit_name(insp.announced_by)))
                n_chosen = self._chosen_count(sel)
                lines.append(texts.LISTED_RULE.format(level=level, rule=rule, n=n_chosen,
                                                      announcer=plan.unit_name(insp.announced_by)))
                n_inspected += n_chosen
        w = insp.window
        targets = insp.coverage.targets if insp.coverage else []
        coverage = [texts.TARGET_RATIO.format(pct=pct(t.ratio), level=plan.level_name(t.level)) if t.ratio is not None
                    else texts.TARGET_COUNT.format(n=t.count, level=plan.level_name(t.level)) for t in targets]
        if len(lines) > 1 and n_inspected:
            lines.append(texts.LISTED_TOTAL.format(n=n_inspected))
        return {
            "inspected_list": bullets(lines), "inspected_inline": "; ".join(inline), "n_inspected": n_inspected,
            "selection_rules": "\n".join(rules), "levels_inline": ", ".join(lv.name for lv in plan.levels),
            "coverage": "; ".join(coverage),
            "window": w.label, "window_start": fmt_date(w.start), "window_end": fmt_date(w.end),
        }

    def _kinds(self, level_id: str, names: list[str]) -> str:
        """": 6 phường, 2 đặc khu, 12 xã" when a level's listed units are of several kinds."""
        kinds = sorted(self.plan.level(level_id).kinds, key=len, reverse=True)
        counts: dict[str, int] = {}
        for name in names:
            bare = re.sub(r"^(UBND|Ủy ban nhân dân)\s+", "", name).lower()
            kind = next((k for k in kinds if bare.startswith(k.lower() + " ")), None)
            if kind is None:
                return ""
            counts[kind] = counts.get(kind, 0) + 1
        listed = ", ".join(texts.KIND_COUNT.format(n=n, kind=k) for k, n in counts.items())
        return texts.KIND_ONE.format(kind=next(iter(counts))) if len(counts) == 1 else texts.KINDS.format(counts=listed)

    def _chosen_count(self, sel) -> int:
        if sel.count is not None:
            return sel.count
        parent = self.plan.selection(self.plan.level(sel.level).parent)
        return sel.per_parent * len(parent.units) if parent else 0

    def rule(self, level_id: str) -> str:
        """How the plan chooses units of a level it does not name, in its own words when it has them."""
        sel = self.plan.selection(level_id)
        if sel is None or not sel.chosen_later:
            return ""
        if sel.wording:
            return quoted(sel.wording)
        parent = self.plan.level(self.plan.level(sel.level).parent)
        if sel.per_parent is not None:
            return texts.RULE_PER_PARENT.format(n=f"{sel.per_parent:02d}", level=self.plan.level_name(sel.level),
                                                parent=parent.name if parent else "")
        return texts.RULE_COUNT.format(n=f"{sel.count:02d}", level=self.plan.level_name(sel.level))

    def chosen_under(self, level_id: str) -> Selection | None:
        """The selection of a level under ``level_id`` whose units the announcer chooses later."""
        return next((s for s in self.plan.inspection.selection
                     if s.chosen_later and self.plan.level(s.level).parent == level_id), None)

    def figures(self) -> frozenset[int]:
        """The plan's own counts ("2 xã mỗi huyện", "10 xã", "6 sở"): asking about them is not giving
        a count of one's own units."""
        found = {len(s.units) for s in self.plan.inspection.selection if s.units}
        found |= {n for s in self.plan.inspection.selection for n in (s.per_parent, s.count) if n}
        found |= {t.count for t in (self.plan.inspection.coverage.targets if self.plan.inspection.coverage else [])
                  if t.count}
        found.add(self.static["n_inspected"])
        return frozenset(found)

    # ---- deliverables ------------------------------------------------------------------
    def _deliverables(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for prefix, d in (("report", self.report), ("team_report", self.team)):
            if d is None:
                continue
            out.update({f"{prefix}_title": d.title, f"{prefix}_recipient": d.recipient,
                        f"{prefix}_content": fragment(d.content), f"{prefix}_wording": quoted(d.due.wording),
                        f"{prefix}_when": self.due_rule(d)})
        if self.report is not None:
            out["report_deadline"] = fmt_date(self.report.due.last_day)
        return out

    def due_rule(self, d: Deliverable) -> str:
        """When a deliverable is due, in words ("khi Đoàn kiểm tra làm việc", "trước ngày…")."""
        offset = d.due.before_inspection
        if offset is None:
            return quoted(d.due.wording)
        if offset.days == 0:
            return texts.DUE_AT_INSPECTION
        return texts.DUE_BEFORE_INSPECTION.format(wording=quoted(d.due.wording))

    # ---- duties ------------------------------------------------------------------------
    def _duties(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ratio_pct": pct(self.ratio_duty.ratio) if self.ratio_duty else ""}
        if self.ratio_duty is not None:
            out["example_required"] = at_least(self.ratio_duty.ratio, EXAMPLE_SUBORDINATES)
        for audience in ("coordinator", "inspected", "not_inspected", "all"):
            duties = [o for o in self.plan.obligations if o.applies_to == audience]
            out[f"{audience}_duties"] = "\n".join(texts.DUTY.format(text=self.duty(o), section=self.label([o.section]))
                                                 for o in duties)
            out[f"s_{audience}_duties"] = self.label(o.section for o in duties)
        return out

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

    def may_be_chosen(self, unit: UnitRecord, inspected: frozenset[str] | None = None) -> bool:
        """Not inspected yet, but the plan leaves the announcer a choice that may fall on it."""
        inspected = inspected if inspected is not None else self.plan.listed_codes
        return not unit.inspected and self.plan.may_be_chosen(unit.level, unit.parent, inspected)

    def values(self, unit: UnitRecord | None, world: World | None, number: int | None,
               percent: float | None = None) -> "Facts":
        return Facts(self, unit, world, number, percent)

    def ratio_section(self, ratio: float) -> str:
        """Where the plan states this percentage (a duty's section, or the coverage requirement's)."""
        for o in self.plan.obligations:
            if o.ratio is not None and abs(o.ratio - ratio) < 1e-9:
                return self.label([o.section])
        coverage = self.plan.inspection.coverage
        if coverage and any(t.ratio is not None and abs(t.ratio - ratio) < 1e-9 for t in coverage.targets):
            return self.label([coverage.section])
        return ""

    def present(self, name: str) -> bool:
        """Does this plan give a value for ``name`` (a topic that needs it is kept)?"""
        if name in LAZY:
            return True
        value = self.static.get(name)
        return value not in (None, "", 0, {})


class Facts(dict):
    """``str.format_map`` source: plan values, plus the unit's own looked up on first use."""

    def __init__(self, plan_facts: PlanFacts, unit: UnitRecord | None, world: World | None, number: int | None,
                 percent: float | None = None):
        super().__init__(plan_facts.static)
        self.pf, self.unit, self.world, self.number, self.percent = plan_facts, unit, world, number, percent

    def __missing__(self, key: str) -> Any:
        value = self._compute(key)
        self[key] = value
        return value

    def _now(self) -> datetime | None:
        clock = getattr(self.world, "clock", None)
        return clock.now() if clock is not None else None

    def _inspection_at(self) -> datetime | None:
        return self.world.inspection_at(self.unit.code) if (self.world and self.unit) else None

    def _compute(self, key: str) -> Any:
        pf, plan, unit = self.pf, self.pf.plan, self.unit
        if key in ("n_given", "n_exact", "n_required", "ratio_used", "s_ratio_used"):
            n = self.number or 0
            ratio = self.percent if self.percent is not None else (pf.ratio_duty.ratio if pf.ratio_duty else 0)
            return {"n_given": n, "n_exact": decimal(ratio * n), "n_required": at_least(ratio, n),
                    "ratio_used": pct(ratio), "s_ratio_used": pf.ratio_section(ratio)}[key]
        if key == "coverage_given":  # the plan's share of each level applied to a total the asker gives
            targets = plan.inspection.coverage.targets if plan.inspection.coverage else []
            n = self.number or 0
            return bullets(texts.TARGET_GIVEN.format(level=plan.level_name(t.level), pct=pct(t.ratio), n=n,
                                                     exact=decimal(t.ratio * n), required=at_least(t.ratio, n))
                           for t in targets if t.ratio is not None)
        if key == "report_countdown":
            now = self._now()
            if pf.report is None:
                return ""
            if now is None:
                return texts.COUNTDOWN_NO_CLOCK.format(date=fmt_date(pf.report.due.last_day))
            due = deadline(plan, pf.report, now.tzinfo, None)
            return countdown(calendar_days(due.at, now), now, fmt_date(due.at), texts.COUNTDOWN_DEADLINE)
        if unit is None:
            return ""
        if key == "unit":
            return unit.name
        if key == "unit_level":
            return plan.level_name(unit.level)
        if key == "unit_parent":
            if not unit.parent:
                return texts.UNKNOWN_PARENT
            parent = self.world.roster().get(unit.parent) if self.world else None
            parent = parent or plan.unit(unit.parent)
            return parent.name if parent else texts.UNKNOWN_PARENT
        if key == "unit_rule":
            return pf.rule(unit.level)
        if key in ("child_rule", "s_child_selection"):
            sel = pf.chosen_under(unit.level)
            if sel is None:
                return ""
            return pf.rule(sel.level) if key == "child_rule" else pf.label([sel.section])
        if key == "s_unit_selection":
            sel = plan.selection(unit.level)
            return pf.label([sel.section]) if sel else pf.static["s_inspection"]
        if key == "unit_duties":
            obligations = plan.obligations_for(unit.code, unit.inspected, unit.level)
            return "\n".join(texts.DUTY.format(text=pf.duty(o), section=pf.label([o.section])) for o in obligations)
        if key == "inspection_date":
            at = self._inspection_at()
            return fmt_datetime(at) if at else texts.INSPECTION_NOT_SET
        if key == "inspection_countdown":
            at, now = self._inspection_at(), self._now()
            if at is None:
                return texts.INSPECTION_NOT_SET
            if now is None:
                return fmt_datetime(at)
            return countdown(calendar_days(at, now), now, fmt_datetime(at), texts.COUNTDOWN_INSPECTION)
        if key == "team_report_deadline":
            return self._team_deadline()
        if key == "announce_notice":
            return self._notice()
        if key == "unit_deadlines":
            lines = []
            for d in (self.world.deadlines(unit) if self.world else []):
                title, wording = d.deliverable.title, quoted(d.deliverable.due.wording)
                if d.unset:
                    lines.append(texts.DEADLINE_UNSET.format(title=title, wording=wording))
                elif d.deliverable.due.last_day is not None:
                    lines.append(texts.DEADLINE_DATE.format(title=title, date=fmt_date(d.at), wording=wording))
                else:
                    lines.append(texts.DEADLINE_SCHEDULED.format(title=title, date=_when(d.at), wording=wording))
            return "\n".join(lines)
        raise KeyError(key)

    def _notice(self) -> str:
        """How early the announcer must give the date (the plan's words), and for a scheduled unit the day
        that falls on; "" when the plan does not say."""
        notice, at = self.pf.plan.inspection.notice, self._inspection_at()
        if notice is None:
            return ""
        wording = quoted(notice.wording)
        if at is None:
            return texts.ANNOUNCE_NOTICE.format(wording=wording)
        day = work_calendar(self.pf.plan).before(at.date(), notice.before.days, notice.before.working)
        return texts.ANNOUNCE_NOTICE_DATE.format(wording=wording, date=fmt_date(day))

    def _team_deadline(self) -> str:
        """The unit's own deadline for the report owed to the inspection team, counted down when the
        inspection date is set; "not yet set" otherwise (never an invented date)."""
        team, at = self.pf.team, self._inspection_at()
        if team is None:
            return ""
        if at is None:
            return texts.TEAM_DEADLINE_UNSET
        due = deadline(self.pf.plan, team, at.tzinfo, at)
        now = self._now()
        if now is None:
            return _when(due.at)
        return countdown(calendar_days(due.at, now), now, _when(due.at), texts.COUNTDOWN_DEADLINE)


def _example_units(plan: Plan) -> dict[str, str]:
    """One unit the plan lists for inspection and one it does not, for "for example…" hints."""
    listed = [c for s in plan.inspection.selection for c in s.units]
    other = next((u.name for u in plan.units if u.code not in plan.listed_codes and u.code != plan.coordinator), "")
    return {"unit_a": plan.unit_name(listed[0]) if listed else "", "unit_b": other}


def _when(at: datetime) -> str:
    """A deadline at the end of a day is a date; one at an appointment is a date and time."""
    return fmt_date(at) if (at.hour, at.minute) == (23, 59) else fmt_datetime(at)


def countdown(days: int, now: datetime, when: str, templates: tuple[str, str, str]) -> str:
    """"hôm nay 01/09/2020, còn 29 ngày đến …" / "… là hôm nay" / "… đã qua 3 ngày" (calendar days)."""
    ahead, today, past = templates
    template = ahead if days > 0 else today if days == 0 else past
    return template.format(today=fmt_date(now), days=abs(days), when=when)


# placeholders computed on use (about the unit concerned, the question, or today)
LAZY = frozenset({"unit", "unit_level", "unit_parent", "unit_rule", "s_unit_selection", "unit_duties",
                  "child_rule", "s_child_selection",
                  "unit_deadlines", "inspection_date", "inspection_countdown", "team_report_deadline", "announce_notice",
                  "n_given", "n_exact", "n_required", "ratio_used", "s_ratio_used", "report_countdown", "passage",
                  "coverage_given"})

__all__ = ["PlanFacts", "Facts", "World", "LAZY", "at_least"]
