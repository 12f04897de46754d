"""Schema of the plan file's ``knowledge`` section: what the bot answers questions from.

The knowledge is data, like the rest of the plan: next year's plan rewrites it
without a code change.

- ``concepts``: the words people use for one idea ("hạn", "hạn chót", "deadline"…),
  with a weight; ``anchor`` concepts are about the plan's subject (a question needs one
  to be answered from a topic). ``out_of_scope`` lists words that mark an unrelated question (they lower
  every topic's score; the question is refused unless a topic still reaches ``answer_at``);
  ``other_years`` words that place it in another year than the plan's (refused outright).
- ``topics``: one answerable question each, with several ``phrasings`` (how people ask it),
  ``requires`` (concept groups that must appear), ``avoid`` (concepts that point to another
  question), and ``answers``: templates chosen by
  conditions on the unit concerned (the one named in the question, else the asker's),
  filled from the plan and the store (``{unit}``, ``{report_wording}``, ``{window}``…).
  The plan sections in ``cite`` end the answer as its citation.
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
    "number",  # the question gives a number ("we have 10 subordinate units")
    "mentioned",  # the unit was named in the question (not only the asker's)
})  # plus the id of any level of the plan: the unit is of that level
Condition = str
Kind = Literal["fact", "unit", "derived", "not_in_plan", "small_talk"]
# Signals read from the question itself, usable in ``requires`` like concepts.
# a unit named / own unit; a count of one's units; one of the plan's own figures ("2 xã mỗi huyện"); "có … không";
# a word about something else ("đoàn có kiểm tra tiền lương không")
SIGNALS = frozenset({"@subject", "@number", "@figure", "@yesno", "@oos"})

# Every placeholder a template may use; ``messages.knowledge.facts`` fills them.
PLACEHOLDERS = frozenset({
    # the document
    "citation", "doc_kind", "doc_number", "doc_date", "doc_year", "doc_title", "doc_subject", "issuer", "place",
    "signer", "signer_name", "signer_position", "signer_capacity", "recipients", "legal_bases", "implements",
    "quote",
    # who is inspected, when
    "coordinator", "window", "window_start", "window_end", "departments", "departments_inline",
    "n_departments", "districts", "districts_inline", "n_districts", "communes_per_district", "n_communes",
    "coverage_pct", "coverage_communes", "n_inspected",
    # duties and deliverables
    "ratio_pct", "coordinator_duties", "inspected_duties", "not_inspected_duties", "all_duties",
    "report_title", "report_deadline", "report_wording", "report_recipient", "report_content",
    "team_report_recipient", "team_report_content", "report_countdown",
    # the unit concerned
    "unit", "unit_parent", "unit_duties", "unit_deadlines", "inspection_date", "inspection_countdown",
    # computed from the question
    "n_given", "n_exact", "n_required", "example_n", "example_required",
})
_TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Concept(_Model):
    id: str
    forms: list[str] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0, le=5)
    anchor: bool = False


class Answer(_Model):
    when: list[Condition] = []
    text: str
    cite: list[str] | None = None  # sections; defaults to the topic's


class Topic(_Model):
    id: str
    title: str = Field(max_length=60)  # the "did you mean" button
    kind: Kind = "fact"
    cite: list[str] = []
    phrasings: list[str] = Field(min_length=2)
    requires: list[list[str]] = []  # one concept of each group must be in the question
    avoid: list[str] = []  # concepts that mean another question ("khi nào" is not "có bị kiểm tra không")
    answers: list[Answer] = Field(min_length=1)
    per_unit: bool = False  # several units named: one answer line each


class Matching(_Model):
    """Decision thresholds, calibrated on the labelled questions (bench/bench_questions.py)."""

    answer_at: float = Field(default=0.5, ge=0, le=1)  # answer the best topic from this score
    suggest_at: float = Field(default=0.3, ge=0, le=1)  # below it: "not in the plan / out of scope"
    margin: float = Field(default=0.06, ge=0, le=1)  # top two closer than this: offer both...
    sure_at: float = Field(default=0.8, ge=0, le=1)  # ...unless the best is at least this sure
    review_below: float = Field(default=0.6, ge=0, le=1)  # answered below this: listed for staff review


class Knowledge(_Model):
    matching: Matching = Matching()
    concepts: list[Concept] = []
    out_of_scope: list[str] = []
    other_years: list[str] = []  # "năm sau", "next year": about another plan than this one, refused outright
    topics: list[Topic] = []

    @model_validator(mode="after")
    def _consistent(self) -> "Knowledge":
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
            for g, group in enumerate(t.requires):
                for k, concept in enumerate(group):
                    if concept not in seen and concept not in SIGNALS:
                        problems.append(f"{where}.requires[{g}][{k}]: khái niệm '{concept}' không có trong concepts")
            for k, concept in enumerate(t.avoid):
                if concept not in seen and concept not in SIGNALS:
                    problems.append(f"{where}.avoid[{k}]: khái niệm '{concept}' không có trong concepts")
            if t.answers[-1].when:
                problems.append(f"{where}.answers[{len(t.answers) - 1}].when: câu trả lời cuối phải không có điều kiện "
                                "(dùng khi không điều kiện nào khớp)")
            for a, answer in enumerate(t.answers):
                for name in _placeholders(answer.text):
                    if name not in PLACEHOLDERS:
                        problems.append(f"{where}.answers[{a}].text: không có giá trị '{{{name}}}' "
                                        f"(dùng được: {', '.join(sorted(PLACEHOLDERS))})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def problems(self, section_ids: set[str], level_ids: set[str] = frozenset()) -> list[str]:
        """Cross-references to the rest of the plan (called by ``Plan`` validation)."""
        out = []
        for i, t in enumerate(self.topics):
            for a, answer in enumerate(t.answers):
                for j, cond in enumerate(answer.when):
                    if cond not in CONDITIONS and cond not in level_ids:
                        out.append(f"knowledge.topics[{i}].answers[{a}].when[{j}]: điều kiện '{cond}' không có "
                                   f"(dùng được: {', '.join(sorted(CONDITIONS | set(level_ids)))})")
            for j, s in enumerate(t.cite):
                if s not in section_ids:
                    out.append(f"knowledge.topics[{i}].cite[{j}]: mục '{s}' không có trong sections")
            for a, answer in enumerate(t.answers):
                for j, s in enumerate(answer.cite or []):
                    if s not in section_ids:
                        out.append(f"knowledge.topics[{i}].answers[{a}].cite[{j}]: mục '{s}' không có trong sections")
                for key in _quoted(answer.text):
                    if key not in section_ids:
                        out.append(f"knowledge.topics[{i}].answers[{a}].text: {{quote[{key}]}}: "
                                   f"mục '{key}' không có trong sections")
        return out

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


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
