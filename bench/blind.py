"""Blind evaluation: questions written from the plans' texts only, judged by the facts an answer holds.

The sets in ``tests/data/blind/`` were written by helpers given only a plan's text and its list of
units, never the bot's knowledge (``tests/data/blind/README.md``). Sets 1–5 are for tuning (each held-out
set joined them once measured); the held-out set (set 6) is run once, at the end.

A question is right when:
- answerable (``covered: true``): the bot answers (``matched``) and the answer holds every
  ``expect`` fact — names, numbers, dates (``03/3/2020`` and ``03/03/2020`` are one date; a
  number alone must stand as a whole number);
- not covered by the plan, or unrelated (``covered: false``): the bot invents nothing — no answer
  at all, or an answer that says the plan does not say;
- small talk: the bot answers it as small talk;
- a follow-up (``then``): the bot's answer to the second message holds ``then_expect``.
An *invented answer* is a confident answer (not small talk, not "the plan does not say") to a
question the plan does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from rapidfuzz import fuzz

from messages.vntext import fold, nfc

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BLIND = Path(__file__).resolve().parents[1] / "tests" / "data" / "blind"
_DATE = re.compile(r"\b0?(\d{1,2})/0?(\d{1,2})/(\d{4})\b")
_DATE_WORDS = re.compile(r"\b(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\b", re.I)
HONEST = re.compile(r"(kế hoạch|\b\d+/[A-ZĐ-]+\b.*?)\s*(không|chưa)\s+(nêu|quy định|ghi|kèm|có|đề cập|liệt kê|yêu cầu)"
                    r"|không có thông tin", re.I)
BASELINE_AT = 60


@dataclass
class BlindCase:
    q: str
    kind: str
    covered: bool
    unit: str | None = None
    inspection: datetime | None = None
    expect: list[str] = field(default_factory=list)
    then: str | None = None
    then_expect: list[str] = field(default_factory=list)
    style: list[str] = field(default_factory=list)


def load(plan_year: int, part: str) -> list[BlindCase]:
    """``part``: "dev" (every set used for tuning: ``questions_YYYY_set*.yaml``), "holdout" (the held-out set,
    run once at the end), or one set's name ("set5")."""
    files = sorted(p.name for p in BLIND.glob(f"questions_{plan_year}_set*.yaml")) if part == "dev" \
        else [f"questions_{plan_year}_{part}.yaml"]
    items = [item for name in files for item in yaml.safe_load((BLIND / name).read_text(encoding="utf-8"))]
    out = []
    for item in items:
        when = item.get("inspection")
        out.append(BlindCase(
            q=str(item["q"]), kind=item["kind"], covered=bool(item.get("covered", True)), unit=item.get("unit"),
            inspection=datetime.strptime(when, "%d/%m/%Y %H:%M").replace(tzinfo=TZ) if when else None,
            expect=[str(e) for e in item.get("expect", [])], then=item.get("then"),
            then_expect=[str(e) for e in item.get("then_expect", [])], style=list(item.get("style", []))))
    return out


def _norm(text: str) -> str:
    """Dates and numbers compared as values: 03/03/2020 is 03/3/2020 and "ngày 03 tháng 3 năm 2020",
    "02 xã" is "2 xã"."""
    text = _DATE_WORDS.sub(r"\1/\2/\3", nfc(text))
    text = _DATE.sub(lambda m: f"{int(m.group(1))}/{int(m.group(2))}/{m.group(3)}", text)
    return re.sub(r"(?<![\d/.,])0+(\d)", r"\1", text).casefold()


def holds(answer: str, facts: list[str]) -> bool:
    text = _norm(answer)
    for fact in facts:
        want = _norm(fact)
        if want.isdigit():
            if not re.search(rf"(?<![\d/.,]){want}(?![\d.,%]|/\d)", text):  # "32" in "32/KH-UBND", not "3" in "3/9"
                return False
        elif want not in text:
            return False
    return True


def honest(answer: str) -> bool:
    """Does the answer say the plan does not cover this (rather than claim something)?"""
    return bool(HONEST.search(answer))


@dataclass
class Verdict:
    right: bool
    invented: bool
    answer: str


def judge(case: BlindCase, answer, then_answer=None) -> Verdict:
    """``answer`` (and ``then_answer`` for a follow-up) are the engine's ``Answer`` objects."""
    if case.then is not None:
        final = then_answer or answer
        return Verdict(final.matched and holds(final.answer, case.then_expect), False, final.answer)
    confident = answer.matched and answer.kind not in ("not_in_plan", "small_talk") and not honest(answer.answer)
    if not case.covered:
        return Verdict(not confident, confident, answer.answer)
    if case.kind == "small-talk":
        return Verdict(answer.matched and answer.kind == "small_talk", False, answer.answer)
    return Verdict(answer.matched and holds(answer.answer, case.expect), False, answer.answer)


class ParagraphBaseline:
    """The naive way: fuzzy search of the plan's paragraphs (rapidfuzz token_set_ratio over the folded
    texts), quoting the best paragraph when it scores ``BASELINE_AT`` or more."""

    @dataclass
    class Reply:
        answer: str
        matched: bool
        kind: str | None = None

    def __init__(self, plan):
        self.sections = [(fold(s.text), s.text) for s in plan.sections]

    def answer(self, question: str) -> "ParagraphBaseline.Reply":
        q = fold(question)
        score, text = max(((fuzz.token_set_ratio(q, key), text) for key, text in self.sections), default=(0, ""))
        return self.Reply(text, score >= BASELINE_AT)
