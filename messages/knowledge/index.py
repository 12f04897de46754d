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
costs one pass over the phrasings that share a feature with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from messages.knowledge.parse import FIGURE, NUMBER, OOS, SUBJECT, YESNO, Parsed

WORD_WEIGHT = 0.6
UNKNOWN_WORD_WEIGHT = 0.9  # a word no topic uses: the question is likely about something else
SPECIAL_WEIGHTS = {SUBJECT: 0.9, NUMBER: 0.8, FIGURE: 0.8, YESNO: 0.5, OOS: 0.7}
W_NN, W_COVER, W_FUZZY = 0.5, 0.25, 0.25
UNMET_REQUIREMENT = 0.5
AVOIDED = 0.6
NO_ANCHOR = 0.45
SMALL_TALK_WITH_QUESTION = 0.3
FUZZY_SHORTLIST = 40
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


@dataclass
class Scored:
    topic: str
    score: float
    nn: float
    cover: float
    fuzzy: float
    phrasing: str
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
        for topic_id, parsed, learned in phrasings:
            vec = self.vector(parsed.features())
            self.phrasings.append(Phrasing(topic_id, parsed.text, parsed.content, vec, _norm(vec), learned))
        self.by_feature: dict[str, list[int]] = {}
        for i, p in enumerate(self.phrasings):
            for f in p.vector:
                self.by_feature.setdefault(f, []).append(i)
        self.contents = [p.content for p in self.phrasings]
        self.learned_ids = [i for i, p in enumerate(self.phrasings) if p.learned]

    def weight(self, feature: str) -> float:
        if feature.startswith("w:"):
            base = WORD_WEIGHT if feature in self.idf else UNKNOWN_WORD_WEIGHT
        else:
            base = SPECIAL_WEIGHTS.get(feature) or self.concept_weights.get(feature, 1.0)
        return base * self.idf.get(feature, self.unknown_idf)

    def vector(self, features: dict[str, int]) -> dict[str, float]:
        return {f: self.weight(f) * (1 + 0.2 * (c - 1)) for f, c in features.items()}

    def score(self, parsed: Parsed) -> list[Scored]:
        has_anchor = any(c in self.anchors for c in parsed.concepts) or SUBJECT in parsed.concepts
        features = parsed.features()
        if has_anchor and self.chatter.intersection(features):
            # "chào ad, em hỏi hạn nộp báo cáo…": the greeting must not dilute the question
            features = {f: n for f, n in features.items() if f not in self.chatter}
        q = self.vector(features)
        qnorm = _norm(q)
        if qnorm == 0:
            return []
        dots: dict[int, float] = {}
        for f, wq in q.items():
            for i in self.by_feature.get(f, ()):
                dots[i] = dots.get(i, 0.0) + wq * self.phrasings[i].vector[f]
        best_nn: dict[str, tuple[float, int]] = {}
        for i, dot in dots.items():
            p = self.phrasings[i]
            cos = dot / (qnorm * p.norm)
            if cos > best_nn.get(p.topic, (0.0, -1))[0]:
                best_nn[p.topic] = (cos, i)
        # fuzzy: only the phrasings closest by features (and every learned one: staff's words may be unusual)
        shortlist = sorted(dots, key=dots.__getitem__, reverse=True)[:FUZZY_SHORTLIST]
        shortlist += [i for i in self.learned_ids if i not in dots]
        fuzzy: dict[str, tuple[float, int]] = {}
        content = parsed.content
        for i in shortlist:
            other = self.contents[i]
            score = (fuzz.token_set_ratio(content, other) + fuzz.token_sort_ratio(content, other)) / 200.0
            topic = self.phrasings[i].topic
            if score > fuzzy.get(topic, (0.0, -1))[0]:
                fuzzy[topic] = (score, i)
        q2 = sum(w * w for w in q.values())
        out: list[Scored] = []
        for topic_id in set(best_nn) | set(fuzzy):
            topic = self.topics[topic_id]
            nn, nn_i = best_nn.get(topic_id, (0.0, -1))
            fz, fz_i = fuzzy.get(topic_id, (0.0, -1))
            cover = sum(w * w for f, w in q.items() if f in topic.features) / q2
            score = W_NN * nn + W_COVER * cover + W_FUZZY * fz
            taught = fz >= TAUGHT_MATCH and self.phrasings[fz_i].learned
            if not taught:
                if any(not (group & parsed.concepts.keys()) for group in topic.requires):
                    score *= UNMET_REQUIREMENT
                if topic.avoid & parsed.concepts.keys():
                    score *= AVOIDED
                if topic.kind != "small_talk" and not has_anchor:
                    score *= NO_ANCHOR
                elif topic.kind == "small_talk" and has_anchor:
                    score *= SMALL_TALK_WITH_QUESTION  # "chào ad, hạn nộp là khi nào": answer the question
            i = nn_i if nn_i >= 0 else fz_i
            out.append(Scored(topic_id, score, nn, cover, fz, self.phrasings[i].text, taught))
        out.sort(key=lambda s: -s.score)
        return out


def _norm(vec: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vec.values()))
