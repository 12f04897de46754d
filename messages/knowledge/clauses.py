"""The parts of a message: which ones ask something, which ones only set the scene.

People write several things in one message: a greeting, who they are, a premise, then one or two
questions ("Dạ em ở đặc khu Kiên Hải. Khi đoàn xuống thì bên em bố trí những ai ạ? Em cảm ơn.").
A message is cut into sentences and, within a sentence, at turns such as ", còn …" or ", vậy …".
Where some sentences end with "?", only those ask; a part before ", vậy …" is its premise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAKS = re.compile(r"(?<=[?!;])\s*|(?<=[^\W\d_]{3}[.…])\s+(?=[^\W\d_])")
_TURNS = re.compile(r",\s*(?=(?:còn|vậy|thế thì|ngoài ra|thêm nữa|với lại|và nếu|và cho hỏi|cho hỏi thêm"
                    r"|con|vay|the thi|ngoai ra|them nua|voi lai|va neu|va cho hoi|cho hoi them"  # typed without marks
                    r"|and (?:what|when|where|who|how|which|by when))(?!\w))", re.I)
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
        pieces = [p.strip() for p in _TURNS.split(sentence) if len(p.split()) >= 2]
        first = max((i for i, p in enumerate(pieces) if _PREMISE_ENDS.match(p)), default=0)
        out += [Clause(p, (is_question or not some_marked) and i >= first) for i, p in enumerate(pieces)]
    return out


__all__ = ["Clause", "clauses"]
