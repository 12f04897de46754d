"""The question engine: a question (and who asks) in, a cited answer or an honest "I don't know" out.

Built once from the shared knowledge pack, the plan's own extras, the plan's facts and the
phrasings staff taught it. Answering costs a parse, one scoring pass over the topics and, when no
topic is sure, one lookup among the plan's sentences (``passages``); the answer is a template
filled from the plan's facts, or a sentence of the plan quoted verbatim, always with its section.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from string import Formatter
from typing import Iterable

from messages.deadlines import prepare_calendar
from messages.knowledge.clauses import Clause, clauses
from messages.knowledge.facts import Facts, PlanFacts, World
from messages.knowledge.followups import bare_count
from messages.knowledge.index import SPECIAL_WEIGHTS, Scored, TopicEntry, TopicIndex
from messages.knowledge.normalize import Normalizer, fold_raw
from messages.vntext import fold
from messages.knowledge.pack import load_pack, merged
from messages.knowledge.parse import NUMBER, OOS, SUBJECT, ConceptMatcher, Parsed, Parser, UnitMentions
from messages.knowledge.passages import Passages
from messages.knowledge.plan_words import concept_forms, phrasing_values
from messages.knowledge_schema import Concept, Knowledge, Topic
from messages.plan import Plan
from messages.texts import questions as texts
from messages.units import Roster, UnitRecord

SUGGEST_SPREAD = 0.15  # suggestions: topics within this of the best
# An unrelated word weighs this much against the plan's own words of the question ("mưa bão đoàn có hoãn lịch
# không" is still asked; "kết quả bóng đá tối qua" is not): every topic's score × plan / (plan + unrelated).
OUT_OF_SCOPE_WEIGHT = 1.5
COORDINATOR_CONCEPT = "dv-chu-tri"  # the pack's concept for the plan's coordinator, named in a question
WHEN_CONCEPTS = frozenset({"han", "khi-nao"})  # the pack's concepts of "by when", "when"
SUBORDINATES_CONCEPT = "truc-thuoc"  # the pack's concept of "our subordinate units"
_DATED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\bngày \d{1,2} tháng \d{1,2}")
_SECTION_ID = r"[IVX]+(?:\.[0-9a-z]+)*"
_SECTION_REFS = re.compile(rf"Mục ({_SECTION_ID}(?:(?:, | và ){_SECTION_ID})*)")


@dataclass
class Answer:
    answer: str
    matched: bool
    score: float
    topic: str | None = None
    source: str | None = None
    suggestions: list[str] = field(default_factory=list)  # titles, for the JSON and the console
    suggestion_ids: list[str] = field(default_factory=list)  # topic ids behind them (buttons)
    kind: str | None = None  # the topic's kind ("small_talk" is not a miss); "passage" for a quoted sentence
    reason: str = "answered"  # answered | passage | suggest | not_in_plan | out_of_scope | empty
    question_id: int | None = None  # its row in the question log, once logged
    variants: list[int] = field(default_factory=list)  # which of the topic's answers were used (tests, logs)
    asks: str | None = None  # the answer asked for a figure: the topic a bare number next answers
    sections: list[str] = field(default_factory=list)  # the plan sections the answer cites

    def as_dict(self) -> dict:
        return {"answer": self.answer, "matched": self.matched, "score": round(self.score, 3), "topic": self.topic,
                "source": self.source, "suggestions": list(self.suggestions)}


class _Parsed:
    """What parsing a plan's knowledge gives: the reader of questions and every phrasing and example, read."""

    def __init__(self, plan: Plan, k: Knowledge, roster: Roster, facts: PlanFacts):
        vocabulary = [f for c in k.concepts for f in c.forms] + list(k.out_of_scope) + list(k.other_years)
        vocabulary += [p for t in k.topics for p in t.phrasings]
        vocabulary += [u.name for u in plan.units] + [a for u in plan.units for a in u.aliases]
        vocabulary += [s.text for s in plan.sections]
        self.normalizer = Normalizer.build(vocabulary)
        self.matcher = ConceptMatcher(self.normalizer, {c.id: c.forms for c in k.concepts}, k.out_of_scope,
                                      k.other_years)
        self.parser = Parser(self.normalizer, self.matcher, plan.document.year, plan.coordinator,
                             COORDINATOR_CONCEPT, facts.figures())
        self.mentions = UnitMentions(roster)
        self.phrasings = [(t.id, self.parser.parse(p, self.mentions), False) for t in k.topics for p in t.phrasings]
        self.phrasings += [(t, self.parser.parse(text, self.mentions), False)
                           for t, texts in k.examples.items() for text in texts]
        self.passages = Passages(plan, self.normalizer, self.matcher)


_PARSED: dict[str, _Parsed] = {}  # (plan, knowledge) digest → its parse


class Engine:
    def __init__(self, plan: Plan, learned: Iterable[tuple[str, str]] = ()):
        self.plan = plan
        self.facts = PlanFacts(plan)
        self.knowledge = self._knowledge(merged(load_pack(), plan.knowledge))
        self.topics: dict[str, Topic] = {t.id: t for t in self.knowledge.topics}
        self.learned: list[tuple[str, str]] = [(t, x) for t, x in learned if t in self.topics]
        self._mentions_cache: dict[int, tuple[Roster, UnitMentions]] = {}
        self._plan_roster = Roster.from_plan(plan)
        # level → the folded kind words of the levels under it ("huyen" → ["xa", "phuong", "thi tran"])
        self._child_kinds = {lv.id: [fold(k) for child in plan.levels if child.parent == lv.id for k in child.kinds]
                             for lv in plan.levels}
        # "huyện mình" from someone not registered: the level whose kind they named
        self._tier_levels = {fold(k): lv.id for lv in plan.levels for k in lv.kinds}
        self._build()
        prepare_calendar(plan)

    # ---- building ------------------------------------------------------------------
    def _knowledge(self, k: Knowledge) -> Knowledge:
        """The pack adapted to this plan: its words added to the concepts, the topics it cannot answer
        left out, the phrasings' ``{coordinator}``… filled in."""
        concepts = [c.model_copy(update={"forms": [*c.forms, *(f for src in c.facts
                                                               for f in concept_forms(self.plan, src))]})
                    for c in k.concepts]
        values = phrasing_values(self.plan)
        topics = []
        for t in k.topics:
            if not all(self.facts.present(name) for name in t.needs):
                continue
            phrasings = [p.format_map(values) for p in t.phrasings if _fields(p) <= values.keys()]
            topics.append(t.model_copy(update={"phrasings": list(dict.fromkeys(phrasings))}))
        kept = {t.id for t in topics}
        examples = {t: texts for t, texts in k.examples.items() if t in kept}
        return k.model_copy(update={"concepts": [c for c in concepts if c.forms], "topics": topics, "examples": examples})

    def _build(self) -> None:
        """Parse the knowledge (the costly part: every phrasing and labelled example) once per plan and
        knowledge, shared by every engine built over them (a restart, tests), then index it with what staff
        taught. Taught phrasings, like examples, are typed text: they never teach the spelling corrector, so
        teaching one re-indexes without re-parsing the rest."""
        k = self.knowledge
        key = hashlib.sha256(self.plan.model_dump_json().encode() + k.model_dump_json().encode()).hexdigest()
        parsed = _PARSED.get(key)
        if parsed is None:
            parsed = _Parsed(self.plan, k, self._plan_roster, self.facts)
            if len(_PARSED) >= 8:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[key] = parsed
        self._parsed = parsed
        self.normalizer, self.matcher, self.parser = parsed.normalizer, parsed.matcher, parsed.parser
        self.passages = parsed.passages
        self._weights = {c.id: c.weight for c in k.concepts}
        self._about_other = {t.id for t in k.topics if any(OOS in g for g in t.requires)}
        self._index()

    def _index(self) -> None:
        k = self.knowledge
        entries = [TopicEntry(t.id, t.kind, [frozenset(g) for g in t.requires], frozenset(t.avoid)) for t in k.topics]
        learned = [(topic, self.parser.parse(text, self._parsed.mentions), True) for topic, text in self.learned]
        talk = {c for t in k.topics if t.kind == "small_talk" for g in t.requires for c in g}
        asked = {c for t in k.topics if t.kind != "small_talk" for g in t.requires for c in g}
        self.index = TopicIndex(entries, [*self._parsed.phrasings, *learned], self._weights,
                                {c.id for c in k.concepts if c.anchor}, frozenset(talk - asked))

    def learn(self, topic_id: str, text: str) -> bool:
        """Take a staff-approved phrasing into the index now (the store keeps it for restarts)."""
        if topic_id not in self.topics or (topic_id, text) in self.learned:
            return False
        self.learned.append((topic_id, text))
        self._index()
        return True

    def _mentions(self, world: World | None) -> UnitMentions:
        """Unit names to look for; rebuilt only when the roster changes (a unit added, a date set)."""
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
        """The answer to ``text`` for ``asker``. A message asking two things ("… đúng không, còn …
        bao nhiêu %?") gets both answers, each from its own part, when each part is sure of its topic;
        one that sets the scene first ("Dạ em ở xã X. Khi đoàn xuống thì …?") is answered on its question."""
        parts = clauses(text)
        if len(parts) < 2:
            return self._answer_one(text, asker, world)
        picks, courtesies = self._parts(parts, asker, world)

        def rendered(pick: tuple[Scored, Parsed, UnitRecord | None]) -> Answer:
            best, parsed, unit = pick
            return self._render(self.topics[best.topic], parsed, unit, world, best.score)

        if len(picks) > 1:
            return self._joined([rendered(pick) for pick in picks])
        # the rest only sets the scene, or is courtesy ("Kính gửi …", "Trân trọng cảm ơn."): the part decides
        scene_set = not all(c.asks for c in parts) or courtesies == len(parts) - 1
        if picks and scene_set:
            return rendered(picks[0])
        whole = self._answer_one(text, asker, world)  # read whole only when the parts did not settle it
        if picks and (whole.reason != "answered" or whole.kind == "small_talk"):
            return rendered(picks[0])
        return whole

    def _parts(self, parts: list[Clause], asker: UnitRecord | None,
               world: World | None) -> tuple[list[tuple[Scored, Parsed, UnitRecord | None]], int]:
        """The topics the asking parts of a message are sure of, one per topic (to render only when used);
        a unit or a count given in any part ("Sở em có 9 đơn vị trực thuộc. Phải kiểm tra mấy?") holds for
        the others."""
        parsed = [self.parse(part.text, world) for part in parts]
        named = list(dict.fromkeys(u for p in parsed for u in p.mentions))
        numbers = [n for p in parsed for n in p.numbers]
        # "Dạ em ở xã X. Xã em có bị kiểm tra không?": the one unit the message names is what it is about
        context = named[0] if len(named) == 1 else asker
        answer_at = self.knowledge.matching.answer_at
        picks: list[tuple[Scored, Parsed, UnitRecord | None]] = []
        courtesies = 0  # greetings, thanks, formulas: no concept but courtesy, no unit, no figure
        for part, p in zip(parts, parsed):
            if set(p.concepts) <= self.index.chatter and not p.mentions and not p.numbers:
                courtesies += 1
            if not part.asks or not self.index.may_reach(p, answer_at):  # "Kính gửi …": no question here
                continue
            if not p.numbers and len(numbers) == 1:
                p.numbers, p.concepts = list(numbers), {**p.concepts, NUMBER: 1}
            ranked, settled = self._ranked(p, context)
            best = None if settled else self._sure(ranked)[0]
            if (best is not None and self.topics[best.topic].kind != "small_talk"
                    and all(best.topic != b.topic for b, _, _ in picks)):
                picks.append((best, p, context))
        return picks, courtesies

    def _joined(self, found: list[Answer]) -> Answer:
        bodies: list[str] = []
        for a in found:
            body = a.answer.rpartition("\n")[0]
            bodies += _unsaid(body, "\n".join(bodies)) if bodies else [body]
        sections = list(dict.fromkeys(s for a in found for s in a.sections))
        source = self._citation(sections)
        first = found[0]
        return replace(first, answer="\n".join([*bodies, texts.CITATION.format(source=source)]), source=source,
                       sections=sections, score=min(a.score for a in found),
                       asks=next((a.asks for a in reversed(found) if a.asks), None))

    def _answer_one(self, text: str, asker: UnitRecord | None, world: World | None) -> Answer:
        return self._decide(self.parse(text, world), asker, world)

    def _ranked(self, parsed: Parsed, asker: UnitRecord | None) -> tuple[list[Scored], Answer | None]:
        """The topics ranked for ``parsed``, or the answer that settles it first: nothing asked, another
        year's plan, or unrelated words that leave no topic at ``answer_at``."""
        self._own_subordinates(parsed, asker)
        if not parsed.tokens and not parsed.concepts:
            return [], Answer(texts.EMPTY_QUESTION, False, 0.0, reason="empty")
        ranked = self.index.score(parsed)
        best = ranked[0] if ranked else None
        if not (best and best.taught):
            if parsed.other_year:  # "kế hoạch năm 2021": another plan, whatever else it says
                return ranked, self._fallback(texts.OUT_OF_SCOPE, best, "out_of_scope")
            if parsed.out_of_scope:
                # unrelated words lower every topic (but the ones about "something else": "đoàn có kiểm tra
                # tiền lương không"); the question is refused only if nothing still reaches answer_at
                factor = self._on_topic_share(parsed)
                ranked = sorted((s if s.topic in self._about_other else replace(s, score=s.score * factor)
                                 for s in ranked), key=lambda s: -s.score)
                best = ranked[0] if ranked else None
                if best is None or best.score < self.knowledge.matching.answer_at:
                    return ranked, self._fallback(texts.OUT_OF_SCOPE, best, "out_of_scope")
        return ranked, None

    def _sure(self, ranked: list[Scored]) -> tuple[Scored | None, list[Scored]]:
        """The topic to answer at ``answer_at`` or above, or None with the ones too close to it to choose."""
        m = self.knowledge.matching
        best = ranked[0] if ranked else None
        if best is None or best.score < m.answer_at:
            return None, []
        close = [s for s in ranked[1:3] if best.score - s.score < m.margin and s.score >= m.answer_at]
        if not close or best.score >= m.sure_at or self.topics[best.topic].kind == "small_talk":
            return best, []
        return None, close

    def _decide(self, parsed: Parsed, asker: UnitRecord | None, world: World | None) -> Answer:
        ranked, settled = self._ranked(parsed, asker)
        if settled is not None:
            return settled
        best = ranked[0] if ranked else None
        m = self.knowledge.matching
        sure, close = self._sure(ranked)
        if sure is not None:
            return self._render(self.topics[sure.topic], parsed, asker, world, sure.score)
        if close:
            return self._suggest([best, *close], best.score)
        anchored = any(c in self.index.anchors for c in parsed.concepts) or bool(parsed.mentions)
        if best is not None and best.score >= m.suggest_at:
            options = [s for s in ranked[:3] if s.score >= max(m.suggest_at, best.score - SUGGEST_SPREAD)
                       and self.topics[s.topic].kind != "small_talk"]
            if len(options) == 1 and anchored and best.score >= m.single_at:
                return self._render(self.topics[best.topic], parsed, asker, world, best.score)  # one clear candidate
            if options:
                return self._suggest(options, best.score)
        passage = self._passage(parsed) if anchored else None
        if passage is not None:
            return passage
        return self._fallback(texts.NOT_IN_PLAN if anchored else texts.OUT_OF_SCOPE, best,
                              "not_in_plan" if anchored else "out_of_scope")

    def _own_subordinates(self, parsed: Parsed, asker: UnitRecord | None) -> None:
        """"Huyện em phải kiểm tra bao nhiêu xã": asked by a unit of a level with a level under it, about
        its own ("em", "mình"), the units of that level are its subordinates."""
        level = asker.level if asker is not None else self._tier_levels.get(parsed.self_tier or "")
        kinds = self._child_kinds.get(level) if level and parsed.self_ref else None
        if kinds and any(f" {k} " in f" {' '.join(parsed.tokens)} " for k in kinds):
            parsed.concepts.setdefault(SUBORDINATES_CONCEPT, 1)

    def follow_up(self, topic_id: str, text: str, asker: UnitRecord | None = None,
                  world: World | None = None) -> Answer | None:
        """The figure the bot asked for ("cho biết số đơn vị trực thuộc…" → "12", "12 phòng"), answered
        on that topic; None when the message is not a bare count (it is then a new question)."""
        topic = self.topics.get(topic_id)
        count = bare_count(text)
        if topic is None or count is None:
            return None
        parsed = Parsed(text, [], {NUMBER: 1}, numbers=[count])
        return self._render(topic, parsed, asker, world, 1.0)

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

    def _passage(self, parsed: Parsed) -> Answer | None:
        """The second stage: the plan's own sentence that covers the question, quoted with its section."""
        found = self.passages.search(parsed.tokens, self.knowledge.matching.passage_at)
        if found is None:
            return None
        body = texts.PASSAGE_ANSWER.format(passage=self.passages.render([found]), coordinator=self.plan.coordinator_name)
        source = self._citation([found.section])
        return Answer(f"{body}\n{texts.CITATION.format(source=source)}", True, self.knowledge.matching.passage_at,
                      source=source, kind="passage", reason="passage")

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
        percent = _percent(parsed.tokens) if number is not None else None
        passage = self.passages.for_topic(topic.passage, parsed.tokens) if topic.passage else []
        extra = {"passage"} if passage else set()
        if passage and self.passages.has_detail(passage, topic.passage):
            extra.add("passage_detail")
        if passage and any(_DATED.search(s.text) for s in passage):
            extra.add("passage_dated")
        if WHEN_CONCEPTS & parsed.concepts.keys():
            extra.add("asks_when")
        parts: list[str] = []
        cites: list[str] = []
        used: list[int] = []
        asks = None
        for unit, was_mentioned in subjects:
            conditions = self.conditions(unit, was_mentioned, number, world) | extra
            if percent is not None:
                conditions.add("percent")
            index = next((i for i, v in enumerate(topic.answers) if all(c in conditions for c in v.when)),
                         len(topic.answers) - 1)
            variant = topic.answers[index]
            facts: Facts = self.facts.values(unit, world, number, percent)
            facts["passage"] = self.passages.render(passage)
            text = variant.text.format_map(facts).strip()
            parts.append(_tidy(text))
            used.append(index)
            asks = topic.id if variant.asks == "number" else asks
            # the variant's own sections, then every section the filled text names
            for section in [*(variant.cite if variant.cite is not None else topic.cite), *self.sections_named(text)]:
                if section not in cites:
                    cites.append(section)
        body = "\n".join(parts)
        source = None
        if topic.kind != "small_talk":
            source = self._citation(cites)
            body = f"{body}\n{texts.CITATION.format(source=source)}"
        return Answer(body, True, score, topic.id, source, kind=topic.kind, variants=used, asks=asks,
                      sections=cites)

    def sections_named(self, text: str) -> list[str]:
        """The plan sections a text refers to as "Mục III.4", "Mục II.2, III.4" or by a part's label
        ("Phần căn cứ"); known ids only."""
        found: list[str] = []
        for group in _SECTION_REFS.findall(text):
            for section in re.split(r", | và ", group):
                if self.plan.section(section) is not None and section not in found:
                    found.append(section)
        for s in self.plan.sections:
            if s.label and s.label in text and s.id not in found:
                found.append(s.id)
        return found

    def conditions(self, unit: UnitRecord | None, mentioned: bool, number: int | None,
                   world: World | None) -> set[str]:
        found: set[str] = set()
        if number is not None:
            found.add(NUMBER.strip("@"))
        if unit is None:
            return found
        found |= {"unit", unit.level}
        level = self.plan.level(unit.level)
        if level is not None and level.parent is not None:
            found.add("child")
        if self.facts.chosen_under(unit.level) is not None:
            found.add("parent")
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
        label = self.facts.label(sections)
        return ", ".join(p for p in (label, self.plan.document.citation) if p)


def _percent(tokens: list[str]) -> float | None:
    """A percentage the question gives ("40%", "40 phần trăm"), as a ratio."""
    for i, t in enumerate(tokens):
        if t.endswith("%") and t[:-1].isdigit():
            return int(t[:-1]) / 100
        if t.isdigit() and tokens[i + 1:i + 3] == ["phan", "tram"]:
            return int(t) / 100
    return None


def _unsaid(body: str, before: str) -> list[str]:
    """The lines of ``body`` that ``before`` does not already hold, so a second answer adds only what is
    new ("số mấy, do ai ký": the document line already names the signer; two topics listing the same
    units list them once). A line counts as said when what follows its lead-in ("Người ký …: X") stands
    in ``before``; a heading whose list was all said goes with it."""
    def said(line: str) -> bool:
        payload = line.partition(": ")[2].strip().rstrip(".")
        payload = payload if len(payload) >= 20 else line.strip().rstrip(".")
        return payload in before

    kept = [line for line in body.split("\n") if line.strip() and not said(line)]
    return [line for i, line in enumerate(kept)
            if not line.rstrip().endswith(":") or (i + 1 < len(kept) and kept[i + 1].lstrip().startswith("-"))]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in Formatter().parse(template) if f}


def _tidy(text: str) -> str:
    """Lines a template left empty (a value this plan does not have) are dropped."""
    return "\n".join(line for line in text.split("\n") if line.strip() not in ("", "-", "()"))


__all__ = ["Answer", "Engine", "fold_raw"]
