"""The overview's chart, drawn on the server as SVG: how many units had sent a deliverable by
each day, against the deadline and the number that owe it. No script, no style attribute
(the pages' Content-Security-Policy allows neither): geometry here, markup in
``templates/chart.html``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from messages.vntext import fmt_date

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 34, 40, 22, 34
MIN_SPAN_DAYS = 14
X_TICKS = 5


@dataclass
class Chart:
    width: int
    height: int
    points: str  # the cumulative line, "x,y x,y …"
    area: str  # the same line closed to the axis, for a light fill
    owed_y: float
    owed: int
    submitted: int
    deadline_x: float | None
    today_x: float | None
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_labels: list[tuple[float, str]] = field(default_factory=list)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def cumulative(first_days: list[date], owed: int, deadline: date | None, today: date,
               label: Callable[[date], str] = fmt_date) -> Chart:
    """``first_days``: the day each unit's first version arrived (one per unit that sent it)."""
    days = sorted(first_days)
    start = min([*days[:1], *([deadline] if deadline else []), today])
    end = max([*days[-1:], *([deadline] if deadline else []), today])
    if (end - start).days < MIN_SPAN_DAYS:
        start = end - timedelta(days=MIN_SPAN_DAYS)
    span = (end - start).days or 1
    top_value = max(owed, len(days), 1)

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    def y(value: int) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top_value, 1)

    steps: list[tuple[float, float]] = [(x(start), y(0))]
    count = 0
    per_day = Counter(days)
    for day in sorted(per_day):
        steps.append((x(day), y(count)))
        count += per_day[day]
        steps.append((x(day), y(count)))
    last = min(today, end) if days else start
    steps.append((x(max(last, days[-1]) if days else last), y(count)))
    points = " ".join(f"{a},{b}" for a, b in steps)
    area = f"{points} {steps[-1][0]},{y(0)} {steps[0][0]},{y(0)}"
    x_labels = [(x(start + timedelta(days=round(span * i / (X_TICKS - 1)))),
                 label(start + timedelta(days=round(span * i / (X_TICKS - 1))))) for i in range(X_TICKS)]
    y_labels = [(y(v), str(v)) for v in sorted({0, top_value // 2, top_value})]
    return Chart(WIDTH, HEIGHT, points, area, y(owed), owed, len(days), x(deadline) if deadline else None,
                 x(today) if start <= today <= end else None, x_labels, y_labels)
