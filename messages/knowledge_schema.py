"""Schema of question knowledge: the shared pack shipped with the bot, and a plan file's extras.

The pack (``messages/knowledge/pack.yaml``) is the same for every plan: the words people
use (``concepts``), the questions every CCHC inspection plan raises (``topics``) with how
people ask them (``phrasings``) and answer templates filled only from the plan's structured
facts (``messages.knowledge.facts``). A plan file's ``knowledge`` section holds only what the
pack cannot know: extra topics, extra phrasings of pack topics, extra words for pack concepts.

- ``concepts``: the words for one idea, with a weight; ``anchor`` concepts are about the plan's
  subject (a question needs one to be answered from a topic); ``facts`` adds words read from the
  plan (its number, its deadline dates, its levels' names, the coordinator's name…).
- ``topics``: one answerable question each; ``requires`` (concept groups that must appear),
  ``avoid`` (concepts that point to another question), ``needs`` (facts a plan must give for the
  topic to exist: a plan without a coverage figure has no coverage question), ``passage`` (the
  plan's own sentences to quote: sections by title, sentences by concept), and ``answers``:
  templates chosen by conditions on the unit concerned. Sections are cited through values
  (``{s_report}`` reads "Mục III.4"), never typed in as text.
- ``out_of_scope``: words that mark an unrelated question; ``other_years``: another plan's year.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CONDITIONS = frozenset({
    "unit",  # a unit is concerned (named in the question, or the asker's)
    "inspected",  # ... and it is inspected directly (listed by the plan, or chosen by staff)
    "not_inspected",  # ... and it is not (nor possibly chosen)
    "maybe",  # not yet chosen, but the plan leaves its choice to the announcer (N per inspected parent…)
    "coordinator",  # the unit that runs the plan
    "scheduled",  # staff have set its inspection date
    "child",  # its level has a parent level (a commune under a district)
    "parent",  # units of a level under it are chosen later, among the children of inspected units
    "number",  # the question gives a number ("we have 10 subordinate units")
    "percent",  # ... and a percentage to apply to it ("40% là mấy cơ quan")
    "mentioned",  # the unit was named in the question (not only the asker's)
    "passage",  # the topic's passage was found in the plan
    "passage_detail",  # ... and it gives details (a list, an amount: the topic's ``detail`` words)
    "passage_dated",  # ... and it gives a date
    "asks_when",  # the question asks by when / when
})  # plus the id of any level of the plan: the unit is of that level
Condition = str
Kind = Literal["fact", "unit", "derived", "not_in_plan", "small_talk"]
# Signals read from the question itself, usable in ``requires`` like concepts.
# a unit named / own unit; a count of one's units; one of the plan's own figures ("2 xã mỗi huyện"); "có … không";
# a word about something else ("đoàn có kiểm tra tiền lương không")
SIGNALS = frozenset({"@subject", "@number", "@figure", "@yesno", "@oos"})
# Where a concept's plan-made words come from (messages.knowledge.plan_words)
FACT_SOURCES = Literal["document", "bases", "deadlines", "late", "window", "year", "ratios", "levels",
                       "chosen_later", "coordinator", "province"]

# Every placeholder an answer template may use; ``messages.knowledge.facts`` fills them.
PLACEHOLDERS = frozenset({
    # the document
    "citation", "doc_kind", "doc_number", "doc_date", "doc_year", "doc_title", "doc_subject", "issuer",
    "issuer_short", "place", "signer", "signer_name", "signer_position", "signer_capacity", "recipients",
    "recipients_last", "legal_bases", "implements", "quote",
    # sections to cite
    "s_inspection", "s_window", "s_announce", "s_coverage", "s_selection", "s_report", "s_team_report", "s_ratio",
    "s_signature", "s_recipients", "s_preamble", "s_coordinator_duties", "s_inspected_duties", "s_not_inspected_duties", "s_all_duties",
    # who is inspected, when
    "coordinator", "coordinator_inspection", "announcer", "announce_notice", "window", "window_start", "window_end", "inspected_list", "inspected_inline",
    "n_inspected", "selection_rules", "levels_inline", "coverage",
    # duties and deliverables
    "ratio_pct", "coordinator_duties", "inspected_duties", "not_inspected_duties", "all_duties",
    "report_title", "report_deadline", "report_wording", "report_recipient", "report_content", "report_when",
    "report_countdown", "team_report_title", "team_report_recipient", "team_report_content",
    "team_report_wording", "team_report_when", "team_report_deadline",
    # the unit concerned
    "unit", "unit_level", "unit_parent", "unit_rule", "s_unit_selection", "unit_duties", "unit_deadlines",
    "child_rule", "s_child_selection",
    "inspection_date", "inspection_countdown",
    # computed from the question, or quoted from the plan
    "n_given", "n_exact", "n_required", "ratio_used", "s_ratio_used", "example_n", "example_required", "passage",
    "coverage_given",
    # example units of this plan (one listed for inspection, one not), for "for example…" hints
    "unit_a", "unit_b",
})
# Values a phrasing may name, filled from the plan when the engine is built ("{coordinator} có nhiệm vụ gì")
PHRASING_VALUES = frozenset({"coordinator", "doc_number", "doc_year", "report_date", "ratio_pct", "window",
                             "unit_a", "unit_b", "chosen_level", "chosen_each", "chosen_parent"})
_TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Model):
    id: str
    forms: list[str] = []
    facts: list[FACT_SOURCES] = []  # the plan's own words of this idea, added when the engine is built
    weight: float = Field(default=1.0, gt=0, le=5)
    anchor: bool = False

    @model_validator(mode="after")
    def _has_words(self) -> "Concept":
        if not self.forms and not self.facts:
            raise ValueError("cần forms hoặc facts")
        return self


class Answer(_Model):
    when: list[Condition] = []
    text: str
    cite: list[str] | None = None  # sections; defaults to the topic's
    asks: Literal["number"] | None = None  # the answer asks for a figure: the next message may be one


class Passage(_Model):
    """The plan's own sentences a topic quotes: whole sections whose title has one of ``titles``,
    and sentences that use one of ``concepts``; ``detail`` words mark a passage that says specifics."""

    titles: list[str] = []
    concepts: list[str] = []
    detail: list[str] = []
    max: int = Field(default=3, ge=1, le=6)


class Topic(_Model):
    id: str
    title: str = Field(max_length=60)  # the "did you mean" button
    kind: Kind = "fact"
    cite: list[str] = []
    phrasings: list[str] = Field(min_length=2)
    requires: list[list[str]] = []  # one concept of each group must be in the question
    avoid: list[str] = []  # concepts that mean another question ("khi nào" is not "có bị kiểm tra không")
    needs: list[str] = []  # facts the plan must give for this topic to be asked at all
    passage: Passage | None = None
    answers: list[Answer] = Field(min_length=1)
    per_unit: bool = False  # several units named: one answer line each


class Matching(_Model):
    """Decision thresholds, calibrated on the labelled questions of both bundled plans (bench/bench_questions.py)."""

    answer_at: float = Field(default=0.5, ge=0, le=1)  # answer the best topic from this score
    suggest_at: float = Field(default=0.3, ge=0, le=1)  # below it: a passage of the plan, or "not in the plan"
    margin: float = Field(default=0.06, ge=0, le=1)  # top two closer than this: offer both...
    sure_at: float = Field(default=0.8, ge=0, le=1)  # ...unless the best is at least this sure
    single_at: float = Field(default=0.4, ge=0, le=1)  # one clear candidate from here is answered, not offered
    review_below: float = Field(default=0.6, ge=0, le=1)  # answered below this: listed for staff review
    passage_at: float = Field(default=0.5, ge=0, le=1)  # share of the question a quoted passage must cover


class Knowledge(_Model):
    matching: Matching = Matching()
    concepts: list[Concept] = []
    out_of_scope: list[str] = []
    other_years: list[str] = []  # "năm sau", "next year": about another plan than this one, refused outright
    topics: list[Topic] = []
    phrasings: dict[str, list[str]] = {}  # more ways to ask a topic of the pack (plan files)
    # questions people really asked, each labelled with its topic (``examples.yaml``): matched like phrasings,
    # but kept as typed (typos, abbreviations), so their words never teach the spelling corrector
    examples: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _own_consistency(self) -> "Knowledge":
        problems: list[str] = []
        seen: set[str] = set()
        for i, c in enumerate(self.concepts):
            if c.id in seen:
                problems.append(f"knowledge.concepts[{i}].id: '{c.id}' bị trùng")
            seen.add(c.id)
        topic_ids: set[str] = set()
        for i, t in enumerate(self.topics):
            where = f"knowledge.topics[{i}]"
            if not _TOPIC_ID.match(t.id):
                problems.append(f"{where}.id: '{t.id}' phải là chữ thường không dấu nối bằng '-'")
            if t.id in topic_ids:
                problems.append(f"{where}.id: '{t.id}' bị trùng")
            topic_ids.add(t.id)
            if t.answers[-1].when:
                problems.append(f"{where}.answers[{len(t.answers) - 1}].when: câu trả lời cuối phải không có điều kiện "
                                "(dùng khi không điều kiện nào khớp)")
            for a, answer in enumerate(t.answers):
                for name in _placeholders(answer.text):
                    if name not in PLACEHOLDERS:
                        problems.append(f"{where}.answers[{a}].text: không có giá trị '{{{name}}}' "
                                        f"(dùng được: {', '.join(sorted(PLACEHOLDERS))})")
            for p, phrasing in enumerate(t.phrasings):
                for name in _placeholders(phrasing):
                    if name not in PHRASING_VALUES:
                        problems.append(f"{where}.phrasings[{p}]: không có giá trị '{{{name}}}' "
                                        f"(dùng được: {', '.join(sorted(PHRASING_VALUES))})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def problems(self, section_ids: set[str] | None, level_ids: set[str] = frozenset(),
                 pack: "Knowledge | None" = None) -> list[str]:
        """Cross-references: to the plan's sections and levels, and (for a plan's extras) to the pack.
        The pack itself (``section_ids`` None) knows no plan: only its concepts and topics are checked."""
        concepts = {c.id for c in self.concepts} | ({c.id for c in pack.concepts} if pack else set()) | SIGNALS
        topics = {t.id for t in self.topics} | ({t.id for t in pack.topics} if pack else set())
        out = []
        for i, t in enumerate(self.topics):
            where = f"knowledge.topics[{i}]"
            for g, group in enumerate(t.requires):
                out += [f"{where}.requires[{g}][{k}]: khái niệm '{c}' không có trong concepts"
                        for k, c in enumerate(group) if c not in concepts]
            out += [f"{where}.avoid[{k}]: khái niệm '{c}' không có trong concepts"
                    for k, c in enumerate(t.avoid) if c not in concepts]
            if t.passage is not None:
                out += [f"{where}.passage.concepts[{k}]: khái niệm '{c}' không có trong concepts"
                        for k, c in enumerate(t.passage.concepts) if c not in concepts]
            for j, s in enumerate(t.cite):
                if section_ids is not None and s not in section_ids:
                    out.append(f"{where}.cite[{j}]: mục '{s}' không có trong sections")
            for a, answer in enumerate(t.answers):
                for j, cond in enumerate(answer.when):
                    if cond not in CONDITIONS and cond not in level_ids:
                        out.append(f"{where}.answers[{a}].when[{j}]: điều kiện '{cond}' không có "
                                   f"(dùng được: {', '.join(sorted(CONDITIONS | set(level_ids)))})")
                for j, s in enumerate(answer.cite or []):
                    if section_ids is not None and s not in section_ids:
                        out.append(f"{where}.answers[{a}].cite[{j}]: mục '{s}' không có trong sections")
                for key in _quoted(answer.text):
                    if section_ids is not None and key not in section_ids:
                        out.append(f"{where}.answers[{a}].text: {{quote[{key}]}}: mục '{key}' không có trong sections")
        out += [f"knowledge.phrasings.{topic}: chủ đề '{topic}' không có" for topic in self.phrasings if topic not in topics]
        out += [f"knowledge.examples.{topic}: chủ đề '{topic}' không có" for topic in self.examples if topic not in topics]
        return out

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


class Examples(_Model):
    """``examples.yaml``: questions people asked, labelled with the pack topic that answers them."""

    examples: dict[str, list[str]] = {}


class Pack(Knowledge):
    """The shared pack: knowledge that also checks its own cross-references (it knows no plan's sections)."""

    @model_validator(mode="after")
    def _references(self) -> "Pack":
        problems = self.problems(None)
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _placeholders(template: str) -> set[str]:
    names = set()
    try:
        for _, field, _, _ in Formatter().parse(template):
            if field:
                names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    except ValueError as exc:
        names.add(f"<lỗi cú pháp: {exc}>")
    return names


def _quoted(template: str) -> set[str]:
    return set(re.findall(r"\{quote\[([^\]]+)\]\}", template))
