"""Turn a chat question into matching tokens: folded, repaired, abbreviations spelled out.

The same function runs over the knowledge (phrasings, concept words) and over
questions, so both sides meet in one form. Repairs are conservative: a token is
only rewritten when it is not a word we know and the rewrite is one
(Telex leftovers ``baos caos``/``ddoanf``, VNI digits ``ba1o``, stretched letters
``hannn``, words run together ``kiemtra``, one-letter typos).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from messages.knowledge import lexicon
from messages.vntext import nfc, strip_marks

_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|uyu|oai|oay|oao|oeo|uoi|uou|uay|uai|uoi|ieu|yeu|uyu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|"
    r"ua|ue|ui|uo|uu|uy|ye|[aeiouy])"
    r"(ng|nh|ch|[cmnpt])?$"
)
_TONE_KEYS = "sfrxj"
_VOWELS = set("aeiouy")
_NUMBER = re.compile(r"^\d+%?$")
_RUN3 = re.compile(r"(.)\1{2,}")
_SPLIT = re.compile(r"[^0-9a-z%]+")


@lru_cache(maxsize=16384)
def is_syllable(token: str) -> bool:
    """A possible folded Vietnamese syllable (also true of many short English words)."""
    return bool(_SYLLABLE.match(token))


def fold_raw(text: str) -> list[str]:
    """NFC → no marks → lower case → tokens (``30 %`` kept together as ``30%``)."""
    folded = strip_marks(nfc(text)).lower()
    folded = unicodedata.normalize("NFKC", folded)
    tokens = [t for t in _SPLIT.split(folded) if t]
    out: list[str] = []
    for t in tokens:
        if t == "%" and out and out[-1].isdigit():
            out[-1] += "%"
        elif t.isdigit():
            out.append(str(int(t)) if len(t) < 6 else t)  # "09" → "9", as dates are written
        else:
            out.append(t)
    return out


def _telex(token: str) -> str:
    """Undo Telex keys left in a folded token: tone keys after vowels or at the end, doubled vowels, w, dd."""
    t = token
    if len(t) > 2 and t[-1] in _TONE_KEYS and t[-2] not in _TONE_KEYS:
        t = t[:-1]
    # a tone key typed right after a vowel, before the final consonant ("hajn", "vieejt")
    t = "".join(ch for i, ch in enumerate(t) if not (ch in _TONE_KEYS and i > 0 and t[i - 1] in _VOWELS
                                                     and i + 1 < len(t)))
    t = t.replace("dd", "d").replace("aa", "a").replace("ee", "e").replace("oo", "o")
    t = t.replace("uow", "uo").replace("uwow", "uo").replace("uwo", "uo")
    t = re.sub(r"([uoa])w", r"\1", t)
    t = t.replace("w", "u")
    return t


def _collapse(token: str) -> str:
    return re.sub(r"(.)\1+", r"\1", token)


class Normalizer:
    """Knows the words of the knowledge base, so it can tell a typo from a word."""

    def __init__(self, known: frozenset[str], known_list: list[str], split_words: frozenset[str]):
        self.known = known
        self._known_list = known_list
        self._split_words = split_words
        self._repaired: dict[str, tuple[str, ...]] = {}
        self._by_first: dict[str, list[str]] = {}
        for word in known_list:
            self._by_first.setdefault(word[0], []).append(word)

    @classmethod
    def build(cls, texts: Iterable[str]) -> "Normalizer":
        words: set[str] = set()
        for text in texts:
            words.update(fold_raw(text))
        for key, value in lexicon.ABBREVIATIONS.items():
            words.add(key)
            words.update(value.split())
        words |= lexicon.STOPWORDS | lexicon.PROTECTED
        for phrase in lexicon.FILLERS + lexicon.SELF_WORDS:
            words.update(phrase.split())
        words = {w for w in words if w}
        split_words = frozenset(w for w in words if len(w) >= 2 and is_syllable(w))
        return cls(frozenset(words), sorted(w for w in words if len(w) >= 3 and not w.isdigit()), split_words)

    # ---- one token ----------------------------------------------------------------
    def repair(self, token: str) -> tuple[str, ...]:
        """The word(s) a typed token most likely stands for (remembered: chat repeats itself)."""
        hit = self._repaired.get(token)
        if hit is None:
            hit = self._repair(token)
            if len(self._repaired) < 50000:
                self._repaired[token] = hit
        return hit

    def _repair(self, token: str) -> tuple[str, ...]:
        if token in self.known or _NUMBER.match(token):
            return (token,)
        if any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token):
            letters = re.sub(r"[0-9]", "", token)  # VNI: "ba1o" / "bao1"
            if letters in self.known or (letters and is_syllable(letters) and letters not in lexicon.ABBREVIATIONS):
                return (letters,)
            return (token,)
        candidates = []
        shortened = _RUN3.sub(r"\1", token)
        candidates.append(shortened)
        telex = _telex(shortened)
        candidates.append(telex)
        candidates.append(_collapse(telex))
        candidates.append(_collapse(shortened))
        for c in candidates:
            if c in self.known:
                return (c,)
        if not is_syllable(token):
            for c in candidates:
                if c and is_syllable(c) and c != token:
                    return (c,)
            split = self._split(token)
            if split:
                return split
            fixed = self._typo(token)
            if fixed:
                return (fixed,)
        return (shortened,)

    def _split(self, token: str) -> tuple[str, ...] | None:
        """Words run together: ``kiemtra`` → ``kiem tra`` (known syllables only)."""
        if len(token) < 4:
            return None
        n = len(token)
        best: list[tuple[str, ...] | None] = [None] * (n + 1)
        best[0] = ()
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 2, min(n, i + 7) + 1):
                piece = token[i:j]
                if piece in self._split_words:
                    cand = best[i] + (piece,)
                    if best[j] is None or len(cand) < len(best[j]):
                        best[j] = cand
        result = best[n]
        return result if result and len(result) > 1 else None

    def _typo(self, token: str) -> str | None:
        if len(token) < 3 or token.isdigit():
            return None
        limit = 1 if len(token) < 7 else 2
        # typos rarely hit the first letter; requiring it keeps "zalo" from becoming "alo"
        same_start = self._by_first.get(token[0], [])
        hit = process.extractOne(token, same_start, scorer=Levenshtein.distance, score_cutoff=limit)
        if hit is not None and len(hit[0]) >= 3:
            return hit[0]
        ordered = "".join(sorted(token))  # a transposition: "coa" → "cao"
        for word in self._known_list:
            if len(word) == len(token) and "".join(sorted(word)) == ordered:
                return word
        return None

    # ---- a whole text ------------------------------------------------------------
    def raw_tokens(self, text: str) -> list[str]:
        """Folded and repaired, abbreviations kept (unit names are read from these)."""
        out: list[str] = []
        for token in fold_raw(text):
            out.extend(self.repair(token))
        return out

    def tokens(self, text: str) -> list[str]:
        """Matching tokens: repaired, abbreviations spelled out, chat fillers removed."""
        return strip_fillers(expand(self.raw_tokens(text)))


def expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    n = len(tokens)
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < n else None
        if token == "kt":
            after = " ".join(tokens[i + 1:i + 3])
            out.extend(("ky thay" if after.startswith(lexicon.KT_SIGN_NEXT) else "kiem tra").split())
        elif token == "kh":
            out.extend(("khong" if nxt is None or nxt in lexicon.KH_NOT_NEXT else "ke hoach").split())
        elif token in lexicon.ABBREVIATIONS:
            out.extend(lexicon.ABBREVIATIONS[token].split())
        elif len(token) == 1 and token.isalpha() and token not in _VOWELS:
            continue  # a stray consonant ("what's" → "s")
        else:
            out.append(token)
    return out


_FILLER_PHRASES = sorted((tuple(f.split()) for f in lexicon.FILLERS), key=len, reverse=True)
_MAX_FILLER = max(len(f) for f in _FILLER_PHRASES)
_FILLER_SET = {f for f in _FILLER_PHRASES}


def strip_fillers(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for size in range(min(_MAX_FILLER, n - i), 0, -1):
            if tuple(tokens[i:i + size]) in _FILLER_SET:
                # a lone filler word is only dropped at the edges or before another filler
                if size == 1 and 0 < i < n - 1 and tokens[i] not in ("a", "nhe", "nha", "vay", "ad", "admin"):
                    continue
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out
