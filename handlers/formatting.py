"""Wording shared by several capabilities: how far a date is, a deadline, a file size,
whether a report is on time, the III.3 preparation list, tier names.

One function per idea, so a receipt, /trangthai, /hanchot, /lichkiemtra, reminders and
the overview never say the same thing two ways. The sentences are in ``messages/texts``.
"""

from __future__ import annotations

from datetime import datetime

from messages.deadlines import END_OF_DAY, Deadline, calendar_days
from messages.plan import Plan, Selection
from messages.texts import common as texts
from messages.vntext import fmt_date, fmt_datetime, strip_marks

MB = 1024 * 1024


# ---- dates ---------------------------------------------------------------------------------
def time_left(due: datetime, now: datetime) -> str:
    """A deadline seen from ``now``: days left, due today, overdue since this morning, days overdue
    (``DAYS_LEFT``, ``DUE_TODAY``, ``OVERDUE_TODAY``, ``OVERDUE_DAYS`` in messages/texts/common.py)."""
    days = calendar_days(due, now)
    if days > 0:
        return texts.DAYS_LEFT.format(n=days)
    if days == 0:
        if now > due:
            return texts.OVERDUE_TODAY.format(time=due.astimezone(now.tzinfo).strftime("%H:%M"))
        return texts.DUE_TODAY
    return texts.OVERDUE_DAYS.format(n=-days)


def visit_when(at: datetime, now: datetime) -> str:
    """An inspection visit seen from ``now``: days to go, today, or how many days ago it took place."""
    days = calendar_days(at, now)
    if days > 0:
        return texts.DAYS_LEFT.format(n=days)
    if days == 0:
        return texts.VISIT_TODAY
    return texts.VISIT_PAST.format(n=-days)


def due_text(deadline: Deadline) -> str:
    """dd/mm/yyyy for an end-of-day deadline, dd/mm/yyyy hh:mm for an appointment, or "not yet set"."""
    at = deadline.at
    if at is None:
        return texts.DUE_UNSET
    return fmt_date(at) if at.time() == END_OF_DAY else fmt_datetime(at)


def deadline_left(deadline: Deadline, now: datetime) -> str:
    """``time_left`` of a deadline, or why there is none yet."""
    return texts.DUE_UNSET_LEFT if deadline.at is None else time_left(deadline.at, now)


def late_by(deadline: Deadline, received_at: datetime) -> str:
    """How late a file arriving at ``received_at`` is (the deadline is set): whole days, or "under a day"."""
    days = -calendar_days(deadline.at, received_at)
    return texts.LATE_BY_DAYS.format(n=days) if days >= 1 else texts.LATE_BY_HOURS


def on_time_word(deadline: Deadline, first_received_at: datetime | None) -> str:
    """On time or late, by the one rule (``Deadline.met_by``); received before any deadline was set."""
    if deadline.unset:
        return texts.RECEIVED_BEFORE_DEADLINE
    return texts.ON_TIME if deadline.met_by(first_received_at) else texts.LATE


# ---- files and receipts ------------------------------------------------------------------------
def fmt_size(size: int) -> str:
    """1,2 MB / 350 KB / 900 B, with the Vietnamese decimal comma."""
    if size >= MB:
        return f"{size / MB:.1f}".replace(".", ",") + " MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} B"


def fmt_mb(limit: int) -> str:
    """A size limit in whole MB when it is one ("20"), else one decimal ("1,5")."""
    value = limit / MB
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def receipt_prefix(plan: Plan) -> str:
    """Initials of the province, from the plan (Kien Giang -> ``KG``)."""
    words = strip_marks(plan.document.place).split()
    return "".join(w[0] for w in words if w[:1].isalpha()).upper() or "BC"


# ---- the plan ----------------------------------------------------------------------------------
def preparation(plan: Plan) -> list[str]:
    """III.3 from the plan, as a heading and one line per duty (nothing if the plan has none)."""
    duties = plan.preparation()
    if not duties:
        return []
    return [texts.PREPARE_HEADER, *[texts.PREPARE_ITEM.format(text=o.summary, section=plan.section_label(o.section))
                                    for o in duties]]


def selection_rule(plan: Plan, selection: Selection) -> str:
    """How the plan chooses the units of a level it does not name: its own words when it has them."""
    if selection.wording:
        return texts.QUOTED.format(text=selection.wording)
    if selection.per_parent is not None:
        parent = plan.level(plan.level(selection.level).parent)
        return texts.RULE_PER_PARENT.format(n=f"{selection.per_parent:02d}", level=plan.level_name(selection.level),
                                            parent=parent.name if parent else "")
    return texts.RULE_COUNT.format(n=f"{selection.count:02d}", level=plan.level_name(selection.level))


def words(plan: Plan) -> dict[str, str]:
    """The plan's own names that general sentences refer to (``{coordinator}``, ``{issuer}``)."""
    return {"coordinator": plan.coordinator_name, "issuer": plan.document.issuer_short}
