"""Real report documents made on the fly: DOCX with python-docx, PDF with fpdf2 (a TrueType font
embedded with its Unicode map, as Word's "Save as PDF" does), a scanned page (text drawn into an
image, no text layer), ODT written to the OpenDocument schema.

The text is a self-inspection report as a unit writes it: the unit's name at the top, the
quốc hiệu, place and date, the title, prose. Import from a test: ``from data.files import documents``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "ke-hoach-32-kh-ubnd-2020.txt"  # the plan as published
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
)


def font() -> str:
    """A TrueType font with Vietnamese letters, or skip the test saying which were looked for."""
    for candidate in FONTS:
        if Path(candidate).is_file():
            return candidate
    pytest.skip(f"no TrueType font with Vietnamese letters for making PDFs (looked for {', '.join(FONTS)})")


def report_lines(unit: str, year: int, place: str, *, parent: str | None = None, day: int = 25,
                 month: int = 9) -> list[str]:
    """A self-inspection report of ``unit`` for ``year``, dated ``day/month/year`` at ``place``."""
    head = [parent.upper()] if parent else []
    return head + [
        unit.upper(),
        f"Số: 85/BC-{''.join(w[0] for w in unit.split()).upper()}",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"{place}, ngày {day:02d} tháng {month} năm {year}",
        "BÁO CÁO",
        f"Kết quả tự kiểm tra công tác cải cách hành chính năm {year}",
        "Kính gửi: Ủy ban nhân dân tỉnh (qua Sở Nội vụ)",
        f"Thực hiện kế hoạch kiểm tra công tác cải cách hành chính năm {year} của Ủy ban nhân dân tỉnh, "
        f"{unit} báo cáo kết quả tự kiểm tra như sau:",
        "I. KẾT QUẢ TỰ KIỂM TRA",
        "1. Công tác chỉ đạo, điều hành",
        f"{unit} đã ban hành kế hoạch tự kiểm tra công tác cải cách hành chính năm {year}, thành lập tổ "
        "kiểm tra và tổ chức kiểm tra tại 5 trên 12 đơn vị trực thuộc, đạt 41,7% số đơn vị, vượt chỉ tiêu "
        "từ 30% trở lên mà kế hoạch của tỉnh đặt ra.",
        "2. Kết quả kiểm tra các đơn vị trực thuộc",
        "Qua kiểm tra, các đơn vị đã niêm yết công khai thủ tục hành chính đầy đủ, tiếp nhận và trả kết quả "
        "đúng hạn; một số đơn vị còn chậm cập nhật hồ sơ lên hệ thống một cửa điện tử, cần khắc phục ngay.",
        "II. ĐÁNH GIÁ, RÚT KINH NGHIỆM",
        "Công tác tự kiểm tra được thực hiện nghiêm túc, đúng kế hoạch; qua đó phát hiện và chấn chỉnh kịp "
        "thời những tồn tại, hạn chế trong thực hiện nhiệm vụ cải cách hành chính của cơ quan, đơn vị.",
        "Nơi nhận: - Như trên; - Lưu: VT.",
    ]


def template_lines(year: int) -> list[str]:
    """The report form as handed out: headings and dotted blanks, nothing filled in."""
    return [
        "TÊN CƠ QUAN, ĐƠN VỊ", "Số: ……/BC-……", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", f"……, ngày …… tháng …… năm {year}", "BÁO CÁO",
        f"Kết quả tự kiểm tra công tác cải cách hành chính năm {year}",
        "I. KẾT QUẢ TỰ KIỂM TRA", "1. Công tác chỉ đạo, điều hành cải cách hành chính", "……………………………………",
        "2. Kết quả kiểm tra các đơn vị trực thuộc", "- Số đơn vị đã kiểm tra: ……; tỷ lệ: ……%",
        "II. ĐÁNH GIÁ, RÚT KINH NGHIỆM", "……………………………………", "III. KIẾN NGHỊ, ĐỀ XUẤT", "……………………………………",
    ]


def plan_lines() -> list[str]:
    """The plan itself, as published (the seed text without its markdown)."""
    return [re.sub(r"[*#]", "", line).strip() for line in SEED.read_text(encoding="utf-8").splitlines()]


# ---- writers ---------------------------------------------------------------------------------
def docx(lines: list[str], *, header_rows: int = 0) -> bytes:
    """A Word document; the first ``header_rows`` lines go in a borderless two-column table as the
    issuing body and quốc hiệu do in real documents (left: lines before the quốc hiệu)."""
    from docx import Document

    document = Document()
    if header_rows:
        left = [line for line in lines[:header_rows] if not _national(line)]
        right = [line for line in lines[:header_rows] if _national(line)]
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "\n".join(left)
        table.cell(0, 1).text = "\n".join(right)
    for line in lines[header_rows:]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _national(line: str) -> bool:
    return line.startswith(("CỘNG HÒA", "Độc lập")) or ", ngày" in line


def pdf(lines: list[str], *, pages: int = 1) -> bytes:
    """A text PDF; ``pages`` > 1 repeats the text on that many pages."""
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_font("body", fname=font())
    document.set_font("body", size=12)
    for _ in range(pages):
        document.add_page()
        for line in lines:
            document.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def scan_pdf(lines: list[str]) -> bytes:
    """A scanned page: the text drawn into a picture, the picture placed on a PDF page, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
    draw, face = ImageDraw.Draw(image), ImageFont.truetype(font(), 22)
    y = 80
    for line in lines:
        for start in range(0, len(line), 90):
            draw.text((100, y), line[start:start + 90], fill=0, font=face)
            y += 32
    picture = io.BytesIO()
    image.save(picture, format="PNG")
    document = FPDF(format="A4")
    document.add_page()
    document.image(picture, x=0, y=0, w=210, h=297)
    return bytes(document.output())


def odt(lines: list[str]) -> bytes:
    """An OpenDocument text: a heading and paragraphs (what LibreOffice Writer saves, minus styles)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    body = "".join(f"<text:p>{_xml(line)}</text:p>" for line in lines)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return buf.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xlsx(rows: list[list[object]], title: str = "Phụ lục") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def doc(lines: list[str]) -> bytes:
    """A Word 97–2003 document, one paragraph per line (the body as Word stores it: UTF-16 text
    described by a piece table)."""
    from data.files import samples

    return samples.ole(samples.word_streams("".join(line + "\r" for line in lines)))


def xls(rows: list[list[object]], title: str = "Phu luc") -> bytes:
    """An Excel 97–2003 workbook (BIFF8 in an OLE2 file) with one sheet: strings in the shared string
    table, numbers as NUMBER records; the least Excel, LibreOffice and xlrd read."""
    import struct

    from data.files import samples

    def rec(rid: int, data: bytes = b"") -> bytes:
        return struct.pack("<HH", rid, len(data)) + data

    strings = list(dict.fromkeys(c for r in rows for c in r if isinstance(c, str)))
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0)

    def workbook_globals(sheet_at: int) -> bytes:
        sheet = struct.pack("<IBBBB", sheet_at, 0, 0, len(title), 0) + title.encode("latin-1")
        return rec(0x0809, bof) + rec(0x0085, sheet) + rec(0x00FC, sst) + rec(0x000A)

    head = workbook_globals(len(workbook_globals(0)))
    sheet = rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
    sheet += rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, max(map(len, rows)), 0))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet += rec(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(value)))
            elif value is not None:
                sheet += rec(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
    return samples.ole({"Workbook": head + sheet + rec(0x000A)})
