"""A plan file's knowledge section is validated like the rest of the plan: field and line named."""

import pytest

from messages.plan_loader import PlanError, bundled_plan_path, parse_plan

BUNDLED = bundled_plan_path().read_text(encoding="utf-8")


def refused(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, "bad.yaml")
    return info.value.problems


def test_bundled_knowledge_covers_every_clause(plan):
    cited = {s for t in plan.knowledge.topics for s in t.cite}
    cited |= {s for t in plan.knowledge.topics for a in t.answers for s in (a.cite or [])}
    for section in ("preamble", "I.1.a", "I.1.b", "I.1.c", "I.2.a", "I.2.b", "I.2.c", "II.1", "II.2", "II.2.c",
                    "II.3", "III", "III.1", "III.2", "III.3", "III.3.a", "III.3.b", "III.4", "recipients", "signature"):
        assert section in cited, section
    assert len(plan.knowledge.topics) >= 30


def test_unknown_placeholder_is_refused_with_its_line():
    text = BUNDLED.replace("Người ký: {signer_name}", "Người ký: {signer_nam}").replace(
        "do {signer_position} {signer_name} ký", "do {signer_position} {signer_nam} ký")
    problems = refused(text)
    assert any("signer_nam" in p and "dòng" in p and "knowledge.topics" in p for p in problems), problems


def test_cited_section_must_exist():
    problems = refused(BUNDLED.replace("      cite: [signature]", "      cite: [IX.9]"))
    assert any("knowledge.topics" in p and "'IX.9'" in p for p in problems), problems


def test_required_concept_must_exist():
    problems = refused(BUNDLED.replace("      requires: [[ky]]", "      requires: [[ky-ten]]"))
    assert any("requires" in p and "'ky-ten'" in p for p in problems), problems


def test_last_answer_must_be_unconditional():
    text = BUNDLED.replace("""      answers:
        - text: |-
            Nơi nhận của kế hoạch:""", """      answers:
        - when: [unit]
          text: |-
            Nơi nhận của kế hoạch:""")
    problems = refused(text)
    assert any("không có điều kiện" in p for p in problems), problems


def test_unknown_condition_is_refused():
    text = BUNDLED.replace("        - when: [coordinator]\n", "        - when: [boss]\n")
    problems = refused(text)
    assert any(".when[0] (dòng" in p and "điều kiện 'boss' không có" in p and "inspected" in p
               and "province_agency" in p for p in problems), problems  # the plan's level ids are conditions too
