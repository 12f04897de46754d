"""Does a submitted file look like the report it is filed as? Read it, compare it with the plan.

The text comes from ``storage.document_text`` read in a child process (``storage.isolated_read``)
that a worker thread waits for, within a time, size and memory budget, so a long PDF never holds
up anyone's conversation. Every fact compared comes from
the plan and the roster, so any plan works:
- the unit: names are read with the roster's own matcher (``UnitMentions`` over
  ``Roster.lookup``); the first unit named, leaving out the coordinator (the addressee), the
  unit's parent and its children, is taken as the author;
- the year: ``plan.document.year`` appears somewhere, and the file's own date
  (", ngày … tháng … năm …") is not before the plan's;
- the deliverable: most words of its title appear;
- the plan itself: most of the plan's sections, or most of the file, is the plan's own text;
- an empty template: headings and dotted blanks with almost no sentences (a sheet: no numbers).
Nothing is refused on content: the result is stored with the submission, adds one line to the
receipt when something looks wrong, and staff see it in /tonghop, the workbook and the notice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from handlers.context import Services
from messages.knowledge import lexicon
from messages.knowledge.normalize import expand, fold_raw
from messages.knowledge.parse import UnitMentions
from messages.plan import Deliverable, Plan
from messages.texts import content_check as texts
from messages.units import Roster, UnitRecord
from messages.vntext import fmt_date, nfc, strip_marks
from storage import document_text as dt
from storage.isolated_read import KILL_GRACE_S, read_isolated

log = logging.getLogger("agency_bot.content_check")

# what staff and the receipt can be told (stored in this order)
OTHER_UNIT, UNIT_MISSING, OTHER_YEAR = "other_unit", "unit_missing", "other_year"
PLAN_ITSELF, TEMPLATE, OFF_TOPIC = "plan_itself", "template", "off_topic"
NO_TEXT, UNREADABLE = "no_text", "unreadable"

READERS = 2  # files read at once (each in its own process); more would only share the same cores
WAIT_GRACE_S = 10.0  # beyond the budget: time to get a reader when others are busy
UNIT_SCAN_TOKENS = 20_000  # the author is named at the top; the rest only costs time
HEAD_CHARS = 3_000  # where the file's own date ("…, ngày … tháng … năm …") stands
SHINGLE = 4  # words per fragment when comparing with the plan's text
PLAN_SHARE = 0.5  # this much of the plan's text in the file: it is the plan
FILE_SHARE = 0.6  # ... or this much of the file is the plan's text
PROSE_LINE_WORDS = 8  # a line this long that is not a heading is a sentence
HEADING_WORDS = 20  # a numbered line up to this long is a heading
TEMPLATE_PROSE_WORDS = 60  # fewer words in sentences than this: a template, not a report
TOPIC_SHARE = 0.5  # at least this share of the deliverable title's words must appear

_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20\d\d)(?![\d/])")
_DOC_DATE = re.compile(r",\s*ngay\s+(\d{1,2})(?:\s+thang\s+|[/.-])(\d{1,2})(?:\s+nam\s+|[/.-])(\d{4})")
_NUMBERED = re.compile(r"^\s*(?:[ivxlc]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)/:-]\s", re.IGNORECASE)
_BLANK = re.compile(r"\.{3,}|…+|_{3,}|-{4,}|x{3,}", re.IGNORECASE)

_executor = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="document-text")
_mentions: tuple[Roster, UnitMentions] | None = None


@dataclass(frozen=True)
class Check:
    """What the check found. ``status`` is ``storage.document_text``'s; ``flags`` what looks wrong."""

    status: str
    flags: tuple[str, ...] = ()
    other_unit: str | None = None  # the name of the unit the file is from, when not the sender's
    years: tuple[int, ...] = ()  # the years the file names when the plan's is missing
    dated: date | None = None  # the file's own date, when before the plan's
    reason: str = ""  # why not read (``document_text`` reasons)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "flags": list(self.flags)}
        if self.other_unit:
            data["other_unit"] = self.other_unit
        if self.years:
            data["years"] = list(self.years)
        if self.dated:
            data["dated"] = self.dated.isoformat()
        if self.reason:
            data["reason"] = self.reason
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> "Check | None":
        if not data:
            return None
        dated = data.get("dated")
        return cls(status=data.get("status", dt.NOT_READ), flags=tuple(data.get("flags", ())),
                   other_unit=data.get("other_unit"), years=tuple(data.get("years", ())),
                   dated=date.fromisoformat(dated) if dated else None, reason=data.get("reason", ""))


# ---- running it -------------------------------------------------------------------------------
async def check_file(services: Services, stored_path: str, kind: str, unit: UnitRecord,
                     deliverable: Deliverable) -> Check:
    """Read the kept file in a worker thread and compare it; never raises (intake goes on regardless)."""
    budget = services.read_budget
    try:
        path = services.files.path(stored_path)
        future = asyncio.get_running_loop().run_in_executor(
            _executor, _read_and_check, path, kind, budget, services.plan, services.roster(), unit, deliverable)
        return await asyncio.wait_for(future, budget.seconds + KILL_GRACE_S + WAIT_GRACE_S)
    except asyncio.TimeoutError:
        log.warning("content check out of time unit=%s path=%s", unit.code, stored_path)
        return Check(dt.NOT_READ, reason="timeout")
    except Exception:
        log.exception("content check failed unit=%s path=%s", unit.code, stored_path)
        return Check(dt.NOT_READ, reason="error")


def _read_and_check(path: Path, kind: str, budget: dt.Budget, plan: Plan, roster: Roster, unit: UnitRecord,
                    deliverable: Deliverable) -> Check:
    check = check_text(read_isolated(path, kind, budget), plan, roster, unit, deliverable)
    log.info("content check unit=%s kind=%s status=%s flags=%s", unit.code, kind, check.status,
             ",".join(check.flags) or "-")
    return check


def check_text(doc: dt.DocumentText, plan: Plan, roster: Roster, unit: UnitRecord,
               deliverable: Deliverable) -> Check:
    """Compare a document's text with the plan's facts for ``unit`` sending ``deliverable``."""
    if doc.status == dt.NO_TEXT:
        return Check(doc.status, (NO_TEXT,), reason=doc.reason)
    if doc.status == dt.UNREADABLE:
        return Check(doc.status, (UNREADABLE,), reason=doc.reason)
    if doc.status != dt.TEXT:
        return Check(doc.status, reason=doc.reason)
    tokens = fold_raw(doc.text)
    if is_plan_text(tokens, plan):
        return Check(doc.status, (PLAN_ITSELF,))
    flags: list[str] = []
    template = looks_like_template(doc)
    author, own_named = _author(tokens, roster, unit, plan)
    other = None
    if author is not None and author.code != unit.code:
        flags.append(OTHER_UNIT)
        other = author.name
    elif not own_named and not template and not doc.sheet:  # an annex table need not repeat the name
        flags.append(UNIT_MISSING)
    years, dated = _other_year(doc.text, plan)
    if years or dated:
        flags.append(OTHER_YEAR)
    if template:
        flags.append(TEMPLATE)
    elif not doc.sheet and not _on_topic(tokens, deliverable):  # (nor its title)
        flags.append(OFF_TOPIC)
    return Check(doc.status, tuple(flags), other_unit=other, years=years, dated=dated)


# ---- the comparisons ---------------------------------------------------------------------------
def _author(tokens: list[str], roster: Roster, unit: UnitRecord, plan: Plan) -> tuple[UnitRecord | None, bool]:
    """The first unit the text names (not the addressee, the parent or a child), and whether
    the sender's own unit is named at all."""
    named, _ = _unit_mentions(roster).find(tokens[:UNIT_SCAN_TOKENS])
    around = {plan.coordinator, unit.parent, *(child.code for child in roster.children(unit.code))} - {unit.code}
    authors = [u for u in named if u.code not in around]
    return (authors[0] if authors else None), any(u.code == unit.code for u in named)


def _unit_mentions(roster: Roster) -> UnitMentions:
    """One matcher per roster (rebuilt when units change): building it reads every name key."""
    global _mentions
    cached = _mentions
    if cached is None or cached[0] is not roster:
        cached = _mentions = (roster, UnitMentions(roster))
    return cached[1]


def _other_year(text: str, plan: Plan) -> tuple[tuple[int, ...], date | None]:
    """Other years named when the plan's year is not; the file's own date when before the plan's."""
    counts = Counter(int(y) for y in _YEAR.findall(text))
    years = () if not counts or plan.document.year in counts else tuple(y for y, _ in counts.most_common(2))
    dated = None
    if match := _DOC_DATE.search(strip_marks(nfc(text[:HEAD_CHARS])).lower()):
        day, month, year = (int(g) for g in match.groups())
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found < plan.document.date:
            dated = found
    return years, dated


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def is_plan_text(tokens: list[str], plan: Plan) -> bool:
    """Most of the plan's sections are in the file, or most of the file is the plan's text."""
    ours = set().union(*(_shingles(fold_raw(s.text)) for s in plan.sections))
    theirs = _shingles(tokens)
    if not ours or len(theirs) < SHINGLE * 5:
        return False
    common = len(ours & theirs)
    return common >= PLAN_SHARE * len(ours) or common >= FILE_SHARE * len(theirs)


def looks_like_template(doc: dt.DocumentText) -> bool:
    """Headings and blanks to fill, hardly a sentence (a sheet: no number anywhere)."""
    if doc.sheet:
        return doc.numbers == 0
    words = 0
    for line in doc.text.splitlines():
        line = _BLANK.sub(" ", line)
        n = len(line.split())
        heading = line.isupper() or (_NUMBERED.match(line) is not None and n <= HEADING_WORDS)
        if n >= PROSE_LINE_WORDS and not heading:
            words += n
    return words < TEMPLATE_PROSE_WORDS


def _on_topic(tokens: list[str], deliverable: Deliverable) -> bool:
    wanted = {w for w in expand(fold_raw(deliverable.title))
              if len(w) > 1 and not w.isdigit() and w not in lexicon.STOPWORDS}
    if not wanted:
        return True
    present = set(expand(tokens))
    return len(wanted & present) >= TOPIC_SHARE * len(wanted)


# ---- what people are told ---------------------------------------------------------------------
def receipt_line(check: Check | None, plan: Plan, unit: UnitRecord, deliverable: Deliverable) -> str | None:
    """The one line a receipt gains when something looks wrong (None when nothing does)."""
    if check is None or not check.flags:
        return None
    if NO_TEXT in check.flags:
        return texts.NO_TEXT_LINE.format(coordinator=plan.unit_name(plan.coordinator))
    if UNREADABLE in check.flags:
        return texts.UNREADABLE_LINE
    reasons = []
    for flag in check.flags:
        if flag == OTHER_UNIT:
            reasons.append(texts.REASON_OTHER_UNIT.format(other=check.other_unit, unit=unit.name))
        elif flag == UNIT_MISSING:
            reasons.append(texts.REASON_UNIT_MISSING.format(unit=unit.name))
        elif flag == OTHER_YEAR and check.years:
            reasons.append(texts.REASON_OTHER_YEAR.format(years=_years(check), year=plan.document.year))
        elif flag == OTHER_YEAR:
            reasons.append(texts.REASON_DATED_BEFORE.format(date=fmt_date(check.dated),
                                                             citation=plan.document.citation))
        elif flag == PLAN_ITSELF:
            reasons.append(texts.REASON_PLAN_ITSELF.format(citation=plan.document.citation))
        elif flag == TEMPLATE:
            reasons.append(texts.REASON_TEMPLATE)
        elif flag == OFF_TOPIC:
            reasons.append(texts.REASON_OFF_TOPIC.format(deliverable=deliverable.title))
    return texts.FLAG_LINE.format(reasons=texts.REASON_JOIN.join(reasons)) if reasons else None


def staff_flags(check: Check | None) -> str | None:
    """Short labels of what looks wrong, for staff (None when nothing does or it was not read)."""
    if check is None or not check.flags:
        return None
    labels = {
        OTHER_UNIT: lambda: texts.LABEL_OTHER_UNIT.format(other=check.other_unit),
        UNIT_MISSING: lambda: texts.LABEL_UNIT_MISSING,
        OTHER_YEAR: lambda: (texts.LABEL_OTHER_YEAR.format(years=_years(check)) if check.years
                             else texts.LABEL_DATED_BEFORE.format(date=fmt_date(check.dated))),
        PLAN_ITSELF: lambda: texts.LABEL_PLAN_ITSELF,
        TEMPLATE: lambda: texts.LABEL_TEMPLATE,
        OFF_TOPIC: lambda: texts.LABEL_OFF_TOPIC,
        NO_TEXT: lambda: texts.LABEL_NO_TEXT,
        UNREADABLE: lambda: texts.LABEL_UNREADABLE,
    }
    return texts.LABEL_JOIN.join(labels[f]() for f in check.flags if f in labels) or None


def staff_status(check: Check | None) -> str:
    """The workbook's cell: what looks wrong, nothing seen, or why the file was not read."""
    if check is None:
        return texts.NOT_CHECKED
    if flagged := staff_flags(check):
        return flagged
    if check.status == dt.TEXT:
        return texts.NOTHING_SEEN
    return texts.NOT_CHECKED_WHY.get(check.reason, texts.NOT_CHECKED)


def _years(check: Check) -> str:
    return texts.YEARS_JOIN.join(str(y) for y in check.years)
