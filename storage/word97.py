"""The body text of a Word 97–2003 binary document (.doc), read from its piece table.

Offices still send .doc, and no maintained Python library reads its text (python-docx reads only
DOCX; antiword and catdoc are C programs not installed with the bot). The words need only two
structures of [MS-DOC]: the File Information Block at the head of the ``WordDocument`` stream
says which table stream holds the piece table (``Clx``), where, and how many characters the main
document has; the piece table says where each run of those characters lies in ``WordDocument``,
as UTF-16 or as one byte per character (cp1252). Formatting, page headers, footnotes and embedded
objects are not read: the content check needs the words of the body, and a Vietnamese report
names its unit, year and subject there. Field codes (``PAGE``, ``HYPERLINK "…"``) are dropped and
the result the page shows is kept.

Damage of any sort raises (``ValueError`` and ``struct.error`` here, ``OSError`` from olefile);
the caller turns that into "unreadable", as for every other format.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterator

WORD_IDENT = 0xA5EC
FIRST_WORD97_NFIB = 0x00C0  # Word 6 and 95 (nFib 0x65, 0x68) keep their text another way
_F_ENCRYPTED = 0x0100  # FibBase.fEncrypted: RC4 or XOR obfuscation, nothing readable without the password
_F_TABLE_1 = 0x0200  # FibBase.fWhichTblStm: the piece table is in "1Table", else "0Table"
_CLX_PAIR = 33  # fcClx/lcbClx: the 34th (offset, size) pair of FibRgFcLcb97
_COMPRESSED = 0x40000000  # FcCompressed.fCompressed: 8-bit characters at fc / 2
_CHUNK = 32_768  # characters decoded at a time, so a budget stops a long piece early

# characters that end a line as the page shows it: paragraph, table cell or row, line break, page break
_LINE_ENDS = {"\r": "\n", "\x07": "\n", "\x0b": "\n", "\x0c": "\n"}
# a field: begin [code] separator [result shown] end; fields nest
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_SPECIAL = {"\x1e": "-", "\x1f": "", "\xa0": " "}  # non-breaking and optional hyphens, no-break space


class Encrypted(Exception):
    """Protected with a password."""


class OlderFormat(Exception):
    """Word 6 or Word 95: no piece table of this shape."""


@dataclass(frozen=True)
class Layout:
    table_stream: str  # "0Table" or "1Table"
    body_chars: int  # ccpText: the main document, before footnotes, headers and comments
    clx_at: int
    clx_size: int


@dataclass(frozen=True)
class _Piece:
    start: int  # character positions [start, end) of the document
    end: int
    offset: int  # byte offset in WordDocument
    compressed: bool


def layout(word: bytes) -> Layout:
    """What the File Information Block says, counting its variable parts (csw, cslw, cbRgFcLcb)
    rather than trusting fixed offsets, which differ from one Word version to the next."""
    ident, nfib = struct.unpack_from("<HH", word, 0)
    if ident != WORD_IDENT:
        raise ValueError("no Word File Information Block")
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if flags & _F_ENCRYPTED:
        raise Encrypted
    if nfib < FIRST_WORD97_NFIB:
        raise OlderFormat
    pos = 0x20
    (csw,) = struct.unpack_from("<H", word, pos)
    pos += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", word, pos)
    (body_chars,) = struct.unpack_from("<i", word, pos + 2 + 12)  # FibRgLw97.ccpText
    pos += 2 + 4 * cslw
    (pairs,) = struct.unpack_from("<H", word, pos)
    if pairs <= _CLX_PAIR:
        raise ValueError("no piece table in the File Information Block")
    clx_at, clx_size = struct.unpack_from("<II", word, pos + 2 + 8 * _CLX_PAIR)
    if body_chars < 0 or clx_size == 0:
        raise ValueError("no text described")
    return Layout("1Table" if flags & _F_TABLE_1 else "0Table", body_chars, clx_at, clx_size)


def lines(word: bytes, table: bytes, at: Layout, max_chars: int) -> Iterator[str]:
    """The body's lines as the page shows them (fields by their result), about ``max_chars`` at most."""
    pending, fields, kept = [], [], 0  # fields: per open field, whether its code part is still running
    for piece in _pieces(table, at):
        for chunk in _decoded(word, piece, at.body_chars):
            for ch in chunk:
                if ch == _FIELD_BEGIN:
                    fields.append(True)
                elif ch == _FIELD_SEPARATOR:
                    if fields:
                        fields[-1] = False
                elif ch == _FIELD_END:
                    if fields:
                        fields.pop()
                elif any(fields):
                    continue  # a field's code, not what the page shows
                elif ch in _LINE_ENDS:
                    yield "".join(pending)
                    pending = []
                elif ch in _SPECIAL:
                    pending.append(_SPECIAL[ch])
                elif ch == "\t" or ch >= " ":
                    pending.append(ch)
                    kept += 1
                # other control characters mark pictures, footnote references and the like: skipped
            if kept >= max_chars:
                break
        if kept >= max_chars:
            break
    if pending:
        yield "".join(pending)


def _pieces(table: bytes, at: Layout) -> list[_Piece]:
    clx = table[at.clx_at:at.clx_at + at.clx_size]
    if len(clx) != at.clx_size:
        raise ValueError("piece table beyond the table stream")
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc: property modifiers, skipped
        (size,) = struct.unpack_from("<h", clx, i + 1)
        i += 3 + max(size, 0)
    if i >= len(clx) or clx[i] != 0x02:
        raise ValueError("no Pcdt in the Clx")
    (size,) = struct.unpack_from("<I", clx, i + 1)
    plc = clx[i + 5:i + 5 + size]
    if len(plc) != size or size < 16 or (size - 4) % 12:
        raise ValueError("a damaged PlcPcd")
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces = []
    for k in range(count):
        (fc,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * k + 2)
        compressed = bool(fc & _COMPRESSED)
        fc &= 0x3FFFFFFF
        if cps[k + 1] > cps[k]:
            pieces.append(_Piece(cps[k], cps[k + 1], fc // 2 if compressed else fc, compressed))
    return pieces


def _decoded(word: bytes, piece: _Piece, body_chars: int) -> Iterator[str]:
    """The piece's characters that belong to the body, in chunks."""
    end = min(piece.end, body_chars)
    width = 1 if piece.compressed else 2
    for start in range(piece.start, end, _CHUNK):
        count = min(_CHUNK, end - start)
        at = piece.offset + (start - piece.start) * width
        raw = word[at:at + count * width]
        if len(raw) != count * width:
            raise ValueError("text beyond the WordDocument stream")
        yield raw.decode("cp1252", errors="replace") if piece.compressed else raw.decode("utf-16-le", "replace")
