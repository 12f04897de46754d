"""The submissions workbook, built with openpyxl from ``handlers.reports.standings``.

Made for staff to work in directly: a summary sheet, one sheet per deliverable,
Vietnamese headers, a frozen header row, filters, widths that fit the content,
and dates as real Excel date-times (local time, shown dd/mm/yyyy hh:mm).
"""

from __future__ import annotations

import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.content_check import Check, staff_status
from handlers.context import Services
from messages.texts import reports as texts

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0%"
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIN_WIDTH, MAX_WIDTH = 6, 60


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: ≤31 characters, none of []:*?/\\, not starting or ending with '."""
    base = _FORBIDDEN.sub("-", name).strip().strip("'") or "Sheet"
    base = re.sub(r"\s+", " ", base)[:SHEET_NAME_MAX].strip()
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[:SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(title.lower())
    return title


def excel_time(services: Services, value: datetime | None) -> datetime | None:
    """Excel has no time zones: local wall-clock time, naive."""
    return services.clock.local(value).replace(tzinfo=None) if value is not None else None


def build_workbook(services: Services, table: dict) -> Workbook:
    from handlers.reports import tally

    plan = services.plan
    now = services.clock.now()
    wb = Workbook()
    wb.properties.title = texts.SUMMARY_PLAN.format(citation=plan.document.citation, title=plan.document.title)
    wb.properties.creator = "agency-bot"
    taken: set[str] = set()
    summary = wb.active
    summary.title = sheet_title(texts.SUMMARY_SHEET, taken)
    summary.append(texts.SUMMARY_HEADERS)
    for deliverable in plan.deliverables:
        rows = table.get(deliverable.id, [])
        total, by_level = tally(rows, services)
        last_day = deliverable.due.last_day
        due = datetime.combine(last_day, datetime.min.time()) if last_day else deliverable.due.wording
        for level, t in [*by_level.items(), (None, total)]:
            label = plan.level_name(level) if level else texts.SUMMARY_TOTAL
            summary.append([deliverable.title, plan.section_label(deliverable.section), due, label, t.owed,
                            t.submitted, t.on_time, t.late, t.missing, t.overdue,
                            (t.submitted / t.owed) if t.owed else None])
            if level is None:
                for cell in summary[summary.max_row]:
                    cell.font = HEADER_FONT
    last = summary.max_row
    for row in summary.iter_rows(min_row=2, max_row=last):
        if isinstance(row[2].value, datetime):
            row[2].number_format = "dd/mm/yyyy"
        row[10].number_format = PERCENT_FORMAT
    _finish(summary, last)
    summary.append([])
    summary.append([wb.properties.title])
    summary.append([texts.SUMMARY_AT, excel_time(services, now)])
    summary.cell(summary.max_row, 2).number_format = DATETIME_FORMAT
    summary.append([texts.SUMMARY_NOTE])

    for deliverable in plan.deliverables:
        ws = wb.create_sheet(sheet_title(deliverable.short, taken))
        ws.append(texts.UNIT_HEADERS)
        for i, st in enumerate(table.get(deliverable.id, []), start=1):
            unit, got = st.unit, st.received
            parent = services.roster().get(unit.parent) if unit.parent else None
            status = (texts.STATUS_SUBMITTED if got else
                      texts.STATUS_OVERDUE if st.overdue else texts.STATUS_MISSING)
            ws.append([
                i, unit.code, unit.name, plan.level_short(unit.level),
                parent.name if parent else None, texts.YES if unit.inspected else texts.NO,
                excel_time(services, st.deadline.at), status,
                got.receipt_no if got else None, excel_time(services, got.received_at) if got else None,
                (texts.ON_TIME if st.on_time else texts.LATE) if got else None,
                got.original_name if got else None, got.versions if got else 0,
                excel_time(services, got.first_received_at) if got else None,
                st.focal_points, texts.DEADLINE_UNSET if st.deadline.unset else None,
                _content(got),
            ])
        for row in ws.iter_rows(min_row=2):
            for idx in (6, 9, 13):  # deadline, received at, first received at
                row[idx].number_format = DATETIME_FORMAT
        _finish(ws, ws.max_row)
    for ws in wb.worksheets:
        text_only(ws)
    return wb


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice read as a formula


def text_only(ws: Worksheet) -> None:
    """Every string is written as text, never as a formula: file names, unit names and the like come
    from users (``=HYPERLINK(…) x.pdf``). A string that would read as a formula also gets Excel's
    quote prefix, so editing the cell later does not turn it into one; the value itself is unchanged."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
def _content(got) -> str | None:
    """What the content check says of the current version (nothing for a unit that sent nothing)."""
    return staff_status(Check.from_json(got.content_check)) if got is not None else None


def _finish(ws: Worksheet, last_row: int) -> None:
    """Header style, frozen header row, filter over the table, column widths from the content."""
    columns = ws.max_column
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    ws.row_dimensions[1].height = 32  # two lines of wrapped header
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(last_row, 1)}"
    for col in range(1, columns + 1):
        width = max((_display_len(ws.cell(r, col).value) for r in range(2, last_row + 1)), default=0)
        header = max((len(w) for w in str(ws.cell(1, col).value or "").split()), default=0)
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(MIN_WIDTH, width, header + 2) + 2)


def _display_len(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("dd/mm/yyyy hh:mm")
    if isinstance(value, float):
        return 5
    return len(str(value))
