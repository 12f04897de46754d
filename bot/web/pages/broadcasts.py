"""Broadcasts: compose (audience, text, attachment), preview with counts, confirm; the history
with delivered / failed / uncertain / undeliverable per notice.

The draft, its preview and its confirmation are ``handlers.broadcast``'s ``prepare`` and
``confirm`` (the very steps of /thongbao), so a notice sent from here is written, sent,
reported and summarised exactly like one sent from the chat.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.site import PREFIX, Site
from handlers import broadcast
from handlers.broadcast_reports import names, reports_for
from handlers.types import FileTooLarge, IncomingFile
from messages.texts import broadcast as broadcast_texts
from messages.texts import delivery as delivery_texts
from messages.texts import web as texts
from storage import broadcasts as store
from storage import conversation
from storage.models import Broadcast

HISTORY_SIZE = 30
UNCERTAIN_REASONS = (delivery_texts.UNCERTAIN, delivery_texts.INTERRUPTED)  # may have arrived: never resent


@dataclass
class HistoryRow:
    row: Broadcast
    figures: store.Figures

    @property
    def uncertain(self) -> int:
        return sum(self.figures.reasons[r] for r in UNCERTAIN_REASONS)

    @property
    def failed(self) -> int:
        return self.figures.failed - self.uncertain


def history(site: Site) -> list[HistoryRow]:
    services = site.services
    reports_for(services).reconcile()  # a notice whose last row finished while the bot was down
    with services.store.session() as s:
        rows = store.recent(s, HISTORY_SIZE)
        figures = store.figures_many(s, [r.id for r in rows])
    return [HistoryRow(r, figures[r.id]) for r in rows]


def _compose(request: Request, site: Site, staff: Staff, *, status: int = 200, error: str = "",
             values: dict | None = None, candidates: list | None = None) -> Response:
    return site.page(request, "broadcasts.html", staff=staff, status=status, title=texts.BROADCASTS_TITLE,
                     nav="broadcasts", choices=broadcast.audience_choices(site.services), history=history(site),
                     error=error, values=values or {}, candidates=candidates or [], max_chars=broadcast.NOTICE_MAX)


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    return _compose(request, site, staff)


def _upload(upload: UploadFile) -> IncomingFile:
    """A file sent with the form, as the broadcast capability takes attachments from any channel."""
    async def fetch(dest: Path, max_bytes: int) -> None:
        if upload.size is not None and upload.size > max_bytes:
            raise FileTooLarge(upload.filename or "")
        await upload.seek(0)
        await asyncio.to_thread(_copy, upload, dest)

    return IncomingFile(upload.filename, upload.size, upload.content_type, "document", fetch)


def _copy(upload: UploadFile, dest: Path) -> None:
    with dest.open("wb") as out:
        shutil.copyfileobj(upload.file, out)


@staff_page
async def preview(request: Request, site: Site, staff: Staff) -> Response:
    services = site.services
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("audience", "unit", "text")}
    choices = broadcast.audience_choices(services)
    index = int(values["audience"]) if values["audience"].isdigit() else -1
    if not 0 <= index < len(choices):
        return _compose(request, site, staff, status=400, error=texts.CSRF_FAILED, values=values)
    audience = dict(choices[index][1])
    text = values["text"].strip()
    if not text:
        return _compose(request, site, staff, status=400, error=broadcast_texts.TEXT_EMPTY, values=values)
    if len(text) > broadcast.NOTICE_MAX:
        return _compose(request, site, staff, status=400, values=values,
                        error=broadcast_texts.TEXT_TOO_LONG.format(length=len(text), max=broadcast.NOTICE_MAX))
    if audience["kind"] == "unit":
        query = values["unit"].strip()[:200]
        found = services.roster().resolve(query) if query else None
        if found is None or found.unit is None:
            error = (texts.UNIT_REQUIRED if not query else
                     broadcast_texts.UNIT_WHICH.format(query=query) if found.candidates else
                     broadcast_texts.UNIT_UNKNOWN.format(query=query))
            return _compose(request, site, staff, status=400, error=error, values=values,
                            candidates=list(found.candidates) if found else [])
        audience["unit"] = found.unit.code
    data = {"audience": audience, "label": broadcast.audience_label(services, audience), "text": text}
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        kept = await broadcast.receive_document(services, _upload(upload), staff.actor)
        if isinstance(kept, str):
            return _compose(request, site, staff, status=400, error=kept, values=values)
        data["document_path"], data["document_name"] = kept
    shown = broadcast.prepare(services, staff.person.id, data)
    if shown.token is None:
        return _compose(request, site, staff, status=200, values=values, error=broadcast_texts.PREVIEW_NOBODY.format(
            label=shown.label, units=len(shown.units)))
    return site.page(request, "broadcast_preview.html", staff=staff, title=texts.PREVIEW_TITLE, nav="broadcasts",
                     p=shown, no_focal_names=names(shown.reach.no_focal))


@staff_page
async def confirm(request: Request, site: Site, staff: Staff) -> Response:
    form = await request.form()
    done = broadcast.confirm(site.services, staff.actor, str(form.get("token", "")))
    site.notice(staff.key, done.text, "ok" if done.broadcast_id else "error")
    return RedirectResponse(f"{PREFIX}/broadcasts", status_code=303)


@staff_page
async def cancel(request: Request, site: Site, staff: Staff) -> Response:
    with site.services.store.session() as s:
        state = conversation.get_state(s, staff.person.id)
        if state is not None and state.state in broadcast.STATES:
            conversation.clear_state(s, staff.person.id)
    site.notice(staff.key, texts.CANCELLED)
    return RedirectResponse(f"{PREFIX}/broadcasts", status_code=303)


routes = [
    Route("/broadcasts", page, methods=["GET"]),
    Route("/broadcasts/preview", preview, methods=["POST"]),
    Route("/broadcasts/confirm", confirm, methods=["POST"]),
    Route("/broadcasts/cancel", cancel, methods=["POST"]),
]
