"""Self-report intake: a file from a focal point becomes a submission of their unit, with a receipt.

Order of work, so that nothing is half-done: who may send → what the unit owes →
declared size → stream to a temp file (the channel enforces the limit) → real
size, content type → keep (fsync + atomic rename to the content address) → which
deliverable (buttons if several; the kept file travels in the choice) → row and
staff notice in one transaction → receipt → ``submission_received`` event.
A failure before the commit answers "not kept, send again", never a receipt.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from handlers import content_check
from handlers.context import Context
from handlers.formatting import due_text, fmt_mb, fmt_size, late_by, receipt_prefix, words
from handlers.router import Router
from handlers.types import FileTooLarge, Reply
from messages.deadlines import Deadline
from messages.texts import common as common_texts
from messages.texts import submissions as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime
from storage import outbox
from storage import submissions as subs
from storage.files import FileStoreError, Received, safe_name

log = logging.getLogger("agency_bot.submissions")

WAIT_STATE = "submission_wait"
WAIT_FOR_FILE = timedelta(days=1)  # how long /nopbaocao's choice of deliverable holds


@dataclass(frozen=True)
class Kept:
    """A file safely on disk, not yet a row: what a deliverable button carries across a restart."""

    path: str
    sha256: str
    size: int
    kind: str
    name: str
    at: str  # ISO instant it was received (business clock)
    unit: str


def register(router: Router) -> None:
    @router.command("nopbaocao", role="focal", description=texts.COMMAND_SUBMIT,
                    aliases=("nop bao cao", "nop bc", "gui bao cao"))
    async def nopbaocao(ctx: Context) -> list[Reply]:
        if refusal := _who_may_send(ctx):
            return refusal
        unit = ctx.actor.unit
        deadlines = ctx.services.deadlines(unit)
        if not deadlines:
            return [Reply(_nothing_owed(ctx, unit))]
        if len(deadlines) == 1:
            return _await_file(ctx, deadlines[0])
        options = [ctx.option(_button(d), "submission_target", deliverable=d.deliverable.id) for d in deadlines]
        return [Reply(texts.WHICH_TO_SUBMIT.format(unit=unit.name, count=len(deadlines)), options=options)]

    @router.action("submission_target", role="focal", once=True)
    async def submission_target(ctx: Context, payload: dict) -> list[Reply]:
        deadline = _owed(ctx, payload.get("deliverable"))
        if deadline is None:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        return _await_file(ctx, deadline)

    @router.state(WAIT_STATE)
    async def waiting(ctx: Context) -> list[Reply]:
        """After /nopbaocao: a file goes to the chosen deliverable; text is still a question.
        The wait lapses after a day, so a forgotten /nopbaocao does not colour later files."""
        fresh = _wait_is_fresh(ctx)
        if not fresh:
            ctx.clear_state()
        if ctx.inbound.file is not None:
            return await intake(ctx, preset=ctx.state_data.get("deliverable") if fresh else None)
        deadline = _owed(ctx, ctx.state_data.get("deliverable")) if fresh else None
        if deadline is None and fresh:
            ctx.clear_state()
        replies = await router.text_handler(ctx) if router.text_handler and (ctx.inbound.text or "").strip() else []
        if deadline is not None:
            replies = [*replies, Reply(texts.WAITING_TEXT_HINT.format(deliverable=deadline.deliverable.title))]
        return replies or [Reply(common_texts.EMPTY_MESSAGE)]

    @router.on_file
    async def on_file(ctx: Context) -> list[Reply]:
        return await intake(ctx)

    @router.action("submission_for", role="focal", once=True)
    async def submission_for(ctx: Context, payload: dict) -> list[Reply]:
        kept = Kept(**{k: payload[k] for k in Kept.__dataclass_fields__})
        if ctx.actor.unit is None or kept.unit != ctx.actor.unit.code:
            return [Reply(texts.CHOICE_OTHER_UNIT)]
        deadline = _owed(ctx, payload.get("deliverable"))
        if deadline is None:
            return [Reply(texts.NO_LONGER_OWED.format(unit=ctx.actor.unit.name))]
        if not ctx.services.files.exists(kept.path):
            return [Reply(texts.FILE_GONE)]
        ctx.services.files.acquire(kept.path)
        check = await content_check.check_file(ctx.services, kept.path, kept.kind, ctx.actor.unit, deadline.deliverable)
        return _record(ctx, kept, deadline, drop_on_failure=False, check=check)

    @router.action("submission_restore", role="focal", once=True)
    async def submission_restore(ctx: Context, payload: dict) -> list[Reply]:
        with ctx.db() as s:
            old = subs.get(s, int(payload.get("submission", 0)))
        if old is None or ctx.actor.unit is None or old.unit_code != ctx.actor.unit.code:
            return [Reply(common_texts.CHOICE_EXPIRED)]
        deadline = _owed(ctx, old.deliverable_id)
        if deadline is None:
            return [Reply(texts.NO_LONGER_OWED.format(unit=ctx.actor.unit.name))]
        if not ctx.services.files.exists(old.stored_path):
            return [Reply(texts.FILE_GONE)]
        kept = Kept(old.stored_path, old.sha256, old.size, old.detected_type, old.original_name,
                    old.received_at.isoformat(), old.unit_code)
        ctx.services.files.acquire(kept.path)
        return _record(ctx, kept, deadline, drop_on_failure=False, restore=True,
                       check=content_check.Check.from_json(old.content_check))


# ---- intake ----------------------------------------------------------------------------
async def intake(ctx: Context, preset: str | None = None) -> list[Reply]:
    incoming = ctx.inbound.file
    if refusal := _who_may_send(ctx, file=True):
        log.info("file refused: sender not a focal point person=%s channel=%s", ctx.actor.person_id, ctx.actor.channel)
        return refusal
    unit = ctx.actor.unit
    deadlines = ctx.services.deadlines(unit)
    shown = safe_name(incoming.name, "unknown", _fallback_stem(ctx, incoming.kind))
    if not deadlines:
        return [Reply(_nothing_owed(ctx, unit))]
    limit = ctx.services.file_limit(ctx.actor.channel)
    if incoming.size is not None and incoming.size > limit:
        return _refuse(ctx, "too-large", incoming.size, texts.TOO_LARGE.format(name=shown, limit=fmt_mb(limit)))
    received_at = ctx.now()
    files = ctx.services.files
    try:
        received = await files.receive(incoming.fetch, limit)
    except FileTooLarge:
        return _refuse(ctx, "too-large", incoming.size, texts.TOO_LARGE.format(name=shown, limit=fmt_mb(limit)))
    except Exception:
        log.exception("file fetch failed person=%s unit=%s", ctx.actor.person_id, unit.code)
        return [Reply(texts.FETCH_FAILED.format(name=shown))]
    if refusal := _check(ctx, received, limit, shown):
        files.discard_temp(received.temp)
        return refusal
    name = safe_name(incoming.name, received.kind, _fallback_stem(ctx, incoming.kind))
    try:
        path = files.keep(received)
    except FileStoreError:
        log.exception("file not kept person=%s unit=%s", ctx.actor.person_id, unit.code)
        return [Reply(texts.NOT_KEPT.format(name=name))]
    kept = Kept(path, received.sha256, received.size, received.kind, name, received_at.isoformat(), unit.code)
    by_id = {d.deliverable.id: d for d in deadlines}
    target = by_id.get(preset) if preset else None
    if target is None and len(deadlines) == 1:
        target = deadlines[0]
    if target is not None:
        if ctx.state == WAIT_STATE:
            ctx.clear_state()
        check = await content_check.check_file(ctx.services, kept.path, kept.kind, unit, target.deliverable)
        return _record(ctx, kept, target, drop_on_failure=True, check=check)
    try:  # several deliverables: the kept file travels in each button
        options = [ctx.option(_button(d), "submission_for", deliverable=d.deliverable.id, **asdict(kept))
                   for d in deadlines]
    finally:
        files.release(kept.path)
    log.info("file kept, asking which deliverable person=%s unit=%s size=%d type=%s",
             ctx.actor.person_id, unit.code, kept.size, kept.kind)
    return [Reply(texts.WHICH_DELIVERABLE.format(name=name, unit=unit.name, count=len(deadlines)), options=options)]


def _check(ctx: Context, received: Received, limit: int, shown: str) -> list[Reply] | None:
    """Refuse what must not be kept: over the limit (a channel that did not enforce it), empty, wrong type."""
    if received.size > limit:
        return _refuse(ctx, "too-large", received.size, texts.TOO_LARGE.format(name=shown, limit=fmt_mb(limit)))
    if received.size == 0:
        return _refuse(ctx, "empty", 0, texts.EMPTY.format(name=shown))
    if ctx.inbound.file.kind == "photo" and received.kind not in ("jpg", "png"):
        return _refuse(ctx, received.kind, received.size, texts.NOT_A_PICTURE)
    if not received.accepted:
        template = texts.REFUSED.get(received.kind, texts.REFUSED["unknown"])
        return _refuse(ctx, received.kind, received.size, template.format(name=shown, formats=texts.ACCEPTED_FORMATS,
                                                                            **words(ctx.plan)))
    return None


def _refuse(ctx: Context, reason: str, size: int | None, text: str) -> list[Reply]:
    log.info("file refused reason=%s person=%s unit=%s size=%s", reason, ctx.actor.person_id,
             ctx.actor.unit.code if ctx.actor.unit else None, size)
    ctx.services.emit("submission_refused", reason=reason)
    return [Reply(text)]


# ---- recording ---------------------------------------------------------------------------
def _record(ctx: Context, kept: Kept, deadline: Deadline, *, drop_on_failure: bool,
            restore: bool = False, check: content_check.Check | None = None) -> list[Reply]:
    """Row (and staff notice) in one transaction, then the receipt. The caller holds ``kept.path``;
    ``check`` (what the file's content looks like) is stored with the row."""
    services, unit = ctx.services, ctx.actor.unit
    received_at = datetime.fromisoformat(kept.at)
    new = subs.NewFile(
        unit_code=unit.code, deliverable_id=deadline.deliverable.id, person_id=ctx.actor.person_id,
        channel=ctx.actor.channel, original_name=kept.name, stored_path=kept.path, sha256=kept.sha256,
        size=kept.size, detected_type=kept.kind, received_at=received_at, on_time=not deadline.is_late(received_at),
        content_check=check.as_json() if check is not None else None,
    )
    try:
        with ctx.db() as s:
            outcome = subs.record(s, new, receipt_prefix=receipt_prefix(ctx.plan), receipt_year=ctx.plan.document.year,
                                  allow_same_content=restore, commit=False)
            if outcome.created is not None and services.notify_submissions_to:
                channel, chat_id = services.notify_submissions_to
                outbox.enqueue(s, key=f"submission:{outcome.created.id}", kind="notice",
                               text=_staff_notice(ctx, outcome, deadline, check), due_at=ctx.now(), channel=channel,
                               chat_id=chat_id, unit_code=unit.code, deliverable_id=deadline.deliverable.id,
                               commit=False)
            s.commit()
    except Exception:
        log.exception("submission not recorded person=%s unit=%s deliverable=%s",
                      ctx.actor.person_id, unit.code, deadline.deliverable.id)
        services.files.release(kept.path, drop=drop_on_failure and not _referenced(ctx, kept.path))
        return [Reply(texts.NOT_KEPT.format(name=kept.name))]
    services.files.release(kept.path)
    if outcome.duplicate is not None:
        return _already(ctx, outcome, deadline)
    row = outcome.created
    log.info("submission received id=%s receipt=%s unit=%s deliverable=%s person=%s channel=%s size=%d "
             "type=%s on_time=%s replaces=%s", row.id, row.receipt_no, unit.code, row.deliverable_id,
             ctx.actor.person_id, row.channel, row.size, row.detected_type, row.on_time,
             outcome.replaced.id if outcome.replaced else None)
    if services.notify_submissions_to:
        services.wake_outbox()
    services.emit("submission_received", unit_code=unit.code, deliverable_id=row.deliverable_id)
    return [Reply(receipt_text(ctx, outcome, unit, deadline, check))]


def _referenced(ctx: Context, path: str) -> bool:
    """Does a committed row use this file? When the database cannot say, assume yes (keep the file)."""
    try:
        with ctx.db() as s:
            return subs.references(s, path) > 0
    except Exception:
        log.warning("could not check references of %s; keeping the file", path, exc_info=True)
        return True


def receipt_text(ctx: Context, outcome: subs.Outcome, unit: UnitRecord, deadline: Deadline,
                 check: content_check.Check | None = None) -> str:
    row, replaced, local = outcome.created, outcome.replaced, ctx.services.clock.local
    lines = [texts.RECEIPT.format(
        receipt=row.receipt_no, unit=unit.name, deliverable=deadline.deliverable.title, name=row.original_name,
        type=texts.TYPE_LABELS.get(row.detected_type, row.detected_type.upper()), size=fmt_size(row.size),
        received=fmt_datetime(local(row.received_at)), due=due_text(deadline),
        timeliness=timeliness(ctx, outcome, deadline),
    )]
    if replaced is not None:
        lines.append(texts.REPLACES.format(receipt=replaced.receipt_no,
                                           received=fmt_datetime(local(replaced.received_at))))
    if flagged := content_check.receipt_line(check, ctx.plan, unit, deadline.deliverable):
        lines.append(flagged)
    if ctx.inbound.file is not None and ctx.inbound.file.kind == "photo":
        lines.append(texts.PHOTO_HINT)
    lines.append(texts.KEEP_RECEIPT)
    return "\n".join(lines)


def timeliness(ctx: Context, outcome: subs.Outcome, deadline: Deadline) -> str:
    """What a receipt says about time. The first version: whether it arrived in time (the record
    of the moment). A later version: where the deliverable stands by the one rule (its first
    version against the deadline), since a correction neither makes nor unmakes the deadline."""
    row = outcome.created
    if deadline.unset:
        return texts.NO_DEADLINE_YET
    if outcome.replaced is None:
        return texts.ON_TIME if not deadline.is_late(row.received_at) else \
            texts.LATE.format(days=late_by(deadline, ctx.services.clock.local(row.received_at)))
    first = outcome.first_received_at or row.received_at
    shown = fmt_datetime(ctx.services.clock.local(first))
    if deadline.met_by(first):
        return texts.REPLACEMENT_ON_TIME.format(first=shown)
    return texts.REPLACEMENT_LATE.format(days=late_by(deadline, ctx.services.clock.local(first)), first=shown)


def _already(ctx: Context, outcome: subs.Outcome, deadline: Deadline) -> list[Reply]:
    local = ctx.services.clock.local
    dup, current = outcome.duplicate, outcome.current
    log.info("submission repeated receipt=%s unit=%s person=%s", dup.receipt_no, dup.unit_code, ctx.actor.person_id)
    if current is None or current.id == dup.id:
        return [Reply(texts.ALREADY_RECEIVED.format(received=fmt_datetime(local(dup.received_at)),
                                                    receipt=dup.receipt_no, deliverable=deadline.deliverable.title))]
    text = texts.ALREADY_RECEIVED_OLD.format(
        received=fmt_datetime(local(dup.received_at)), receipt=dup.receipt_no, deliverable=deadline.deliverable.title,
        current=current.receipt_no, current_received=fmt_datetime(local(current.received_at)))
    option = ctx.option(texts.RESTORE_BUTTON.format(receipt=dup.receipt_no), "submission_restore", submission=dup.id)
    return [Reply(text, options=[option])]


def _staff_notice(ctx: Context, outcome: subs.Outcome, deadline: Deadline,
                  check: content_check.Check | None) -> str:
    row, local = outcome.created, ctx.services.clock.local
    replaces = texts.STAFF_NOTICE_REPLACES.format(receipt=outcome.replaced.receipt_no) if outcome.replaced else ""
    flagged = content_check.staff_flags(check)
    notice = texts.STAFF_NOTICE.format(unit=ctx.actor.unit.name, deliverable=deadline.deliverable.short,
                                       receipt=row.receipt_no, received=fmt_datetime(local(row.received_at)),
                                       timeliness=timeliness(ctx, outcome, deadline).lower(),
                                       replaces=replaces)
    return notice + (texts.STAFF_NOTICE_FLAG.format(flags=flagged) if flagged else "")


# ---- small helpers ------------------------------------------------------------------------------
def _button(deadline: Deadline) -> str:
    return texts.DELIVERABLE_BUTTON.format(short=deadline.deliverable.short, due=due_text(deadline))


def _fallback_stem(ctx: Context, kind: str) -> str:
    if kind == "photo":
        return texts.PHOTO_NAME.format(stamp=ctx.now().strftime("%d%m%Y-%H%M"))
    return texts.FILE_NAME


def _who_may_send(ctx: Context, *, file: bool = False) -> list[Reply] | None:
    if ctx.actor.unit is not None:
        return None
    if ctx.actor.is_staff:
        return [Reply(texts.STAFF_NO_UNIT.format(**words(ctx.plan)))]
    return [Reply((texts.UNREGISTERED if file else common_texts.NOT_REGISTERED).format(**words(ctx.plan)))]


def _owed(ctx: Context, deliverable_id: str | None) -> Deadline | None:
    if ctx.actor.unit is None or not deliverable_id:
        return None
    return next((d for d in ctx.services.deadlines(ctx.actor.unit) if d.deliverable.id == deliverable_id), None)


def _wait_is_fresh(ctx: Context) -> bool:
    try:
        since = datetime.fromisoformat(ctx.state_data["since"])
    except (KeyError, TypeError, ValueError):
        return False
    return timedelta(0) <= ctx.now() - since <= WAIT_FOR_FILE


def _await_file(ctx: Context, deadline: Deadline) -> list[Reply]:
    ctx.set_state(WAIT_STATE, deliverable=deadline.deliverable.id, since=ctx.now().isoformat())
    limit = ctx.services.file_limit(ctx.actor.channel)
    return [Reply(texts.HOW_TO_SUBMIT.format(deliverable=deadline.deliverable.title, unit=ctx.actor.unit.name,
                                             due=f"{due_text(deadline)} ({deadline.deliverable.due.wording})",
                                             formats=texts.ACCEPTED_FORMATS, limit=fmt_mb(limit)))]


def _nothing_owed(ctx: Context, unit: UnitRecord) -> str:
    return texts.NOTHING_OWED.format(citation=ctx.plan.document.citation, unit=unit.name, **words(ctx.plan))
