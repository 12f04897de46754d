"""Label the tuning sets' questions with the topic that answers them: ``messages/knowledge/examples.yaml``.

    python bench/label_examples.py                       # every tuning set (questions_YYYY_set*.yaml)
    python bench/label_examples.py --sets set1_dev,set2  # some of them (cross-validation: label some, test others)

Hand-written phrasings cover the ways the pack's authors thought of asking; the blind sets hold the
ways people actually ask. A question the engine misses is labelled with the pack topic whose answer,
for that asker, holds the expected facts (the best scored such topic, or, for a question the plan does
not cover, a topic that says so); it joins that topic's examples and is matched like a phrasing from
then on. Rounds repeat until no miss can be labelled (a new example can move other questions). Only
pack topics are labelled, so the file stays plan-free; the held-out set is never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_blind import PLANS, asker, run  # noqa: E402
from blind import BLIND, BlindCase, judge, load  # noqa: E402
from messages.knowledge import Engine  # noqa: E402
from messages.knowledge.pack import EXAMPLES, load_pack, pack_path  # noqa: E402
from messages.plan_loader import load_plan  # noqa: E402

HEADER = """\
# Câu hỏi thật của người dùng (các bộ câu hỏi mù dùng để chỉnh, tests/data/blind), mỗi câu gắn với chủ đề
# của gói kiến thức trả lời đúng nó. Bot so khớp chúng như các cách hỏi (phrasings) của chủ đề, giữ nguyên
# cách gõ (viết tắt, không dấu, lỗi gõ). Tệp do bench/label_examples.py viết; sửa tay được.
"""
SKIP_KINDS = {"small-talk", "out-of-scope"}
CANDIDATES = 3


def tuning_sets(year: int, names: list[str] | None) -> list[BlindCase]:
    files = sorted(p.stem.removeprefix(f"questions_{year}_") for p in BLIND.glob(f"questions_{year}_set*.yaml"))
    return [case for name in files if names is None or name in names for case in load(year, name)]


def label(engine: Engine, plan, year: int, case: BlindCase, pack_topics: set[str]) -> str | None:
    """The pack topic that answers ``case`` right for its asker, among the engine's first candidates (a miss
    of the decision, not of the facts: a topic whose answer merely happens to hold the fact is not a label).
    A question the plan does not cover is labelled only with a topic that exists to say so; one whose next
    message gives a figure ("14") only with a topic that asks for it."""
    unit, world = asker(plan, year, case)
    ranked = [s.topic for s in engine.rank(case.q, world)][:CANDIDATES]
    for topic in ranked:
        if topic not in pack_topics or (not case.covered and engine.topics[topic].kind != "not_in_plan"):
            continue
        answer = engine.answer_topic(topic, unit, world, case.q)
        then = None
        if case.then is not None:  # a follow-up: the topic must ask for the figure the next message gives
            if not answer.asks:
                continue
            then = engine.follow_up(answer.asks, case.then, unit, world)
        if judge(case, answer, then).right:
            return topic
    return None


def one_round(examples: dict[str, list[str]], names: list[str] | None, every: bool = False) -> int:
    load_pack.cache_clear()
    pack_topics = {t.id for t in load_pack().topics}
    added = 0
    for year, path in PLANS.items():
        plan = load_plan(path)
        engine = Engine(plan)
        for case in tuning_sets(year, names):
            if case.kind in SKIP_KINDS:
                continue
            verdict, answer = run(engine, plan, year, case)
            if verdict.right and not (every and answer.reason == "answered" and answer.topic in pack_topics):
                continue
            topic = answer.topic if verdict.right else label(engine, plan, year, case, pack_topics)
            if topic and case.q not in examples.setdefault(topic, []):
                examples[topic].append(case.q)
                added += 1
    return added + _topic_labelled(examples, pack_topics)


def _topic_labelled(examples: dict[str, list[str]], pack_topics: set[str]) -> int:
    """The first labelled sets (tests/data/questions*.yaml, 2020 plan) name their topic: a miss joins it."""
    import bench_questions

    plan = load_plan(PLANS[2020])
    engine = Engine(plan)
    added = 0
    for case in bench_questions.load_cases():
        if not case.topics or case.topics[0] not in pack_topics or bench_questions.judge(engine, plan, case)[0]:
            continue
        if case.q not in examples.setdefault(case.topics[0], []):
            examples[case.topics[0]].append(case.q)
            added += 1
    return added


def repair(examples: dict[str, list[str]], names: list[str] | None) -> int:
    """Two near-identical questions labelled with different topics (each was answered right by its own)
    tie, and one of them then goes wrong: the example of the other topic that beat it is taken out, so
    the next round labels it again with a topic right for both. Returns how many were taken out."""
    load_pack.cache_clear()
    removed = 0
    for year, path in PLANS.items():
        plan = load_plan(path)
        engine = Engine(plan)
        for case in tuning_sets(year, names):
            if case.kind in SKIP_KINDS or run(engine, plan, year, case)[0].right:
                continue
            unit, world = asker(plan, year, case)
            best = engine.rank(case.q, world)[0]
            if best.phrasing in examples.get(best.topic, []) and best.phrasing != case.q:
                examples[best.topic].remove(best.phrasing)
                removed += 1
    return removed


def write(examples: dict[str, list[str]], out: Path) -> None:
    body = yaml.safe_dump({"examples": {t: examples[t] for t in sorted(examples) if examples[t]}},
                          allow_unicode=True, sort_keys=False, width=1000)
    out.write_text(HEADER + body, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", help="comma-separated set names (e.g. set1_dev,set2); default: every tuning set")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--all", action="store_true", help="label the questions answered right too, not only the misses")
    args = ap.parse_args()
    names = args.sets.split(",") if args.sets else None
    out = pack_path().with_name(EXAMPLES)
    examples: dict[str, list[str]] = {}
    write(examples, out)  # start from none: the file is rebuilt, not grown
    def rounds(stage: str) -> None:
        for n in range(args.rounds):
            added = one_round(examples, names, args.all)
            write(examples, out)
            print(f"{stage}round {n + 1}: {added} examples labelled ({sum(map(len, examples.values()))} in all)")
            if not added:
                break

    rounds("")
    if removed := repair(examples, names):
        write(examples, out)
        print(f"repair: {removed} examples that beat a near-identical question of another topic taken out")
        rounds("after repair, ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
