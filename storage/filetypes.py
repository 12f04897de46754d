"""What a received file really is, read from its bytes (never from its name).

Agencies send PDF, Word, Excel, OpenDocument, ZIP/RAR of scans and photos. The
name and the MIME type a chat app reports are whatever the sender's computer
says, so a program renamed ``.pdf`` must be caught by content. No libmagic: a
short table of signatures, then a look inside the two containers that hide
several formats (ZIP: DOCX/XLSX/ODT/ODS; OLE2: DOC/XLS).

``sniff(path)`` returns a kind; ``ACCEPTED`` says which kinds are taken.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

HEAD_BYTES = 1024  # PDF readers accept the header anywhere in the first KiB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# (magic at offset 0, kind): refusals first, so a program with "%PDF" inside is still a program
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "executable"),  # Windows .exe/.dll/.scr
    (b"\x7fELF", "executable"),  # Linux
    (b"\xfe\xed\xfa\xce", "executable"),  # Mach-O 32
    (b"\xfe\xed\xfa\xcf", "executable"),  # Mach-O 64
    (b"\xce\xfa\xed\xfe", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),  # Mach-O universal / Java class
    (b"#!", "executable"),  # scripts
    (b"%PDF-", "pdf"),
    (OLE_MAGIC, "ole"),  # refined: doc | xls
    (b"PK\x03\x04", "zip"),  # refined: docx | xlsx | odt | ods | zip
    (b"Rar!\x1a\x07\x00", "rar"),  # RAR 4
    (b"Rar!\x1a\x07\x01\x00", "rar"),  # RAR 5
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)

# kinds taken as submissions → the extension the stored copy gets
ACCEPTED: dict[str, str] = {
    "pdf": "pdf", "doc": "doc", "docx": "docx", "xls": "xls", "xlsx": "xlsx",
    "odt": "odt", "ods": "ods", "zip": "zip", "rar": "rar", "jpg": "jpg", "png": "png",
}
# refused kinds: executable, zip-executable (an archive carrying programs), encrypted
# (password-protected Office file), damaged (a broken container), empty, unknown

# names of the original file that fit a kind (a real .doc named .docx still opens in Word)
NAME_EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "doc": frozenset({"doc", "docx", "dot"}), "docx": frozenset({"docx", "doc", "docm"}),
    "xls": frozenset({"xls", "xlsx"}), "xlsx": frozenset({"xlsx", "xls", "xlsm"}),
    "odt": frozenset({"odt"}), "ods": frozenset({"ods"}),
    "zip": frozenset({"zip"}), "rar": frozenset({"rar"}),
    "jpg": frozenset({"jpg", "jpeg", "jpe", "jfif"}), "png": frozenset({"png"}),
}

# members that make an archive a carrier of programs rather than of scans
RISKY_MEMBERS = frozenset({
    "exe", "dll", "com", "scr", "pif", "msi", "bat", "cmd", "ps1", "vbs", "vbe", "js", "jse",
    "wsf", "hta", "jar", "lnk", "sh", "apk", "cpl",
})
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# top-level OLE2 streams that say what a compound file holds (checked in this order)
OLE_STREAMS: tuple[tuple[str, str], ...] = (
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),  # Excel 5/95
    ("EncryptedPackage", "encrypted"),  # a password-protected DOCX/XLSX
)
OLE_MAX_SECTORS = 1 << 16  # bounds every chain walk: a crafted file cannot loop us forever
FREE_SECTOR = 0xFFFFFFFA  # ids at or above this end a chain or mark a free slot


def sniff(path: Path) -> str:
    """The kind of the file at ``path``: one of ``ACCEPTED`` or a refusal kind."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        return "empty"
    kind = next((k for magic, k in SIGNATURES if head.startswith(magic)), None)
    if kind is None and b"%PDF-" in head:
        kind = "pdf"
    if kind == "zip":
        return _zip_kind(path)
    if kind == "ole":
        return _ole_kind(path)
    return kind or "unknown"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                with zf.open("mimetype") as member:
                    return ODF_MIMETYPES.get(member.read(100).strip(), "unknown")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return "damaged"
    if not names:
        return "empty"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "unknown"  # a presentation: not a report format the plan expects
    if any(_extension(n) in RISKY_MEMBERS for n in names):
        return "zip-executable"
    return "zip"


def _ole_kind(path: Path) -> str:
    try:
        names = _ole_root_names(path)
    except (OSError, struct.error, IndexError, ValueError):
        return "damaged"
    return next((kind for stream, kind in OLE_STREAMS if stream in names), "unknown")


def _ole_root_names(path: Path) -> set[str]:
    """Names of the streams at the top of an OLE2 compound file (MS-CFB): follow the
    directory's sector chain through the FAT, then walk the root's red-black tree.
    Embedded objects sit lower in the tree, so a Word file holding a chart stays a Word file."""
    with open(path, "rb") as fh:
        header = fh.read(512)
        sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        if sector_size not in (512, 4096):
            raise ValueError("bad sector size")
        dir_start, = struct.unpack_from("<I", header, 0x30)
        difat_next, difat_count = struct.unpack_from("<II", header, 0x44)
        per_sector = sector_size // 4

        def sector(n: int) -> bytes:
            fh.seek((n + 1) * sector_size)
            data = fh.read(sector_size)
            if len(data) != sector_size:
                raise ValueError("truncated")
            return data

        fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < FREE_SECTOR]
        for _ in range(min(difat_count, OLE_MAX_SECTORS)):
            if difat_next >= FREE_SECTOR:
                break
            entries = struct.unpack(f"<{per_sector}I", sector(difat_next))
            fat_sectors += [s for s in entries[:-1] if s < FREE_SECTOR]
            difat_next = entries[-1]

        def next_in_chain(n: int) -> int:
            fat = sector(fat_sectors[n // per_sector])
            return struct.unpack_from("<I", fat, (n % per_sector) * 4)[0]

        entries: list[bytes] = []
        current, seen = dir_start, set()
        while current < FREE_SECTOR and current not in seen and len(seen) < OLE_MAX_SECTORS:
            seen.add(current)
            data = sector(current)
            entries += [data[i:i + 128] for i in range(0, sector_size, 128)]
            current = next_in_chain(current)

    def field(entry: bytes, offset: int) -> int:
        return struct.unpack_from("<I", entry, offset)[0]

    names: set[str] = set()
    stack, visited = [field(entries[0], 76)], set()  # the root entry's child
    while stack:
        index = stack.pop()
        if index >= len(entries) or index in visited:
            continue
        visited.add(index)
        entry = entries[index]
        name_len = struct.unpack_from("<H", entry, 64)[0]
        names.add(entry[:max(name_len - 2, 0)].decode("utf-16-le", "replace"))
        stack += [field(entry, 68), field(entry, 72)]  # left and right siblings
    return names


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def extension_of(name: str) -> str:
    """The lowercase extension of a file name ("" if none)."""
    return _extension(name)
