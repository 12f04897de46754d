"""Blind question sets of both bundled plans: accuracy per kind, invented answers, latency.

    python bench/bench_blind.py                  # held-out parts: the figures in bench/README.md
    python bench/bench_blind.py --part dev       # the dev parts (the only ones to look at while tuning)
    python bench/bench_blind.py --part dev --failures
    python bench/bench_blind.py --calibrate      # sweep the decision thresholds on the dev parts

Each plan is answered from its facts only: the 2026 plan file has no ``knowledge`` section, and the
2020 one is run both as bundled (facts + its few extras) and with its extras removed. Beside the
engine, in the same process, the naive baseline: fuzzy search of the plan's paragraphs
(``blind.ParagraphBaseline``). Latency: every question of both parts, five times, engine and
baseline alternately, p50 and p99 (parse, score, second stage, template fill).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from blind import TZ, BlindCase, ParagraphBaseline, judge, load  # noqa: E402
from bench_questions import BenchWorld, percentiles  # noqa: E402
from messages.knowledge import Engine  # noqa: E402
from messages.knowledge.followups import ordinal  # noqa: E402
from messages.knowledge_schema import Knowledge  # noqa: E402
from messages.plan import Plan  # noqa: E402
from messages.plan_loader import load_plan  # noqa: E402
from messages.units import Roster, UnitRecord  # noqa: E402

PLANS = {2020: ROOT / "messages" / "plans" / "kien-giang-2020.yaml",
         2026: ROOT / "messages" / "plans" / "an-giang-2026.yaml"}
# the business clock of each set: inside the inspection window, before the fixed deadline
NOW = {2020: datetime(2020, 9, 1, 9, 0, tzinfo=TZ), 2026: datetime(2026, 6, 1, 9, 0, tzinfo=TZ)}


def facts_only(plan: Plan) -> Plan:
    return plan.model_copy(update={"knowledge": Knowledge()})


_WORLDS: dict[tuple, tuple[UnitRecord | None, BenchWorld]] = {}


def asker(plan: Plan, year: int, case: BlindCase) -> tuple[UnitRecord | None, BenchWorld]:
    """The asker's unit and a world around it; one world per (plan, unit, date), as the bot keeps one
    roster until a unit or a date changes."""
    key = (id(plan), year, case.unit, case.inspection)
    if key not in _WORLDS:
        _WORLDS[key] = _asker(plan, year, case)
    return _WORLDS[key]


def _asker(plan: Plan, year: int, case: BlindCase) -> tuple[UnitRecord | None, BenchWorld]:
    if not case.unit:
        return None, BenchWorld(plan, now=NOW[year])
    resolution = Roster.from_plan(plan).resolve(case.unit)
    unit = resolution.unit or resolution.new_unit or (resolution.candidates[0] if resolution.candidates else None)
    if unit is None:
        raise SystemExit(f"unknown unit in the blind set: {case.unit}")
    if case.inspection is not None and not unit.inspected:
        unit = replace(unit, inspected=True)  # staff set a date: the unit was chosen
    return unit, BenchWorld(plan, unit, case.inspection, now=NOW[year])


def run(engine: Engine, plan: Plan, year: int, case: BlindCase):
    unit, world = asker(plan, year, case)
    answer = engine.answer(case.q, unit, world)
    then = None
    if case.then is not None:  # as handlers.questions reads the next message: a figure, a position, a question
        picked = ordinal(case.then, len(answer.suggestion_ids)) if answer.suggestion_ids else None
        then = (engine.follow_up(answer.asks, case.then, unit, world) if answer.asks else None) \
            or (engine.answer_topic(answer.suggestion_ids[picked], unit, world, case.q) if picked is not None else None) \
            or engine.answer(case.then, unit, world)
    return judge(case, answer, then), answer


def evaluate(engine, plan: Plan, year: int, cases: list[BlindCase], failures: bool = False) -> dict:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    invented = 0
    for case in cases:
        verdict, answer = run(engine, plan, year, case)
        by_kind[case.kind].append(verdict.right)
        invented += verdict.invented
        if failures and not verdict.right:
            print(f"  ✗ [{year}/{case.kind}] {case.q!r} unit={case.unit} → topic={answer.topic} reason={answer.reason} "
                  f"score={answer.score:.2f} expect={case.expect or case.then_expect}\n      "
                  + verdict.answer.replace("\n", " ⏎ ")[:300])
    right = [ok for oks in by_kind.values() for ok in oks]
    return {"acc": sum(right) / len(right), "n": len(right), "by_kind": by_kind, "invented": invented,
            "uncovered": sum(1 for c in cases if not c.covered)}


def baseline(plan: Plan, cases: list[BlindCase]) -> dict:
    base = ParagraphBaseline(plan)
    by_kind: dict[str, list[bool]] = defaultdict(list)
    invented = 0
    for case in cases:
        verdict = judge(case, base.answer(case.q), base.answer(case.then) if case.then else None)
        by_kind[case.kind].append(verdict.right)
        invented += verdict.invented
    right = [ok for oks in by_kind.values() for ok in oks]
    return {"acc": sum(right) / len(right), "n": len(right), "by_kind": by_kind, "invented": invented}


def latency(engines: dict[int, tuple[Engine, Plan]], sets: dict[int, list[BlindCase]], repeats: int = 5):
    ours, naive = [], []
    bases = {year: ParagraphBaseline(plan) for year, (_, plan) in engines.items()}
    for _ in range(repeats):
        for year, cases in sets.items():
            engine, plan = engines[year]
            for case in cases:
                unit, world = asker(plan, year, case)
                t0 = time.perf_counter()
                engine.answer(case.q, unit, world)
                t1 = time.perf_counter()
                bases[year].answer(case.q)
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                naive.append(t2 - t1)
    return percentiles(ours), percentiles(naive)


def report(title: str, ours: dict, base: dict | None) -> None:
    line = f"\n{title}: {ours['acc']:.1%} of {ours['n']} (invented answers: {ours['invented']} of {ours['uncovered']} not covered)"
    if base:
        line += f"; paragraph-search baseline {base['acc']:.1%} (invented {base['invented']})"
    print(line)
    print(f"  {'kind':<15}{'n':>4}{'engine':>9}" + (f"{'baseline':>10}" if base else ""))
    for kind in sorted(ours["by_kind"]):
        oks = ours["by_kind"][kind]
        row = f"  {kind:<15}{len(oks):>4}{sum(oks) / len(oks):>9.0%}"
        if base:
            b = base["by_kind"][kind]
            row += f"{sum(b) / len(b):>10.0%}"
        print(row)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["dev", "holdout"], default="holdout")
    ap.add_argument("--failures", action="store_true")
    ap.add_argument("--calibrate", action="store_true")
    args = ap.parse_args()
    if args.calibrate:
        return calibrate()
    engines, sets = {}, {}
    for year, path in PLANS.items():
        plan = load_plan(path)
        cases = load(year, args.part)
        sets[year] = cases
        engine = Engine(plan)
        engines[year] = (engine, plan)
        report(f"{year} plan as bundled, {args.part}", evaluate(engine, plan, year, cases, args.failures),
               baseline(plan, cases))
        if plan.knowledge.topics or plan.knowledge.phrasings or plan.knowledge.concepts:
            bare = facts_only(plan)
            report(f"{year} plan, facts only (no knowledge section), {args.part}",
                   evaluate(Engine(bare), bare, year, cases, args.failures), None)
    (p50, p99), (b50, b99) = latency(engines, sets)
    print(f"\nlatency per question: engine p50 {p50:.2f} ms, p99 {p99:.2f} ms; "
          f"paragraph baseline p50 {b50:.2f} ms, p99 {b99:.2f} ms (ratio p99 {p99 / b99:.1f}×)")
    return 0


def calibrate() -> int:
    """Sweep the thresholds on the dev parts of both plans (the held-out parts are never used)."""
    import itertools

    plans = {year: load_plan(path) for year, path in PLANS.items()}
    sets = {year: load(year, "dev") for year in PLANS}
    grid = itertools.product([0.45, 0.5, 0.55], [0.3, 0.35], [0.04, 0.08], [0.35, 0.4, 0.45], [0.45, 0.5, 0.6])
    rows = []
    for answer_at, suggest_at, margin, single_at, passage_at in grid:
        scores, invented = [], 0
        for year, plan in plans.items():
            matching = plan.knowledge.matching.model_copy(update=dict(
                answer_at=answer_at, suggest_at=suggest_at, margin=margin, single_at=single_at,
                passage_at=passage_at))
            engine = Engine(plan)
            engine.knowledge = engine.knowledge.model_copy(update={"matching": matching})
            result = evaluate(engine, plan, year, sets[year])
            scores.append(result["acc"])
            invented += result["invented"]
        rows.append((min(scores), sum(scores) / 2, -invented, (answer_at, suggest_at, margin, single_at, passage_at)))
    rows.sort(reverse=True)
    for worst, mean, neg_inv, params in rows[:12]:
        print(f"worst {worst:.1%} mean {mean:.1%} invented {-neg_inv}  answer_at/suggest_at/margin/single_at/passage_at"
              f" = {params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
