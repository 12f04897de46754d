"""The plan's own words: quoted verbatim with their section, and only when they answer the question."""

from __future__ import annotations

import re

import pytest
from support import PLAN_2026

from messages.knowledge import Engine
from messages.plan_loader import bundled_plan_path, load_plan_cached, parse_plan

QUOTE = re.compile(r"“…?(.+?)” \((Mục [^)—]+?|Phần [^)—]+?)(?: — [^)]*)?\)")
BUNDLED = bundled_plan_path().read_text(encoding="utf-8")


def quotes(plan, answer: str) -> list[tuple[str, str]]:
    """(quoted text, section id) of every passage line of an answer."""
    labels = {plan.section_label(s.id): s.id for s in plan.sections}
    return [(text, labels[where.strip()]) for text, where in QUOTE.findall(answer)]


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", [str(bundled_plan_path()), PLAN_2026], ids=["2020", "2026"])
def test_every_quote_is_the_plans_own_text_in_its_own_section(path):
    plan = load_plan_cached(path)
    engine = Engine(plan)
    questions = ["mục đích của đợt kiểm tra", "yêu cầu của việc kiểm tra", "kinh phí lấy từ đâu",
                 "có khó khăn thì phản ánh về đâu", "sau khi kiểm tra xong thì sao", "nội dung kiểm tra gồm những gì",
                 "tổ chức rút kinh nghiệm qua đợt tự kiểm tra thế nào", "thời gian kiểm tra"]
    seen = 0
    for question in questions:
        a = engine.answer(question)
        for text, section in quotes(plan, a.answer):
            assert squash(text) in squash(plan.section(section).text), (question, text, section)
            assert plan.section_label(section).removeprefix("Mục ") in a.source, (question, a.source)
            seen += 1
    assert seen >= len(questions)


def test_the_second_stage_quotes_the_sentence_that_answers():
    """No topic is about the period of the national programme a basis names: the plan's sentence is quoted."""
    plan = load_plan_cached(PLAN_2026)
    a = Engine(plan).answer("kế hoạch viện dẫn chương trình tổng thể giai đoạn nào")
    assert a.reason == "passage" and a.matched and a.source.startswith("Phần căn cứ")
    [(text, section)] = quotes(plan, a.answer)
    assert "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030" in text
    assert squash(text) in squash(plan.section(section).text)


def test_one_field_of_the_content_is_answered_with_the_sentence_that_names_it():
    """The content topic quotes the plan's sentence, so "is X inspected?" reads the field in the plan's words."""
    plan = load_plan_cached(PLAN_2026)
    a = Engine(plan).answer("Có KT về chính quyền số ko?")
    assert a.matched and a.source.startswith("Mục II.1")
    [(text, section)] = quotes(plan, a.answer)
    assert section == "II.1" and "chính quyền điện tử, chính quyền số" in text


@pytest.mark.parametrize("question", [
    "số điện thoại của đoàn kiểm tra là bao nhiêu", "trưởng đoàn kiểm tra là ai", "có mẫu báo cáo không",
    "giá vàng hôm nay", "kế hoạch kiểm tra năm 2021 có gì mới", "đoàn kiểm tra ăn trưa ở đâu",
])
def test_what_the_plan_does_not_say_is_said_so(question):
    """No passage is stretched to cover a question the plan does not answer."""
    a = Engine(load_plan_cached(None)).answer(question)
    assert a.reason != "passage"
    if a.matched:
        assert re.search(r"[Kk]ế hoạch không (nêu|ghi|kèm|quy định|đề cập)", a.answer), a.answer
    assert "Sở Nội vụ" in a.answer


def edited(old: str, new: str) -> Engine:
    """The engine over the bundled plan with one edit of its text."""
    assert old in BUNDLED
    return Engine(parse_plan(BUNDLED.replace(old, new), "edited.yaml"))


def test_an_amount_in_the_plan_is_quoted_without_saying_it_is_missing():
    engine = edited("do Ủy ban nhân dân tỉnh phân bổ.", "do Ủy ban nhân dân tỉnh phân bổ, dự toán 50 triệu đồng.")
    a = engine.answer("kinh phí kiểm tra là bao nhiêu")
    assert a.topic == "kinh-phi" and "50 triệu đồng" in a.answer and "không nêu số tiền" not in a.answer
    bundled = Engine(load_plan_cached(None)).answer("kinh phí kiểm tra là bao nhiêu")
    assert "không nêu số tiền" in bundled.answer


def test_a_plan_without_the_section_says_it_does_not_have_it():
    a = edited("    title: Mục đích\n", "    title: Phần mở đầu\n").answer("mục đích của đợt kiểm tra là gì")
    assert a.topic == "muc-dich" and a.answer.startswith("Kế hoạch không nêu riêng mục đích")
    assert "“" not in a.answer
