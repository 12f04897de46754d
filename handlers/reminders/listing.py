"""What will be sent and to whom: ``agency-bot reminders`` and /nhacnho.

Planned as the bot would plan it now (pending rows plus what a replan would add);
nothing is written. Recipients are shown as channel and person id, never names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from handlers.context import Services
from handlers.reminders.keys import PREFIX, VISIT, WINDOW, Key
from handlers.reminders.planning import compute, snapshot
from messages.texts import reminders as texts
from messages.vntext import fmt_date, fmt_datetime
from storage import outbox


def _topic(services: Services, key: Key) -> str:
    if key.topic == WINDOW:
        return texts.TOPIC_WINDOW
    if key.topic == VISIT:
        when = fmt_datetime(datetime.strptime(key.stamp, "%Y%m%dT%H%M"))
        if key.is_announce:
            return texts.TOPIC_VISIT_SET.format(when=when)
        return texts.TOPIC_VISIT.format(when=when, days=key.offset)
    d = services.plan.deliverable(key.topic)
    short = d.short if d else key.topic
    n = int(key.offset) if key.offset.lstrip("-").isdigit() else 0
    if n > 0:
        return texts.TOPIC_BEFORE.format(short=short, days=n)
    if n == 0:
        return texts.TOPIC_ON_DAY.format(short=short)
    return texts.TOPIC_AFTER.format(short=short, days=-n)


def describe_upcoming(services: Services, days: int, *, max_chars: int | None = None) -> str:
    """What will be sent in the next ``days`` days and to whom (unit, subject, time, channel, person id),
    then what cannot be delivered. With ``max_chars``, lines past that length are summed up in a
    last line pointing to the full listing."""
    now = services.clock.now()
    end = now + timedelta(days=days)
    snap = snapshot(services, now)
    changes = compute(services, now, snap=snap)
    rows: list[tuple[datetime, Key, str | None, str | None]] = []  # due, key, channel, reason-if-undeliverable
    for row in snap.pending.values():
        if row.id not in changes.cancel and row.due_at <= end:
            rows.append((row.due_at, Key.parse(row.key), row.channel, row.last_error if row.person_id is None else None))
    for row in [*changes.create, *changes.revive.values()]:
        if row["due_at"] <= end:
            rows.append((row["due_at"], Key.parse(row["key"]), row["channel"], row["last_error"]))
    with services.store.session() as s:
        recent = outbox.with_prefix(s, PREFIX, statuses=[outbox.UNDELIVERABLE, outbox.FAILED, outbox.UNCERTAIN],
                                    due_from=now - timedelta(days=max(days, 1)), due_to=now)
    names = {u.code: u.name for u in services.roster().units}
    sendable = [r for r in rows if r[3] is None]
    nobody = [r for r in rows if r[3] is not None]
    start_s, end_s = fmt_datetime(now), fmt_datetime(end)
    problems = [(due, key, reason) for due, key, _, reason in nobody]
    problems += [(r.due_at, Key.parse(r.key), r.last_error or "") for r in recent if r.status != outbox.UNCERTAIN]
    # handed over without an answer: may have arrived, never resent; staff may want to check with the person
    unsure = [(r.due_at, Key.parse(r.key), r.last_error or "") for r in recent if r.status == outbox.UNCERTAIN]
    lines: list[str] = []
    if not sendable and not problems and not unsure:
        lines.append(texts.LIST_EMPTY.format(start=start_s, end=end_s))
    elif not sendable:
        pass  # the undeliverable ones below say it in their own header: "none" then "126 not sent" contradicts
    else:
        recipients_all = {(k.person, ch) for _, k, ch, _ in sendable}
        lines.append(texts.LIST_HEADER.format(start=start_s, end=end_s, count=len(sendable),
                                              people=len(recipients_all)))
        groups: dict[tuple, list[str]] = defaultdict(list)
        for due, key, channel, _ in sendable:
            local = services.clock.local(due)
            groups[(local, key.unit, key.topic, key.stamp, key.offset)].append(
                texts.LIST_RECIPIENT.format(channel=channel, person=key.person))
        header = None
        for (local, unit, topic, stamp, offset), recipients in sorted(groups.items(), key=lambda kv: kv[0]):
            late = local < now
            wanted = texts.LIST_OVERDUE_NOW if late else texts.LIST_DAY.format(date=fmt_date(local))
            if wanted != header:
                lines.append(wanted)
                header = wanted
            lines.append(texts.LIST_LINE.format(time=fmt_datetime(local) if late else local.strftime("%H:%M"),
                                                unit=names.get(unit, unit),
                                                topic=_topic(services, Key(unit, topic, stamp, "", offset)),
                                                recipients=", ".join(sorted(recipients))))
    if problems:
        units = len({key.unit for _, key, _ in problems})
        if sendable:
            lines.append("")
            lines.append(texts.LIST_NOBODY_HEADER.format(count=len(problems), units=units))
        else:
            lines.append(texts.LIST_ONLY_NOBODY.format(start=start_s, end=end_s, count=len(problems), units=units))
        lines += _grouped(services, problems, names)
    if unsure:
        lines.append("")
        lines.append(texts.LIST_UNSURE_HEADER.format(count=len(unsure), units=len({key.unit for _, key, _ in unsure})))
        lines += _grouped(services, unsure, names)
    text = "\n".join(lines)
    if max_chars is not None and len(text) > max_chars:
        kept, size = [], 0
        for line in lines:
            if size + len(line) + 1 > max_chars - 120:
                break
            kept.append(line)
            size += len(line) + 1
        text = "\n".join(kept + [texts.LIST_MORE.format(count=len(lines) - len(kept), days=days)])
    return text


def _grouped(services: Services, items: list[tuple[datetime, Key, str]], names: dict[str, str]) -> list[str]:
    """One line per unit and reason: the message itself when there is one, else how many and from when to when."""
    by_unit: dict[tuple[str, str], list[tuple[datetime, Key]]] = defaultdict(list)
    for due, key, reason in items:
        by_unit[(key.unit, reason)].append((due, key))
    lines = []
    for (unit, reason), group in sorted(by_unit.items(), key=lambda kv: (min(kv[1])[0], kv[0])):
        group.sort(key=lambda item: item[0])
        first, last = services.clock.local(group[0][0]), services.clock.local(group[-1][0])
        if len(group) == 1:
            lines.append(texts.LIST_NOBODY_LINE.format(when=fmt_datetime(first), unit=names.get(unit, unit),
                                                       topic=_topic(services, group[0][1]), reason=reason))
        else:
            lines.append(texts.LIST_NOBODY_GROUP.format(unit=names.get(unit, unit), count=len(group),
                                                        first=fmt_date(first), last=fmt_date(last), reason=reason))
    return lines
