"""The roster of units and how names typed by people resolve to them.

People write ``Sở Tài chính``, ``so tai chinh``, ``STC``, ``H. An Biên``, ``TP Rạch Giá``
or ``UBND xã Bình Sơn, huyện Hòn Đất``. Names are folded (no marks, lower case),
administrative words expanded (``h.`` → ``huyện``, ``tp`` → ``thành phố``), and
looked up exactly first, then fuzzily with a margin so a near-tie is reported as
ambiguous rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from rapidfuzz import fuzz, process

from messages.plan import Plan
from messages.vntext import fold, nfc, slug

# folded abbreviation → folded expansion, applied token by token
_ABBREV = {
    "h": "huyen", "tp": "thanh pho", "tx": "thi xa", "tt": "thi tran", "x": "xa", "p": "phuong",
    "q": "quan", "s": "so", "ub": "", "ubnd": "", "uy": None,
    "ptnt": "phat trien nong thon", "gtvt": "giao thong van tai", "tnmt": "tai nguyen va moi truong",
    # English: "Rach Gia City", "An Bien District" name the place
    "city": "", "district": "", "town": "", "commune": "", "ward": "",
}
_DROP_PREFIX = re.compile(r"^(uy ban nhan dan|uban nhan dan|ubnd|ub)\s+")
_UY_BAN = re.compile(r" (?:uy|y) ban(?: nhan dan)? ")  # "Ủy ban (nhân dân)" is one word: UBND
_COMMUNE = re.compile(
    r"^\s*(?:(?:UBND|Ủy ban nhân dân|Uy ban nhan dan)\s+)?"
    r"(?P<kind>xã|xa|x\.|phường|phuong|p\.|thị trấn|thi tran|tt\.?)\s*(?P<name>[^,;]+?)\s*[,;–-]?\s*"
    r"(?:(?:thuộc|thuoc)\s+)?(?:(?:UBND|Ủy ban nhân dân|Uy ban nhan dan)\s+)?"
    r"(?P<dkind>huyện|huyen|h\.|thành phố|thanh pho|tp\.?|thị xã|thi xa|tx\.?)\s*(?P<district>.+?)\s*$",
    re.IGNORECASE,
)
_COMMUNE_KIND = {"xa": "xã", "x": "xã", "phuong": "phường", "p": "phường", "thi tran": "thị trấn", "tt": "thị trấn"}
FUZZY_MIN = 86
FUZZY_MARGIN = 4


@dataclass(frozen=True)
class UnitRecord:
    """A unit as the bot sees it: from the plan, or a commune added later."""

    code: str
    name: str
    tier: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    inspected: bool = False


@dataclass(frozen=True)
class Resolution:
    unit: UnitRecord | None = None  # an existing unit
    new_commune: UnitRecord | None = None  # a commune read from the name, not yet in the roster
    candidates: tuple[UnitRecord, ...] = ()  # several plausible units (ask which one)

    @property
    def found(self) -> UnitRecord | None:
        return self.unit or self.new_commune


def expand(text: str) -> str:
    """Folded text with administrative abbreviations spelled out and "UBND" dropped."""
    tokens = []
    folded = _UY_BAN.sub(" ubnd ", f" {fold(text.replace('&', ' va '))} ")
    for token in folded.split():
        expansion = _ABBREV.get(token, token)
        if expansion:
            tokens.append(expansion)
    return _DROP_PREFIX.sub("", " ".join(tokens))


def _bare(name_key: str) -> str | None:
    """``huyen an bien`` → ``an bien`` (people often name a district by place alone)."""
    for kind in ("huyen ", "thanh pho ", "thi xa ", "xa ", "phuong ", "thi tran "):
        if name_key.startswith(kind):
            return name_key[len(kind):]
    return None


@dataclass
class Roster:
    units: list[UnitRecord]
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _by_code: dict[str, UnitRecord] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {u.code: u for u in self.units}
        for u in self.units:
            for key in self._keys_of(u):
                codes = self._keys.setdefault(key, [])
                if u.code not in codes:
                    codes.append(u.code)

    @classmethod
    def from_plan(cls, plan: Plan, extra: Iterable[UnitRecord] = ()) -> "Roster":
        inspected = plan.inspected_codes
        units = [
            UnitRecord(u.code, u.name, u.tier, u.parent, tuple(u.aliases), u.code in inspected)
            for u in plan.units
        ]
        known = {u.code for u in units}
        units += [u for u in extra if u.code not in known]
        return cls(units)

    def get(self, code: str) -> UnitRecord | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[UnitRecord]:
        return [u for u in self.units if u.parent == code]

    # ---- names inside a sentence (messages.knowledge reads them with these) ------------
    def lookup(self, text: str, prefix: bool = True) -> UnitRecord | None:
        """The one unit ``text`` names by one of its keys (or, with ``prefix``, is the only unit
        whose key begins so: ``so gd``); None otherwise. No fuzzy guess, no new commune."""
        key = expand(text)
        codes = self._keys.get(key) if key else None
        if codes:
            return self._by_code[codes[0]] if len(codes) == 1 else None
        hit = self._prefix(key) if prefix and key else None
        return hit.unit if hit is not None else None

    def name_keys(self) -> dict[str, list[str]]:
        """Every name key (as ``expand`` writes it) → the codes it names (read-only)."""
        return self._keys

    def _keys_of(self, unit: UnitRecord) -> set[str]:
        keys = {expand(unit.name), unit.code.replace("-", " "), expand(unit.code.replace("-", " "))}
        keys |= {expand(a) for a in unit.aliases}
        keys |= {fold(a).replace(" ", "") for a in unit.aliases}
        if unit.tier in ("district", "commune"):
            head = expand(unit.name.split(",")[0])
            keys.add(head)
            if bare := _bare(head):
                keys.add(bare)
        return {k for k in keys if k}

    # ---- resolution -------------------------------------------------------------
    def resolve(self, query: str) -> Resolution:
        query = nfc(query).strip()
        if not query:
            return Resolution()
        if hit := self._by_code.get(query.lower()):
            return Resolution(unit=hit)
        commune = self._commune_from_name(query)
        if commune is not None:
            return commune
        key = expand(query)
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

    def _commune_from_name(self, query: str) -> Resolution | None:
        m = _COMMUNE.match(query)
        if not m:
            return None
        district = self.resolve_district(f"{m.group('dkind')} {m.group('district')}")
        if district is None:
            return None
        kind = _COMMUNE_KIND[fold(m.group("kind")).rstrip(".").strip()]
        name = " ".join(w[:1].upper() + w[1:] for w in nfc(m.group("name")).split())
        district_name = district.name.removeprefix("UBND ").strip()
        full = f"UBND {kind} {name}, {district_name}"
        code = slug(f"ubnd {kind} {name} {district_name}")
        if existing := self._by_code.get(code):
            return Resolution(unit=existing)
        # a commune already in the roster under the same district, typed differently
        for u in self.children(district.code):
            if expand(u.name.split(",")[0]) == expand(f"{kind} {name}"):
                return Resolution(unit=u)
        return Resolution(new_commune=UnitRecord(code, full, "commune", district.code))

    def resolve_district(self, text: str) -> UnitRecord | None:
        res = self.resolve(text)
        unit = res.unit
        return unit if unit is not None and unit.tier == "district" else None

    def with_units(self, extra: Iterable[UnitRecord]) -> "Roster":
        merged = {u.code: u for u in self.units}
        for u in extra:
            merged[u.code] = u
        return Roster(list(merged.values()))

    def marked_inspected(self, codes: Iterable[str]) -> "Roster":
        codes = set(codes)
        return Roster([replace(u, inspected=u.inspected or u.code in codes) for u in self.units])
