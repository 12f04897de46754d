"""Question answering: accuracy on the labelled questions, and latency against a naive baseline.

    python bench/bench_questions.py             # accuracy per kind and style, then latency
    python bench/bench_questions.py --failures  # also list every wrong answer
    python bench/bench_questions.py --calibrate # sweep the thresholds on the dev set only

Labelled sets: ``tests/data/questions.yaml`` (dev: the knowledge and thresholds were tuned on it)
and ``tests/data/questions_holdout*.yaml`` (held out: never used to tune; each reported apart).
A question is right when the bot answers from an accepted topic, the answer contains every
``expect`` string (any case) and none of the ``forbid`` ones (exactly as written); for ``topic: null`` when it does not answer
(``matched: false``). An "invented answer" is ``matched: true`` on a question whose topic is null;
a "confident wrong answer" is ``matched: true`` (score at or above ``answer_at``) from a topic the
question does not accept: as bad as an invented one, since the user gets it with the same assurance.
Questions about "today" use the business clock ``BENCH_NOW`` (01/09/2020 09:00, as the tests do).

Latency is in-process (parse + score + fill the template), on the bundled plan and on a
synthetic knowledge base 10× larger, side by side with a naive baseline run in the same
process: rapidfuzz ``extractOne`` (token_set_ratio) over every phrasing, no normalisation.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import ManualClock  # noqa: E402
from messages.deadlines import Deadline, deadlines_for  # noqa: E402
from messages.knowledge import Engine  # noqa: E402
from messages.knowledge_schema import Knowledge, Topic  # noqa: E402
from messages.plan import Plan  # noqa: E402
from messages.plan_loader import load_plan  # noqa: E402
from messages.units import Roster, UnitRecord  # noqa: E402
from messages.vntext import nfc  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATA = ROOT / "tests" / "data"
BASELINE_MATCH = 60  # the baseline answers when its best token_set_ratio reaches this
BENCH_NOW = datetime(2020, 9, 1, 9, 0, tzinfo=TZ)  # the business clock of the labelled questions


@dataclass
class Case:
    q: str
    kind: str
    topics: list[str] | None
    unit: str | None
    inspection: datetime | None
    expect: list[str]
    style: list[str]
    source: str
    forbid: list[str] = field(default_factory=list)


def load_cases(holdout: bool | None = None) -> list[Case]:
    """Every labelled question; ``holdout=False`` only the dev set, ``True`` only the held-out sets."""
    cases = []
    for path in sorted(DATA.glob("questions*.yaml")):
        is_holdout = "holdout" in path.name
        if holdout is not None and is_holdout != holdout:
            continue
        source = path.stem.removeprefix("questions").strip("_") or "dev"
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            topic = item.get("topic")
            when = item.get("inspection")
            cases.append(Case(
                q=str(item["q"]), kind=item["kind"],
                topics=None if topic is None else ([topic] if isinstance(topic, str) else list(topic)),
                unit=item.get("unit"), expect=list(item.get("expect", [])), style=list(item.get("style", [])),
                forbid=list(item.get("forbid", [])),
                inspection=datetime.strptime(when, "%d/%m/%Y %H:%M").replace(tzinfo=TZ) if when else None,
                source=source))
    return cases


class BenchWorld:
    """The running bot's view (roster, inspection dates, deadlines, business clock) without a database."""

    def __init__(self, plan: Plan, unit: UnitRecord | None = None, inspection: datetime | None = None,
                 now: datetime = BENCH_NOW):
        self.plan = plan
        self.clock = ManualClock(now)
        base = _plan_roster(plan)
        self._roster = base.with_units([unit]) if unit is not None and base.get(unit.code) is None else base
        self._inspections = {unit.code: inspection} if unit is not None and inspection else {}

    def roster(self) -> Roster:
        return self._roster

    def inspection_at(self, code: str) -> datetime | None:
        return self._inspections.get(code)

    def deadlines(self, unit: UnitRecord) -> list[Deadline]:
        return deadlines_for(self.plan, unit.code, unit.inspected, TZ, self.inspection_at(unit.code), unit.level)


_ROSTERS: dict[int, tuple[Plan, Roster]] = {}


def _plan_roster(plan: Plan) -> Roster:
    """One roster per plan, as the running bot keeps one until a unit is added (the engine builds its
    unit-name reader once per roster)."""
    hit = _ROSTERS.get(id(plan))
    if hit is None or hit[0] is not plan:
        hit = _ROSTERS[id(plan)] = (plan, Roster.from_plan(plan))
    return hit[1]


_WORLDS: dict[tuple, tuple[UnitRecord | None, BenchWorld]] = {}


def asker_for(plan: Plan, case: Case) -> tuple[UnitRecord | None, BenchWorld]:
    """The asker's unit and a world around it; one world per (plan, unit, date), as the bot keeps one roster."""
    key = (id(plan), case.unit, case.inspection)
    if key not in _WORLDS:
        _WORLDS[key] = _make_asker(plan, case)
    return _WORLDS[key]


def _make_asker(plan: Plan, case: Case) -> tuple[UnitRecord | None, BenchWorld]:
    if not case.unit:
        return None, BenchWorld(plan)
    resolution = Roster.from_plan(plan).resolve(case.unit)
    unit = resolution.unit or resolution.new_unit
    if unit is None:
        raise SystemExit(f"unknown unit in labelled set: {case.unit}")
    if case.inspection is not None and not unit.inspected:
        from dataclasses import replace

        unit = replace(unit, inspected=True)  # staff set a date: the commune is chosen
    return unit, BenchWorld(plan, unit, case.inspection)


def judge(engine: Engine, plan: Plan, case: Case) -> tuple[bool, bool, bool, object]:
    """(right, invented, confidently wrong, the answer)."""
    unit, world = asker_for(plan, case)
    answer = engine.answer(case.q, unit, world)
    if case.topics is None:
        return not answer.matched, answer.matched, False, answer
    on_topic = answer.matched and answer.topic in case.topics
    text = nfc(answer.answer).lower()
    ok = on_topic and all(nfc(e).lower() in text for e in case.expect)
    ok = ok and not any(nfc(f) in nfc(answer.answer) for f in case.forbid)  # exact: "về Kiểm tra" is the bug
    return ok, False, answer.matched and not on_topic, answer


def accuracy(engine: Engine, plan: Plan, cases: list[Case], failures: bool) -> dict:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_style: dict[str, list[bool]] = defaultdict(list)
    invented = confident_wrong = 0
    wrong = []
    for case in cases:
        ok, inv, cw, answer = judge(engine, plan, case)
        by_kind[case.kind].append(ok)
        for style in case.style or ["plain"]:
            by_style[style].append(ok)
        invented += inv
        confident_wrong += cw
        if not ok:
            wrong.append((case, answer))
    total = [ok for oks in by_kind.values() for ok in oks]
    if failures:
        for case, answer in wrong:
            print(f"  ✗ [{case.source}/{case.kind}] {case.q!r} unit={case.unit} → topic={answer.topic} "
                  f"matched={answer.matched} score={answer.score:.2f} want={case.topics} "
                  f"sugg={answer.suggestion_ids} expect={case.expect}" + (f" forbid={case.forbid}" if case.forbid else ""))
    return {"overall": sum(total) / len(total), "n": len(total), "by_kind": by_kind, "by_style": by_style,
            "invented": invented, "oos": sum(1 for c in cases if c.topics is None),
            "confident_wrong": confident_wrong, "on_topic": sum(1 for c in cases if c.topics is not None)}


def print_accuracy(title: str, result: dict) -> None:
    print(f"\n{title}: {result['overall']:.1%} of {result['n']} "
          f"(invented answers on out-of-scope: {result['invented']} of {result['oos']}; "
          f"confident wrong-topic answers: {result['confident_wrong']} of {result['on_topic']})")
    print(f"  {'kind':<16}{'n':>5}{'acc':>8}")
    for kind, oks in sorted(result["by_kind"].items()):
        print(f"  {kind:<16}{len(oks):>5}{sum(oks) / len(oks):>8.1%}")
    print(f"  {'style':<16}{'n':>5}{'acc':>8}")
    for style, oks in sorted(result["by_style"].items()):
        print(f"  {style:<16}{len(oks):>5}{sum(oks) / len(oks):>8.1%}")


# ---- latency ------------------------------------------------------------------------
def scaled_plan(plan: Plan, factor: int) -> Plan:
    """The knowledge the engine uses (pack and plan extras), ``factor`` times over: the plan file gets
    ``factor - 1`` copies of every topic (distinct ids and a distinct word per copy)."""
    topics: list[Topic] = list(plan.knowledge.topics)
    for k in range(1, factor):
        tag = f"phan{k}"
        for t in Engine(plan).knowledge.topics:
            topics.append(t.model_copy(update={"id": f"{t.id}-{tag}", "phrasings": [f"{p} {tag}" for p in t.phrasings]}))
    knowledge = Knowledge.model_validate({**plan.knowledge.model_dump(), "topics": [t.model_dump() for t in topics]})
    return plan.model_copy(update={"knowledge": knowledge})


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
    return p50 * 1000, p99 * 1000


def time_engine(engine: Engine, plan: Plan, cases: list[Case], repeats: int) -> tuple[float, float]:
    prepared = [(c.q, *asker_for(plan, c)) for c in cases]
    for q, unit, world in prepared:  # warm caches (token repairs) as a running bot has
        engine.answer(q, unit, world)
    samples = []
    for _ in range(repeats):
        for q, unit, world in prepared:
            t = time.perf_counter()
            engine.answer(q, unit, world)
            samples.append(time.perf_counter() - t)
    return percentiles(samples)


class Baseline:
    """rapidfuzz over every phrasing, no normalisation: what one writes first."""

    def __init__(self, engine: Engine):
        topics = engine.knowledge.topics  # the pack's and the plan's, as the engine has them
        self.choices = [p for t in topics for p in t.phrasings]
        self.topic_of = [t.id for t in topics for _ in t.phrasings]

    def answer(self, question: str) -> tuple[str | None, float]:
        hit = process.extractOne(question, self.choices, scorer=fuzz.token_set_ratio)
        if hit is None or hit[1] < BASELINE_MATCH:
            return None, hit[1] if hit else 0.0
        return self.topic_of[hit[2]], hit[1]


def time_baseline(baseline: Baseline, cases: list[Case], repeats: int) -> tuple[float, float]:
    for c in cases:
        baseline.answer(c.q)
    samples = []
    for _ in range(repeats):
        for c in cases:
            t = time.perf_counter()
            baseline.answer(c.q)
            samples.append(time.perf_counter() - t)
    return percentiles(samples)


def baseline_accuracy(baseline: Baseline, cases: list[Case]) -> tuple[float, int]:
    right, invented = 0, 0
    for c in cases:
        topic, _ = baseline.answer(c.q)
        if c.topics is None:
            right += topic is None
            invented += topic is not None
        else:
            right += topic in c.topics
    return right / len(cases), invented


# ---- calibration --------------------------------------------------------------------
def calibrate(plan: Plan, cases: list[Case]) -> None:
    """Sweep the decision thresholds on the dev set (the holdout is never used here)."""
    results = []
    import itertools

    grid = itertools.product((0.4, 0.45, 0.5, 0.55, 0.6), (0.25, 0.3, 0.35), (0.0, 0.03, 0.06, 0.1), (0.7, 0.8, 0.9, 1.0))
    for answer_at, suggest_at, margin, sure_at in grid:
        matching = plan.knowledge.matching.model_copy(
            update={"answer_at": answer_at, "suggest_at": suggest_at, "margin": margin, "sure_at": sure_at})
        tuned = plan.model_copy(update={"knowledge": plan.knowledge.model_copy(update={"matching": matching})})
        engine = Engine(tuned)
        r = accuracy(engine, tuned, cases, failures=False)
        worst = min(sum(v) / len(v) for v in r["by_kind"].values())
        results.append((r["invented"] + r["confident_wrong"], -r["overall"], -worst, answer_at, suggest_at, margin,
                        sure_at))
    results.sort()
    print("invented+confident-wrong  overall  worst-kind  answer_at  suggest_at  margin  sure_at")
    for inv, neg_all, neg_worst, a, s, m, sure in results[:15]:
        print(f"{inv:>24}  {-neg_all:>7.1%}  {-neg_worst:>10.1%}  {a:>9}  {s:>10}  {m:>6}  {sure:>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    plan = load_plan()
    dev, holdout = load_cases(holdout=False), load_cases(holdout=True)
    if args.calibrate:
        calibrate(plan, dev)
        return 0
    t = time.perf_counter()
    engine = Engine(plan)
    build_ms = (time.perf_counter() - t) * 1000
    k = engine.knowledge
    print(f"Knowledge (shared pack + the plan's extras): {len(k.topics)} topics, "
          f"{sum(len(t.phrasings) for t in k.topics)} phrasings, {len(k.concepts)} concepts; "
          f"engine built in {build_ms:.0f} ms")
    results = {}
    sources = sorted({c.source for c in holdout})
    groups = [("dev", dev)] + [(src, [c for c in holdout if c.source == src]) for src in sources]
    for title, cases in groups + [("all", dev + holdout)]:
        if args.failures and title != "all":
            print(f"\nWrong answers ({title}):")
        results[title] = accuracy(engine, plan, cases, failures=args.failures and title != "all")
        print_accuracy(f"Accuracy — {title}", results[title])

    baseline = Baseline(engine)
    base_acc, base_invented = baseline_accuracy(baseline, dev + holdout)
    print(f"\nNaive baseline accuracy (all): {base_acc:.1%}, invented answers on out-of-scope: {base_invented}")

    big_plan = scaled_plan(plan, 10)
    t = time.perf_counter()
    big_engine = Engine(big_plan)
    big_build = (time.perf_counter() - t) * 1000
    big_baseline = Baseline(big_engine)
    cases = dev + holdout
    rows = [
        ("bundled plan", len(engine.knowledge.topics), len(baseline.choices),
         time_engine(engine, plan, cases, args.repeats), time_baseline(baseline, cases, args.repeats)),
        ("synthetic 10×", len(big_engine.knowledge.topics), len(big_baseline.choices),
         time_engine(big_engine, big_plan, cases, args.repeats), time_baseline(big_baseline, cases, args.repeats)),
    ]
    print(f"\nLatency per question, in-process ({len(cases)} questions × {args.repeats}; "
          f"10× engine built in {big_build:.0f} ms)")
    print(f"  {'knowledge':<15}{'topics':>7}{'phrasings':>10}{'engine p50':>12}{'p99':>9}"
          f"{'naive p50':>11}{'p99':>9}{'p50 ×':>8}{'p99 ×':>8}")
    for name, n_topics, n_phr, (e50, e99), (b50, b99) in rows:
        print(f"  {name:<15}{n_topics:>7}{n_phr:>10}{e50:>10.3f}ms{e99:>7.3f}ms{b50:>9.3f}ms{b99:>7.3f}ms"
              f"{e50 / b50:>8.1f}{e99 / b99:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
