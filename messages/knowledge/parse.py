"""Read a question: which concepts it uses, which units it names, which numbers it gives.

Unit names are read first from the raw tokens (so "Sở Du lịch" is a unit, not tourism,
and "SNV" is the coordinator), then the rest is expanded and matched against the
concept vocabulary, longest phrase first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from messages.knowledge import lexicon
from messages.knowledge.normalize import Normalizer, expand, fold_raw, strip_fillers
from messages.units import Roster, UnitRecord

OOS = "@oos"  # a word that marks an unrelated question
SUBJECT = "@subject"  # a unit is named, or the asker speaks of their own unit
NUMBER = "@number"  # the question gives a count
YESNO = "@yesno"  # a yes/no question ("có ... không")
_YEAR = re.compile(r"^(19|20)\d\d$")
_DIGITS = re.compile(r"^\d+$")
_UNIT_NOUNS = frozenset("""don vi phong ban xa phuong truong co quan chi cuc trung tam unit units
office offices school schools commune communes subordinate subordinates thi tran so nganh""".split())
_YES_NO_HEADS = frozenset("is are does do will can should must has have did was were".split())


@dataclass
class Parsed:
    text: str
    tokens: list[str]  # matching tokens with unit names taken out
    concepts: dict[str, int] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)  # content words not part of any concept
    mentions: list[UnitRecord] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    other_year: bool = False
    self_ref: bool = False

    @property
    def out_of_scope(self) -> bool:
        return OOS in self.concepts

    def features(self) -> dict[str, int]:
        feats = {c: n for c, n in self.concepts.items() if c != OOS}
        for w in self.words:
            feats["w:" + w] = feats.get("w:" + w, 0) + 1
        return feats

    @property
    def content(self) -> str:
        """What fuzzy matching compares: the question without fillers and function words."""
        return " ".join(t for t in self.tokens if t not in lexicon.STOPWORDS) or " ".join(self.tokens)


class ConceptMatcher:
    """Longest-phrase-first lookup of concept forms in a token list."""

    def __init__(self, normalizer: Normalizer, concepts: dict[str, list[str]], out_of_scope: list[str]):
        self.table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        entries: dict[tuple[str, ...], str] = {}
        for concept, forms in concepts.items():
            for form in forms:
                key = tuple(strip_fillers(expand(normalizer.raw_tokens(form))) or expand(normalizer.raw_tokens(form)))
                if key and key not in entries:
                    entries[key] = concept
        for form in out_of_scope:
            key = tuple(expand(normalizer.raw_tokens(form)))
            if key:
                entries[key] = OOS  # an unrelated word wins over a concept spelled the same
        for key, concept in entries.items():
            self.table.setdefault(key[0], []).append((key, concept))
        for options in self.table.values():
            options.sort(key=lambda kc: -len(kc[0]))

    def scan(self, tokens: list[str]) -> tuple[dict[str, int], list[str]]:
        found: dict[str, int] = {}
        rest: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            for key, concept in self.table.get(tokens[i], ()):
                if tuple(tokens[i:i + len(key)]) == key:
                    found[concept] = found.get(concept, 0) + 1
                    i += len(key)
                    break
            else:
                rest.append(tokens[i])
                i += 1
        return found, rest


class UnitMentions:
    """Finds unit names inside a sentence ("Sở Y tế có bị…", "huyện An Biên", "STC")."""

    ANCHORS = frozenset({"so", "ubnd", "uy", "huyen", "h", "tp", "thanh", "ban", "xa", "phuong", "van", "nganh"})

    def __init__(self, roster: Roster):
        self.forms: dict[tuple[str, ...], str] = {}
        for unit in roster.units:
            for form in self._forms_of(unit):
                self.forms.setdefault(form, unit.code)
        self.roster = roster
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for form in self.forms:
            self.by_first.setdefault(form[0], []).append(form)
        for forms in self.by_first.values():
            forms.sort(key=len, reverse=True)
        self._near: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for f in self.forms:
            if len(f) >= 2 and f[0] in self.ANCHORS:
                self._near.setdefault((f[0], len(f)), []).append((" ".join(f), self.forms[f]))

    @staticmethod
    def _forms_of(unit: UnitRecord) -> set[tuple[str, ...]]:
        names = {tuple(fold_raw(unit.name.replace("&", " va ")))}
        names |= {tuple(fold_raw(a.replace("&", " "))) for a in unit.aliases}
        names |= {tuple(fold_raw(a.replace("&", " va "))) for a in unit.aliases}
        forms: set[tuple[str, ...]] = set()
        for toks in names:
            if not toks:
                continue
            forms.add(tuple(toks))
            if len(toks) > 1:
                forms.add(("".join(toks),))
        head = fold_raw(unit.name.split(",")[0])
        if head[:1] == ["ubnd"]:
            head = head[1:]
            forms.add(("uy", "ban", "nhan", "dan", *head))
        if head:
            forms.add(tuple(head))
        if unit.tier == "district":
            kind, bare = (("thanh", "pho"), head[2:]) if head[:2] == ["thanh", "pho"] else (("huyen",), head[1:])
            for prefix in (("h",), ("tp",), ("huyen",), ("thanh", "pho"), ("tx",), ()):
                if bare and (prefix or len(bare) >= 2):
                    forms.add((*prefix, *bare))
        if unit.tier == "department" and head[:1] == ["so"] and len(head) > 1:
            forms.add(("nganh", *head[1:]))
            if len(head) >= 4:
                forms.add(tuple(head[1:]))  # "giáo dục và đào tạo"
        if unit.tier == "commune":
            forms.add(tuple(head))
        return {f for f in forms if f and not (len(f) == 1 and len(f[0]) < 3)}

    def find(self, tokens: list[str]) -> tuple[list[UnitRecord], list[str]]:
        """Units named in ``tokens`` (raw, folded) and the tokens left once their names are removed."""
        units: list[UnitRecord] = []
        rest: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            hit = self._exact(tokens, i) or self._fuzzy(tokens, i)
            if hit is not None:
                code, size = hit
                unit = self.roster.get(code)
                if unit is not None and unit not in units:
                    units.append(unit)
                rest.append("\u0000unit")
                i += size
            else:
                rest.append(tokens[i])
                i += 1
        return units, rest

    def _exact(self, tokens: list[str], i: int) -> tuple[str, int] | None:
        for form in self.by_first.get(tokens[i], ()):
            if tuple(tokens[i:i + len(form)]) == form:
                return self.forms[form], len(form)
        return None

    def _fuzzy(self, tokens: list[str], i: int) -> tuple[str, int] | None:
        """A misspelt name after an anchor word ("so tai chin", "huyen an bienn")."""
        if tokens[i] not in self.ANCHORS or i + 1 >= len(tokens):
            return None
        best: tuple[float, str, int] | None = None
        for size in range(2, min(7, len(tokens) - i) + 1):
            window = " ".join(tokens[i:i + size])
            for key, code in self._near.get((tokens[i], size), ()):
                if abs(len(key) - len(window)) > 2:
                    continue
                score = fuzz.ratio(window, key)
                if score >= 90 and (best is None or score > best[0]):
                    best = (score, code, size)
        return (best[1], best[2]) if best else None


def numbers_in(tokens: list[str]) -> list[int]:
    """Counts of units given in a question ("có 12 đơn vị", "9 phòng và 3 chi cục" → 12).

    Only a number followed by a unit noun counts: not years, dates, document numbers, 30%, "1 tuần".
    """
    found: list[tuple[int, int]] = []  # (value, position)
    n = len(tokens)
    for i, t in enumerate(tokens):
        value: int | None = None
        size = 1
        if _DIGITS.match(t):
            value = int(t)
        elif t == "muoi" and i + 1 < n and tokens[i + 1] in lexicon.NUMBER_WORDS and (i == 0 or tokens[i - 1] not in lexicon.NUMBER_WORDS):
            value, size = 10 + lexicon.NUMBER_WORDS[tokens[i + 1]], 2
        elif t in lexicon.NUMBER_WORDS and i + 1 < n and tokens[i + 1] in _UNIT_NOUNS and (i == 0 or tokens[i - 1] != "muoi"):
            value = lexicon.NUMBER_WORDS[t]
        if value is None or value == 0 or value > 10000 or _YEAR.match(t):
            continue
        nxt = tokens[i + size] if i + size < n else ""
        if nxt not in _UNIT_NOUNS:
            continue
        found.append((value, i))
    if not found:
        return []
    # "9 phòng và 3 chi cục": counts joined by "và" add up
    total, last = found[0]
    for value, pos in found[1:]:
        between = tokens[last + 1:pos]
        if "va" in between or "cong" in between or "and" in between:
            total += value
            last = pos
        else:
            break
    return [total] + [v for v, _ in found[1:]]


class Parser:
    def __init__(self, normalizer: Normalizer, matcher: ConceptMatcher, plan_year: int, coordinator: str,
                 coordinator_concept: str = "snv"):
        self.normalizer = normalizer
        self.matcher = matcher
        self.plan_year = plan_year
        self.coordinator = coordinator
        self.coordinator_concept = coordinator_concept
        self._self_words: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted((tuple(s.split()) for s in lexicon.SELF_WORDS), key=len, reverse=True):
            self._self_words.setdefault(phrase[0], []).append(phrase)

    def parse(self, text: str, mentions: UnitMentions | None) -> Parsed:
        raw = self.normalizer.raw_tokens(text)
        units, raw = mentions.find(raw) if mentions else ([], raw)
        tokens = strip_fillers(expand(raw))
        numbers = numbers_in(tokens)
        tokens, self_ref = self._without_self(tokens)
        tokens = [t for t in tokens if t != "\u0000unit"]
        concepts, rest = self.matcher.scan(tokens)
        for unit in units:
            concepts[self.coordinator_concept if unit.code == self.coordinator else SUBJECT] = 1
        if self_ref:
            concepts[SUBJECT] = 1
        if numbers:
            concepts[NUMBER] = 1
        if self._yes_no(tokens):
            concepts[YESNO] = 1
        other_year = any(_YEAR.match(t) and int(t) != self.plan_year for t in tokens) and "vb-can-cu" not in concepts
        words = [w for w in rest if w not in lexicon.STOPWORDS and not w.isdigit()]
        return Parsed(text, tokens, concepts, words, units, numbers, other_year, self_ref)

    def _without_self(self, tokens: list[str]) -> tuple[list[str], bool]:
        """Take out "đơn vị tôi", "bên mình"…: they become the signal that the asker means their unit."""
        out: list[str] = []
        found = False
        i = 0
        while i < len(tokens):
            for phrase in self._self_words.get(tokens[i], ()):
                if tuple(tokens[i:i + len(phrase)]) == phrase:
                    found = True
                    i += len(phrase)
                    head = " ".join(phrase[:2]) if " ".join(phrase[:2]) in lexicon.SELF_TIERS else phrase[0]
                    if head in lexicon.SELF_TIERS:
                        out.extend(head.split())  # "xã mình" still says "xã"
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out, found

    @staticmethod
    def _yes_no(tokens: list[str]) -> bool:
        if not tokens:
            return False
        if tokens[0] in _YES_NO_HEADS:
            return True
        joined = " ".join(tokens)
        return ("co" in tokens and tokens[-1] in ("khong", "chua")) or " phai khong" in f" {joined}" \
            or " hay khong" in f" {joined}" or " dung khong" in f" {joined}"
