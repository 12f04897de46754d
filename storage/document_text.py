"""The text of a received document, read within a budget (what the content check compares).

PDF with pypdf, DOCX and ODT/ODS by streaming their XML text parts with lxml, XLSX with
openpyxl in read-only mode, XLS with xlrd, DOC through its piece table (``storage.word97``). Memory follows the budget, not the file: a ``PdfReader`` opened
on a path (and python-docx, which loads every part, images included) would hold the whole
file, so the PDF is read from an open file page by page, pypdf's object cache emptied after
each page, and XML elements are freed as soon as their text is taken. The budget also caps pages, characters, the uncompressed size of
each XML part (a zip bomb stops there) and seconds (checked between pages, paragraphs and rows).

It lives beside ``filetypes`` because it reads stored files by their sniffed kind and knows
formats, not plans; comparing the text with the plan is ``handlers.content_check``.
Synchronous and never raising; the bot runs it in a child process (``storage.isolated_read``).
"""

from __future__ import annotations

import logging
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator

log = logging.getLogger("agency_bot.document_text")

MB = 1024 * 1024

# what a reading found
TEXT = "text"  # text was read (possibly cut short by the budget: ``truncated``)
NO_TEXT = "no_text"  # pages or an image without a text layer: a scan or a photo
UNREADABLE = "unreadable"  # damaged or password-protected
NOT_READ = "not_read"  # a format read by no one here (ZIP, RAR, Word 6/95), too large, or out of time

IMAGE_KINDS = frozenset({"jpg", "png"})
MIN_CHARS_PER_PAGE = 25  # fewer letters and digits than this per PDF page: no text layer worth the name

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_HEADER_PART = re.compile(r"^word/header\d*\.xml$")
_VISIBLE = re.compile(r"\w")


@dataclass(frozen=True)
class Budget:
    """How much of a file is read. The first pages carry what the check needs (who, which year, what)."""

    seconds: float = 10.0
    pages: int = 30  # PDF pages
    chars: int = 200_000  # text kept
    part_bytes: int = 64 * MB  # uncompressed size of one XML part of a DOCX/ODT/XLSX
    rows: int = 5_000  # spreadsheet rows
    columns: int = 200  # spreadsheet columns per row
    memory_bytes: int = 512 * MB  # memory the reading process may take beyond its start (``storage.isolated_read``)


@dataclass(frozen=True)
class DocumentText:
    status: str  # TEXT | NO_TEXT | UNREADABLE | NOT_READ
    text: str = ""
    pages: int = 0  # PDF pages (or sheets) read
    truncated: bool = False  # a budget stopped the reading before the end
    reason: str = ""  # UNREADABLE: damaged | encrypted; NOT_READ: format | too-large | timeout; NO_TEXT: image | scan
    sheet: bool = False  # a spreadsheet: lines are rows
    numbers: int = 0  # numeric cells (spreadsheets)


class _Out:
    """Collects lines up to the character budget and watches the clock."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.lines: list[str] = []
        self.chars = 0
        self.full = False
        self._deadline = time.monotonic() + budget.seconds

    def add(self, line: str) -> None:
        line = line.strip()
        if not line or self.full:
            return
        room = self.budget.chars - self.chars
        if len(line) >= room:
            line, self.full = line[:room], True
        self.lines.append(line)
        self.chars += len(line) + 1

    @property
    def stop(self) -> bool:
        return self.full or time.monotonic() > self._deadline

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def without_reading(kind: str) -> DocumentText | None:
    """What is known of a file of this kind without opening it (None: it must be read)."""
    if kind in IMAGE_KINDS:
        return DocumentText(NO_TEXT, reason="image")
    if kind not in _READERS:
        return DocumentText(NOT_READ, reason="format")
    return None


def read_text(path: Path | str, kind: str, budget: Budget = Budget()) -> DocumentText:
    """The text of the file at ``path`` of sniffed ``kind`` (``storage.filetypes``), within ``budget``."""
    if (known := without_reading(kind)) is not None:
        return known
    reader = _READERS[kind]
    try:
        return reader(Path(path), budget)
    except _TooLarge:
        return DocumentText(NOT_READ, reason="too-large")
    except _Encrypted:
        return DocumentText(UNREADABLE, reason="encrypted")
    except MemoryError:  # past the reading process's memory limit: a bomb, or simply too big
        return DocumentText(NOT_READ, reason="too-large")
    except Exception as exc:  # a damaged file of any sort: the check says so, intake goes on
        log.info("could not read %s file %s: %s: %s", kind, Path(path).name, type(exc).__name__, exc)
        return DocumentText(UNREADABLE, reason="damaged")


class _TooLarge(Exception):
    pass


class _Encrypted(Exception):
    pass


# ---- PDF --------------------------------------------------------------------------------
def _pdf(path: Path, budget: Budget) -> DocumentText:
    from pypdf import PdfReader

    out = _Out(budget)
    with open(path, "rb") as fh:  # an open file: pypdf seeks in it instead of loading it whole
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise _Encrypted
        pages = read = failed = 0
        for page in reader.pages:
            pages += 1
            if pages > budget.pages or out.stop:
                break
            read += 1
            try:
                text = page.extract_text() or ""
            except MemoryError:
                raise
            except Exception:  # one broken page does not hide the others
                failed += 1
                continue
            for line in text.splitlines():
                out.add(line)
            reader.resolved_objects.clear()  # pypdf's cache of parsed objects: images would pile up page by page
        truncated = pages > read
    if read and failed == read:
        raise ValueError("no page could be read")
    if read == 0:
        return DocumentText(NOT_READ, reason="timeout") if pages else DocumentText(UNREADABLE, reason="damaged")
    visible = len(_VISIBLE.findall(out.text))
    if visible < MIN_CHARS_PER_PAGE * read:
        return DocumentText(NO_TEXT, text=out.text, pages=read, truncated=truncated, reason="scan")
    return DocumentText(TEXT, out.text, pages=read, truncated=truncated)


def _opens_without_password(reader) -> bool:
    """Many PDFs are "protected" with an owner password only: they open with an empty one."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher (pypdf needs an extra package for AES)
        return False


# ---- DOCX, ODT, ODS: XML parts streamed ---------------------------------------------------
def _docx(path: Path, budget: Budget) -> DocumentText:
    out = _Out(budget)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise ValueError("no word/document.xml")
        parts = sorted(n for n in names if _HEADER_PART.match(n)) + ["word/document.xml"]
        for part in parts:
            for element in _elements(zf, part, budget, out, (f"{_W}p", f"{_W}tr")):  # rows: to free them
                if element.tag == f"{_W}p" and next(element.iterancestors(_MC_FALLBACK), None) is None:
                    out.add(_word_text(element))  # (a text box's fallback copy is skipped)
            if out.stop:
                break
    return _finish(out)


def _word_text(paragraph) -> str:
    """Only ``w:t`` is text (``w:instrText`` is a field code, ``w:delText`` deleted text)."""
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        parts.append(node.text or "" if node.tag == f"{_W}t" else "\t" if node.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def _odt(path: Path, budget: Budget) -> DocumentText:
    return _odf(path, budget, sheet=False)


def _ods(path: Path, budget: Budget) -> DocumentText:
    return _odf(path, budget, sheet=True)


def _odf(path: Path, budget: Budget, *, sheet: bool) -> DocumentText:
    out, numbers = _Out(budget), 0
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "content.xml" not in names:
            raise ValueError("no content.xml")
        if "META-INF/manifest.xml" in names and _odf_encrypted(zf):
            raise _Encrypted
        cell = f"{_TABLE_NS}table-cell"
        for element in _elements(zf, "content.xml", budget, out, (f"{_TEXT_NS}p", f"{_TEXT_NS}h", cell)):
            if element.tag == cell:
                numbers += element.get(f"{_OFFICE_NS}value-type") in ("float", "percentage", "currency")
            else:
                out.add(_odf_text(element))
    return _finish(out, sheet=sheet, numbers=numbers)


def _odf_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_TEXT_NS}s":
            parts.append(" " * int(node.get(f"{_TEXT_NS}c", "1") or 1))
        elif node.tag == f"{_TEXT_NS}tab":
            parts.append("\t")
        elif node.tag == f"{_TEXT_NS}line-break":
            parts.append("\n")
        elif node.text and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not paragraph and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _odf_encrypted(zf: zipfile.ZipFile) -> bool:
    with zf.open("META-INF/manifest.xml") as fh:
        return b"encryption-data" in fh.read(_check_size(zf, "META-INF/manifest.xml", 4 * MB))


def _elements(zf: zipfile.ZipFile, part: str, budget: Budget, out: _Out, tags: tuple[str, ...]) -> Iterator:
    """Each ``tags`` element of an XML part as it closes; freed (with what came before it) once used."""
    from lxml import etree

    _check_size(zf, part, budget.part_bytes)
    with zf.open(part) as fh:
        for _, element in etree.iterparse(_Limited(fh, budget.part_bytes), events=("end",), tag=tags,
                                          resolve_entities=False, no_network=True, huge_tree=False):
            yield element
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
            if out.stop:
                return


def _check_size(zf: zipfile.ZipFile, part: str, limit: int) -> int:
    if zf.getinfo(part).file_size > limit:
        raise _TooLarge
    return limit


class _Limited:
    """A zip member read no further than ``limit`` bytes, whatever its header claims."""

    def __init__(self, fh: IO[bytes], limit: int):
        self._fh, self._left = fh, limit

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(self._left + 1 if n is None or n < 0 else n)
        self._left -= len(data)
        if self._left < 0:
            raise _TooLarge
        return data


# ---- XLSX ----------------------------------------------------------------------------------
def _xlsx(path: Path, budget: Budget) -> DocumentText:
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".xml") and info.file_size > budget.part_bytes:
                raise _TooLarge
    out = _Out(budget)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        numbers, sheets = _sheet_lines(out, budget, (
            (ws.title, ws.iter_rows(values_only=True, max_col=budget.columns)) for ws in wb.worksheets))
    finally:
        wb.close()
    return _finish(out, sheet=True, numbers=numbers, pages=sheets)


# ---- XLS (Excel 97–2003) -------------------------------------------------------------------
def _xls(path: Path, budget: Budget) -> DocumentText:
    """Sheets of a BIFF workbook, row by row within the same budget as XLSX; a password-protected one is
    said so (xlrd reads no encrypted workbook)."""
    import xlrd

    try:
        wb = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise _Encrypted from None
        raise

    def sheets() -> Iterator[tuple[str, Iterator[list]]]:
        for index in range(wb.nsheets):
            ws = wb.sheet_by_index(index)
            try:
                yield ws.name, (ws.row_values(r, 0, budget.columns) for r in range(ws.nrows))
            finally:
                wb.unload_sheet(index)

    out = _Out(budget)
    try:
        numbers, count = _sheet_lines(out, budget, sheets())
    finally:
        wb.release_resources()
    return _finish(out, sheet=True, numbers=numbers, pages=count)


def _sheet_lines(out: _Out, budget: Budget, sheets: Iterator[tuple[str, Iterator]]) -> tuple[int, int]:
    """Each sheet's title, then its rows as "a | b | c", within the row budget; XLSX and XLS alike.
    Returns the numeric cells and the sheets read."""
    numbers = count = rows = 0
    for title, sheet_rows in sheets:
        count += 1
        out.add(title)
        for row in sheet_rows:
            rows += 1
            cells = [v for v in row if v is not None and v != ""]
            numbers += sum(1 for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool))
            out.add(" | ".join(_cell(v) for v in cells))
            if rows >= budget.rows or out.stop:
                return numbers, count
    return numbers, count


# ---- DOC (Word 97–2003) ----------------------------------------------------------------------
def _doc(path: Path, budget: Budget) -> DocumentText:
    """The body of a Word binary document through its piece table (``storage.word97``); Word 6/95
    files are not read, a password-protected one is said so."""
    import olefile

    from storage import word97

    out = _Out(budget)
    with olefile.OleFileIO(str(path)) as ole:
        word = _ole_stream(ole, "WordDocument", budget)
        try:
            at = word97.layout(word)
        except word97.Encrypted:
            raise _Encrypted from None
        except word97.OlderFormat:
            return DocumentText(NOT_READ, reason="format")
        table = _ole_stream(ole, at.table_stream, budget)
        for line in word97.lines(word, table, at, budget.chars):
            out.add(line)
            if out.stop:
                break
    return _finish(out)


def _ole_stream(ole, name: str, budget: Budget) -> bytes:
    """A whole stream (olefile reads no less), refused beyond the part budget before it is read."""
    if ole.get_size(name) > budget.part_bytes:
        raise _TooLarge
    return ole.openstream(name).read()


def _cell(value: object) -> str:
    """xlrd gives every number as a float: 12.0 is written 12, as the sheet shows it."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _finish(out: _Out, *, sheet: bool = False, numbers: int = 0, pages: int = 0) -> DocumentText:
    if not _VISIBLE.search(out.text):
        return DocumentText(NO_TEXT, pages=pages, truncated=out.stop, reason="empty", sheet=sheet)
    return DocumentText(TEXT, out.text, pages=pages, truncated=out.stop, sheet=sheet, numbers=numbers)


_READERS: dict[str, Callable[[Path, Budget], DocumentText]] = {
    "pdf": _pdf, "docx": _docx, "odt": _odt, "ods": _ods, "xlsx": _xlsx, "xls": _xls, "doc": _doc,
}
