"""A focal point's view of their own unit: /trangthai (what was sent), /hanchot (deadlines),
/lichkiemtra (the inspection date, or the window and who announces it).

Everything is read from the plan (sections, wording, window) and the store; nothing
about the 2020 Kien Giang plan is written here.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import Context
from handlers.router import Router
from handlers.submissions import due_text
from handlers.types import Reply
from messages.deadlines import Deadline
from messages.texts import status as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime
from storage import submissions as subs
from storage.models import Submission


def register(router: Router) -> None:
    @router.command("trangthai", role="focal", description=texts.COMMAND_STATUS,
                    aliases=("trang thai", "tinh trang", "tinh trang nop"))
    async def trangthai(ctx: Context) -> list[Reply]:
        return [Reply(status_text(ctx, ctx.actor.unit))]

    @router.command("hanchot", role="focal", description=texts.COMMAND_DEADLINES,
                    aliases=("han chot", "han nop"))
    async def hanchot(ctx: Context) -> list[Reply]:
        return [Reply(deadlines_text(ctx, ctx.actor.unit))]

    @router.command("lichkiemtra", role="focal", description=texts.COMMAND_SCHEDULE,
                    aliases=("lich kiem tra", "lich kt"))
    async def lichkiemtra(ctx: Context) -> list[Reply]:
        return [Reply(schedule_text(ctx, ctx.actor.unit))]


# ---- /trangthai ---------------------------------------------------------------------------
def status_text(ctx: Context, unit: UnitRecord) -> str:
    now, local = ctx.now(), ctx.services.clock.local
    deadlines = ctx.services.deadlines(unit)
    with ctx.db() as s:
        rows = subs.for_unit(s, unit.code)
    current = {r.deliverable_id: r for r in rows if r.superseded_by is None}
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.deliverable_id] = counts.get(r.deliverable_id, 0) + 1
    lines = [texts.STATUS_HEADER.format(unit=unit.name, now=fmt_datetime(now)), ""]
    if not deadlines:
        lines.append(texts.STATUS_NOTHING_OWED.format(unit=unit.name))
    owed = 0
    for n, deadline in enumerate(deadlines, 1):
        d = deadline.deliverable
        lines.append(texts.STATUS_ITEM.format(n=n, title=d.title, section=ctx.plan.section_label(d.section),
                                              due=due_text(deadline)))
        row = current.get(d.id)
        if row is None:
            owed += 1
            lines.append(texts.STATUS_OWED.format(days=days_text(deadline, now)))
            continue
        received = local(row.received_at)
        lines.append(texts.STATUS_RECEIVED.format(
            receipt=row.receipt_no, received=fmt_datetime(received), name=row.original_name,
            timeliness=texts.ON_TIME if row.on_time else texts.LATE))  # as the receipt said
        if counts[d.id] > 1:
            lines.append(texts.STATUS_VERSIONS.format(count=counts[d.id], earlier=counts[d.id] - 1))
    owed_ids = {d.deliverable.id for d in deadlines}
    others = [r for r in current.values() if r.deliverable_id not in owed_ids]
    if others:
        lines += ["", texts.STATUS_OTHER_HEADER]
        lines += [texts.STATUS_OTHER_ITEM.format(title=_title(ctx, r), receipt=r.receipt_no,
                                                 received=fmt_datetime(local(r.received_at))) for r in others]
    if deadlines:
        lines += ["", texts.STATUS_HOW if owed else texts.STATUS_ALL_DONE]
    return "\n".join(lines)


# ---- /hanchot ----------------------------------------------------------------------------------
def deadlines_text(ctx: Context, unit: UnitRecord) -> str:
    plan, now = ctx.plan, ctx.now()
    deadlines = ctx.services.deadlines(unit)
    if not deadlines:
        return texts.DEADLINES_NONE.format(citation=plan.document.citation, unit=unit.name)
    with ctx.db() as s:
        current = {d.deliverable.id: subs.current_for(s, unit.code, d.deliverable.id) for d in deadlines}
    lines = [texts.DEADLINES_HEADER.format(unit=unit.name)]
    for n, deadline in enumerate(deadlines, 1):
        d, row = deadline.deliverable, current[deadline.deliverable.id]
        state = texts.DEADLINE_SUBMITTED.format(receipt=row.receipt_no) if row else days_text(deadline, now)
        lines.append(texts.DEADLINE_ITEM.format(n=n, title=d.title, due=due_text(deadline), state=state,
                                                wording=d.due.wording, citation=plan.cite(d.section),
                                                recipient=d.recipient))
    if any(d.provisional for d in deadlines):
        inspection = plan.inspection
        lines += ["", texts.DEADLINE_PROVISIONAL.format(
            window=inspection.window.label, end=fmt_date(inspection.window.end), announcer=_announcer(ctx),
            section=plan.section_label(inspection.announce_section))]
    return "\n".join(lines)


# ---- /lichkiemtra -----------------------------------------------------------------------------
def schedule_text(ctx: Context, unit: UnitRecord) -> str:
    plan, now = ctx.plan, ctx.now()
    inspection = plan.inspection
    at = ctx.services.inspection_at(unit.code)
    lines = [texts.SCHEDULE_HEADER.format(unit=unit.name)]
    if at is not None:
        lines.append(texts.SCHEDULE_SET.format(when=fmt_datetime(at), state=_visit_state(at, now)))
        lines += _preparation(ctx, unit)
        return "\n".join(lines)
    if unit.inspected:
        lines.append(texts.SCHEDULE_NOT_SET.format(
            unit=unit.name, year=plan.document.year, inspected_section=plan.cite(inspection.section),
            window=inspection.window.label, start=fmt_date(inspection.window.start),
            end=fmt_date(inspection.window.end), window_section=plan.section_label(inspection.window_section),
            announcer=_announcer(ctx), announce_section=plan.section_label(inspection.announce_section)))
        lines += _preparation(ctx, unit)
        return "\n".join(lines)
    lines.append(texts.SCHEDULE_NOT_INSPECTED.format(unit=unit.name, year=plan.document.year,
                                                     inspected_section=plan.cite(inspection.section)))
    duties: dict[str, list[str]] = {}  # section → what the plan says there, in order
    for obligation in plan.obligations_for(unit.code, False):
        if obligation.applies_to == "not_inspected":
            part = obligation.text.rstrip(". ")
            if obligation.section in duties:  # continues the same sentence, so no capital
                part = part[:1].lower() + part[1:]
            duties.setdefault(obligation.section, []).append(part)
    for section, parts in duties.items():
        lines.append(texts.SCHEDULE_OWN_DUTY.format(section=plan.section_label(section), text="; ".join(parts) + "."))
    for deadline in ctx.services.deadlines(unit):
        if deadline.deliverable.applies_to == "not_inspected":
            lines.append(texts.SCHEDULE_OWN_DELIVERABLE.format(
                title=deadline.deliverable.title, due=due_text(deadline), wording=deadline.deliverable.due.wording))
    parent = ctx.services.roster().get(unit.parent or "")
    if unit.tier == "commune" and parent is not None and parent.inspected:
        lines.append(texts.SCHEDULE_COMMUNE.format(
            count=inspection.communes_per_district, section=plan.section_label(inspection.communes_section),
            unit=unit.name, announcer=_announcer(ctx)))
    return "\n".join(lines)


def _preparation(ctx: Context, unit: UnitRecord) -> list[str]:
    """What an inspected unit prepares (III.3), from the plan's obligations."""
    duties = [o for o in ctx.plan.obligations_for(unit.code, True) if o.applies_to == "inspected"]
    if not duties:
        return []
    sections = sorted({o.section for o in duties})
    section = ", ".join(ctx.plan.section_label(s) for s in sections)
    return [texts.SCHEDULE_PREPARE.format(section=section),
            *[texts.SCHEDULE_PREPARE_ITEM.format(text=o.summary) for o in duties]]


def _visit_state(at: datetime, now: datetime) -> str:
    days = (at.astimezone(now.tzinfo).date() - now.date()).days
    if days > 0:
        return texts.SCHEDULE_FUTURE.format(n=days)
    if days == 0:
        return texts.SCHEDULE_TODAY
    return texts.SCHEDULE_PAST.format(n=-days)


# ---- helpers -------------------------------------------------------------------------------------
def days_text(deadline: Deadline, now: datetime) -> str:
    days = deadline.days_left(now)
    if days > 0:
        return texts.DAYS_LEFT.format(n=days)
    if days == 0:
        late = now > deadline.at
        return texts.OVERDUE_TODAY.format(time=deadline.at.strftime("%H:%M")) if late else texts.DUE_TODAY
    return texts.OVERDUE.format(n=-days)


def _announcer(ctx: Context) -> str:
    unit = ctx.plan.unit(ctx.plan.inspection.announced_by)
    return unit.name if unit else ctx.plan.inspection.announced_by


def _title(ctx: Context, row: Submission) -> str:
    d = next((d for d in ctx.plan.deliverables if d.id == row.deliverable_id), None)
    return d.title if d else row.deliverable_id
