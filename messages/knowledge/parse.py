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
from messages.knowledge.normalize import Normalizer, expand, is_syllable, strip_fillers
from messages.units import Roster, UnitRecord
from messages.units import expand as expand_name
from messages.vntext import nfc, strip_marks

OOS = "@oos"  # a word that marks an unrelated question
OTHER_YEAR = "@other_year"  # "năm sau", "next year": another plan's year
SUBJECT = "@subject"  # a unit is named, or the asker speaks of their own unit
NUMBER = "@number"  # the question gives a count (of its own subordinate units)
FIGURE = "@figure"  # the question quotes one of the plan's own figures ("2 xã mỗi huyện", "10 xã")
YESNO = "@yesno"  # a yes/no question ("có ... không")
_YEAR = re.compile(r"^(19|20)\d\d$")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)\b")  # "giai đoạn 2021-2030"
_DIGITS = re.compile(r"^\d+$")
_UNIT_NOUNS = frozenset("""don vi phong ban xa phuong truong co quan chi cuc trung tam unit units
office offices school schools commune communes subordinate subordinates thi tran so nganh huyen thanh dac
quan ward wards district districts department departments
affiliated dependent attached""".split())  # "4 affiliated units": the adjective before the noun
_HAS_WORDS = frozenset("co gom voi neu have has with if cua tren".split())  # "có 12 …", "gồm", "với", "nếu"
_SUBORDINATE_WORDS = ("truc thuoc", "cap duoi", "subordinate", "subordinates", "affiliated")
_QUANTIFIERS = frozenset("tong cong so tat ca khoang chi la total about only".split())
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
    self_tier: str | None = None  # "huyện mình": the asker's tier, as typed (folded)

    @property
    def out_of_scope(self) -> bool:
        return OOS in self.concepts

    def features(self) -> dict[str, int]:
        """Concepts (an unrelated word counts once, as "about something else"), then leftover words."""
        feats = {c: (1 if c == OOS else n) for c, n in self.concepts.items() if c != OTHER_YEAR}
        for w in self.words:
            feats["w:" + w] = feats.get("w:" + w, 0) + 1
        return feats

    @property
    def content(self) -> str:
        """What fuzzy matching compares: the question without fillers and function words."""
        return " ".join(t for t in self.tokens if t not in lexicon.STOPWORDS) or " ".join(self.tokens)


class ConceptMatcher:
    """Longest-phrase-first lookup of concept forms in a token list."""

    def __init__(self, normalizer: Normalizer, concepts: dict[str, list[str]], out_of_scope: list[str],
                 other_years: list[str] = ()):
        self.table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        entries: dict[tuple[str, ...], str] = {}
        for concept, forms in concepts.items():
            for form in forms:
                key = tuple(strip_fillers(expand(normalizer.raw_tokens(form))) or expand(normalizer.raw_tokens(form)))
                if key and key not in entries:
                    entries[key] = concept
        for marker, forms in ((OOS, out_of_scope), (OTHER_YEAR, other_years)):
            for form in forms:
                key = tuple(expand(normalizer.raw_tokens(form)))
                if key:
                    entries[key] = marker  # an unrelated word wins over a concept spelled the same
        for key, concept in entries.items():
            self.table.setdefault(key[0], []).append((key, concept))
        for options in self.table.values():
            options.sort(key=lambda kc: -len(kc[0]))

    def scan(self, tokens: list[str]) -> tuple[dict[str, int], list[str]]:
        found: dict[str, int] = {}
        rest: list[str] = []
        i, n = 0, len(tokens)
        last_oos_end = -1
        while i < n:
            for key, concept in self.table.get(tokens[i], ()):
                if tuple(tokens[i:i + len(key)]) == key:
                    if concept != OOS or last_oos_end != i:  # "trời mưa": one unrelated thing, not two
                        found[concept] = found.get(concept, 0) + 1
                    i += len(key)
                    if concept == OOS:
                        last_oos_end = i
                    break
            else:
                rest.append(tokens[i])
                i += 1
        return found, rest


class UnitMentions:
    """Finds unit names inside a sentence ("Sở Y tế có bị…", "huyện An Biên", "STC", "sở GD").

    Names are read the way ``Roster.resolve`` reads them (same keys, same ``units.expand``), through
    ``Roster.lookup``; this class only decides where a name may start and how long it may be. Two
    sentence rules on top: "ngành giáo dục" names the department ("sở giáo dục"), "GD&ĐT" lost its "&"
    ("gd dt"), and a unique name prefix counts only when it is abbreviated ("sở GD"; "số văn bản" is not
    "Sở Văn hóa…").
    A misspelt name after an anchor word ("so tai chin") is matched strictly (≥ 90, same first word).
    """

    ANCHORS = frozenset({"so", "ubnd", "ub", "uy", "huyen", "h", "tp", "thanh", "ban", "xa", "phuong", "van",
                         "nganh", "tx", "tt", "x", "p", "s", "thi"})
    SECTOR = "nganh"  # "ngành y tế" = "Sở Y tế"
    FUZZY_MIN = 90
    CACHE = 20000

    def __init__(self, roster: Roster):
        self.roster = roster
        keys = roster.name_keys()
        self.max_len = max((len(k.split()) for k in keys), default=1) + 2  # room for "ubnd", "uy ban nhan dan"
        self.starters = {k.split()[0] for k in keys} | self.ANCHORS
        # "giáo dục và đào tạo" without "Sở": the words after "sở" of a long department name
        self.bare_departments = {k.split()[1] for k in keys if k.startswith("so ") and len(k.split()) >= 4}
        self._near: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for key, codes in keys.items():
            words = key.split()
            if len(words) >= 2 and len(codes) == 1:
                self._near.setdefault((words[0], len(words)), []).append((key, codes[0]))
        self._cache: dict[str, str | None] = {}
        self._near_cache: dict[str, tuple[float, str] | None] = {}
        self._places: dict[str, UnitRecord | None] = {}  # "xã Bình Sơn, huyện Hòn Đất" as typed → the place
        self._child_level = roster.child_place_kinds()
        self._parent_level = {lv.id: lv.parent for lv in roster.levels}
        self._child_kinds: dict[str, list[tuple[str, ...]]] = {}
        for kind in sorted(self._child_level, key=len, reverse=True):
            self._child_kinds.setdefault(kind[0], []).append(kind)

    def find(self, tokens: list[str], text: str = "") -> tuple[list[UnitRecord], list[str]]:
        """Units named in ``tokens`` (raw, folded) and the tokens left once their names are removed;
        ``text`` (the question as typed) gives a place the roster lacks its marks."""
        units: list[UnitRecord] = []
        rest: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            hit = self._place(tokens, i, text) or self._at(tokens, i)
            if hit is not None:
                unit, size = hit
                if unit not in units:
                    units.append(unit)
                rest.append("\u0000unit")
                i += size
            else:
                rest.append(tokens[i])
                i += 1
        return units, rest

    def _at(self, tokens: list[str], i: int) -> tuple[UnitRecord, int] | None:
        first = tokens[i]
        bare = first in self.bare_departments
        if first not in self.starters and not bare:
            return None
        longest = min(self.max_len, len(tokens) - i)
        for size in range(longest, 0, -1):  # the longest name wins ("sở y tế" over "sở")
            words = tokens[i:i + size]
            if words[0] == self.SECTOR:
                words = ["so", *words[1:]]
            readings = [words] if first in self.starters else []
            if size >= 3 and not is_syllable(words[-1]) and not is_syllable(words[-2]):
                readings.append([*words[:-1], "va", words[-1]])  # "Sở GD&ĐT" reaches us as "so gd dt"
            if bare and size >= 3:
                readings.append(["so", *words])
            for reading in readings:
                abbreviated = len(reading) >= 2 and not any(is_syllable(w) for w in reading[1:])
                unit = self._lookup(" ".join(reading), prefix=abbreviated)
                if unit is not None:
                    return unit, size
        return self._fuzzy(tokens, i) if first in self.ANCHORS else None

    def _place(self, tokens: list[str], i: int, text: str) -> tuple[UnitRecord, int] | None:
        """"xã Bình Sơn huyện Hòn Đất": the commune, known or not (then as the roster would propose it,
        under its parent; never added), rather than its district. Only where the parent is named too,
        which is what tells where the place's own name ends."""
        kind = next((k for k in self._child_kinds.get(tokens[i], ()) if tuple(tokens[i:i + len(k)]) == k), None)
        if kind is None:
            return None
        for k in range(i + len(kind), min(i + len(kind) + 6, len(tokens))):
            if k > i + len(kind) and (tokens[k] in self.starters or tokens[k] == "thuoc"
                                      and tokens[k + 1:k + 2] and tokens[k + 1] in self.starters):
                break  # the place's own name ends where its parent's begins ("… thuộc huyện …")
            if tokens[k] in lexicon.NOT_PLACE_NAME:
                return None
        for k in range(i + len(kind) + 1, min(i + len(kind) + 6, len(tokens))):
            parent = self._at(tokens, k) if tokens[k] in self.starters else None
            if parent is None or parent[0].level != self._parent_level[self._child_level[kind]]:
                continue
            span = tokens[i:k + parent[1]]
            typed = _as_typed(text, span)
            if typed not in self._places:
                if len(self._places) >= self.CACHE:
                    self._places.clear()
                resolution = self.roster.place(typed)
                unit = resolution and (resolution.unit or resolution.new_unit)
                self._places[typed] = unit if unit is not None and unit.level == self._child_level[kind] else None
            unit = self._places[typed]
            return (unit, len(span)) if unit is not None else None
        return None

    def _lookup(self, text: str, prefix: bool) -> UnitRecord | None:
        key = f"{int(prefix)}{text}"
        if key not in self._cache:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            unit = self.roster.lookup(text, prefix=prefix)
            self._cache[key] = unit.code if unit is not None else None
        code = self._cache[key]
        return self.roster.get(code) if code else None

    def _fuzzy(self, tokens: list[str], i: int) -> tuple[UnitRecord, int] | None:
        """A misspelt name after an anchor word ("so tai chin", "huyen an bienn")."""
        best: tuple[float, str, int] | None = None
        for size in range(2, min(7, len(tokens) - i) + 1):
            hit = self._near_name(expand_name(" ".join(tokens[i:i + size])))
            if hit is not None and (best is None or hit[0] > best[0]):
                best = (hit[0], hit[1], size)
        if best is None:
            return None
        unit = self.roster.get(best[1])
        return (unit, best[2]) if unit is not None else None

    def _near_name(self, window: str) -> tuple[float, str] | None:
        """The unit key ``window`` misspells (score, code), remembered: "ban hanh", "van ban"… recur in
        every other question."""
        if window in self._near_cache:
            return self._near_cache[window]
        best = None
        words = window.split()
        if len(words) >= 2:
            for key, code in self._near.get((words[0], len(words)), ()):
                if abs(len(key) - len(window)) > 2:
                    continue
                score = fuzz.ratio(window, key)
                if score >= self.FUZZY_MIN and (best is None or score > best[0]):
                    best = (score, code)
        if len(self._near_cache) >= self.CACHE:
            self._near_cache.clear()
        self._near_cache[window] = best
        return best


def _as_typed(text: str, words: list[str]) -> str:
    """The words as the question typed them (with their marks), or the folded words if not found."""
    typed = nfc(text)
    m = re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", strip_marks(typed).lower())
    return typed[m.start():m.end()] if m else " ".join(words)


def numbers_in(tokens: list[str]) -> list[int]:
    """Counts of subordinate units the asker's unit HAS ("có 12 đơn vị", "9 phòng và 3 chi cục" → 12).

    A number counts only when followed by a unit noun and either the question says the unit has them
    ("có N …", "gồm N …", "với N …", "nếu N …") or names them as subordinates ("N đơn vị trực thuộc",
    "N subordinate units"). Not years, dates, document numbers, 30%, "1 tuần", and not the plan's
    own figures asked about ("kiểm tra 2 xã mỗi huyện", "tổng 10 xã").
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
        if nxt not in _UNIT_NOUNS and tokens[i + size:i + size + 2] != ["dau", "moi"]:  # "17 đầu mối"
            continue
        found.append((value, i, i + size))
    counts = [(v, i) for v, i, end in found if _has_them(tokens, i, end)]
    if not counts:
        return []
    # "9 phòng và 3 chi cục": counts joined by "và" add up (the second needs no "có" of its own)
    total, last = counts[0]
    for value, pos, _ in found:
        if pos <= last:
            continue
        between = tokens[last + 1:pos]
        if "va" in between or "cong" in between or "and" in between:
            total += value
            last = pos
        else:
            break
    return [total] + [v for v, i in counts[1:] if i > last]


def _has_them(tokens: list[str], start: int, end: int) -> bool:
    """Does the question say the unit has these (rather than ask about the plan's own figures)?"""
    after = " ".join(tokens[end:end + 4])
    if any(f" {w} " in f" {after} " for w in _SUBORDINATE_WORDS):
        return True  # "12 xã trực thuộc", "14 subordinate units"
    if tokens[end + 1:end + 2] in (["duoc"], ["bi"]):
        return False  # "có 2 xã được kiểm tra": inspected units, not ours
    i = start - 1
    while i >= 0 and tokens[i] in _QUANTIFIERS:
        i -= 1
    return i >= 0 and tokens[i] in _HAS_WORDS  # "có 12 …", "có tổng cộng 12 …"


class Parser:
    def __init__(self, normalizer: Normalizer, matcher: ConceptMatcher, plan_year: int, coordinator: str,
                 coordinator_concept: str = "snv", figures: frozenset[int] = frozenset()):
        self.normalizer = normalizer
        self.figures = figures
        self.matcher = matcher
        self.plan_year = plan_year
        self.coordinator = coordinator
        self.coordinator_concept = coordinator_concept
        self._self_words: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted((tuple(s.split()) for s in lexicon.SELF_WORDS), key=len, reverse=True):
            self._self_words.setdefault(phrase[0], []).append(phrase)

    def parse(self, text: str, mentions: UnitMentions | None) -> Parsed:
        raw = self.normalizer.raw_tokens(text)
        if "department" in raw or "inspectorate" in raw:
            raw = lexicon.english_units(raw)
        units, raw = mentions.find(raw, text) if mentions else ([], raw)
        tokens = strip_fillers(expand(raw))
        numbers = numbers_in(tokens)
        tokens, self_ref, self_tier = self._without_self(tokens)
        tokens = [t for t in tokens if t != "\u0000unit"]
        concepts, rest = self.matcher.scan(tokens)
        for unit in units:
            concepts[self.coordinator_concept if unit.code == self.coordinator else SUBJECT] = 1
        if self_ref:
            concepts[SUBJECT] = 1
        if numbers:
            concepts[NUMBER] = 1
        elif self._quotes_figure(tokens):
            concepts[FIGURE] = 1
        if self._yes_no(tokens):
            concepts[YESNO] = 1
        years = {int(t) for t in tokens if _YEAR.match(t)}
        # a period that spans the plan's year ("Chương trình tổng thể 2021-2030") names this plan's year too
        years |= {self.plan_year for a, b in _YEAR_RANGE.findall(text) if int(a) <= self.plan_year <= int(b)}
        other_year = (bool(years - {self.plan_year}) and self.plan_year not in years and "vb-can-cu" not in concepts
                      or OTHER_YEAR in concepts)
        words = [w for w in rest if w not in lexicon.STOPWORDS and not w.isdigit()]
        return Parsed(text, tokens, concepts, words, units, numbers, other_year, self_ref, self_tier)

    def _quotes_figure(self, tokens: list[str]) -> bool:
        """A number of units that is one of the plan's own figures, not a count of the asker's units."""
        for i, t in enumerate(tokens[:-1]):
            value = int(t) if _DIGITS.match(t) else lexicon.NUMBER_WORDS.get(t)
            if value in self.figures and tokens[i + 1] in _UNIT_NOUNS:
                return True
        return False

    def _without_self(self, tokens: list[str]) -> tuple[list[str], bool, str | None]:
        """Take out "đơn vị tôi", "bên mình"…: they become the signal that the asker means their unit (and,
        for "huyện mình", which tier it is)."""
        out: list[str] = []
        found = False
        tier = None
        i = 0
        while i < len(tokens):
            for phrase in self._self_words.get(tokens[i], ()):
                if tuple(tokens[i:i + len(phrase)]) == phrase:
                    found = True
                    i += len(phrase)
                    head = " ".join(phrase[:2]) if " ".join(phrase[:2]) in lexicon.SELF_TIERS else phrase[0]
                    if head in lexicon.SELF_TIERS:
                        out.extend(head.split())  # "xã mình" still says "xã"
                        tier = tier or head
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out, found, tier

    @staticmethod
    def _yes_no(tokens: list[str]) -> bool:
        if not tokens:
            return False
        if tokens[0] in _YES_NO_HEADS:
            return True
        joined = " ".join(tokens)
        return ("co" in tokens and tokens[-1] in ("khong", "chua")) or " phai khong" in f" {joined}" \
            or " hay khong" in f" {joined}" or " dung khong" in f" {joined}"
