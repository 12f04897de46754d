"""The parts of a message: which ones ask something, which ones only set the scene.

People write several things in one message: a greeting, who they are, a premise, then one or two
questions ("Dạ em ở đặc khu Kiên Hải. Khi đoàn xuống thì bên em bố trí những ai ạ? Em cảm ơn.").
A message is cut into sentences and, within a sentence, at turns such as ", còn …" or ", vậy …",
and at a comma or "và" between two asks ("bao nhiêu xã, chọn theo cách nào"; "phải làm gì và nộp
trước ngày nào"): a joint splits only where the words on each side hold a question word of their own,
so "nộp cho ai và trước ngày nào" splits and "báo cáo và tài liệu gì" does not.
Where some sentences end with "?", only those ask; a part before ", vậy …" is its premise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAKS = re.compile(r"(?<=[?!;])\s*|(?<=[^\W\d_]{3}[.…])\s+(?=[^\W\d_])")
_TURNS = re.compile(r",\s*(?=(?:còn|vậy|thế thì|ngoài ra|thêm nữa|với lại|và nếu|và cho hỏi|cho hỏi thêm"
                    r"|con|vay|the thi|ngoai ra|them nua|voi lai|va neu|va cho hoi|cho hoi them"  # typed without marks
                    r"|and (?:what|when|where|who|how|which|by when))(?!\w))", re.I)
_JOINTS = re.compile(r"\s*,\s*|\s+(?:và|va)\s+", re.I)
# a question word: what makes each side of a joint a question of its own (marked and unmarked forms);
# not before "cũng", where it means "every" ("năm nào cũng", "ai cũng")
_QUESTION_WORD = re.compile(r"(?<!\w)(?:gì|gi|nào|nao|bao nhiêu|bao nhieu|bao giờ|bao gio|mấy|ai|đâu|thế nào"
                            r"|the nao|có phải|co phai)(?!\w)(?!\s+(?:cũng|cung)\b)", re.I)
# "…không?" at the end; a short segment asking only that may be the tail of a name cut at its "và"
# ("Sở Dân tộc và | Tôn giáo ko?"), so a segment needs four words to ask with the tag alone
_TAG = re.compile(r"(?<!\w)(?:không|khong|chưa|chua|ko|k|hông|hok)(?:\s+(?:ạ|ạh|vậy|nhỉ|ha|hả|a))?$", re.I)
TAG_ALONE_WORDS = 4
_PREMISE_ENDS = re.compile(r"^(?:vậy|thế thì|vay|the thi)\s", re.I)  # "…, vậy …": what came before is the premise


@dataclass(frozen=True)
class Clause:
    text: str
    asks: bool  # it may be answered (the other clauses only give context: a unit, a count)


def clauses(text: str) -> list[Clause]:
    sentences = [s.strip() for s in _BREAKS.split(text.strip()) if s.strip()]
    marked = [s.endswith("?") for s in sentences]
    some_marked = any(marked) and not all(marked)
    out: list[Clause] = []
    for sentence, is_question in zip(sentences, marked):
        pieces = [q for p in _TURNS.split(sentence) if len(p.split()) >= 2 for q in _asks(p.strip())]
        first = max((i for i, p in enumerate(pieces) if _PREMISE_ENDS.match(p)), default=0)
        out += [Clause(p, (is_question or not some_marked) and i >= first) for i, p in enumerate(pieces)]
    return out


def _asks(piece: str) -> list[str]:
    """``piece`` cut before each segment (between commas or "và") that asks on its own, when the text
    since the last cut asks too. A list of names ("bao nhiêu xã, phường, đặc khu …") is not cut: its
    items ask nothing."""
    bounds = [0, *(i for m in _JOINTS.finditer(piece) for i in m.span()), len(piece)]
    segments = [(a, b) for a, b in zip(bounds[::2], bounds[1::2]) if b > a]  # the text between joints
    out, start = [], 0
    for (_, end), (next_start, next_end) in zip(segments, segments[1:]):
        following = piece[next_start:next_end]
        if _asks_alone(following) and _asking(piece[start:end]):
            out.append(piece[start:end].strip())
            start = next_start
    return [*out, piece[start:].strip()]


def _asking(text: str) -> bool:
    text = text.strip(" ?.!")
    return bool(_QUESTION_WORD.search(text) or _TAG.search(text))


def _asks_alone(segment: str) -> bool:
    """A segment that can be a question of its own: three words or more with a question word, or four
    with the "không?" tag alone."""
    text, words = segment.strip(" ?.!"), len(segment.split())
    return words >= 3 and bool(_QUESTION_WORD.search(text)) or words >= TAG_ALONE_WORDS and bool(_TAG.search(text))


__all__ = ["Clause", "clauses"]
