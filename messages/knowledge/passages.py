"""The plan's own words: its sections cut into sentences, quoted verbatim with their section.

Two uses. A topic of the pack names the passage it quotes (``passage: {titles, concepts}``):
the purpose section, the sentence about funding… whatever the plan's numbering. And when no
topic is sure, the question is looked up among all the sentences (the second stage): SQLite's
FTS5 ranks them by BM25 over the same normalised tokens the engine reads questions with, and
the best one is quoted only if it covers enough of the question (``passage_at``), so a question
the plan does not cover still gets the honest "the plan does not say".
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

from messages.knowledge import lexicon
from messages.knowledge.normalize import Normalizer
from messages.knowledge.parse import ConceptMatcher
from messages.knowledge_schema import Passage
from messages.plan import Plan
from messages.texts import questions as texts
from messages.vntext import fold

_SENTENCE = re.compile(r"(?<=\.)\s+|\s+(?=[a-zđ]\)\s)")  # sentences, and "a) … b) …" items
_CLAUSE = re.compile(r"(?<=;)\s+")
_NOT_QUOTED = frozenset({"recipients", "signature"})
SENTENCE_WORDS = 70  # a topic quotes a clause's whole sentence up to this long  # metadata of the document, not its content


@dataclass(frozen=True, eq=False)
class Sentence:
    index: int
    section: str
    text: str  # verbatim
    tokens: tuple[str, ...]
    concepts: dict[str, int]  # concept → how many of its words the sentence uses
    whole: bool  # the whole section (not a cut of it)
    sentence: str = ""  # the whole sentence a clause was cut from (a topic quotes that)


class Passages:
    def __init__(self, plan: Plan, normalizer: Normalizer, matcher: ConceptMatcher):
        self.plan = plan
        self.normalizer = normalizer
        self.sentences: list[Sentence] = []
        self.titles: dict[str, str] = {s.id: fold(s.title or s.label or "") for s in plan.sections}
        for section in plan.sections:
            if section.id in _NOT_QUOTED:
                continue
            pieces = [(p.strip(), s.strip()) for p, s in _pieces(section.text.strip()) if p.strip()]
            for piece, sentence in pieces:
                tokens = tuple(normalizer.tokens(piece))
                concepts, _ = matcher.scan(list(tokens))
                self.sentences.append(Sentence(len(self.sentences), section.id, piece, tokens,
                                               concepts, len(pieces) == 1, sentence))
        self.whole = {s.id: s.text.strip() for s in plan.sections if s.id not in _NOT_QUOTED}
        self._index()

    # ---- the FTS5 index (second stage) -------------------------------------------------
    def _index(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE s USING fts5(body, tokenize='unicode61')")
        self.db.executemany("INSERT INTO s(rowid, body) VALUES (?, ?)",
                            [(s.index, " ".join(s.tokens + tuple(self.titles[s.section].split())))
                             for s in self.sentences])
        df: dict[str, int] = {}
        for s in self.sentences:
            for t in set(s.tokens):
                df[t] = df.get(t, 0) + 1
        n = max(len(self.sentences), 1)
        self.idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
        self.unknown_idf = math.log((n + 1) / 0.5)

    def search(self, tokens: list[str], share_at: float) -> Sentence | None:
        """The sentence that best answers a question's content words, if it covers ``share_at`` of them
        (weighted by rarity) and at least two of them; None otherwise."""
        words = [t for t in dict.fromkeys(tokens) if t not in lexicon.STOPWORDS and len(t) > 1 and not t.isdigit()]
        if len(words) < 2:
            return None
        query = " OR ".join(f'"{w}"' for w in words)
        try:
            rows = self.db.execute("SELECT rowid FROM s WHERE s MATCH ? ORDER BY bm25(s) LIMIT 5", (query,)).fetchall()
        except sqlite3.Error:
            return None
        total = sum(self.idf.get(w, self.unknown_idf) for w in words)
        best: tuple[float, Sentence] | None = None
        for (rowid,) in rows:
            sentence = self.sentences[rowid]
            have = set(sentence.tokens) | set(self.titles[sentence.section].split())
            hit = [w for w in words if w in have]
            share = sum(self.idf.get(w, self.unknown_idf) for w in hit) / total
            if len(hit) >= 2 and share >= share_at and (best is None or share > best[0]):
                best = (share, sentence)
        return best[1] if best else None

    # ---- a topic's passage ------------------------------------------------------------------
    def for_topic(self, spec: Passage, question: list[str] = ()) -> list[Sentence]:
        """Whole sections titled as ``spec.titles`` say, then the sentences that use ``spec.concepts``
        most, the question's own words breaking ties ("… báo cáo trước ngày nào" picks the sentence with
        the date); a sentence already quoted whole is not quoted again; plan order, at most ``spec.max``."""
        asked = {t for t in question if t not in lexicon.STOPWORDS and len(t) > 1}
        titles = [fold(t) for t in spec.titles]
        whole: list[Sentence] = []
        for section_id, text in self.whole.items():
            if titles and any(t in self.titles[section_id] for t in titles):
                first = next(s for s in self.sentences if s.section == section_id)
                whole.append(Sentence(first.index, section_id, text, (), {}, True))
        quoted = {s.section for s in whole}
        scored = []
        if spec.concepts:
            for s in self.sentences:
                hits = sum(s.concepts.get(c, 0) for c in spec.concepts)
                if hits and s.section not in quoted:
                    shared = sum(self.idf.get(t, 0.0) for t in asked & set(s.tokens))
                    # the same words in a section and its subsection: the subsection is the one to cite
                    scored.append((-(hits + shared / 4), -s.section.count("."), s.index, s))
        picked = whole[:spec.max]
        seen = {s.text for s in picked}
        for *_, s in sorted(scored, key=lambda row: row[:3]):  # a clause is quoted with its whole sentence, once
            if len(picked) >= spec.max:
                break
            full = s.sentence if len(s.sentence.split()) <= SENTENCE_WORDS else s.text
            bare = _bare(full)
            if not any(bare in _bare(other) or _bare(other) in bare for other in seen):
                seen.add(full)
                picked.append(Sentence(s.index, s.section, full, s.tokens, s.concepts, s.whole, full))
        return sorted(picked, key=lambda s: s.index)

    def has_detail(self, sentences: list[Sentence], spec: Passage) -> bool:
        words = [fold(w) for w in spec.detail]
        return any((w == ":" and ":" in s.text) or (w != ":" and f" {w} " in f" {fold(s.text)} ")
                   for s in sentences for w in words)

    def render(self, sentences: list[Sentence]) -> str:
        """One quoted line per sentence: “…” (Mục III.2 — its title); a clause cut from a longer
        sentence is marked as such (…)."""
        lines = []
        for s in sentences:
            section = self.plan.section(s.section)
            text = s.text.rstrip(" ;.")
            if text[:1].islower():
                text = f"…{text}"
            where = self.plan.section_label(s.section)
            if section is not None and section.title and section.label is None:
                where = texts.PASSAGE_WHERE.format(label=where, title=section.title)
            lines.append(texts.PASSAGE_LINE.format(text=text, where=where))
        return "\n".join(lines)


def _bare(text: str) -> str:
    """A sentence without its item letter and closing mark: "b) Cử đúng …;" and "Cử đúng …" are one."""
    return re.sub(r"^[a-zđ]\)\s*", "", text.strip()).rstrip(" ;.")


def _pieces(text: str) -> list[tuple[str, str]]:
    """(clause, its sentence): sentences, then clauses at ";" — but a list ("gồm: a; b; c") stays one piece."""
    out: list[tuple[str, str]] = []
    for sentence in _SENTENCE.split(text):
        out += [(sentence, sentence)] if ":" in sentence else [(c, sentence) for c in _CLAUSE.split(sentence)]
    return out
