"""The content sniffer, file-name sanitising and the content-addressed file store."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from data.files import samples
from handlers.types import FileTooLarge
from storage.files import FileStore, FileStoreError, safe_name
from storage.filetypes import ACCEPTED, sniff


@pytest.mark.parametrize("make, kind", [
    (samples.pdf, "pdf"),
    # a PDF starts with its header: "%PDF-" further in is any file quoting it
    (lambda: b"\n\n  junk from a scanner driver\n%PDF-1.3\n" + samples.pdf()[9:], "unknown"),
    (lambda: b"<html><body>%PDF-1.4 see the report</body></html>", "unknown"),
    (lambda: b"echo hi\n# %PDF-1.4\nrm -rf ~\n", "unknown"),
    (lambda: b"#!/bin/sh\n# %PDF-1.4\nrm -rf ~\n", "executable"),
    (lambda: b"%PDF1.4 no dash", "unknown"),
    # OOXML and ODF packages are read member by member: a program inside is refused
    (lambda: samples.zip_of({**_members(samples.docx()), "word/media/payload.exe": samples.exe()}), "zip-executable"),
    (lambda: samples.zip_of({**_members(samples.xlsx()), "xl/embeddings/run.bat": b"del *"}), "zip-executable"),
    (lambda: samples.zip_of({**_members(samples.odt()), "Pictures/x.js": b"alert(1)"}), "zip-executable"),
    (lambda: samples.zip_of({"[Content_Types].xml": b"<Types/>", "word/x.xml": b"<x/>"}), "unknown"),
    (lambda: samples.zip_of({"word/document.xml": b"<x/>"}), "unknown"),  # no package: Word would not open it
    (lambda: b"GIF89a" + b"\x00" * 64, "unknown"),  # a format we know and do not take
    (samples.docx, "docx"), (samples.xlsx, "xlsx"), (samples.odt, "odt"), (samples.ods, "ods"),
    (samples.doc, "doc"), (samples.xls, "xls"), (samples.doc_with_embedded_sheet, "doc"),
    (lambda: samples.zip_of({"a.jpg": samples.jpeg()}), "zip"),
    (samples.rar, "rar"), (samples.jpeg, "jpg"), (samples.png, "png"),
    (samples.exe, "executable"), (samples.elf, "executable"), (samples.script, "executable"),
    (lambda: samples.exe() + samples.pdf(), "executable"),  # a program with a PDF inside is a program
    (lambda: samples.zip_of({"a.jpg": samples.jpeg(), "b/run.EXE": samples.exe()}), "zip-executable"),
    (lambda: samples.zip_of({"ppt/slides/slide1.xml": b"<x/>"}), "unknown"),
    (samples.encrypted_office, "encrypted"),
    # macros: a report needs no code, and staff open these files
    (samples.docm, "macro"),
    (lambda: samples.zip_of({**_members(samples.xlsx()), "xl/vbaProject.bin": b"\xd0\xcf"}), "macro"),
    (lambda: samples.zip_of({"a.jpg": samples.jpeg(), "bc.docm": samples.docx()}), "macro"),
    (lambda: samples.ole({"WordDocument": b"\x00" * 64, "Macros": {"VBA": {"dir": b""}}}), "macro"),
    (lambda: samples.ole({"Workbook": b"\x00" * 64, "_VBA_PROJECT_CUR": {"VBA": {"dir": b""}}}), "macro"),
    (lambda: samples.ole({"PowerPoint Document": b""}), "unknown"),
    (lambda: samples.docx()[:200], "damaged"),
    (lambda: samples.doc()[:600], "damaged"),
    (lambda: samples.zip_of({}), "unknown"),  # an empty archive has no local header: not a zip we take
    (lambda: b"<html><script>alert(1)</script>", "unknown"),
    (lambda: b"", "empty"),
])
def test_sniff_reads_the_content_not_the_name(tmp_path, make, kind):
    path = tmp_path / "looks-like.pdf"
    path.write_bytes(make())
    assert sniff(path) == kind


def _members(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_a_crafted_ole_directory_loop_does_not_hang(tmp_path):
    data = bytearray(samples.doc())
    # point the root's child at itself and the FAT entry of the directory sector at itself
    root = 512 + 512  # header + FAT sector: the directory starts here
    data[root + 76:root + 80] = (0).to_bytes(4, "little")
    data[512 + 4:512 + 8] = (1).to_bytes(4, "little")
    path = tmp_path / "loop.doc"
    path.write_bytes(bytes(data))
    assert sniff(path) in ("unknown", "damaged")


@pytest.mark.parametrize("name, kind, expected", [
    ("Báo cáo.pdf", "pdf", "Báo cáo.pdf"),
    ("Ba\u0301o ca\u0301o.pdf", "pdf", "Báo cáo.pdf"),
    ("../../../etc/passwd", "pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\x.docx", "docx", "x.docx"),
    ("/abs/path/file.PDF", "pdf", "file.PDF"),
    ("scan.jpeg", "jpg", "scan.jpeg"),
    ("bc.doc", "docx", "bc.doc"),  # Word opens either
    ("bc.xls", "pdf", "bc.xls.pdf"),
    ("evil\u202egpj.exe", "jpg", "evilgpj.exe.jpg"),
    ("a\u200bb\u0007c.pdf", "pdf", "abc.pdf"),
    ("   .  ", "pdf", "tep.pdf"),
    (None, "jpg", "tep.jpg"),
    ("x" * 500, "zip", "x" * 116 + ".zip"),
    ("đề xuất....pdf", "pdf", "đề xuất.pdf"),
])
def test_safe_name(name, kind, expected):
    assert safe_name(name, kind, "tep") == expected


async def _fetch_bytes(data: bytes):
    async def fetch(dest, max_bytes):
        if len(data) > max_bytes:
            raise FileTooLarge()
        dest.write_bytes(data)
    return fetch


async def test_receive_keep_and_release(tmp_path):
    store = FileStore(tmp_path / "files")
    data = samples.pdf()
    received = await store.receive(await _fetch_bytes(data), 1 << 20)
    assert received.accepted and received.kind == "pdf" and received.size == len(data)
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    rel = store.keep(received)
    assert rel == f"{received.sha256[:2]}/{received.sha256[2:4]}/{received.sha256}.pdf"
    assert store.path(rel).read_bytes() == data and not received.temp.exists()
    # the same content again: one file, the second temp removed
    again = await store.receive(await _fetch_bytes(data), 1 << 20)
    assert store.keep(again) == rel and not again.temp.exists()
    store.release(rel, drop=True)  # someone else still uses it
    assert store.exists(rel)
    store.release(rel, drop=True)
    assert not store.exists(rel)


async def test_receive_cleans_up_when_the_fetch_fails(tmp_path):
    store = FileStore(tmp_path / "files")
    with pytest.raises(FileTooLarge):
        await store.receive(await _fetch_bytes(b"x" * 100), 10)
    assert list((tmp_path / "files" / ".tmp").iterdir()) == []


async def test_keep_refuses_what_is_not_accepted_and_reports_a_failed_move(tmp_path, monkeypatch):
    store = FileStore(tmp_path / "files")
    exe = await store.receive(await _fetch_bytes(samples.exe()), 1 << 20)
    with pytest.raises(ValueError):
        store.keep(exe)
    pdf = await store.receive(await _fetch_bytes(samples.pdf()), 1 << 20)

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(FileStoreError):
        store.keep(pdf)
    assert not pdf.temp.exists()


def test_paths_cannot_leave_the_root(tmp_path):
    store = FileStore(tmp_path)
    for bad in ("../x.pdf", "/etc/passwd", "ab/../../x", ""):
        with pytest.raises(ValueError):
            store.path(bad)
        assert not store.exists(bad)


def test_stale_temp_files_are_cleaned(tmp_path):
    store = FileStore(tmp_path)
    temp_dir = tmp_path / ".tmp"
    temp_dir.mkdir()
    old, fresh = temp_dir / "in-old", temp_dir / "in-fresh"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    past = time.time() - 3 * 24 * 3600
    os.utime(old, (past, past))
    store.temp_path()  # first use in this process sweeps leftovers of a crash
    assert not old.exists() and fresh.exists()


def test_every_accepted_kind_has_a_sample_and_an_extension():
    assert set(ACCEPTED) == {"pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "zip", "rar", "jpg", "png"}


def test_ole_files_from_another_writer(tmp_path):
    """Not only our own OLE writer: xlwt writes real BIFF8 workbooks in its own compound file."""
    import io

    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    wb.add_sheet("BC").write(0, 0, "Đơn vị")
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "bao-cao.xls"
    path.write_bytes(buf.getvalue())
    assert sniff(path) == "xls"
    path.write_bytes(buf.getvalue()[:1536])  # cut inside the FAT
    assert sniff(path) == "damaged"


def test_a_word_file_written_by_libreoffice(tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / "bc.txt"
    source.write_text("Báo cáo tự kiểm tra", encoding="utf-8")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(source)], capture_output=True, timeout=120, check=True)
    assert sniff(tmp_path / "bc.doc") == "doc"
