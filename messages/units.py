"""The roster of units and how names typed by people resolve to them.

People write ``Sở Tài chính``, ``so tai chinh``, ``STC``, ``H. An Biên``, ``TP Rạch Giá``,
``phường Long Xuyên`` or ``UBND xã Bình Sơn, huyện Hòn Đất``. Names are folded (no marks,
lower case), administrative words expanded (``h.`` → ``huyện``, ``tp`` → ``thành phố``),
and looked up exactly first, then fuzzily with a margin so a near-tie is reported as
ambiguous rather than guessed. Which words start a unit's name, and which level is whose
parent, come from the plan's levels: the same code reads a three-level 2020 roster and a
two-level one.

A name that is in no roster is read as a *proposal* (``Resolution.new_unit``) and never
added here: staff confirm it first, and close misspellings of existing units are offered.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from messages.plan import Level, Plan
from messages.vntext import fold, nfc, slug, strip_marks

# Vietnamese administrative abbreviations (language, not any plan): folded token → folded expansion.
_ABBREV = {
    "h": "huyen", "tp": "thanh pho", "tx": "thi xa", "tt": "thi tran", "x": "xa", "p": "phuong",
    "q": "quan", "s": "so", "dk": "dac khu", "ub": "", "ubnd": "", "uy": None,
    "ptnt": "phat trien nong thon", "gtvt": "giao thong van tai", "tnmt": "tai nguyen va moi truong",
    "ql": "quan ly", "kcn": "khu cong nghiep",
    # English: "Rach Gia City", "An Bien District" name the place
    "city": "", "district": "", "town": "", "commune": "", "ward": "", "zone": "",
}
_DROP_PREFIX = re.compile(r"^(uy ban nhan dan|uban nhan dan|ubnd|ub)\s+")
_UY_BAN = re.compile(r" (?:uy|y) ban(?: nhan dan)? ")  # "Ủy ban (nhân dân)" is one word: UBND
_COMMITTEE = r"(?:(?:ubnd|uy ban nhan dan|ub)\s+)?"
FUZZY_MIN = 86
FUZZY_MARGIN = 4
SIBLING_TYPO_MIN = 85  # a new name this close to an existing unit under the same parent: offer that one


@dataclass(frozen=True)
class UnitRecord:
    """A unit as the bot sees it: from the plan, or added by staff (import, confirmed name)."""

    code: str
    name: str
    level: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    inspected: bool = False


@dataclass(frozen=True)
class Resolution:
    unit: UnitRecord | None = None  # an existing unit
    new_unit: UnitRecord | None = None  # read from the name, not in the roster: add only once staff confirm
    candidates: tuple[UnitRecord, ...] = ()  # plausible existing units (ask which one)
    missing_parent: Level | None = None  # a new place name that needs its parent to be placed


@lru_cache(maxsize=8192)
def expand(text: str) -> str:
    """Folded text with administrative abbreviations spelled out and "UBND" dropped (cached: the question
    reader expands every window of words that may start a unit's name)."""
    tokens = []
    folded = _UY_BAN.sub(" ubnd ", f" {fold(text.replace('&', ' va '))} ")
    for token in folded.split():
        expansion = _ABBREV.get(token, token)
        if expansion:
            tokens.append(expansion)
    return _DROP_PREFIX.sub("", " ".join(tokens))


def _kind_pattern(kinds: Iterable[str]) -> str:
    """A regex alternation of a level's kind words, folded, with their common abbreviations."""
    forms = {fold(k) for k in kinds}
    forms |= {abbr for abbr, full in _ABBREV.items() if full and full in forms}
    return "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))


def _title(words: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in words.split())


@dataclass
class Roster:
    units: list[UnitRecord]
    levels: Sequence[Level] = ()
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _by_code: dict[str, UnitRecord] = field(default_factory=dict, repr=False)
    _children: dict[str, list[UnitRecord]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._levels = {lv.id: lv for lv in self.levels}
        self._kinds = {lv.id: sorted({fold(k) for k in lv.kinds}, key=len, reverse=True) for lv in self.levels}
        self._by_code = {u.code: u for u in self.units}
        self._children = {}
        self._initial_keys: set[str] = set()  # "so ct", "huyen hd": read before a new place name (``resolve``)
        for u in self.units:
            if u.parent:
                self._children.setdefault(u.parent, []).append(u)
            initials = self._initials(u.level, expand(u.name))
            self._initial_keys |= initials
            for key in self._keys_of(u, initials):
                codes = self._keys.setdefault(key, [])
                if u.code not in codes:
                    codes.append(u.code)
        self._name_patterns = self._compile_name_patterns()

    @classmethod
    def from_plan(cls, plan: Plan, extra: Iterable[UnitRecord] = ()) -> "Roster":
        listed = plan.listed_codes
        units = [UnitRecord(u.code, u.name, u.level, u.parent, tuple(u.aliases), u.code in listed)
                 for u in plan.units]
        known = {u.code for u in units}
        units += [u for u in extra if u.code not in known]
        return cls(units, plan.levels)

    def get(self, code: str) -> UnitRecord | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[UnitRecord]:
        return list(self._children.get(code, ()))

    def of_level(self, level: str) -> list[UnitRecord]:
        return [u for u in self.units if u.level == level]

    def inspected_codes(self) -> frozenset[str]:
        return frozenset(u.code for u in self.units if u.inspected)

    # ---- names inside a sentence (messages.knowledge reads them with these) ------------
    def lookup(self, text: str, prefix: bool = True) -> UnitRecord | None:
        """The one unit ``text`` names by one of its keys (or, with ``prefix``, is the only unit
        whose key begins so: ``so gd``); None otherwise. No fuzzy guess, no new unit."""
        key = expand(text)
        codes = self._keys.get(key) if key else None
        if codes:
            return self._by_code[codes[0]] if len(codes) == 1 else None
        hit = self._prefix(key) if prefix and key else None
        return hit.unit if hit is not None else None

    def name_keys(self) -> dict[str, list[str]]:
        """Every name key (as ``expand`` writes it) → the codes it names (read-only)."""
        return self._keys

    def kind_words(self) -> frozenset[str]:
        """The first words of every level's kinds, folded ("so", "xa", "phuong", "dac")."""
        return frozenset(k.split()[0] for kinds in self._kinds.values() for k in kinds)

    def child_place_kinds(self) -> dict[tuple[str, ...], str]:
        """Folded kind words of the levels whose places sit under a parent ("xa", "thi tran") → level id:
        where a sentence may name a place the roster does not have yet ("xã Bình Sơn huyện Hòn Đất")."""
        return {tuple(k.split()): lv.id for lv in self.levels if lv.places and lv.parent
                for k in self._kinds.get(lv.id, ())}

    def place(self, query: str) -> Resolution | None:
        """A place name with its kind word (and its parent's), read as ``resolve`` reads it; None when
        ``query`` is not written as one."""
        return self._from_place_name(nfc(query).strip())

    def _keys_of(self, unit: UnitRecord, initials: set[str]) -> set[str]:
        keys = {expand(unit.name), unit.code.replace("-", " "), expand(unit.code.replace("-", " "))}
        keys |= {expand(a) for a in unit.aliases}
        keys |= {fold(a).replace(" ", "") for a in unit.aliases}
        keys |= initials
        keys |= {k.replace(" va ", " ") for k in keys if " va " in k}  # "Sở Văn hóa Thể thao": "và" left out
        level = self._levels.get(unit.level)
        if level is not None and level.places:
            head = expand(unit.name.split(",")[0])
            keys.add(head)
            if bare := self._bare(unit.level, head):
                keys.add(bare)
        return {k for k in keys if k}

    def _initials(self, level: str, name_key: str) -> set[str]:
        """``so cong thuong`` → ``so ct``; ``so van hoa the thao va du lich`` → ``so vhttdl``, ``so vhtt va dl``,
        ``so vhtt dl``: the kind word and the initials of the name, as people abbreviate it ("Sở CT",
        "huyện HĐ", "Sở TN&MT"). A key two units share names neither (``lookup`` wants one unit)."""
        words = re.sub(r"[^\w ]", " ", name_key).split()
        for kind in self._kinds.get(level, ()):
            head = kind.split()
            if words[:len(head)] != head or len(words) - len(head) < 2:
                continue
            groups, group = [], ""
            for w in words[len(head):]:
                if w == "va":
                    groups.append(group)
                    group = ""
                else:
                    group += w[0]
            groups.append(group)
            groups = [g for g in groups if g]
            return {f"{kind} {''.join(groups)}", f"{kind} {' va '.join(groups)}", f"{kind} {' '.join(groups)}"}
        return set()

    def _bare(self, level: str, name_key: str) -> str | None:
        """``huyen an bien`` → ``an bien`` (people often name a place by its name alone)."""
        for kind in self._kinds.get(level, ()):
            if name_key.startswith(kind + " "):
                return name_key[len(kind) + 1:]
        return None

    # ---- resolution -------------------------------------------------------------
    def resolve(self, query: str) -> Resolution:
        query = nfc(query).strip()
        if not query:
            return Resolution()
        if hit := self._by_code.get(query.lower()):
            return Resolution(unit=hit)
        key = expand(query)
        codes = self._keys.get(key, []) if key in self._initial_keys else []
        if len(codes) == 1:  # one unit's initials ("huyện HĐ"): not a new place called "HĐ"
            return Resolution(unit=self._by_code[codes[0]])
        proposal = self._from_place_name(query)
        if proposal is not None:
            return proposal
        for candidate in (key, key.replace(" ", "")):
            codes = self._keys.get(candidate)
            if codes:
                units = tuple(self._by_code[c] for c in codes)
                return Resolution(unit=units[0]) if len(units) == 1 else Resolution(candidates=units)
        return self._prefix(key) or self._fuzzy(key)

    def _prefix(self, key: str) -> Resolution | None:
        """``so giao thong`` names ``so giao thong van tai`` when no other unit starts that way."""
        if len(key.split()) < 2:
            return None
        codes = {c for k, cs in self._keys.items() if k.startswith(key + " ") for c in cs}
        if len(codes) == 1:
            return Resolution(unit=self._by_code[codes.pop()])
        if 1 < len(codes) <= 5:
            return Resolution(candidates=tuple(self._by_code[c] for c in sorted(codes)))
        return None

    def _fuzzy(self, key: str) -> Resolution:
        scored = process.extract(key, list(self._keys), scorer=fuzz.ratio, limit=12)
        best: dict[str, float] = {}
        for k, score, _ in scored:
            for code in self._keys[k]:
                best[code] = max(best.get(code, 0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < FUZZY_MIN - 8:  # below this a name is not a typo of ours
            return Resolution()
        top_code, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if top >= FUZZY_MIN and top - runner_up >= FUZZY_MARGIN:
            return Resolution(unit=self._by_code[top_code])
        close = tuple(self._by_code[c] for c, s in ranked[:3] if s >= top - 10)
        return Resolution(candidates=close)  # unsure: offer, never pick

    # ---- a place the roster may not have ("UBND xã X, huyện Y", "đặc khu Z") ----------------
    def _compile_name_patterns(self) -> list[tuple[Level, re.Pattern[str]]]:
        patterns = []
        for level in self.levels:
            if not level.places:
                continue
            own = rf"^{_COMMITTEE}(?P<kind>{_kind_pattern(level.kinds)})(?:\.\s*|\s+)(?P<name>[^,;]+?)"
            parent = self._levels.get(level.parent or "")
            if parent is not None:
                own += (rf"(?:(?:\s*[,;\-\u2013]\s*|\s+)(?:thuoc\s+)?{_COMMITTEE}"
                        rf"(?P<pkind>{_kind_pattern(parent.kinds)})(?:\.\s*|\s+)(?P<pname>.+?))?")
            patterns.append((level, re.compile(own + r"\s*$")))
        return patterns

    def _from_place_name(self, query: str) -> Resolution | None:
        """A place name with its kind word: the unit if the roster has it, else a proposal
        (with the existing units it may be a misspelling of)."""
        folded = strip_marks(query).lower()  # same length as the NFC query: spans map back
        for level, pattern in self._name_patterns:
            m = pattern.match(folded)
            if m is None:
                continue
            kind_key = fold(m.group("kind")).rstrip(".")
            kind_key = expand(kind_key) or kind_key
            parent = None
            if level.parent is not None:
                if m.group("pname") is None:
                    found = self._existing_places(level, None, expand(f"{kind_key} {m.group('name')}"))
                    if len(found) == 1:
                        return Resolution(unit=found[0])
                    return Resolution(candidates=tuple(found)) if found else Resolution(missing_parent=level)
                parent = self._parent(level, f"{m.group('pkind')} {m.group('pname')}")
                if parent is None:
                    return None
            name = _title(query[m.start("name"):m.end("name")])
            head_key = expand(f"{kind_key} {name}")
            existing = self._existing_places(level, parent, head_key)
            if existing:
                return Resolution(unit=existing[0])
            kind = next((k for k in level.kinds if fold(k) == kind_key), kind_key)
            full = f"UBND {kind} {name}" + (f", {parent.name.removeprefix('UBND ').strip()}" if parent else "")
            proposal = UnitRecord(slug(full), full, level.id, parent.code if parent else None)
            return Resolution(new_unit=proposal, candidates=self._near(level, parent, head_key))
        return None

    def _parent(self, level: Level, text: str) -> UnitRecord | None:
        res = self.resolve(text)
        return res.unit if res.unit is not None and res.unit.level == level.parent else None

    def _existing_places(self, level: Level, parent: UnitRecord | None, head_key: str) -> list[UnitRecord]:
        """Units of ``level`` (under ``parent`` when given) whose name is ``head_key``, kind aside."""
        pool = self.children(parent.code) if parent else self.of_level(level.id)
        bare = self._bare(level.id, head_key)
        found = []
        for u in pool:
            key = expand(u.name.split(",")[0])
            if u.level == level.id and (key == head_key or (bare is not None and self._bare(level.id, key) == bare)):
                found.append(u)
        return found

    def _near(self, level: Level, parent: UnitRecord | None, head_key: str) -> tuple[UnitRecord, ...]:
        """Existing units (under the same parent) the new name may be a misspelling of."""
        pool = [u for u in (self.children(parent.code) if parent else self.of_level(level.id)) if u.level == level.id]
        scored = [(fuzz.ratio(head_key, expand(u.name.split(",")[0])), u) for u in pool]
        return tuple(u for score, u in sorted(scored, key=lambda su: -su[0])[:3] if score >= SIBLING_TYPO_MIN)

    # ---- derived rosters -------------------------------------------------------------
    def with_units(self, extra: Iterable[UnitRecord]) -> "Roster":
        merged = {u.code: u for u in self.units}
        for u in extra:
            merged[u.code] = u
        return Roster(list(merged.values()), self.levels)

    def marked_inspected(self, codes: Iterable[str]) -> "Roster":
        codes = set(codes)
        return Roster([replace(u, inspected=u.inspected or u.code in codes) for u in self.units], self.levels)
