"""Reading the text of real documents within a budget (storage/document_text.py)."""

from __future__ import annotations

import io
import zipfile

import pytest

from data.files import documents, samples
from storage.document_text import NO_TEXT, NOT_READ, TEXT, UNREADABLE, Budget, read_text
from storage.filetypes import sniff

LINES = documents.report_lines("UBND huyện Tân Hiệp", 2020, "Tân Hiệp")


def write(tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(tmp_path, data: bytes, name: str, budget: Budget = Budget()):
    path = write(tmp_path, data, name)
    return read_text(path, sniff(path), budget)


def stream_pdf(raw_bytes: int) -> bytes:
    """One page whose content stream inflates to ``raw_bytes`` of text operators (little on disk)."""
    import zlib

    packer, chunk = zlib.compressobj(9), b"BT /F1 9 Tf (a) Tj ET " * 50_000
    stream = b"".join([packer.compress(chunk) for _ in range(raw_bytes // len(chunk))] + [packer.flush()])
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
               b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(stream), stream),
               b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size 6/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_pdf_with_an_embedded_font_reads_in_vietnamese(tmp_path):
    doc = read(tmp_path, documents.pdf(LINES), "bc.pdf")
    assert doc.status == TEXT and doc.pages == 1 and not doc.truncated
    assert "UBND HUYỆN TÂN HIỆP" in doc.text and "Tân Hiệp, ngày 25 tháng 9 năm 2020" in doc.text
    assert "cải cách hành chính" in doc.text


def test_a_scanned_pdf_has_no_text_and_says_so(tmp_path):
    doc = read(tmp_path, documents.scan_pdf(LINES), "scan.pdf")
    assert (doc.status, doc.reason, doc.pages) == (NO_TEXT, "scan", 1)


def test_photos_are_scans_and_other_formats_are_not_read(tmp_path):
    assert read(tmp_path, samples.png(4, 4), "a.png").status == NO_TEXT
    assert read(tmp_path, samples.zip_of({"a.txt": b"x"}), "a.zip").reason == "format"
    assert read(tmp_path, samples.zip_of({"a.txt": b"x"}), "a.zip").status == NOT_READ


def test_docx_reads_the_header_table_the_body_and_page_headers(tmp_path):
    from docx import Document

    data = documents.docx(LINES, header_rows=5)
    document = Document(io.BytesIO(data))
    document.sections[0].header.paragraphs[0].text = "Đầu trang: báo cáo nội bộ"
    buf = io.BytesIO()
    document.save(buf)
    doc = read(tmp_path, buf.getvalue(), "bc.docx")
    assert doc.status == TEXT
    lines = doc.text.splitlines()
    assert lines[0] == "Đầu trang: báo cáo nội bộ"  # page headers first, as they are seen
    assert "UBND HUYỆN TÂN HIỆP" in lines and "Độc lập - Tự do - Hạnh phúc" in lines
    assert lines.index("UBND HUYỆN TÂN HIỆP") < lines.index("BÁO CÁO")
    assert any("41,7%" in line for line in lines)


def test_a_docx_of_only_a_picture_has_no_text(tmp_path):
    from docx import Document

    document = Document()
    picture = tmp_path / "p.png"
    picture.write_bytes(samples.png(8, 8))
    document.add_picture(str(picture))
    buf = io.BytesIO()
    document.save(buf)
    doc = read(tmp_path, buf.getvalue(), "anh.docx")
    assert (doc.status, doc.reason) == (NO_TEXT, "empty")


def test_odt_and_xlsx(tmp_path):
    doc = read(tmp_path, documents.odt(LINES), "bc.odt")
    assert doc.status == TEXT and not doc.sheet and "UBND HUYỆN TÂN HIỆP" in doc.text.splitlines()
    sheet = read(tmp_path, documents.xlsx([["Đơn vị", "UBND huyện Tân Hiệp"], ["Số đơn vị đã kiểm tra", 5],
                                            ["Tỷ lệ", 0.417]]), "pl.xlsx")
    assert sheet.status == TEXT and sheet.sheet and sheet.numbers == 2
    assert "Đơn vị | UBND huyện Tân Hiệp" in sheet.text.splitlines()
    old = read(tmp_path, documents.xls([["Đơn vị", "UBND huyện Tân Hiệp"], ["Số đơn vị đã kiểm tra", 5],
                                        ["Tỷ lệ", 0.417]]), "pl.xls")  # Excel 97–2003, still common
    assert old.status == TEXT and old.sheet and old.numbers == 2
    assert "Đơn vị | UBND huyện Tân Hiệp" in old.text.splitlines() and "Số đơn vị đã kiểm tra | 5" in old.text
    assert read(tmp_path, samples.xls(), "rong.xls").status == UNREADABLE  # an empty Workbook stream


def test_a_word_97_document_reads_its_body_as_the_page_shows_it(tmp_path):
    doc = read(tmp_path, documents.doc(LINES), "bc.doc")
    assert doc.status == TEXT and not doc.sheet and doc.text.splitlines() == LINES
    fields = samples.ole(samples.word_streams(
        "Trang \x13 PAGE \x141\x15 của \x13 NUMPAGES \x13 x \x14\x15\x142\x15\r"  # fields (one nested) show their result
        "Ô một\x07Ô hai\x07\x07\x01Dòng\x0bngắt\r"  # table cells and row end, a picture mark, a line break
        "Phú\x1eQuốc, cải\x1fcách\r",  # a non-breaking hyphen, an optional one
        ascii_tail="Phong Noi vu\r"))  # a second piece, one byte per character
    assert read(tmp_path, fields, "f.doc").text.splitlines() == [
        "Trang 1 của 2", "Ô một", "Ô hai", "Dòng", "ngắt", "Phú-Quốc, cảicách", "Phong Noi vu"]


def test_word_97_that_cannot_be_read_says_why(tmp_path):
    protected = samples.ole(samples.word_streams("Bí mật\r", flags=0x0200 | 0x0100))
    assert (read(tmp_path, protected, "khoa.doc").status, read(tmp_path, protected, "khoa.doc").reason) == (
        UNREADABLE, "encrypted")
    word95 = samples.ole(samples.word_streams("Word 95\r", nfib=0x0068))
    assert (read(tmp_path, word95, "cu.doc").status, read(tmp_path, word95, "cu.doc").reason) == (NOT_READ, "format")
    streams = samples.word_streams("Báo cáo\r")
    word = bytearray(streams["WordDocument"])
    word[0x9A + 33 * 8:0x9A + 33 * 8 + 4] = (5000).to_bytes(4, "little")  # the piece table past the stream's end
    streams["WordDocument"] = bytes(word)
    assert read(tmp_path, samples.ole(streams), "hong.doc").status == UNREADABLE
    long = read(tmp_path, documents.doc(LINES), "dai.doc", Budget(chars=120))
    assert long.status == TEXT and long.truncated and len(long.text) <= 120


def test_a_doc_saved_by_a_real_word_processor_reads_like_its_docx(tmp_path):
    """LibreOffice's "MS Word 97" export: tables, styles and several streams the sample has not."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = write(tmp_path, documents.docx(LINES, header_rows=5), "bc.docx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "doc:MS Word 97", "--outdir", str(tmp_path / "out"), str(source)],
                   capture_output=True, timeout=120, check=True)
    converted = tmp_path / "out" / "bc.doc"
    doc, docx = read_text(converted, sniff(converted)), read_text(source, "docx")
    assert doc.status == TEXT and doc.text == docx.text


def test_damaged_and_protected_files_are_unreadable_not_errors(tmp_path):
    garbled = b"%PDF-1.7\n" + bytes(range(256)) * 40
    assert read(tmp_path, garbled, "hong.pdf").status == UNREADABLE
    real = documents.pdf(LINES)
    cut = real[: len(real) // 3]  # a download that stopped a third of the way
    assert read(tmp_path, cut, "cut.pdf").status in (UNREADABLE, NO_TEXT)

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real)))
    writer.encrypt(user_password="mat-khau", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    protected = read(tmp_path, buf.getvalue(), "khoa.pdf")
    assert (protected.status, protected.reason) == (UNREADABLE, "encrypted")
    owner_only = PdfWriter(clone_from=PdfReader(io.BytesIO(real)))
    owner_only.encrypt(user_password="", owner_password="chu", algorithm="RC4-128")
    buf = io.BytesIO()
    owner_only.write(buf)
    assert read(tmp_path, buf.getvalue(), "in-duoc.pdf").status == TEXT  # opens without a password


def test_budgets_bound_pages_characters_and_time(tmp_path):
    long_pdf = documents.pdf(LINES, pages=12)
    doc = read(tmp_path, long_pdf, "dai.pdf", Budget(pages=3))
    assert doc.status == TEXT and doc.pages == 3 and doc.truncated
    doc = read(tmp_path, long_pdf, "dai2.pdf", Budget(chars=500))
    assert len(doc.text) <= 500 and doc.truncated
    late = read(tmp_path, long_pdf, "dai3.pdf", Budget(seconds=0))
    assert (late.status, late.reason) == (NOT_READ, "timeout")
    words = read(tmp_path, documents.docx(LINES * 50), "dai.docx", Budget(chars=1000))
    assert words.truncated and len(words.text) <= 1000


def test_a_zip_bomb_stops_at_the_part_budget(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(documents.docx(LINES))) as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":  # 50 MB of one repeated paragraph
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 1_500_000)
            out.writestr(info, data)
    doc = read(tmp_path, buf.getvalue(), "bom.docx", Budget(part_bytes=10 * 1024 * 1024))
    assert (doc.status, doc.reason) == (NOT_READ, "too-large")


@pytest.mark.parametrize("kind", ["docx", "xlsx", "odt"])
def test_a_broken_container_is_unreadable(tmp_path, kind):
    path = write(tmp_path, b"PK\x03\x04" + b"\x00" * 200, f"x.{kind}")
    assert read_text(path, kind).status == UNREADABLE


# ---- in a child process (storage/isolated_read.py) -------------------------------------------------
def test_the_child_process_reads_what_the_bot_would(tmp_path):
    from storage.isolated_read import read_isolated

    path = write(tmp_path, documents.pdf(LINES), "bc.pdf")
    assert read_isolated(path, "pdf") == read_text(path, "pdf")
    assert read_isolated(path, "zip").reason == "format"  # nothing to open: no process
    word = write(tmp_path, documents.doc(LINES), "bc.doc")
    assert read_isolated(word, "doc") == read_text(word, "doc") and read_text(word, "doc").status == TEXT


def test_a_reading_past_its_time_is_killed(tmp_path, monkeypatch, caplog):
    """One page that takes seconds to extract: the budget is checked between pages, so the child is killed."""
    import time

    from storage import isolated_read

    monkeypatch.setattr(isolated_read, "KILL_GRACE_S", 0.0)
    path = write(tmp_path, stream_pdf(20 * 1024 * 1024), "mot-trang-dai.pdf")
    started = time.monotonic()
    doc = isolated_read.read_isolated(path, "pdf", Budget(seconds=0.5, pages=1))
    assert (doc.status, doc.reason) == (NOT_READ, "timeout")
    assert time.monotonic() - started < 3
    assert "took longer than" in caplog.text  # stopped by the parent, not by the reader's own check


def test_a_reading_past_its_memory_stops_without_touching_the_bot(tmp_path):
    from storage.isolated_read import read_isolated

    path = write(tmp_path, stream_pdf(40 * 1024 * 1024), "dai.pdf")  # 40 MB of drawing operators
    doc = read_isolated(path, "pdf", Budget(memory_bytes=16 * 1024 * 1024))
    assert (doc.status, doc.reason) == (NOT_READ, "too-large")


def test_a_pdf_bomb_is_refused_by_the_reader(tmp_path):
    """A content stream inflating to 100 MB: pypdf's own limit (75 MB) stops it, in the child."""
    from storage.isolated_read import read_isolated

    doc = read_isolated(write(tmp_path, stream_pdf(100 * 1024 * 1024), "bom.pdf"), "pdf")
    assert (doc.status, doc.text) == (UNREADABLE, "")
