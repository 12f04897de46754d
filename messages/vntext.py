"""Vietnamese text helpers shared by the plan, unit names and the question index.

Matching works on a *folded* form (NFC, ``đ``→``d``, no tone marks, lower case,
single spaces); display always keeps the original NFC text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_SPACES = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """Compose decomposed input (Unikey "tổ hợp", macOS file names) to NFC."""
    return unicodedata.normalize("NFC", text)


_NO_MARKS: dict[int, None] | None = None  # every combining mark of the BMP → removed (built on first use)


def strip_marks(text: str) -> str:
    """Drop tone and vowel marks; ``đ``/``Đ`` become ``d``/``D`` (they do not decompose)."""
    global _NO_MARKS
    if text.isascii():  # typed without diacritics: nothing to drop (the question reader's usual case)
        return text
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    if max(decomposed) > "\uffff":
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if _NO_MARKS is None:
        _NO_MARKS = {c: None for c in range(0x10000) if unicodedata.combining(chr(c))}
    return decomposed.translate(_NO_MARKS)


def fold(text: str) -> str:
    """The matching key of a text: no marks, lower case, punctuation as spaces."""
    folded = strip_marks(nfc(text)).lower()
    folded = re.sub(r"[^0-9a-z%]+", " ", folded)
    return _SPACES.sub(" ", folded).strip()


def slug(text: str) -> str:
    """Lowercase ASCII slug, e.g. ``Sở Tài chính`` → ``so-tai-chinh``."""
    return _NON_ALNUM.sub("-", strip_marks(nfc(text)).lower()).strip("-")


def fmt_date(value: date | datetime) -> str:
    """Dates shown to users: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime) -> str:
    """Date-times shown to users: dd/mm/yyyy hh:mm."""
    return value.strftime("%d/%m/%Y %H:%M")


def plain_date(value: date) -> str:
    """A date as the plan itself writes it (``30/9/2020``, day and month unpadded)."""
    return f"{value.day}/{value.month}/{value.year}"


def long_date(value: date) -> str:
    """A document's date in words as the decree on administrative documents (Nghị định 30) writes it:
    days below 10 and the months 1–2 padded ("ngày 05 tháng 02 năm 2021", "ngày 15 tháng 10 năm 2025")."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
