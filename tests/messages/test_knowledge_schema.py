"""The shared pack and a plan file's knowledge extras are validated like the plan: field and line named."""

import re

import pytest

from messages.knowledge import Engine
from messages.knowledge.pack import load_pack, pack_path, parse_pack, with_examples
from messages.plan_loader import PlanError, bundled_plan_path, parse_plan

BUNDLED = bundled_plan_path().read_text(encoding="utf-8")
PACK = pack_path().read_text(encoding="utf-8")
EXTRA_TOPIC = """
  topics:
    - id: le-phi
      title: Lệ phí
      requires: [[le-phi]]
      cite: [III.2]
      phrasings: [đơn vị có phải nộp lệ phí không, lệ phí kiểm tra là bao nhiêu]
      answers:
        - when: [inspected]
          text: |-
            {unit} không nộp lệ phí ({s_report}).
        - text: |-
            Kế hoạch không nêu lệ phí; anh/chị vui lòng liên hệ {coordinator}.
"""


def refused(text: str, parse=parse_plan) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse(text, "bad.yaml")
    return info.value.problems


def with_extra(old: str = "", new: str = "") -> str:
    """The bundled plan with one extra topic and concept of its own (edited by ``old`` → ``new``)."""
    extra = EXTRA_TOPIC.replace(old, new) if old else EXTRA_TOPIC
    assert "\nknowledge:\n  concepts:\n" in BUNDLED
    return BUNDLED.replace("\nknowledge:\n  concepts:\n", "\nknowledge:\n" + extra.lstrip("\n") + "  concepts:\n"
                           "    - {id: le-phi, weight: 2.0, anchor: true, forms: [lệ phí, phí kiểm tra]}\n", 1)


def test_an_extra_topic_of_the_plan_is_answered():
    plan = parse_plan(with_extra(), "ok.yaml")
    a = Engine(plan).answer("đơn vị có phải nộp lệ phí không")
    assert a.topic == "le-phi" and a.answer.startswith("Kế hoạch không nêu lệ phí") and "Mục III.2" in a.source


def test_the_pack_cites_every_clause_through_the_plans_facts(plan, services):
    """No section number is typed in the pack: answers cite what the plan's facts name, and across the
    pack's topics and askers every clause of the plan is cited somewhere."""
    engine = Engine(plan)
    roster = services.roster()
    askers = [None, roster.get("so-tai-chinh"), roster.get("so-y-te"), roster.get(plan.coordinator),
              roster.get("ubnd-huyen-an-bien")]
    cited: set[str] = set()
    for topic in engine.topics:
        for asker in askers:
            a = engine.answer_topic(topic, asker, services)
            if a.source:
                cited |= {s for s in engine.sections_named(f"Mục {a.source.split(', Kế hoạch')[0].removeprefix('Mục ')}")}
    missing = {s.id for s in plan.sections if not any(c == s.id or c.startswith(s.id + ".") for c in cited)}
    assert not missing, sorted(missing)
    pack_texts = "\n".join(a.text for t in engine.knowledge.topics for a in t.answers
                           if t.id not in {x.id for x in plan.knowledge.topics})
    assert not re.search(r"Mục [IVX]", pack_texts) and not re.search(r"\b[IVX]+\.\d", pack_texts)
    assert len(engine.topics) >= 35


def test_unknown_placeholder_is_refused_with_its_line():
    problems = refused(with_extra("không nộp lệ phí ({s_report})", "không nộp lệ phí ({s_repot})"))
    assert any("s_repot" in p and "dòng" in p and "knowledge.topics" in p for p in problems), problems


def test_cited_section_must_exist():
    problems = refused(with_extra("cite: [III.2]", "cite: [IX.9]"))
    assert any("knowledge.topics" in p and "'IX.9'" in p for p in problems), problems


def test_required_concept_must_exist_in_the_pack_or_the_plan():
    problems = refused(with_extra("requires: [[le-phi]]", "requires: [[phi]]"))
    assert any("requires" in p and "'phi'" in p for p in problems), problems


def test_last_answer_must_be_unconditional():
    problems = refused(with_extra("        - text: |-\n            Kế hoạch không nêu lệ phí",
                                  "        - when: [unit]\n          text: |-\n            Kế hoạch không nêu lệ phí"))
    assert any("không có điều kiện" in p for p in problems), problems


def test_unknown_condition_is_refused():
    problems = refused(with_extra("when: [inspected]", "when: [boss]"))
    assert any(".when[0] (dòng" in p and "điều kiện 'boss' không có" in p and "inspected" in p
               and "province_agency" in p for p in problems), problems  # the plan's level ids are conditions too


def test_extra_phrasings_must_name_a_topic():
    problems = refused(BUNDLED.replace("    thay-doi-lich:\n", "    doi-lich:\n", 1))
    assert any("knowledge.phrasings.doi-lich" in p for p in problems), problems


def test_the_pack_itself_is_checked():
    assert parse_pack(PACK, "pack.yaml").topics
    problems = refused(PACK.replace("requires: [[ky]]", "requires: [[ky-ten]]", 1), parse_pack)
    assert any("requires" in p and "'ky-ten'" in p for p in problems), problems
    problems = refused(PACK.replace("- kế hoạch {doc_number} ban hành khi nào", "- kế hoạch {so_hieu} ban hành khi nào"),
                       parse_pack)
    assert any("phrasings" in p and "so_hieu" in p and "dòng" in p for p in problems), problems
    problems = refused(PACK.replace("Người ký {citation}: {signer}", "Người ký {citation}: {signed_by}"), parse_pack)
    assert any("signed_by" in p for p in problems), problems


def test_labelled_examples_name_pack_topics():
    """examples.yaml: topic → questions people asked; a topic the pack lacks, or a stray key, is refused."""
    shipped = load_pack().examples
    assert sum(map(len, shipped.values())) > 500 and all(load_pack().topic(t) for t in shipped)
    problems = refused("examples:\n  doi-lich:\n    - lịch có đổi không\n", lambda t, s: with_examples(load_pack(), t, s))
    assert any("knowledge.examples.doi-lich" in p for p in problems), problems
    problems = refused("examples: {}\ntopics: []\n", lambda t, s: with_examples(load_pack(), t, s))
    assert any("topics" in p for p in problems), problems


def test_an_example_is_matched_but_never_teaches_the_spelling_corrector():
    """A plan file may add examples too; they count like phrasings, typed as they were (typos and all)."""
    question = "bữa nào đoàn ghé chỗ mình qwzx"
    plain = Engine(parse_plan(BUNDLED, "ok.yaml"))
    taught = Engine(parse_plan(BUNDLED.replace("\nknowledge:\n", "\nknowledge:\n  examples:\n    thoi-gian-kiem-tra:"
                                               f"\n      - {question}\n", 1), "ok.yaml"))
    assert plain.answer(question).topic != "thoi-gian-kiem-tra"
    assert taught.answer(question).topic == "thoi-gian-kiem-tra"
    assert "qwzx" not in taught.normalizer.known
