"""Short answers to what the bot itself just asked: "12", "12 đơn vị", "cái thứ hai".

Read only while the bot waits for them (a figure it asked for, or a choice among the topics it
offered); anywhere else the same words are an ordinary question.
"""

from __future__ import annotations

import re

from messages.knowledge import lexicon
from messages.vntext import fold

_BARE_COUNT = re.compile(r"^\D{0,20}?(\d{1,4})\D{0,30}$")
_FILLERS = frozenset(f for f in lexicon.FILLERS if " " not in f)  # "ạ", "nhé", "dạ"…
MAX_WORDS = 6  # longer than this, it is a new question that happens to hold a number

_POSITIONS = {
    "nhat": 0, "dau": 0, "dau tien": 0, "first": 0, "mot": 0,
    "hai": 1, "nhi": 1, "second": 1,
    "ba": 2, "third": 2, "bon": 3, "tu": 3, "fourth": 3, "nam": 4, "fifth": 4,
    "cuoi": -1, "cuoi cung": -1, "last": -1,
}
_ORDINAL = re.compile(
    r"^(?:(?:em chon|toi chon|minh chon|chon|lay|xem|i choose|i pick|pick|choose)\s+)?"
    r"(?:(?:cai|muc|so|y|cau|dong|lua chon|phuong an|chu de|option|number|item|the)\s+)?"
    r"(?:thu\s+)?(?P<pos>\d{1,2}|" + "|".join(sorted(map(re.escape, _POSITIONS), key=len, reverse=True)) + r")"
    r"(?:\s+(?:one|option|item))?$")


def bare_count(text: str) -> int | None:
    """"12", "12 đơn vị", "có 12 phòng ạ": the count given, or None."""
    stripped = text.strip()
    m = _BARE_COUNT.match(stripped)
    if m is None or len(stripped.split()) > MAX_WORDS:
        return None
    return int(m.group(1))


def ordinal(text: str, count: int) -> int | None:
    """Which of ``count`` offered options "cái thứ hai", "số 2", "the first one", "cái cuối" means
    (0-based), or None when the text picks none of them."""
    words = [w for w in fold(text).split() if w not in _FILLERS]
    m = _ORDINAL.match(" ".join(words))
    if m is None:
        return None
    pos = m.group("pos")
    index = int(pos) - 1 if pos.isdigit() else _POSITIONS[pos]
    index = count - 1 if index == -1 else index
    return index if 0 <= index < count else None


__all__ = ["bare_count", "ordinal"]
