"""Every answer the engine can give, read as a user reads it: sources that match, dates, no glitches.

Renders every topic's every answer variant (the askers below reach each one) and every reply template
of ``messages.texts.questions``; checks what reviewers found by eye: a footer that does not cite the
sections the answer names, "Kế hoạch Kế hoạch", "(Mục …) (Mục …)", a full stop before a bracket,
dates in the wrong form.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import PLAN_2026

from bot.clock import ManualClock
from messages.deadlines import Deadline, deadlines_for
from messages.knowledge import Engine
from messages.knowledge.pack import load_pack
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
        start = datetime.combine(plan.inspection.window.start + timedelta(days=62), time(9, 0), TZ)
        self.clock = ManualClock(start)

    def roster(self) -> Roster:
        return self._roster

    def inspection_at(self, code: str) -> datetime | None:
        return self._inspections.get(code)

    def deadlines(self, unit: UnitRecord) -> list[Deadline]:
        return deadlines_for(self.plan, unit.code, unit.inspected, TZ, self.inspection_at(unit.code), unit.level)


def askers_of(plan) -> list[tuple[UnitRecord | None, World | None]]:
    """(asker, world) pairs reaching every answer condition of a plan, read off the plan: nobody, the
    coordinator (also as if it were inspected), per level a listed unit with a date, one without, one not
    listed; per level chosen later, a place that may be chosen, one that may not, one chosen with a date."""
    base = Roster.from_plan(plan)
    day = datetime.combine(plan.inspection.window.start + timedelta(days=70), time(8, 30), TZ)
    extra, dates, codes = [], {}, [None, plan.coordinator]
    for level in plan.levels:
        units = base.of_level(level.id)
        listed = [u for u in units if u.inspected]
        unlisted = [u for u in units if not u.inspected and u.code != plan.coordinator]
        codes += [u.code for u in listed[:2] + unlisted[:1]]
        if listed:
            dates[listed[0].code] = day
        sel = plan.selection(level.id)
        if sel is None or not sel.chosen_later:
            continue
        parents = base.of_level(level.parent)
        on = next(u.name for u in parents if u.inspected).removeprefix("UBND ")
        off = next(u.name for u in parents if not u.inspected).removeprefix("UBND ")
        kind = level.kinds[0]
        may = base.resolve(f"UBND {kind} Thử Nghiệm, {on}").new_unit
        far = base.resolve(f"UBND {kind} Thử Nghiệm, {off}").new_unit
        chosen = replace(base.resolve(f"UBND {kind} Được Chọn, {on}").new_unit, inspected=True)
        later = replace(base.resolve(f"UBND {kind} Chọn Sau, {on}").new_unit, inspected=True)
        extra += [may, far, chosen, later]
        codes += [may.code, far.code, chosen.code, later.code]
        dates[chosen.code] = day
    roster = base.with_units(extra)
    world = World(plan, roster, dates)
    pairs = [(roster.get(c) if c else None, world) for c in codes] + [(None, None)]
    boss = replace(roster.get(plan.coordinator), inspected=True)  # a plan that inspects its coordinator
    boss_world = World(plan, roster.with_units([boss]), {boss.code: day})
    return pairs + [(boss, boss_world), (boss, World(plan, boss_world.roster(), {}))]


@pytest.fixture(scope="module", params=["kien-giang-2020", "an-giang-2026"])
def each(request):
    from messages.plan_loader import bundled_plan_path, load_plan_cached

    plan = load_plan_cached(str(bundled_plan_path()) if request.param == "kien-giang-2020" else PLAN_2026)
    return plan, Engine(plan), askers_of(plan)


@pytest.fixture(scope="module")
def engine():
    from messages.plan_loader import load_plan_cached

    return Engine(load_plan_cached(None))


QUESTIONS = ("", "có 12 đơn vị trực thuộc", "có 12 đơn vị trực thuộc, 40% là mấy đơn vị", "trước ngày nào")


def rendered(engine, askers):
    """Every topic × asker × question (none, a count, a count and a percentage, "by when"): (topic, answer)."""
    for topic in engine.knowledge.topics:
        for asker, world in askers:
            for text in QUESTIONS:
                yield topic, engine.answer_topic(topic.id, asker, world, text)


def body_and_footer(answer) -> tuple[str, str]:
    body, _, footer = answer.answer.rpartition("\n")
    return body, footer


def test_every_answer_variant_is_reached_on_one_bundled_plan_or_the_other():
    """A variant no asker of either plan reaches is never proofread by the tests below."""
    from messages.plan_loader import bundled_plan_path, load_plan_cached

    seen, every = set(), set()
    for path in (str(bundled_plan_path()), PLAN_2026):
        plan = load_plan_cached(path)
        engine = Engine(plan)
        seen |= {(t.id, i) for t, a in rendered(engine, askers_of(plan)) for i in a.variants}
        every |= {(t.id, i) for t in engine.knowledge.topics for i in range(len(t.answers))}
    # both bundled plans have every passage the pack looks for; the answers for a plan without one are
    # proofread in test_passages, as is kinh-phi's for a plan that gives an amount of money
    without_passage = {(t.id, len(t.answers) - 1) for t in load_pack().topics if t.passage is not None}
    assert every - seen - without_passage == {("kinh-phi", 0)}


def test_the_source_line_cites_exactly_the_sections_the_answer_names(each):
    """Each variant declares its own sections; the body names the same ones (a footer that cites more is as
    wrong as one that cites less), and the footer always covers the body."""
    plan, engine, askers = each
    for topic, a in rendered(engine, askers):
        if topic.kind == "small_talk":
            continue
        body, footer = body_and_footer(a)
        named = engine.sections_named(body)
        assert footer == f"({a.source})"
        declared = [s for index in dict.fromkeys(a.variants)
                    for s in (topic.answers[index].cite if topic.answers[index].cite is not None else topic.cite)]
        cited = set(engine.sections_named(f"Mục {a.source.rsplit(', ' + plan.document.citation, 1)[0]}"))
        cited |= set(engine.sections_named(a.source))
        # all of a section's subsections are cited as the section
        expected = engine.facts.label([*named, *declared])
        assert cited == set(engine.sections_named(expected)) | set(engine.sections_named(f"Mục {expected}")), (
            topic.id, sorted(cited), named, declared)


def test_answers_read_cleanly(each):
    _, engine, askers = each
    for topic, a in rendered(engine, askers):
        text = a.answer
        assert "{" not in text and "}" not in text, (topic.id, text)
        assert not DOUBLED.search(text), (topic.id, DOUBLED.search(text).group(0), text)
        assert not BRACKETS.search(text), (topic.id, text)
        assert ". (Mục" not in text and ".;" not in text and ": Kết quả" not in text, (topic.id, text)
        assert "Căn cứ Kế hoạch," not in text and "về Kiểm tra" not in text, (topic.id, text)


def test_dates_follow_one_rule(each):
    """The bot's own dates dd/mm/yyyy; the plan's wording only inside quotation marks; document citations
    keep the administrative form (03/3/2020, 04/02/2016)."""
    plan, engine, askers = each
    official = {official_date(plan.document.date)} | {official_date(b.date) for b in plan.legal_bases}
    for topic, a in rendered(engine, askers):
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
              "topic": "han-bao-cao", "more": 2, "now": "Hạn gửi báo cáo", "n": 6, "kind": "sở"}

    class Values(dict):
        def __missing__(self, key):
            return values.get(key, f"[{key}]")

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
    assert "Lê Thị Minh Phụng" in signed.answer and "32/KH-UBND ngày 03/3/2020" in signed.answer
