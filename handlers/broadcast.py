"""Staff notices (/thongbao): audience → text → optional document → preview → confirm.

Every step lives in the store (waiting states and buttons), so a restart loses
nothing; nothing is written to the outbox before staff confirm. Confirming
writes the broadcast row and one outgoing row per recipient in one transaction,
then wakes the sender (``bot.sender``), which reports each row's final state to
``DeliveryReports``: progress for long broadcasts and a summary at the end, both
to the staff member who sent it (``handlers/broadcast_reports.py``). /lichsuthongbao
shows past notices and figures.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from handlers import audit
from handlers.broadcast_reports import names, reports_for, summary_text
from handlers.context import Context, Services
from handlers.formatting import fmt_mb
from handlers.unit_picker import unit_examples
from handlers.reports import standings, unit_order
from handlers.router import Router
from handlers.types import Actor, FileTooLarge, IncomingFile, Option, Reply
from messages.texts import broadcast as texts
from messages.texts import delivery as delivery_texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime
from storage import broadcasts as store
from storage import conversation, outbox, people
from storage.files import FileStoreError, safe_name
from storage.models import Person

log = logging.getLogger("agency_bot.broadcast")

# A notice is read on a phone: a few paragraphs; details go in the attached document.
# (A product rule, not a platform's: channels split long texts themselves.)
NOTICE_MAX = 3500
HISTORY_SIZE = 10
EXCERPT_CHARS = 60  # of each notice in /lichsuthongbao

S_UNIT, S_TEXT, S_DOCUMENT, S_PREVIEW = "broadcast_unit", "broadcast_text", "broadcast_document", "broadcast_preview"
STATES = (S_UNIT, S_TEXT, S_DOCUMENT, S_PREVIEW)


# ---- audience -------------------------------------------------------------------------
def audience_label(services: Services, audience: dict) -> str:
    kind = audience.get("kind")
    if kind == "all":
        return texts.AUDIENCE_ALL
    if kind == "level":
        return services.plan.level_name(audience.get("level"))
    if kind == "inspected":
        return texts.AUDIENCE_INSPECTED
    if kind == "not_inspected":
        return texts.AUDIENCE_NOT_INSPECTED
    if kind == "owes":
        deliverable = services.plan.deliverable(audience.get("deliverable"))
        return texts.AUDIENCE_OWES_LABEL.format(title=deliverable.title if deliverable else audience.get("deliverable"))
    if kind == "unit":
        unit = services.roster().get(audience.get("unit", ""))
        return unit.name if unit else str(audience.get("unit"))
    return str(kind)


def audience_choices(services: Services) -> list[tuple[str, dict]]:
    """The audiences staff choose from, in menu order ("one unit" last: it asks for a name)."""
    plan = services.plan
    choices: list[tuple[str, dict]] = [(texts.AUDIENCE_ALL, {"kind": "all"})]
    present = {u.level for u in services.roster().units}  # a level with no unit reaches nobody
    choices += [(plan.level_name(lv), {"kind": "level", "level": lv}) for lv in plan.level_order() if lv in present]
    choices += [(texts.AUDIENCE_INSPECTED, {"kind": "inspected"}),
                (texts.AUDIENCE_NOT_INSPECTED, {"kind": "not_inspected"})]
    choices += [(texts.AUDIENCE_OWES.format(short=d.short), {"kind": "owes", "deliverable": d.id})
                for d in services.plan.deliverables]
    choices += [(texts.AUDIENCE_UNIT, {"kind": "unit"})]
    return choices


def audience_units(services: Services, audience: dict) -> list[UnitRecord]:
    """The units an audience names, read from the plan and the store at this moment."""
    kind = audience.get("kind")
    units = unit_order(services)
    if kind == "all":
        return units
    if kind == "level":
        return [u for u in units if u.level == audience.get("level")]
    if kind == "inspected":
        return [u for u in units if u.inspected]
    if kind == "not_inspected":
        return [u for u in units if not u.inspected]
    if kind == "owes":
        rows = standings(services).get(audience.get("deliverable"), [])
        return [st.unit for st in rows if not st.submitted]
    if kind == "unit":
        unit = services.roster().get(audience.get("unit", ""))
        return [unit] if unit else []
    raise ValueError(f"unknown audience kind {kind!r}")


@dataclass
class Reach:
    """Who a notice would reach: active focal points, those who blocked the bot, units with nobody."""

    units: list[UnitRecord]
    people: list[tuple[UnitRecord, Person]] = field(default_factory=list)
    inactive: list[tuple[UnitRecord, Person]] = field(default_factory=list)
    no_focal: list[UnitRecord] = field(default_factory=list)

    @property
    def reached_units(self) -> int:
        return len({u.code for u, _ in self.people})


def reach(services: Services, session: Any, units: list[UnitRecord]) -> Reach:
    # console users too: a notice can be rehearsed in terminals (`agency-bot chat` delivers it while open)
    found = people.reachable_focal_points(session, [u.code for u in units], active_only=False,
                                          include_terminal=True)
    result = Reach(units)
    for unit in units:
        members = found.get(unit.code, [])
        if not members:
            result.no_focal.append(unit)
        for person in members:
            (result.people if person.active else result.inactive).append((unit, person))
    return result


def notice_text(services: Services, text: str) -> str:
    plan = services.plan
    return texts.NOTICE.format(sender=plan.unit_name(plan.coordinator).upper(), text=text)


# ---- the conversation ---------------------------------------------------------------------
def _cancel_option(ctx: Context, token: str | None = None) -> Option:
    return ctx.option(texts.BUTTON_CANCEL, "bc_cancel", token=token)


def _preview_options(ctx: Context, token: str) -> list[Option]:
    return [ctx.option(texts.BUTTON_CONFIRM, "bc_confirm", token=token), _cancel_option(ctx, token)]


def _document_options(ctx: Context) -> list[Option]:
    return [ctx.option(texts.BUTTON_NO_DOCUMENT, "bc_no_document"), _cancel_option(ctx)]


def _audience_options(ctx: Context) -> list[Option]:
    options = [ctx.option(label, "bc_audience", audience=audience)
               for label, audience in audience_choices(ctx.services)]
    return [*options, _cancel_option(ctx)]


def _ask_text(ctx: Context, audience: dict) -> list[Reply]:
    label = audience_label(ctx.services, audience)
    units = audience_units(ctx.services, audience)
    with ctx.db() as s:
        nobody = not reach(ctx.services, s, units).people
    if nobody:  # said before staff write the notice, not after; the audiences are offered again
        ctx.clear_state()
        return [Reply(texts.AUDIENCE_NOBODY.format(label=label, units=len(units)), options=_audience_options(ctx))]
    ctx.set_state(S_TEXT, audience=audience, label=label)
    return [Reply(texts.ASK_TEXT.format(label=label, max=NOTICE_MAX), options=[_cancel_option(ctx)])]


@dataclass
class Preview:
    """A draft shown before confirming: who it reaches and the notice as they will read it.
    ``token`` is None when it reaches nobody (no draft is kept then)."""

    label: str
    units: list[UnitRecord]
    reach: Reach
    notice: str
    document_name: str | None
    token: str | None


def prepare(services: Services, person_id: int, data: dict) -> Preview:
    """Keep the draft (audience, label, text, document) waiting for ``person_id`` to confirm it;
    chat and web pages alike show this preview and then call ``confirm`` with its token."""
    units = audience_units(services, data["audience"])
    with services.store.session() as s:
        r = reach(services, s, units)
        token = secrets.token_urlsafe(8) if r.people else None
        if token is None:
            conversation.clear_state(s, person_id)
        else:
            conversation.set_state(s, person_id, S_PREVIEW, {**data, "token": token})
    return Preview(data["label"], units, r, notice_text(services, data["text"]), data.get("document_name"), token)


def _preview(ctx: Context, data: dict) -> list[Reply]:
    p = prepare(ctx.services, ctx.actor.person_id, data)
    r = p.reach
    if p.token is None:
        return [Reply(texts.PREVIEW_NOBODY.format(label=p.label, units=len(p.units)))]
    extra = ""
    if r.no_focal:
        extra += texts.PREVIEW_NO_FOCAL.format(n=len(r.no_focal), names=names(r.no_focal))
    if r.inactive:
        extra += texts.PREVIEW_INACTIVE.format(n=len(r.inactive))
    text = texts.PREVIEW.format(label=p.label, units=len(p.units), people=len(r.people),
                                reached=r.reached_units, extra=extra,
                                document=p.document_name or texts.PREVIEW_NO_DOCUMENT, notice=p.notice)
    return [Reply(text, options=_preview_options(ctx, p.token))]


async def _receive_document(ctx: Context) -> tuple[str, str] | str:
    return await receive_document(ctx.services, ctx.inbound.file, ctx.actor)


async def receive_document(services: Services, incoming: IncomingFile, actor: Actor) -> tuple[str, str] | str:
    """Keep an attachment in the content-addressed store: (stored path, shown name) or a refusal."""
    limit = services.file_limit(actor.channel)
    if incoming.size is not None and incoming.size > limit:
        return texts.DOCUMENT_TOO_LARGE.format(limit=fmt_mb(limit))
    try:
        received = await services.files.receive(incoming.fetch, limit)
    except FileTooLarge:
        return texts.DOCUMENT_TOO_LARGE.format(limit=fmt_mb(limit))
    except Exception:  # a download that broke (network, disk): say so, keep the draft
        log.exception("broadcast attachment download failed person=%s", actor.person_id)
        return texts.DOCUMENT_FAILED
    if not received.accepted:
        services.files.discard_temp(received.temp)
        return texts.DOCUMENT_REFUSED
    try:
        rel = services.files.keep(received)
    except FileStoreError:
        log.exception("broadcast attachment not kept person=%s", actor.person_id)
        return texts.DOCUMENT_FAILED
    services.files.release(rel)  # kept for good: the broadcast (and the outbox rows) will point to it
    return rel, safe_name(incoming.name, received.kind, texts.DOCUMENT_FALLBACK_NAME)


def register(router: Router) -> None:
    @router.command("thongbao", role="staff", description=texts.COMMAND_BROADCAST, aliases=("thong bao",))
    async def thongbao(ctx: Context) -> list[Reply]:
        return [Reply(texts.CHOOSE_AUDIENCE, options=_audience_options(ctx))]

    @router.action("bc_audience", role="staff", once=True)
    async def choose_audience(ctx: Context, payload: dict) -> list[Reply]:
        audience = payload["audience"]
        if audience.get("kind") == "unit" and "unit" not in audience:
            ctx.set_state(S_UNIT)
            return [Reply(texts.ASK_UNIT.format(examples=unit_examples(ctx.services)), options=[_cancel_option(ctx)])]
        return _ask_text(ctx, audience)

    @router.state(S_UNIT)
    async def unit_named(ctx: Context) -> list[Reply]:
        query = (ctx.inbound.text or "").strip()
        if not query:
            return [Reply(texts.UNIT_NEED_TEXT)]
        resolution = ctx.services.roster().resolve(query)
        if resolution.unit is not None:
            return _ask_text(ctx, {"kind": "unit", "unit": resolution.unit.code})
        if resolution.candidates:
            options = [ctx.option(u.name, "bc_audience", audience={"kind": "unit", "unit": u.code})
                       for u in resolution.candidates[:5]]
            return [Reply(texts.UNIT_WHICH.format(query=query), options=[*options, _cancel_option(ctx)])]
        return [Reply(texts.UNIT_UNKNOWN.format(query=query))]  # a commune not yet known has nobody to reach

    @router.state(S_TEXT)
    async def text_written(ctx: Context) -> list[Reply]:
        text = (ctx.inbound.text or "").strip()
        if not text:
            return [Reply(texts.TEXT_EMPTY)]
        if len(text) > NOTICE_MAX:
            return [Reply(texts.TEXT_TOO_LONG.format(length=len(text), max=NOTICE_MAX))]
        data = {**ctx.state_data, "text": text}
        if ctx.inbound.file is not None:  # a document with its caption: both at once
            kept = await _receive_document(ctx)
            if isinstance(kept, str):
                ctx.set_state(S_DOCUMENT, **data)
                return [Reply(kept, options=_document_options(ctx))]
            data["document_path"], data["document_name"] = kept
            return _preview(ctx, data)
        ctx.set_state(S_DOCUMENT, **data)
        return [Reply(texts.ASK_DOCUMENT, options=_document_options(ctx))]

    @router.state(S_DOCUMENT)
    async def document_sent(ctx: Context) -> list[Reply]:
        if ctx.inbound.file is None:
            return [Reply(texts.WAITING_DOCUMENT, options=_document_options(ctx))]
        kept = await _receive_document(ctx)
        if isinstance(kept, str):
            return [Reply(kept, options=_document_options(ctx))]
        data = {**ctx.state_data, "document_path": kept[0], "document_name": kept[1]}
        return _preview(ctx, data)

    @router.action("bc_no_document", role="staff", once=True)
    async def no_document(ctx: Context, payload: dict) -> list[Reply]:
        if ctx.state != S_DOCUMENT:
            return [Reply(texts.NOTHING_PENDING)]
        return _preview(ctx, dict(ctx.state_data))

    @router.state(S_PREVIEW)
    async def waiting_confirmation(ctx: Context) -> list[Reply]:
        return [Reply(texts.WAITING_CONFIRM, options=_preview_options(ctx, ctx.state_data["token"]))]

    @router.action("bc_cancel", role="staff", once=True)
    async def cancel(ctx: Context, payload: dict) -> list[Reply]:
        token = payload.get("token")
        if token is None and ctx.state is None:  # "Hủy" among the audiences, before any draft exists
            return [Reply(texts.CANCELLED)]
        if ctx.state not in STATES or (token is not None and ctx.state_data.get("token") != token):
            return [Reply(texts.NOTHING_PENDING)]
        ctx.clear_state()
        log.info("broadcast draft cancelled by person=%s", ctx.actor.person_id)
        return [Reply(texts.CANCELLED)]

    @router.action("bc_confirm", role="staff", once=True)
    async def confirm(ctx: Context, payload: dict) -> list[Reply]:
        return confirm_draft(ctx, payload.get("token", ""))

    @router.command("lichsuthongbao", role="staff", description=texts.COMMAND_HISTORY, aliases=("lich su thong bao",))
    async def history(ctx: Context) -> list[Reply]:
        return history_replies(ctx)

    @router.action("bc_detail", role="staff")
    async def detail(ctx: Context, payload: dict) -> list[Reply]:
        with ctx.db() as s:
            row = store.get(s, int(payload.get("id", 0)))
            fig = store.figures(s, row.id) if row else None
        if row is None:
            return [Reply(texts.HISTORY_NOT_FOUND)]
        return [Reply(summary_text(ctx.services, row, fig))]


def confirm_draft(ctx: Context, token: str) -> list[Reply]:
    return [Reply(confirm(ctx.services, ctx.actor, token).text)]


@dataclass(frozen=True)
class Confirmation:
    broadcast_id: int | None  # None: nothing was queued (no draft with this token, or nobody to reach)
    text: str  # what staff are told


def confirm(services: Services, actor: Actor, token: str) -> Confirmation:
    """Write the broadcast of ``actor``'s draft and all its outgoing rows at once, then wake the sender."""
    now = services.clock.now()
    with services.store.session() as s:
        state = conversation.get_state(s, actor.person_id)
        data = dict(state.data) if state is not None and state.state == S_PREVIEW else {}
    if not token or data.get("token") != token:
        return Confirmation(None, texts.NOTHING_PENDING)
    audience = data["audience"]
    units = audience_units(services, audience)  # as it stands now, not at the preview
    with services.store.session() as s:
        if store.claim_draft(s, actor.person_id, S_PREVIEW, token) is None:
            s.rollback()
            return Confirmation(None, texts.NOTHING_PENDING)
        r = reach(services, s, units)
        if not r.people:  # the audience emptied since the preview (e.g. the last unit just submitted)
            s.commit()  # the claim: the draft is gone
            return Confirmation(None, texts.PREVIEW_NOBODY.format(label=data["label"], units=len(units)))
        snapshot = {**audience, "units": len(units), "no_focal": [u.code for u in r.no_focal]}
        row = store.create(s, created_by=actor.person_id, audience=snapshot, label=data["label"],
                           text=data["text"], document_path=data.get("document_path"),
                           document_name=data.get("document_name"), now=now)
        body = notice_text(services, data["text"])
        common = dict(kind="broadcast", text=body, due_at=now, broadcast_id=row.id,
                      document_path=row.document_path, document_name=row.document_name)
        # every row has the same columns: the sender's bulk insert needs one shape
        rows = [dict(key=f"broadcast:{row.id}:{p.id}", person_id=p.id, channel=p.channel, chat_id=p.chat_id,
                     unit_code=u.code, status="pending", last_error=None, **common) for u, p in r.people]
        rows += [dict(key=f"broadcast:{row.id}:{p.id}", person_id=p.id, channel=p.channel, chat_id=p.chat_id,
                      unit_code=u.code, status="undeliverable", last_error=delivery_texts.INACTIVE, **common)
                 for u, p in r.inactive]
        outbox.enqueue_many(s, rows, commit=False)
        s.commit()  # the claim, the broadcast and its rows together
        broadcast_id = row.id
    log.info("broadcast %s confirmed by person=%s: %d recipients, %d inactive, %d units without focal point",
             broadcast_id, actor.person_id, len(r.people), len(r.inactive), len(r.no_focal))
    audit.record(services, actor, "broadcast_confirmed", audience.get("unit") if audience.get("kind") == "unit" else None,
                 f"{broadcast_id}: {data['label']}")
    services.wake_outbox()
    # nothing to send at all: the summary goes now (the count is not kept: the sender may run elsewhere)
    reports_for(services).check(broadcast_id, remember=False)
    no_focal = texts.QUEUED_NO_FOCAL.format(n=len(r.no_focal)) if r.no_focal else ""
    return Confirmation(broadcast_id, texts.QUEUED.format(id=broadcast_id, people=len(r.people),
                                                          reached=r.reached_units, no_focal=no_focal))


# ---- history ------------------------------------------------------------------------------
def history_replies(ctx: Context) -> list[Reply]:
    services = ctx.services
    reports_for(services).reconcile()
    with ctx.db() as s:
        rows = store.recent(s, HISTORY_SIZE)
        figs = store.figures_many(s, [row.id for row in rows])
    if not rows:
        return [Reply(texts.HISTORY_EMPTY)]
    lines = [texts.HISTORY_HEADER]
    for row in rows:
        fig = figs[row.id]
        excerpt = " ".join(row.text.split())
        lines.append(texts.HISTORY_LINE.format(
            id=row.id, when=fmt_datetime(services.clock.local(row.confirmed_at or row.created_at)),
            label=row.audience_label, status=texts.HISTORY_STATUS.get(row.status, row.status),
            sent=fig.sent, total=fig.total, failed=fig.failed, unreachable=fig.unreachable, uncertain=fig.uncertain,
            no_focal=len((row.audience or {}).get("no_focal", [])),
            excerpt=excerpt[:EXCERPT_CHARS] + ("…" if len(excerpt) > EXCERPT_CHARS else ""),
        ))
    options = [ctx.option(texts.HISTORY_DETAIL_BUTTON.format(id=row.id), "bc_detail", id=row.id) for row in rows]
    return [Reply("\n\n".join(lines), options=options)]


def subscribe(services: Services) -> None:
    """At start-up: finish what a previous run left open (its summary may be due)."""
    try:
        reports_for(services).reconcile()
    except Exception:  # never stop the bot from starting over a report
        log.exception("could not reconcile open broadcasts")
