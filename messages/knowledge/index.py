"""Score a parsed question against every topic.

Each phrasing of a topic becomes a weighted feature vector (concepts, leftover words,
"a unit is named", "a number is given"); weights are the concept's weight times an
inverse topic frequency, so a concept every topic shares ("kiểm tra") counts for
little and an unknown word dilutes the match. A topic's score blends

- the best cosine with one of its phrasings (``nn``),
- how much of the question the topic explains at all (``cover``),
- rapidfuzz similarity of the cleaned texts (``fuzzy``: word-set similarity tempered by
  word-order similarity, so one shared word is not a full match),

and is lowered when the question lacks a concept the topic ``requires``, has one it
``avoid``s, or has no concept about the plan at all (small talk excepted; small talk is in
turn lowered when the message also asks about the plan). Everything is precomputed; a question
costs one array pass over the phrasings that share a feature with it (numpy: with the labelled
examples there are well over a thousand phrasings, and a Python loop over them cost more than the 2 ms
a question may take).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from messages.knowledge.parse import FIGURE, NUMBER, OOS, SUBJECT, YESNO, Parsed

WORD_WEIGHT = 0.6
UNKNOWN_WORD_WEIGHT = 0.9  # a word no topic uses: the question is likely about something else
SPECIAL_WEIGHTS = {SUBJECT: 0.9, NUMBER: 0.8, FIGURE: 0.8, YESNO: 0.5, OOS: 0.7}
W_NN, W_COVER, W_FUZZY = 0.5, 0.25, 0.25
UNMET_REQUIREMENT = 0.5
AVOIDED = 0.6
NO_ANCHOR = 0.45
SMALL_TALK_WITH_QUESTION = 0.3
FUZZY_SHORTLIST = 60
TAUGHT_MATCH = 0.9  # fuzzy similarity to a learned phrasing that counts as the same question


@dataclass
class Phrasing:
    topic: str
    text: str
    content: str
    vector: dict[str, float]
    norm: float
    learned: bool = False


@dataclass
class TopicEntry:
    id: str
    kind: str
    requires: list[frozenset[str]]
    avoid: frozenset[str] = frozenset()
    features: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Scored:
    topic: str
    score: float
    nn: float
    cover: float
    fuzzy: float
    phrasing: str  # the phrasing of the topic it resembled most (fuzzy), for logs
    taught: bool = False  # near-verbatim a phrasing staff attached: their decision stands


class TopicIndex:
    def __init__(self, topics: list[TopicEntry], phrasings: list[tuple[str, Parsed, bool]],
                 concept_weights: dict[str, float], anchors: set[str], chatter: frozenset[str] = frozenset()):
        self.topics = {t.id: t for t in topics}
        self.concept_weights = concept_weights
        self.anchors = anchors
        self.chatter = chatter  # greetings, thanks: ignored once the message asks about the plan
        for topic_id, parsed, _ in phrasings:
            self.topics[topic_id].features |= set(parsed.features())
        n = len(self.topics)
        df: dict[str, int] = {}
        for t in self.topics.values():
            for f in t.features:
                df[f] = df.get(f, 0) + 1
        self.idf = {f: math.log((n + 1) / (d + 0.5)) for f, d in df.items()}
        self.unknown_idf = math.log((n + 1) / 0.5)
        self.phrasings: list[Phrasing] = []
        # grouped by topic, so that a topic's best phrasing is one reduce over its slice
        order = {t: i for i, t in enumerate(self.topics)}
        for topic_id, parsed, learned in sorted(phrasings, key=lambda p: order[p[0]]):
            vec = self.vector(parsed.features())
            self.phrasings.append(Phrasing(topic_id, parsed.text, parsed.content, vec, _norm(vec), learned))
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, p in enumerate(self.phrasings):
            for f, w in p.vector.items():
                ids, ws = postings.setdefault(f, ([], []))
                ids.append(i)
                ws.append(w)
        self.postings = {f: (np.array(ids, dtype=np.intp), np.array(ws)) for f, (ids, ws) in postings.items()}
        self.inv_norms = np.array([1.0 / p.norm if p.norm else 0.0 for p in self.phrasings])
        starts: dict[str, int] = {}
        for i, p in enumerate(self.phrasings):
            starts.setdefault(p.topic, i)
        self.group_topics = list(starts)
        self.group_starts = np.array(list(starts.values()), dtype=np.intp)
        self.contents = [p.content for p in self.phrasings]
        self.sorted_contents = [_sorted_words(c) for c in self.contents]  # token_sort_ratio's work, done once
        self.learned_ids = [i for i, p in enumerate(self.phrasings) if p.learned]
        self._topic_arrays()

    def _topic_arrays(self) -> None:
        """Per topic, as arrays: the features it uses, its requirement groups, what it avoids, its kind."""
        self.topic_ids = list(self.topics)
        self._slot = {t: i for i, t in enumerate(self.topic_ids)}
        self.group_slots = np.array([self._slot[t] for t in self.group_topics], dtype=np.intp)
        self.phrasing_slots = np.array([self._slot[p.topic] for p in self.phrasings], dtype=np.intp)
        by_feature: dict[str, list[int]] = {}
        for t in self.topics.values():
            for f in t.features:
                by_feature.setdefault(f, []).append(self._slot[t.id])
        self.feature_topics = {f: np.array(ids, dtype=np.intp) for f, ids in by_feature.items()}
        groups = [(self._slot[t.id], g) for t in self.topics.values() for g in t.requires]
        self.group_owner = np.array([owner for owner, _ in groups], dtype=np.intp)
        self.concept_groups: dict[str, list[int]] = {}
        for k, (_, g) in enumerate(groups):
            for c in g:
                self.concept_groups.setdefault(c, []).append(k)
        self.concept_avoiders: dict[str, list[int]] = {}
        for t in self.topics.values():
            for c in t.avoid:
                self.concept_avoiders.setdefault(c, []).append(self._slot[t.id])
        self.small_talk = np.array([t.kind == "small_talk" for t in self.topics.values()])

    def weight(self, feature: str) -> float:
        if feature.startswith("w:"):
            base = WORD_WEIGHT if feature in self.idf else UNKNOWN_WORD_WEIGHT
        else:
            base = SPECIAL_WEIGHTS.get(feature) or self.concept_weights.get(feature, 1.0)
        return base * self.idf.get(feature, self.unknown_idf)

    def vector(self, features: dict[str, int]) -> dict[str, float]:
        return {f: self.weight(f) * (1 + 0.2 * (c - 1)) for f, c in features.items()}

    def anchored(self, parsed: Parsed) -> bool:
        """A word about the plan (or a unit): without one, every topic but small talk is scaled by
        ``NO_ANCHOR``."""
        return any(c in self.anchors for c in parsed.concepts) or SUBJECT in parsed.concepts

    def may_reach(self, parsed: Parsed, at: float) -> bool:
        """Can a topic other than small talk score ``at`` or more? Not without an anchor when ``at`` is above
        ``NO_ANCHOR`` (raw scores are at most 1), unless a phrasing staff taught matches (it skips penalties)."""
        return bool(self.learned_ids) or at <= NO_ANCHOR or self.anchored(parsed)

    def score(self, parsed: Parsed) -> list[Scored]:
        has_anchor = self.anchored(parsed)
        features = parsed.features()
        if has_anchor and self.chatter.intersection(features):
            # "chào ad, em hỏi hạn nộp báo cáo…": the greeting must not dilute the question
            features = {f: n for f, n in features.items() if f not in self.chatter}
        q = self.vector(features)
        qnorm = _norm(q)
        if qnorm == 0:
            return []
        dots = np.zeros(len(self.phrasings))
        for f, wq in q.items():
            post = self.postings.get(f)
            if post is not None:
                dots[post[0]] += wq * post[1]
        cos = dots * self.inv_norms / qnorm
        n_topics = len(self.topic_ids)
        nn = np.zeros(n_topics)
        if len(self.group_starts):
            nn[self.group_slots] = np.maximum.reduceat(cos, self.group_starts)
        # fuzzy: only the phrasings closest by features (and every learned one: staff's words may be unusual)
        shared = np.flatnonzero(dots)
        if len(shared) > FUZZY_SHORTLIST:
            shared = shared[np.argpartition(dots[shared], -FUZZY_SHORTLIST)[-FUZZY_SHORTLIST:]]
        top = {int(i) for i in shared}
        shortlist = [*top, *(i for i in self.learned_ids if i not in top)]
        fz = np.zeros(n_topics)
        fz_at = np.full(n_topics, -1, dtype=np.intp)
        if shortlist:
            others = [self.contents[i] for i in shortlist]
            sorted_others = [self.sorted_contents[i] for i in shortlist]
            similar = (process.cdist([parsed.content], others, scorer=fuzz.token_set_ratio)[0]
                       + process.cdist([_sorted_words(parsed.content)], sorted_others, scorer=fuzz.ratio)[0]) / 200.0
            # each topic's most similar phrasing (the first of equals, in shortlist order), in one sort
            ids = np.array(shortlist, dtype=np.intp)
            slots = self.phrasing_slots[ids]
            order = np.lexsort((-np.arange(len(ids)), similar, slots))
            ends = order[np.append(slots[order][1:] != slots[order][:-1], True)]
            ends = ends[similar[ends] > 0]
            fz[slots[ends]], fz_at[slots[ends]] = similar[ends], ids[ends]
        fz, fz_at = fz.tolist(), fz_at.tolist()
        cover = np.zeros(n_topics)
        for f, w in q.items():
            owners = self.feature_topics.get(f)
            if owners is not None:
                cover[owners] += w * w
        cover /= sum(w * w for w in q.values())
        raw = W_NN * nn + W_COVER * cover + W_FUZZY * np.array(fz)
        score = (raw * self._penalties(parsed, has_anchor)).tolist()
        raw, nn, cover = raw.tolist(), nn.tolist(), cover.tolist()
        out: list[Scored] = []
        for t in range(n_topics):
            if nn[t] <= 0 and fz[t] <= 0:
                continue
            near = self.phrasings[fz_at[t]] if fz_at[t] >= 0 else None
            taught = near is not None and fz[t] >= TAUGHT_MATCH and near.learned
            out.append(Scored(self.topic_ids[t], raw[t] if taught else score[t], nn[t], cover[t], fz[t],
                              near.text if near else "", taught))
        out.sort(key=lambda s: -s.score)
        return out

    def _penalties(self, parsed: Parsed, has_anchor: bool) -> np.ndarray:
        """Each topic's factor: a required concept missing, an avoided one present, no word about the plan."""
        met = np.zeros(len(self.group_owner), dtype=bool)
        avoided = np.zeros(len(self.topic_ids), dtype=bool)
        for c in parsed.concepts:
            if c in self.concept_groups:
                met[self.concept_groups[c]] = True
            if c in self.concept_avoiders:
                avoided[self.concept_avoiders[c]] = True
        unmet = np.zeros(len(self.topic_ids), dtype=bool)
        unmet[self.group_owner[~met]] = True
        factor = np.where(unmet, UNMET_REQUIREMENT, 1.0) * np.where(avoided, AVOIDED, 1.0)
        if has_anchor:  # "chào ad, hạn nộp là khi nào": answer the question, not the greeting
            return factor * np.where(self.small_talk, SMALL_TALK_WITH_QUESTION, 1.0)
        return factor * np.where(self.small_talk, 1.0, NO_ANCHOR)


def _sorted_words(text: str) -> str:
    """``fuzz.ratio`` of two texts so sorted is ``fuzz.token_sort_ratio`` of the texts."""
    return " ".join(sorted(text.split()))


def _norm(vec: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vec.values()))
