"""Every answer the engine can give, read as a user reads it: sources that match, dates, no glitches.

Renders every topic's every answer variant (the askers below reach each one) and every reply template
of ``messages.texts.questions``; checks what reviewers found by eye: a footer that does not cite the
sections the answer names, "Kế hoạch Kế hoạch", "(Mục …) (Mục …)", a full stop before a bracket,
dates in the wrong form.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from messages.deadlines import Deadline, deadlines_for
from messages.knowledge import Engine
from messages.plan import official_date
from messages.texts import questions as texts
from messages.units import Roster, UnitRecord

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DOUBLED = re.compile(r"\b(\w+(?: \w+)?) \1\b", re.IGNORECASE)  # "Kế hoạch Kế hoạch", "của của"
BRACKETS = re.compile(r"\)[ \t]*\(")  # "(hạn chót 30/09/2020) (Mục III.4)"
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
CITED_DOCUMENT = re.compile(r"\d+/[A-ZĐ]+-[A-Za-zĐ]+ ngày $")  # "… 32/KH-UBND ngày " before a date


class World:
    """The running bot's view, without a database: a roster, inspection dates, the business clock."""

    def __init__(self, plan, roster: Roster, inspections: dict[str, datetime]):
        self.plan, self._roster, self._inspections = plan, roster, inspections
        self.clock = ManualClock(datetime(2020, 9, 1, 9, 0, tzinfo=TZ))

    def roster(self) -> Roster:
        return self._roster

    def inspection_at(self, code: str) -> datetime | None:
        return self._inspections.get(code)

    def deadlines(self, unit: UnitRecord) -> list[Deadline]:
        return deadlines_for(self.plan, unit.code, unit.inspected, TZ, self.inspection_at(unit.code))


@pytest.fixture(scope="module")
def engine():
    from messages.plan_loader import load_plan_cached

    return Engine(load_plan_cached(None))


@pytest.fixture
def askers(plan):
    """(asker, world) pairs reaching every answer condition: none, coordinator, inspected (with and without a
    date), not inspected, a commune that may be chosen, one that may not, one chosen with a date."""
    base = Roster.from_plan(plan)
    may = base.resolve("UBND xã Bình Sơn, huyện Hòn Đất").new_unit
    far = base.resolve("UBND xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao").new_unit
    chosen = replace(base.resolve("UBND xã Mỹ Lâm, huyện Hòn Đất").new_unit, inspected=True)
    chosen_later = replace(base.resolve("UBND xã Nam Thái, huyện An Biên").new_unit, inspected=True)
    roster = base.with_units([may, far, chosen, chosen_later])
    dates = {"so-tai-chinh": datetime(2020, 9, 10, 8, 30, tzinfo=TZ), chosen.code: datetime(2020, 9, 15, 8, 0, tzinfo=TZ)}
    world = World(plan, roster, dates)
    codes = [None, "so-noi-vu", "so-tai-chinh", "so-giao-duc-va-dao-tao", "so-y-te", "ubnd-huyen-an-bien",
             "ubnd-huyen-phu-quoc", may.code, far.code, chosen.code, chosen_later.code]
    return [(roster.get(c) if c else None, world) for c in codes] + [(None, None)]


def rendered(engine, plan, askers):
    """Every topic × asker × (no question, a question giving a count): (topic, answer)."""
    for topic in plan.knowledge.topics:
        for asker, world in askers:
            for text in ("", "có 12 đơn vị trực thuộc"):
                yield topic, engine.answer_topic(topic.id, asker, world, text)


def body_and_footer(answer) -> tuple[str, str]:
    body, _, footer = answer.answer.rpartition("\n")
    return body, footer


def test_every_answer_variant_is_reached(engine, plan, askers):
    seen = {(t.id, i) for t, a in rendered(engine, plan, askers) for i in a.variants}
    every = {(t.id, i) for t in plan.knowledge.topics for i in range(len(t.answers))}
    assert every - seen == set()


def test_the_source_line_cites_exactly_the_sections_the_answer_names(engine, plan, askers):
    """Each variant declares its own sections; the body names the same ones (a footer that cites more is as
    wrong as one that cites less), and the footer always covers the body."""
    for topic, a in rendered(engine, plan, askers):
        if topic.kind == "small_talk":
            continue
        body, footer = body_and_footer(a)
        named = engine.sections_named(body)
        assert footer == f"({a.source})"
        for section in named:
            assert plan.section_label(section).removeprefix("Mục ") in a.source, (topic.id, section, a.answer)
        for index in set(a.variants):
            variant = topic.answers[index]
            declared = {s for s in (variant.cite if variant.cite is not None else topic.cite)
                        if plan.section_label(s).startswith("Mục ")}
            if len(set(a.variants)) == 1:
                assert declared == set(named), (topic.id, index, sorted(declared), named)
            else:
                assert declared <= set(named), (topic.id, index)


def test_answers_read_cleanly(engine, plan, askers):
    for topic, a in rendered(engine, plan, askers):
        text = a.answer
        assert "{" not in text and "}" not in text, (topic.id, text)
        assert not DOUBLED.search(text), (topic.id, DOUBLED.search(text).group(0), text)
        assert not BRACKETS.search(text), (topic.id, text)
        assert ". (Mục" not in text and ".;" not in text and ": Kết quả" not in text, (topic.id, text)
        assert "Căn cứ Kế hoạch," not in text and "về Kiểm tra" not in text, (topic.id, text)


def test_dates_follow_one_rule(engine, plan, askers):
    """The bot's own dates dd/mm/yyyy; the plan's wording only inside quotation marks; document citations
    keep the administrative form (03/3/2020, 04/02/2016)."""
    official = {official_date(plan.document.date)} | {official_date(b.date) for b in plan.legal_bases}
    for topic, a in rendered(engine, plan, askers):
        for m in DATE.finditer(a.answer):
            before = a.answer[:m.start()]
            if before.count("“") > before.count("”"):
                continue  # the plan's own words
            if CITED_DOCUMENT.search(before):
                assert m.group(0) in official, (topic.id, m.group(0), a.answer)
            else:
                assert re.fullmatch(r"\d\d/\d\d/\d{4}", m.group(0)), (topic.id, m.group(0), a.answer)


def test_every_reply_template_renders_once_without_doubled_words(engine, plan):
    values = {"citation": plan.document.citation, "title": plan.document.title, "coordinator": "Sở Nội vụ",
              "source": plan.cite("III.4"), "text": "nội dung", "label": plan.legal_bases[0].label,
              "subject": "phê duyệt", "amended": plan.legal_bases[0].label, "section": "III.4", "title_": "x",
              "wording": "trước ngày 30/9/2020", "date": "30/09/2020", "today": "01/09/2020", "days": 3,
              "when": "30/09/2020", "count": 2, "id": 7, "unit": "Sở Y tế", "status": "x", "score": 0.5,
              "topic": "han-bao-cao", "more": 2, "now": "Hạn gửi báo cáo"}

    class Values(dict):
        def __missing__(self, key):
            return values.get(key, "x")

    templates = []
    for name in dir(texts):
        value = getattr(texts, name)
        templates += [value] if isinstance(value, str) else list(value) if isinstance(value, tuple) else []
    assert len(templates) > 30
    for template in templates:
        text = template.format_map(Values())
        assert not DOUBLED.search(text), (template, text)
        assert not BRACKETS.search(text), (template, text)
    # the fallbacks as the engine sends them
    for question in ("giá xăng hôm nay", "hom nay la ngay gi cua ke hoach"):
        text = engine.answer(question).answer
        assert not DOUBLED.search(text) and "Kế hoạch Kế hoạch" not in text, text
    assert not DOUBLED.search(engine._fallback(texts.NOT_IN_PLAN, None, "not_in_plan").answer)


def test_legal_bases_cite_every_date_the_same_way(engine):
    a = engine.answer("căn cứ pháp lý của kế hoạch")
    assert "Quyết định số 225/QĐ-TTg ngày 04/02/2016" in a.answer and "ngày 04/5/2017" in a.answer
    assert "tháng" not in a.answer  # not "04 tháng 02 năm 2016" next to "04/5/2017"


def test_document_answer_uses_the_citation_date(engine):
    a = engine.answer("kế hoạch ban hành ngày nào")
    assert "số 32/KH-UBND ngày 03/3/2020 của" in a.answer and "03/03/2020" not in a.answer
    assert "về kiểm tra công tác cải cách hành chính năm 2020" in a.answer
    signed = engine.answer("kế hoạch 32 ký ngày 3/3/2020 đúng không")
    assert "Lê Thị Minh Phụng" in signed.answer and "ngày 03/3/2020 do" in signed.answer
