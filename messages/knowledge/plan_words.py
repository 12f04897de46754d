"""Words a plan adds to the pack's concepts, and the values a pack phrasing may name.

The pack knows how people ask; only the plan knows its own number ("kế hoạch 32"), its
deadline dates ("30/9"), its window ("quý III"), its levels' names ("phường", "đặc khu"),
its coordinator ("Sở Nội vụ", "SNV"). A pack concept lists the fact sources it takes words
from (``facts: [deadlines]``); this module reads them off the plan.
"""

from __future__ import annotations

import re

from messages.plan import Plan
from messages.vntext import fold

_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
# one-word unit kinds that are also everyday words once marks are gone ("sở"/"số", "ban"/"bạn")
_AMBIGUOUS_KINDS = frozenset({"so", "ban"})
_LEAD = re.compile(r"^(?:công tác|về việc|về|triển khai thực hiện|thực hiện)\s+", re.I)


def _digits(number: str) -> str:
    m = re.match(r"\s*(\d+)", number)
    return m.group(1) if m else ""


def _dates(text: str) -> list[str]:
    """"30/9/2020" → 30/9/2020, 30/9, ngày 30/9, 30 tháng 9 (as people may type the plan's dates)."""
    out: list[str] = []
    for day, month, year in _DATE.findall(text):
        day, month = str(int(day)), str(int(month))
        out += [f"{day}/{month}", f"ngày {day}/{month}", f"{day} tháng {month}"]
        if year:
            out.append(f"{day}/{month}/{year}")
    return out


def _deadline_days(plan: Plan) -> list[str]:
    out: list[str] = []
    for d in plan.deliverables:
        if d.due.last_day is not None:
            last = d.due.last_day
            out += _dates(d.due.wording) + _dates(f"{last.day}/{last.month}/{last.year}")
    return out


def _window(plan: Plan) -> list[str]:
    w = plan.inspection.window
    label = fold(w.label)
    out = [w.label, re.sub(r"[/ ]?\d{4}$", "", label).strip()]
    if m := re.match(r"^quy ([ivx]+)\b", label):
        out += [f"quý {_ROMAN.get(m.group(1), m.group(1))}", f"quý {m.group(1)}"]
    months = (w.end.year - w.start.year) * 12 + w.end.month - w.start.month
    if months <= 6:
        out += [f"tháng {((w.start.month - 1 + k) % 12) + 1}" for k in range(months + 1)]
    return [o for o in out if o]


def _level_words(plan: Plan, levels: list[str]) -> list[str]:
    out: list[str] = []
    for level in (plan.level(lv) for lv in levels):
        out += [level.name, level.short, f"các {level.name}"]
        for kind in level.kinds:
            out += [f"cấp {kind}", f"các {kind}", f"những {kind}"]
            if fold(kind) not in _AMBIGUOUS_KINDS:
                out.append(kind)
    return out


def concept_forms(plan: Plan, source: str) -> list[str]:
    doc = plan.document
    if source == "document":
        n = _digits(doc.number)
        # never the bare number: "5 ngày làm việc" is not "Kế hoạch 05"
        return [doc.number, f"kế hoạch {n}", f"kế hoạch số {n}", f"số {n}", f"kh {n}", f"plan {n}"] if n else [doc.number]
    if source == "bases":
        out = []
        for b in plan.legal_bases:
            n = _digits(b.number)
            out += [b.number, f"{b.kind} {n}", f"{b.kind} số {n}"] if n else [b.number]
            for subject in {b.subject, _LEAD.sub("", b.subject)}:  # "kế hoạch (công tác) cải cách hành chính năm 2020"
                out.append(f"{b.kind} {subject}")
        return out
    if source == "deadlines":
        return _deadline_days(plan)
    if source == "late":
        return [f"{word} {day}" for day in _deadline_days(plan) if "/" in day and not day.startswith("ngày")
                for word in ("sau ngày", "sau", "quá ngày")]
    if source == "window":
        return _window(plan)
    if source == "year":
        return [f"năm {doc.year}", str(doc.year)]
    if source == "ratios":
        ratios = {o.ratio for o in plan.obligations if o.ratio} | \
                 {t.ratio for t in (plan.inspection.coverage.targets if plan.inspection.coverage else []) if t.ratio}
        return [f"{round(r * 100):d}{suffix}" for r in sorted(ratios) for suffix in ("%", " phần trăm", " percent")]
    later = [s.level for s in plan.inspection.selection if s.chosen_later]
    if source == "levels":  # the levels whose units are all named; the others are "chosen_later"
        return _level_words(plan, [lv for lv in plan.level_order() if lv not in later])
    if source == "chosen_later":
        return _level_words(plan, later)
    if source == "coordinator":
        unit = plan.unit(plan.coordinator)
        return [unit.name, *unit.aliases] if unit else []
    if source == "province":
        return [doc.place, f"tỉnh {doc.place}", doc.issuer_short]
    raise ValueError(f"unknown fact source {source}")


def _parent_kind(plan: Plan, level_id: str) -> str:
    parent = plan.level(plan.level(level_id).parent or "")
    return parent.kinds[0] if parent and parent.kinds else ""


def phrasing_values(plan: Plan) -> dict[str, str]:
    """What ``{coordinator}``, ``{unit_b}``… stand for in the pack's phrasings of this plan (a phrasing
    that names a value the plan does not have is left out)."""
    listed = plan.listed_codes
    report = next((d for d in plan.deliverables if d.applies_to == "not_inspected" and d.due.last_day), None)
    report_dates = [d for d in _dates(report.due.wording) if d.count("/") == 2] if report else []
    unlisted = next((u.name for u in plan.units if u.code not in listed and u.code != plan.coordinator), "")
    later = next((s for s in plan.inspection.selection if s.chosen_later), None)
    ratio = next((o.ratio for o in plan.obligations if o.ratio), None)
    values = {
        "coordinator": plan.coordinator_name, "doc_number": _digits(plan.document.number),
        "doc_year": str(plan.document.year), "report_date": report_dates[0] if report_dates else "",
        "ratio_pct": f"{round(ratio * 100):d}%" if ratio else "", "window": plan.inspection.window.label,
        "unit_a": next((plan.unit_name(c) for s in plan.inspection.selection for c in s.units), ""),
        "unit_b": unlisted,
        "chosen_level": plan.level(later.level).kinds[0] if later else "",
        "chosen_each": str(later.per_parent) if later and later.per_parent else "",
        "chosen_parent": _parent_kind(plan, later.level) if later and later.per_parent else "",
    }
    return {k: v for k, v in values.items() if v}
