"""The shared knowledge pack: the question knowledge every plan gets (``pack.yaml``, data).

Loaded once and checked like a plan file (a bad pack names the field and line); a plan file's
own ``knowledge`` adds to it (``merged``): its concepts extend the pack's, its topics add to or
replace the pack's, its phrasings teach pack topics more ways of asking.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from messages.knowledge_schema import Concept, Examples, Knowledge, Pack, Topic

PACK = "pack.yaml"
EXAMPLES = "examples.yaml"  # questions people asked, labelled with their topic (bench/label_examples.py)


def pack_path() -> Path:
    return Path(str(resources.files("messages") / "knowledge" / PACK))


@lru_cache(maxsize=1)
def load_pack() -> Knowledge:
    path = pack_path()
    pack = parse_pack(path.read_text(encoding="utf-8"), str(path))
    examples = path.with_name(EXAMPLES)
    if not examples.exists():
        return pack
    return with_examples(pack, examples.read_text(encoding="utf-8"), str(examples))


def with_examples(pack: Knowledge, text: str, source: str) -> Knowledge:
    """The pack with the labelled questions of ``text`` (an ``examples:`` mapping of topic → questions), or
    ``PlanError`` naming each problem: a malformed file, or a topic the pack does not have."""
    from messages.plan_loader import PlanError, parse_model

    labelled = parse_model(text, source, Examples, root=("knowledge",))
    missing = [f"knowledge.examples.{t}: chủ đề '{t}' không có trong {PACK}" for t in labelled.examples
               if pack.topic(t) is None]
    if missing:
        raise PlanError(source, missing)
    return pack.model_copy(update={"examples": labelled.examples})


def parse_pack(text: str, source: str) -> Knowledge:
    """A pack's YAML → its knowledge, or ``PlanError`` naming each problem (and its line, where known)."""
    from messages.plan_loader import parse_model  # here: the plan loader imports this module

    return parse_model(text, source, Pack, root=("knowledge",))


def merged(pack: Knowledge, extra: Knowledge) -> Knowledge:
    """The pack with a plan's extras: same-id concepts get the plan's words too, same-id topics are
    the plan's, extra phrasings join their topic; the plan's thresholds win when it sets them."""
    concepts = {c.id: c for c in pack.concepts}
    for c in extra.concepts:
        base = concepts.get(c.id)
        concepts[c.id] = c if base is None else base.model_copy(update={
            "forms": [*base.forms, *c.forms], "facts": [*base.facts, *c.facts]})
    topics: dict[str, Topic] = {t.id: t for t in pack.topics}
    topics.update({t.id: t for t in extra.topics})
    for topic_id, more in extra.phrasings.items():
        if topic_id in topics:
            topics[topic_id] = topics[topic_id].model_copy(update={"phrasings": [*topics[topic_id].phrasings, *more]})
    matching = extra.matching if "matching" in extra.model_fields_set else pack.matching
    examples = {t: [*pack.examples.get(t, []), *extra.examples.get(t, [])] for t in {**pack.examples, **extra.examples}}
    return Knowledge.model_construct(
        matching=matching, concepts=list(concepts.values()), topics=list(topics.values()), phrasings={},
        examples=examples,
        out_of_scope=[*pack.out_of_scope, *extra.out_of_scope], other_years=[*pack.other_years, *extra.other_years])


__all__ = ["Concept", "load_pack", "merged", "pack_path", "parse_pack"]
