"""Downloads: a stored submission by its id (never by a path), and the workbook of /xuatexcel.

A submission is served from the content-addressed store with its original name, the content
type of what the bytes were detected to be (not what the sender claimed) and
``Content-Disposition: attachment``, so the browser saves it instead of rendering it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.site import Site
from handlers import audit
from handlers.reports import write_workbook
from messages.texts import reports as report_texts
from storage import submissions

# what a detected kind (storage/filetypes.py) is served as
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "jpg": "image/jpeg",
    "png": "image/png",
}
FALLBACK_TYPE = "application/octet-stream"
XLSX = CONTENT_TYPES["xlsx"]


def attachment(name: str) -> str:
    """``Content-Disposition`` for a Vietnamese file name: an ASCII fallback and RFC 5987's UTF-8 form."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@staff_page
async def download(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    with services.store.session() as s:
        row = submissions.get(s, request.path_params["id"])
    if row is None or not services.files.exists(row.stored_path):
        raise HTTPException(404)
    audit.record(services, staff.actor, "file_downloaded", row.unit_code, row.receipt_no)
    return FileResponse(services.files.path(row.stored_path), media_type=CONTENT_TYPES.get(row.detected_type,
                                                                                           FALLBACK_TYPE),
                        headers={"Content-Disposition": attachment(row.original_name), "Cache-Control": "no-store"})


@staff_page
async def export(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    name = report_texts.EXPORT_FILE_NAME.format(stamp=services.clock.now().strftime("%Y%m%d_%H%M"))
    folder = Path(tempfile.mkdtemp(prefix="agency-bot-web-"))
    path = write_workbook(services, folder / "export.xlsx")
    audit.record(services, staff.actor, "export")

    def cleanup() -> None:
        path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(path, media_type=XLSX, background=BackgroundTask(cleanup),
                        headers={"Content-Disposition": attachment(name), "Cache-Control": "no-store"})


routes = [
    Route("/files/{id:int}", download, methods=["GET"]),
    Route("/export", export, methods=["GET"]),
]
