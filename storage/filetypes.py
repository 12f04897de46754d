"""What a received file really is, read from its bytes (never from its name).

Agencies send PDF, Word, Excel, OpenDocument, ZIP/RAR of scans and photos. The
name and the MIME type a chat app reports are whatever the sender's computer
says, so a program renamed ``.pdf`` must be caught by content. Three layers:

- magic numbers: ``filetype`` (a maintained table of ~80 formats; a PDF only with
  ``%PDF-`` at byte 0), after a short table of programs it does not know (scripts,
  Mach-O, Java classes) so that a program with a PDF inside stays a program;
- ZIP containers: every member is looked at — an archive or an OOXML/ODF document
  carrying a program is refused, whatever else it holds — and a document is
  recognised by its required parts, not by a folder name;
- OLE2 compound files (DOC/XLS, encrypted Office): ``olefile`` reads the directory;
  the streams at the top say what it is (a Word file holding a chart stays Word).

A document carrying macros (VBA: ``vbaProject.bin`` in a DOCM/XLSM, a ``Macros`` or
``_VBA_PROJECT_CUR`` storage in a DOC/XLS) is refused like a program: staff open these files,
and a report needs no code. The sender is asked to save it without macros.

``sniff(path)`` returns a kind; ``ACCEPTED`` says which kinds are taken.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import filetype
import olefile

HEAD_BYTES = 8192  # what filetype needs for every format it knows
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"

# programs filetype does not recognise (it knows PE "MZ" and ELF): checked first
PROGRAM_MAGIC: tuple[bytes, ...] = (
    b"#!",  # scripts
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
)
# filetype's extension → our kind; any other format filetype knows is "unknown" (refused)
FILETYPE_KINDS = {"pdf": "pdf", "jpg": "jpg", "png": "png", "rar": "rar", "exe": "executable", "elf": "executable",
                  "wasm": "executable", "crx": "executable", "deb": "executable", "rpm": "executable"}

# kinds taken as submissions → the extension the stored copy gets
ACCEPTED: dict[str, str] = {
    "pdf": "pdf", "doc": "doc", "docx": "docx", "xls": "xls", "xlsx": "xlsx",
    "odt": "odt", "ods": "ods", "zip": "zip", "rar": "rar", "jpg": "jpg", "png": "png",
}
# refused kinds: executable, zip-executable (an archive or document carrying programs), macro (a document
# carrying VBA), encrypted (password-protected Office file), damaged (a broken container), empty, unknown

# names of the original file that fit a kind (a real .doc named .docx still opens in Word)
NAME_EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "doc": frozenset({"doc", "docx", "dot"}), "docx": frozenset({"docx", "doc", "docm"}),
    "xls": frozenset({"xls", "xlsx"}), "xlsx": frozenset({"xlsx", "xls", "xlsm"}),
    "odt": frozenset({"odt"}), "ods": frozenset({"ods"}),
    "zip": frozenset({"zip"}), "rar": frozenset({"rar"}),
    "jpg": frozenset({"jpg", "jpeg", "jpe", "jfif"}), "png": frozenset({"png"}),
}

# members that make an archive (or a document) a carrier of programs rather than of scans
RISKY_MEMBERS = frozenset({
    "exe", "dll", "com", "scr", "pif", "msi", "bat", "cmd", "ps1", "vbs", "vbe", "js", "jse",
    "wsf", "hta", "jar", "lnk", "sh", "apk", "cpl",
})
# macro-enabled Office files inside an archive, and the VBA part of an OOXML package
MACRO_MEMBERS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam"})
VBA_PART = "vbaproject.bin"
# OLE2 storages that hold a Word (Macros) or Excel (_VBA_PROJECT_CUR) file's VBA project
OLE_MACRO_STORAGES = frozenset({"Macros", "_VBA_PROJECT_CUR"})
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# OOXML: the parts a package of each kind must have (ECMA-376 part 2, the main document part)
OOXML_MAIN_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "unknown"))
# top-level OLE2 streams that say what a compound file holds (checked in this order)
OLE_STREAMS: tuple[tuple[str, str], ...] = (
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),  # Excel 5/95
    ("EncryptedPackage", "encrypted"),  # a password-protected DOCX/XLSX
)


def sniff(path: Path) -> str:
    """The kind of the file at ``path``: one of ``ACCEPTED`` or a refusal kind."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        return "empty"
    if head.startswith(PROGRAM_MAGIC):
        return "executable"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    guessed = filetype.guess(head)
    if guessed is None:
        return "unknown"
    kind = FILETYPE_KINDS.get(guessed.extension, "unknown")
    if kind == "pdf" and not head.startswith(PDF_MAGIC):  # "%PDF" without the dash is not a PDF header
        return "unknown"
    return kind


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            mimetype = _read_member(zf, "mimetype", 100) if "mimetype" in names else None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError):
        return "damaged"
    if not names:
        return "empty"
    if any(_extension(n) in RISKY_MEMBERS for n in names):  # before anything that would accept it
        return "zip-executable"
    if any(_extension(n) in MACRO_MEMBERS or n.rsplit("/", 1)[-1].lower() == VBA_PART for n in names):
        return "macro"
    if mimetype is not None:
        return ODF_MIMETYPES.get(mimetype.strip(), "unknown")
    members = set(names)
    if "[Content_Types].xml" in members:
        return next((kind for part, kind in OOXML_MAIN_PARTS if part in members), "unknown")
    if any(n.startswith(("word/", "xl/", "ppt/")) for n in names):
        return "unknown"  # looks like Office but lacks its parts: Word and Excel would not open it
    return "zip"


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as member:
        return member.read(limit)


def _ole_kind(path: Path) -> str:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            top = {entry[0] for entry in ole.listdir(streams=True, storages=True) if len(entry) == 1}
    except Exception:  # noqa: BLE001 - olefile raises OSError, ValueError, IndexError, struct.error... on damage
        return "damaged"
    if top & OLE_MACRO_STORAGES:
        return "macro"
    return next((kind for stream, kind in OLE_STREAMS if stream in top), "unknown")


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def extension_of(name: str) -> str:
    """The lowercase extension of a file name ("" if none)."""
    return _extension(name)
