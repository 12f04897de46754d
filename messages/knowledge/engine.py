"""The question engine: a question (and who asks) in, a cited answer or an honest "I don't know" out.

Built once from the plan's ``knowledge`` section (plus phrasings staff taught it);
answering costs a parse, one scoring pass and a template fill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from messages.knowledge.facts import PlanFacts, World
from messages.knowledge.index import SPECIAL_WEIGHTS, Scored, TopicEntry, TopicIndex
from messages.knowledge.normalize import Normalizer, fold_raw
from messages.knowledge.parse import NUMBER, OOS, SUBJECT, ConceptMatcher, Parsed, Parser, UnitMentions
from messages.knowledge_schema import Topic
from messages.plan import Plan
from messages.texts import questions as texts
from messages.units import Roster, UnitRecord

SUGGEST_SPREAD = 0.15  # suggestions: topics within this of the best
# An unrelated word weighs this much against the plan's own words of the question ("mưa bão đoàn có hoãn lịch
# không" is still asked; "kết quả bóng đá tối qua" is not): every topic's score × plan / (plan + unrelated).
OUT_OF_SCOPE_WEIGHT = 1.5
_SECTION_REFS = re.compile(r"Mục ((?:[IVX]+(?:\.[0-9a-z]+)*)(?:(?:, | và )(?:[IVX]+(?:\.[0-9a-z]+)*))*)")


@dataclass
class Answer:
    answer: str
    matched: bool
    score: float
    topic: str | None = None
    source: str | None = None
    suggestions: list[str] = field(default_factory=list)  # titles, for the JSON and the console
    suggestion_ids: list[str] = field(default_factory=list)  # topic ids behind them (buttons)
    kind: str | None = None  # the topic's kind ("small_talk" is not a miss)
    reason: str = "answered"  # answered | suggest | not_in_plan | out_of_scope | empty
    question_id: int | None = None  # its row in the question log, once logged
    variants: list[int] = field(default_factory=list)  # which of the topic's answers were used (tests, logs)

    def as_dict(self) -> dict:
        return {"answer": self.answer, "matched": self.matched, "score": round(self.score, 3), "topic": self.topic,
                "source": self.source, "suggestions": list(self.suggestions)}


class Engine:
    def __init__(self, plan: Plan, learned: Iterable[tuple[str, str]] = ()):
        self.plan = plan
        self.knowledge = plan.knowledge
        self.topics: dict[str, Topic] = {t.id: t for t in self.knowledge.topics}
        self.facts = PlanFacts(plan)
        self.learned: list[tuple[str, str]] = [(t, x) for t, x in learned if t in self.topics]
        self._mentions_cache: dict[int, tuple[Roster, UnitMentions]] = {}
        self._plan_roster = Roster.from_plan(plan)
        self._build()

    # ---- building ------------------------------------------------------------------
    def _build(self) -> None:
        k = self.knowledge
        vocabulary = [f for c in k.concepts for f in c.forms] + list(k.out_of_scope) + list(k.other_years)
        vocabulary += [p for t in k.topics for p in t.phrasings] + [text for _, text in self.learned]
        vocabulary += [u.name for u in self.plan.units] + [a for u in self.plan.units for a in u.aliases]
        self.normalizer = Normalizer.build(vocabulary)
        self.matcher = ConceptMatcher(self.normalizer, {c.id: c.forms for c in k.concepts}, k.out_of_scope,
                                      k.other_years)
        figures = frozenset(self.facts.static[name] for name in ("communes_per_district", "coverage_communes",
                                                                 "n_departments", "n_districts", "n_communes",
                                                                 "n_inspected"))
        self.parser = Parser(self.normalizer, self.matcher, self.plan.document.year, self.plan.coordinator,
                             self._coordinator_concept(), figures)
        plan_mentions = UnitMentions(self._plan_roster)
        entries = [TopicEntry(t.id, t.kind, [frozenset(g) for g in t.requires], frozenset(t.avoid)) for t in k.topics]
        phrasings = [(t.id, self.parser.parse(p, plan_mentions), False) for t in k.topics for p in t.phrasings]
        phrasings += [(topic, self.parser.parse(text, plan_mentions), True) for topic, text in self.learned]
        self._weights = {c.id: c.weight for c in k.concepts}
        self._about_other = {t.id for t in k.topics if any(OOS in g for g in t.requires)}
        talk = {c for t in k.topics if t.kind == "small_talk" for g in t.requires for c in g}
        asked = {c for t in k.topics if t.kind != "small_talk" for g in t.requires for c in g}
        self.index = TopicIndex(entries, phrasings, self._weights,
                                {c.id for c in k.concepts if c.anchor}, frozenset(talk - asked))

    def _coordinator_concept(self) -> str:
        """The concept that names the coordinator ("snv"): a mention of it counts as that concept."""
        coordinator = self.plan.unit(self.plan.coordinator)
        name = tuple(fold_raw(coordinator.name)) if coordinator else ()
        for c in self.knowledge.concepts:
            if any(tuple(fold_raw(f)) == name for f in c.forms):
                return c.id
        return "@coordinator"

    def learn(self, topic_id: str, text: str) -> bool:
        """Take a staff-approved phrasing into the index now (the store keeps it for restarts)."""
        if topic_id not in self.topics or (topic_id, text) in self.learned:
            return False
        self.learned.append((topic_id, text))
        self._build()
        return True

    def _mentions(self, world: World | None) -> UnitMentions:
        """Unit names to look for; rebuilt only when the roster changes (a commune added, a date set)."""
        roster = world.roster() if world is not None else self._plan_roster
        hit = self._mentions_cache.get(id(roster))
        if hit is None or hit[0] is not roster:
            if len(self._mentions_cache) >= 32:
                self._mentions_cache.clear()
            hit = (roster, UnitMentions(roster))
            self._mentions_cache[id(roster)] = hit
        return hit[1]

    # ---- answering -----------------------------------------------------------------
    def parse(self, text: str, world: World | None = None) -> Parsed:
        return self.parser.parse(text, self._mentions(world))

    def rank(self, text: str, world: World | None = None) -> list[Scored]:
        return self.index.score(self.parse(text, world))

    def answer(self, text: str, asker: UnitRecord | None = None, world: World | None = None) -> Answer:
        parsed = self.parse(text, world)
        if not parsed.tokens and not parsed.concepts:
            return Answer(texts.EMPTY_QUESTION, False, 0.0, reason="empty")
        ranked = self.index.score(parsed)
        best = ranked[0] if ranked else None
        m = self.knowledge.matching
        if not (best and best.taught):
            if parsed.other_year:  # "kế hoạch năm 2021": another plan, whatever else it says
                return self._fallback(texts.OUT_OF_SCOPE, best, "out_of_scope")
            if parsed.out_of_scope:
                # unrelated words lower every topic (but the ones about "something else": "đoàn có kiểm tra
                # tiền lương không"); the question is refused only if nothing still reaches answer_at
                factor = self._on_topic_share(parsed)
                ranked = sorted((s if s.topic in self._about_other else replace(s, score=s.score * factor)
                                 for s in ranked), key=lambda s: -s.score)
                best = ranked[0] if ranked else None
                if best is None or best.score < m.answer_at:
                    return self._fallback(texts.OUT_OF_SCOPE, best, "out_of_scope")
        if best is not None and best.score >= m.answer_at:
            close = [s for s in ranked[1:3] if best.score - s.score < m.margin and s.score >= m.answer_at]
            if not close or best.score >= m.sure_at or self.topics[best.topic].kind == "small_talk":
                return self._render(self.topics[best.topic], parsed, asker, world, best.score)
            return self._suggest([best, *close], best.score)
        if best is not None and best.score >= m.suggest_at:
            options = [s for s in ranked[:3] if s.score >= max(m.suggest_at, best.score - SUGGEST_SPREAD)
                       and self.topics[s.topic].kind != "small_talk"]
            if options:
                return self._suggest(options, best.score)
        anchored = any(c in self.index.anchors for c in parsed.concepts) or bool(parsed.mentions)
        return self._fallback(texts.NOT_IN_PLAN if anchored else texts.OUT_OF_SCOPE, best,
                              "not_in_plan" if anchored else "out_of_scope")

    def _on_topic_share(self, parsed: Parsed) -> float:
        """How much of the question is about the plan: its anchor concepts' weight against its unrelated words."""
        on = sum(self._weights.get(c, 1.0) for c in parsed.concepts if c in self.index.anchors)
        on += SPECIAL_WEIGHTS[SUBJECT] if SUBJECT in parsed.concepts else 0.0
        off = OUT_OF_SCOPE_WEIGHT * parsed.concepts.get(OOS, 0)
        return on / (on + off) if on + off else 0.0

    def answer_topic(self, topic_id: str, asker: UnitRecord | None = None, world: World | None = None,
                     text: str = "") -> Answer | None:
        """A topic chosen from the suggestions (the question's units and numbers still count)."""
        topic = self.topics.get(topic_id)
        if topic is None:
            return None
        parsed = self.parse(text, world) if text else Parsed("", [])
        return self._render(topic, parsed, asker, world, 1.0)

    def _fallback(self, template: str, best: Scored | None, reason: str) -> Answer:
        doc = self.plan.document
        text = template.format(citation=doc.citation, title=doc.title, coordinator=self.facts.static["coordinator"])
        return Answer(text, False, best.score if best else 0.0, reason=reason)

    def _suggest(self, options: list[Scored], score: float) -> Answer:
        titles = [self.topics[s.topic].title for s in options]
        lines = [texts.DID_YOU_MEAN] + [texts.DID_YOU_MEAN_LINE.format(title=t) for t in titles]
        lines.append(texts.DID_YOU_MEAN_FOOTER)
        return Answer("\n".join(lines), False, score, suggestions=titles,
                      suggestion_ids=[s.topic for s in options], reason="suggest")

    # ---- rendering -----------------------------------------------------------------
    def _render(self, topic: Topic, parsed: Parsed, asker: UnitRecord | None, world: World | None,
                score: float) -> Answer:
        mentioned = [u for u in parsed.mentions if u.code != self.plan.coordinator]
        if not mentioned and any("@subject" in group for group in topic.requires):
            mentioned = list(parsed.mentions)  # "Sở Nội vụ có bị kiểm tra không": the coordinator is the subject
        subjects: list[tuple[UnitRecord | None, bool]] = [(u, True) for u in mentioned] or [(asker, False)]
        if not topic.per_unit:
            subjects = subjects[:1]
        number = parsed.numbers[0] if parsed.numbers else None
        parts: list[str] = []
        cites: list[str] = []
        used: list[int] = []
        for unit, was_mentioned in subjects:
            index = self._variant(topic, unit, was_mentioned, number, world)
            variant = topic.answers[index]
            facts = self.facts.values(unit, world, number)
            text = variant.text.format_map(facts).strip()
            parts.append(text)
            used.append(index)
            # the variant's own sections, then any the filled text names that it forgot
            for section in [*(variant.cite if variant.cite is not None else topic.cite), *self.sections_named(text)]:
                if section not in cites:
                    cites.append(section)
        body = "\n".join(parts)
        source = None
        if topic.kind != "small_talk":
            source = self._citation(cites)
            body = f"{body}\n{texts.CITATION.format(source=source)}"
        return Answer(body, True, score, topic.id, source, kind=topic.kind, variants=used)

    def _variant(self, topic: Topic, unit: UnitRecord | None, mentioned: bool, number: int | None,
                 world: World | None) -> int:
        conditions = self.conditions(unit, mentioned, number, world)
        for i, variant in enumerate(topic.answers):
            if all(c in conditions for c in variant.when):
                return i
        return len(topic.answers) - 1

    def sections_named(self, text: str) -> list[str]:
        """The plan sections a text refers to as "Mục III.4" or "Mục II.2, III.4" (known ids only)."""
        found: list[str] = []
        for group in _SECTION_REFS.findall(text):
            for section in re.split(r", | và ", group):
                if self.plan.section(section) is not None and section not in found:
                    found.append(section)
        return found

    def conditions(self, unit: UnitRecord | None, mentioned: bool, number: int | None,
                   world: World | None) -> set[str]:
        found: set[str] = set()
        if number is not None:
            found.add(NUMBER.strip("@"))
        if unit is None:
            return found
        found |= {"unit", unit.level}
        if mentioned:
            found.add("mentioned")
        if unit.code == self.plan.coordinator:
            found.add("coordinator")
        if unit.inspected:
            found.add("inspected")
            if world is not None and world.inspection_at(unit.code) is not None:
                found.add("scheduled")
        elif self.facts.may_be_chosen(unit, world.roster().inspected_codes() if world is not None else None):
            found.add("maybe")
        else:
            found.add("not_inspected")
        return found

    def _citation(self, sections: list[str]) -> str:
        """"Mục III.4, III.3.a, Kế hoạch 32/KH-UBND ngày 03/3/2020"."""
        numbered, named = [], []
        for s in sections:
            label = self.plan.section_label(s)
            (numbered if label.startswith("Mục ") else named).append(label.removeprefix("Mục "))
        parts = ([f"Mục {texts.SECTIONS_AND.join(numbered)}"] if numbered else []) + named
        return ", ".join(parts + [self.plan.document.citation])
