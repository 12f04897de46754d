"""The labelled questions as a regression guard (the benchmark prints the full per-kind table)."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_questions.py"


@pytest.fixture(scope="module")
def bench():
    import sys

    spec = importlib.util.spec_from_file_location("bench_questions", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_questions"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def engine(bench):
    from messages.plan_loader import load_plan_cached

    return bench.Engine(load_plan_cached(None))


def test_labelled_sets_are_big_and_varied(bench):
    cases = bench.load_cases()
    assert len(cases) >= 150
    kinds = {c.kind for c in cases}
    assert {"deadline", "who-inspected", "when", "where-to-send", "legal-basis", "signer", "prepare", "contact",
            "derived", "unit-aware", "not-in-plan", "out-of-scope", "small-talk"} <= kinds
    styles = {s for c in cases for s in c.style}
    assert {"english", "no-diacritics", "telex", "abbreviations", "short", "long"} <= styles
    assert sum(c.source != "dev" for c in cases) >= 60  # held out


def test_accuracy_and_no_invented_answers(bench, engine, plan):
    for holdout, floor in ((False, 0.95), (True, 0.9)):
        cases = bench.load_cases(holdout=holdout)
        result = bench.accuracy(engine, plan, cases, failures=False)
        assert result["invented"] == 0
        assert result["overall"] >= floor, result["overall"]


def test_no_confident_wrong_topic_answers(bench, engine, plan):
    """Answering from the wrong topic at or above ``answer_at`` is as bad as inventing an answer: the user
    gets it with the same assurance. Unsure questions must become suggestions, not answers."""
    for holdout in (False, True):
        result = bench.accuracy(engine, plan, bench.load_cases(holdout=holdout), failures=False)
        assert result["confident_wrong"] == 0, result["confident_wrong"]


def test_forbidden_strings_fail_a_case(bench, engine, plan):
    """A labelled "forbid" string (a known wrong answer) makes an otherwise right answer wrong."""
    case = bench.Case(q="han nop bao cao", kind="deadline", topics=["han-bao-cao"], unit=None, inspection=None,
                      expect=["30/9/2020"], style=[], source="test")
    assert bench.judge(engine, plan, case)[0]
    case.forbid = ["30/9/2020"]
    assert not bench.judge(engine, plan, case)[0]


def test_labelled_topics_exist(bench, engine):
    topics = set(engine.topics)
    for case in bench.load_cases():
        assert case.topics is None or set(case.topics) <= topics, case.q
