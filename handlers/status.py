"""A focal point's view of their own unit: /trangthai (what was sent), /hanchot (deadlines),
/lichkiemtra (the inspection date, or the window and who announces it).

Everything is read from the plan (sections, wording, window) and the store; nothing
about the 2020 Kien Giang plan is written here.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.formatting import deadline_left, due_text, on_time_word, preparation, selection_rule, visit_when, words
from handlers.router import Router
from handlers.types import Reply
from messages.texts import status as texts
from messages.units import UnitRecord
from messages.vntext import fmt_date, fmt_datetime
from storage import reports as report_store


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
    now, local, plan = ctx.now(), ctx.services.clock.local, ctx.plan
    deadlines = ctx.services.deadlines(unit)
    with ctx.db() as s:
        received = {d: r for (_, d), r in report_store.received(s, unit.code).items()}
    lines = [texts.STATUS_HEADER.format(unit=unit.name, now=fmt_datetime(now)), ""]
    if not deadlines:
        lines.append(texts.STATUS_NOTHING_OWED.format(unit=unit.name))
    owed = 0
    for n, deadline in enumerate(deadlines, 1):
        d = deadline.deliverable
        lines.append(texts.STATUS_ITEM.format(n=n, title=d.title, section=plan.section_label(d.section),
                                              due=due_text(deadline)))
        got = received.get(d.id)
        if got is None:
            owed += 1
            lines.append(texts.STATUS_OWED.format(days=deadline_left(deadline, now)))
            continue
        lines.append(texts.STATUS_RECEIVED.format(
            receipt=got.receipt_no, received=fmt_datetime(local(got.received_at)), name=got.original_name,
            timeliness=on_time_word(deadline, got.first_received_at)))  # by today's deadline
        if got.versions > 1:
            lines.append(texts.STATUS_VERSIONS.format(count=got.versions, earlier=got.versions - 1,
                                                      first=fmt_datetime(local(got.first_received_at))))
    owed_ids = {d.deliverable.id for d in deadlines}
    others = [r for r in received.values() if r.deliverable_id not in owed_ids]
    if others:
        lines += ["", texts.STATUS_OTHER_HEADER]
        lines += [texts.STATUS_OTHER_ITEM.format(title=_title(ctx, r.deliverable_id), receipt=r.receipt_no,
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
        received = {d: r for (_, d), r in report_store.received(s, unit.code).items()}
    lines = [texts.DEADLINES_HEADER.format(unit=unit.name)]
    for n, deadline in enumerate(deadlines, 1):
        d, got = deadline.deliverable, received.get(deadline.deliverable.id)
        state = (texts.DEADLINE_SUBMITTED.format(receipt=got.receipt_no,
                                                 timeliness=on_time_word(deadline, got.first_received_at))
                 if got else deadline_left(deadline, now) if not deadline.unset else "")  # "not yet set" is said once
        state = texts.DEADLINE_STATE.format(state=state) if state else ""
        lines.append(texts.DEADLINE_ITEM.format(n=n, title=d.title, due=due_text(deadline), state=state,
                                                wording=d.due.wording, citation=plan.cite(d.section),
                                                recipient=d.recipient))
    if any(d.unset for d in deadlines):
        w = plan.inspection.window
        lines += ["", texts.DEADLINE_UNSET.format(
            window=w.label, start=fmt_date(w.start), end=fmt_date(w.end), announcer=_announcer(ctx),
            section=plan.section_label(plan.inspection.announce_section))]
    return "\n".join(lines)


# ---- /lichkiemtra -----------------------------------------------------------------------------
def schedule_text(ctx: Context, unit: UnitRecord) -> str:
    plan, now = ctx.plan, ctx.now()
    inspection = plan.inspection
    at = ctx.services.inspection_at(unit.code)
    lines = [texts.SCHEDULE_HEADER.format(unit=unit.name)]
    if at is not None:
        lines.append(texts.SCHEDULE_SET.format(when=fmt_datetime(at), state=visit_when(at, now), **words(plan)))
        lines += preparation(plan)
        return "\n".join(lines)
    if unit.inspected:
        lines.append(texts.SCHEDULE_NOT_SET.format(
            unit=unit.name, year=plan.document.year, inspected_section=plan.cite(inspection.section),
            window=inspection.window.label, start=fmt_date(inspection.window.start),
            end=fmt_date(inspection.window.end), window_section=plan.section_label(inspection.window_section),
            announcer=_announcer(ctx), announce_section=plan.section_label(inspection.announce_section)))
        lines += preparation(plan)
        return "\n".join(lines)
    selection = plan.selection(unit.level)
    if ctx.services.may_be_chosen(unit):
        lines.append(texts.SCHEDULE_MAYBE.format(unit=unit.name, year=plan.document.year,
                                                 section=plan.section_label(selection.section),
                                                 rule=selection_rule(plan, selection), announcer=_announcer(ctx)))
    else:
        lines.append(texts.SCHEDULE_NOT_INSPECTED.format(unit=unit.name, year=plan.document.year,
                                                         inspected_section=plan.cite(inspection.section)))
    duties: dict[str, list[str]] = {}  # section → what the plan says there, in order
    for obligation in plan.obligations_for(unit.code, False, unit.level):
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
    return "\n".join(lines)


# ---- helpers -------------------------------------------------------------------------------------
def _announcer(ctx: Context) -> str:
    return ctx.plan.unit_name(ctx.plan.inspection.announced_by)


def _title(ctx: Context, deliverable_id: str) -> str:
    d = ctx.plan.deliverable(deliverable_id)
    return d.title if d else deliverable_id
