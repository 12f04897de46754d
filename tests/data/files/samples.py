"""Tiny real files made on the fly, so no binary sits in the repository.

PDF, DOCX, ODT/ODS, ZIP, PNG and the OLE2 compound files (DOC/XLS) are complete and
well-formed; XLSX is written by openpyxl. JPEG, RAR and the executables are only
their true headers (what a content sniffer reads), not full files.

Import from a test: ``from data.files import samples``.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib


def pdf(text: str = "Bao cao tu kiem tra CCHC 2020") -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _zip(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    """Members stamped with one fixed time, so the same sample is the same bytes on every call
    (a test comparing two calls must not fail when a clock second turns between them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members):
            info = zipfile.ZipInfo(name, date_time=(2020, 9, 1, 8, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def docx(text: str = "Báo cáo tự kiểm tra") -> bytes:
    """A minimal WordprocessingML package Word opens."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip([("[Content_Types].xml", content_types.encode()), ("_rels/.rels", rels.encode()),
                 ("word/document.xml", document.encode())])


def docm() -> bytes:
    """A Word package carrying a VBA project (what Word saves as .docm)."""
    with zipfile.ZipFile(io.BytesIO(docx())) as zf:
        members = [(name, zf.read(name)) for name in zf.namelist()]
    return _zip([*members, ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 vba")])


@functools.cache
def xlsx() -> bytes:
    """Made once per run: openpyxl stamps the save time into the package, and two calls a second
    apart must still be the same file."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Đơn vị", "Số đơn vị trực thuộc đã kiểm tra"])
    wb.active.append(["Sở Y tế", 5])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _odf(mimetype: str, body: str) -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    return _zip([("mimetype", mimetype.encode()), ("META-INF/manifest.xml", manifest.encode()),
                 ("content.xml", content.encode())], stored_first=True)


def odt() -> bytes:
    return _odf("application/vnd.oasis.opendocument.text",
                "<office:text><text:p>Báo cáo</text:p></office:text>")


def ods() -> bytes:
    return _odf("application/vnd.oasis.opendocument.spreadsheet",
                '<office:spreadsheet><table:table table:name="BC"/></office:spreadsheet>')


def zip_of(members: dict[str, bytes]) -> bytes:
    return _zip(list(members.items()))


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    """SOI + JFIF APP0 header + EOI (a scanner's photo starts exactly like this)."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\x00" * 64 + b"\xff\xd9"


def rar() -> bytes:
    return b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64


def exe() -> bytes:
    """A PE header: 'MZ', e_lfanew at 0x3C pointing at 'PE\\0\\0'."""
    head = bytearray(b"MZ" + b"\x00" * 0x3E)
    struct.pack_into("<I", head, 0x3C, 0x40)
    return bytes(head) + b"PE\x00\x00" + b"\x00" * 200


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 57


def script() -> bytes:
    return b"#!/bin/sh\nrm -rf ~\n"


# ---- OLE2 compound files (MS-CFB, version 3, 512-byte sectors) ----------------------------------
ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
STREAM_SIZE = 4096  # at the mini-stream cutoff: stored in regular sectors, no mini FAT needed


def ole(tree: dict) -> bytes:
    """A compound file from ``{"WordDocument": b"..", "ObjectPool": {"Workbook": b""}}``
    (dict values are storages, bytes are streams)."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "left": NOSTREAM, "right": NOSTREAM,
                            "child": NOSTREAM, "start": ENDOFCHAIN, "size": 0}]
    streams: list[tuple[int, bytes]] = []

    def add_children(parent: int, children: dict) -> None:
        ordered = sorted(children, key=lambda n: (len(n), n.upper()))
        indexes = []
        for name in ordered:
            value = children[name]
            index = len(entries)
            entries.append({"name": name, "type": 1 if isinstance(value, dict) else 2, "left": NOSTREAM,
                            "right": NOSTREAM, "child": NOSTREAM, "start": 0, "size": 0})
            indexes.append(index)
            if isinstance(value, dict):
                add_children(index, value)
            else:
                streams.append((index, value))
        if indexes:  # a right-leaning chain: a valid (if unbalanced) binary search tree
            entries[parent]["child"] = indexes[0]
            for a, b in zip(indexes, indexes[1:]):
                entries[a]["right"] = b

    add_children(0, tree)
    dir_sectors = (len(entries) + 3) // 4
    fat = [FATSECT] + [i + 2 for i in range(dir_sectors - 1)] + [ENDOFCHAIN]
    data = b""
    per_stream = STREAM_SIZE // 512
    for index, payload in streams:
        start = len(fat)
        entries[index]["start"], entries[index]["size"] = start, STREAM_SIZE
        fat += [start + i + 1 for i in range(per_stream - 1)] + [ENDOFCHAIN]
        data += payload[:STREAM_SIZE].ljust(STREAM_SIZE, b"\x00")
    assert len(fat) <= 128, "sample too big for one FAT sector"
    fat += [FREESECT] * (128 - len(fat))

    directory = b""
    for e in entries + [None] * (dir_sectors * 4 - len(entries)):
        if e is None:
            directory += b"\x00" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\x00" * 48
            continue
        name = (e["name"] + "\x00").encode("utf-16-le")
        directory += (name.ljust(64, b"\x00") + struct.pack("<HBBIII", len(name), e["type"], 1, e["left"],
                                                              e["right"], e["child"])
                      + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16 + struct.pack("<IQ", e["start"], e["size"]))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([FREESECT] * 108))
    return bytes(header) + struct.pack("<128I", *fat) + directory + data


def word_streams(text: str, *, ascii_tail: str = "", flags: int = 0x0200, nfib: int = 0x00C1) -> dict:
    """The two streams of a Word 97–2003 document whose body is ``text`` (UTF-16, one piece) and then
    ``ascii_tail`` (a second piece of one byte per character, as Word stores Latin text): a File
    Information Block counted as [MS-DOC] lays it out, and a piece table in the table stream."""
    fib = bytearray(1024)
    body = len(text) + len(ascii_tail)
    struct.pack_into("<HH", fib, 0, 0xA5EC, nfib)
    struct.pack_into("<H", fib, 0x0A, flags)
    struct.pack_into("<H", fib, 0x20, 14)  # csw, then fibRgW (28 bytes)
    struct.pack_into("<H", fib, 0x3E, 22)  # cslw, then fibRgLw (88 bytes): ccpText is its 4th long
    struct.pack_into("<i", fib, 0x40 + 12, body)
    struct.pack_into("<H", fib, 0x98, 93)  # cbRgFcLcb: the Word 97 pairs
    unicode_at = len(fib)
    tail_at = unicode_at + 2 * len(text)
    word = bytes(fib) + text.encode("utf-16-le") + ascii_tail.encode("cp1252")
    pieces = [(0, len(text), unicode_at)] + ([(len(text), body, 0x40000000 | tail_at * 2)] if ascii_tail else [])
    plc = struct.pack(f"<{len(pieces) + 1}I", *[p[0] for p in pieces], body)
    plc += b"".join(struct.pack("<HIH", 0, fc, 0) for _, _, fc in pieces)
    clx = b"\x01\x02\x00\x00\x00" + b"\x02" + struct.pack("<I", len(plc)) + plc  # a Prc, then the Pcdt
    fib[0x9A + 33 * 8:0x9A + 34 * 8] = struct.pack("<II", 0, len(clx))
    word = bytes(fib) + word[len(fib):]
    assert len(word) <= STREAM_SIZE, "sample too long for one stream"
    return {"WordDocument": word, "1Table" if flags & 0x0200 else "0Table": clx}


def doc(text: str = "Báo cáo tự kiểm tra\r") -> bytes:
    return ole({**word_streams(text), "\x05SummaryInformation": b""})


def xls() -> bytes:
    return ole({"Workbook": b"\x09\x08", "\x05SummaryInformation": b""})


def doc_with_embedded_sheet() -> bytes:
    """A Word file carrying an Excel chart: still a Word file."""
    return ole({**word_streams("Báo cáo kèm biểu đồ\r"), "ObjectPool": {"_1234": {"Workbook": b""}}})


def encrypted_office() -> bytes:
    return ole({"EncryptionInfo": b"", "EncryptedPackage": b""})


# ---- as a channel hands it over ------------------------------------------------------------------
def incoming(data: bytes, name: str | None = "bao-cao.pdf", *, kind: str = "document",
             declared: int | None | str = "real", mime: str | None = None, calls: list | None = None):
    """An ``IncomingFile`` whose ``fetch`` streams ``data`` in chunks and enforces ``max_bytes``
    as a channel adapter must; ``declared`` is the size the platform announced ("real" = true size)."""
    from handlers.types import FileTooLarge, IncomingFile

    async def fetch(dest, max_bytes: int) -> None:
        if calls is not None:
            calls.append(dest)
        written = 0
        with open(dest, "wb") as fh:
            for start in range(0, len(data), 64 * 1024):
                part = data[start:start + 64 * 1024]
                written += len(part)
                if written > max_bytes:
                    raise FileTooLarge(f"{written} > {max_bytes}")
                fh.write(part)

    size = len(data) if declared == "real" else declared
    return IncomingFile(name=name, size=size, mime=mime, kind=kind, fetch=fetch)
