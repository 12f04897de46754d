"""What staff hear about a broadcast after confirming it: progress and the final summary.

The outbox sender (``bot/sender.py``) calls ``DeliveryReports`` (its listener, wired in
``bot/app.py``) each time an outgoing row reaches a final state. Reports are outbox rows
too, keyed ``broadcast:<id>:progress:<percent>`` and ``broadcast:<id>:summary``, so each
goes at most once, also across restarts.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import timedelta
from typing import Any

from handlers.context import Services
from messages.texts import broadcast as texts
from messages.units import UnitRecord
from messages.vntext import fmt_datetime
from storage import broadcasts as store
from storage import outbox
from storage.models import Person

log = logging.getLogger("agency_bot.broadcast")

PROGRESS_MIN = 100  # broadcasts with at least this many recipients get progress reports
PROGRESS_STEPS = (25, 50, 75)  # percent
# a progress report is due just before the notice itself, so the sender (oldest due first)
# takes it ahead of the recipients still waiting instead of after all of them
PROGRESS_AHEAD = timedelta(seconds=1)
NAMES_SHOWN = 8


def names(units: list[UnitRecord], shown: int = NAMES_SHOWN) -> str:
    listed = ", ".join(u.name for u in units[:shown])
    if len(units) > shown:
        return texts.MORE_NAMES.format(names=listed, more=len(units) - shown)
    return listed


def summary_text(services: Services, row: Any, fig: store.Figures) -> str:
    no_focal_codes = list((row.audience or {}).get("no_focal", []))
    roster = services.roster()
    no_focal_units = [roster.get(c) or UnitRecord(c, c, "") for c in no_focal_codes]
    reasons = "".join(texts.SUMMARY_REASON.format(reason=_reason(reason), n=n)
                      for reason, n in fig.reasons.most_common(5))
    uncertain = "".join(texts.SUMMARY_REASON.format(reason=_reason(reason), n=n)
                        for reason, n in fig.uncertain_reasons.most_common(3))
    return texts.SUMMARY.format(
        id=row.id, label=row.audience_label,
        confirmed=fmt_datetime(services.clock.local(row.confirmed_at or row.created_at)),
        sent=fig.sent, total=fig.total, failed=fig.failed, reasons=reasons, unreachable=fig.unreachable,
        uncertain=fig.uncertain, uncertain_reasons=uncertain,
        no_focal=len(no_focal_codes),
        no_focal_names=texts.SUMMARY_NAMES.format(names=names(no_focal_units)) if no_focal_codes else "",
    )


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason[:140] + ("…" if len(reason) > 140 else "") if reason else texts.REASON_OTHER


class DeliveryReports:
    """Told by the sender each time an outgoing row reaches a final state.

    Counting in memory keeps this cheap (the sender calls it thousands of times per
    broadcast); the store is asked only when a progress step or the end may have been
    reached (or every ``RECHECK_SECONDS``, in case rows finished elsewhere, e.g. in a
    run that was killed), and the store's figures decide. Keys make each report go at most once,
    and ``reconcile`` (at start-up and in /lichsuthongbao) closes a broadcast whose
    last row finished while the bot was down.
    """

    RECHECK_SECONDS = 2.0  # also ask the store this often while rows finish, should the count have drifted

    def __init__(self, services: Services):
        self.services = services
        # broadcast id → (finished so far, next count to check at, monotonic time of the last check)
        self._seen: dict[int, tuple[int, int, float]] = {}

    def __call__(self, row: Any) -> None:
        """The sender's listener (``OutboxSender.add_listener``): ``row`` just reached a final state."""
        broadcast_id = getattr(row, "broadcast_id", None)
        if broadcast_id is not None:
            self.message_final(int(broadcast_id))

    def message_final(self, broadcast_id: int) -> None:
        seen = self._seen.get(broadcast_id)
        if seen is not None:
            finished, check_at, checked = seen[0] + 1, seen[1], seen[2]
            if finished < check_at and time.monotonic() - checked < self.RECHECK_SECONDS:
                self._seen[broadcast_id] = (finished, check_at, checked)
                return
        self.check(broadcast_id)

    def check(self, broadcast_id: int, *, remember: bool = True) -> None:
        """Look at the store: send the progress report or the summary that is due, if any."""
        services = self.services
        with services.store.session() as s:
            row = store.get(s, broadcast_id)
            if row is None or row.status != "sending":
                self._seen.pop(broadcast_id, None)
                return
            fig = store.figures(s, broadcast_id)
            creator = s.get(Person, row.created_by) if row.created_by else None
            now = services.clock.now()
            if fig.done:
                if store.mark_done(s, broadcast_id, now) and creator is not None:
                    outbox.enqueue(s, key=f"broadcast:{broadcast_id}:summary", kind="notice",
                                   text=summary_text(services, row, fig), due_at=now, person=creator, commit=False)
                s.commit()
                late = outbox.with_prefix(s, f"broadcast:{broadcast_id}:progress:", statuses=[outbox.PENDING])
                if late:  # a progress report still waiting says less than the summary
                    outbox.cancel(s, {r.id: texts.PROGRESS_SUPERSEDED for r in late})
                self._seen.pop(broadcast_id, None)
                services.wake_outbox()
                log.info("broadcast %s finished: sent=%d uncertain=%d failed=%d unreachable=%d", broadcast_id,
                         fig.sent, fig.uncertain, fig.failed, fig.unreachable)
                return
            reached = [p for p in PROGRESS_STEPS if fig.finished * 100 >= p * fig.total]
            if fig.total >= PROGRESS_MIN and reached and creator is not None:
                step = reached[-1]
                added = outbox.enqueue(
                    s, key=f"broadcast:{broadcast_id}:progress:{step}", kind="notice",
                    text=texts.PROGRESS.format(id=broadcast_id, label=row.audience_label, finished=fig.finished,
                                               total=fig.total, percent=math.floor(100 * fig.finished / fig.total),
                                               sent=fig.sent, failed=fig.failed + fig.unreachable,
                                               uncertain=fig.uncertain),
                    due_at=(row.confirmed_at or now) - PROGRESS_AHEAD, person=creator)
                if added:
                    services.wake_outbox()
        if remember:
            self._seen[broadcast_id] = (fig.finished, self._next_check(fig), time.monotonic())

    @staticmethod
    def _next_check(fig: store.Figures) -> int:
        marks = [math.ceil(p * fig.total / 100) for p in PROGRESS_STEPS] if fig.total >= PROGRESS_MIN else []
        return min([m for m in marks if m > fig.finished] + [fig.total])

    def reconcile(self) -> None:
        """Close every broadcast whose rows are all final (after a restart, or with no one to send to)."""
        with self.services.store.session() as s:
            ids = [row.id for row in store.sending(s)]
        for broadcast_id in ids:
            self.check(broadcast_id)


def reports_for(services: Services) -> DeliveryReports:
    """The one ``DeliveryReports`` of these services, created on first use and kept on them
    (its counters are a cache: a second instance would only query the store more often)."""
    reports = getattr(services, "_broadcast_reports", None)
    if reports is None:
        reports = DeliveryReports(services)
        setattr(services, "_broadcast_reports", reports)
    return reports
