"""The loaded plan in a few lines (``agency-bot plan show``): levels, who is inspected, deadlines.

Everything is read from the plan file's structure, so a three-level 2020 plan and a
two-level one print alike.
"""

from __future__ import annotations

from handlers.formatting import selection_rule
from messages.plan import Deliverable, Plan
from messages.texts import plan_summary as texts
from messages.units import Roster
from messages.vntext import fmt_date


def describe_plan(plan: Plan, roster: Roster | None = None) -> str:
    roster = roster or Roster.from_plan(plan)
    doc, insp = plan.document, plan.inspection
    lines = [texts.TITLE.format(citation=doc.citation, title=doc.title),
             texts.ISSUER.format(issuer=doc.issuer, signer=doc.signer.full, coordinator=plan.coordinator_name),
             texts.BASES]
    lines += [texts.BASE.format(label=b.label, subject=b.subject) for b in plan.legal_bases]
    lines.append(texts.LEVELS)
    lines += [texts.LEVEL.format(name=plan.level_name(lv), count=len(roster.of_level(lv)))
              for lv in plan.level_order()]
    lines.append(texts.INSPECTED.format(section=plan.section_label(insp.section)))
    for sel in insp.selection:
        if sel.units:
            names = ", ".join(plan.unit_name(c) for c in sel.units)
            lines.append(texts.INSPECTED_LEVEL.format(level=plan.level_name(sel.level), count=len(sel.units),
                                                      names=names, section=plan.section_label(sel.section)))
        if sel.chosen_later:
            lines.append(texts.INSPECTED_RULE.format(level=plan.level_name(sel.level), rule=selection_rule(plan, sel),
                                                     section=plan.section_label(sel.section),
                                                     announcer=plan.unit_name(insp.announced_by)))
    if insp.coverage is not None:
        figures = [texts.TARGET_RATIO.format(pct=f"{t.ratio * 100:g}", level=plan.level_name(t.level))
                   if t.ratio is not None else texts.TARGET_COUNT.format(n=t.count, level=plan.level_name(t.level))
                   for t in insp.coverage.targets]
        lines.append(texts.COVERAGE.format(figures="; ".join(figures),
                                           section=plan.section_label(insp.coverage.section)))
    w = insp.window
    lines.append(texts.WINDOW.format(label=w.label, start=fmt_date(w.start), end=fmt_date(w.end),
                                     section=plan.section_label(insp.window_section)))
    lines.append(texts.DELIVERABLES)
    for d in plan.deliverables:
        lines.append(texts.DELIVERABLE.format(title=d.title, section=plan.section_label(d.section), sender=d.sender,
                                              recipient=d.recipient, due=due_rule(plan, d)))
    lines.append(texts.OBLIGATIONS)
    audience = {**texts.AUDIENCE, "coordinator": plan.coordinator_name}
    lines += [texts.OBLIGATION.format(section=o.section, summary=o.summary,
                                      audience=", ".join(plan.unit_name(c) for c in o.units) or audience[o.applies_to])
              for o in plan.obligations]
    return "\n".join(lines)


def due_rule(plan: Plan, d: Deliverable) -> str:
    """A deliverable's deadline rule in words, with the plan's own wording."""
    due = d.due
    if due.last_day is not None:
        return texts.DUE_DATE.format(date=fmt_date(due.last_day), wording=due.wording)
    offset = due.before_inspection
    announcer = plan.unit_name(plan.inspection.announced_by)
    if offset.days == 0:
        return texts.DUE_AT_INSPECTION.format(announcer=announcer, wording=due.wording)
    unit = texts.WORKING_DAYS if offset.working else texts.CALENDAR_DAYS
    return texts.DUE_OFFSET.format(n=offset.days, unit=unit, announcer=announcer, wording=due.wording)
