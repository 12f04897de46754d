"""The overview: per deliverable, required / on time / late / missing by level, a chart of
submissions against the deadline, and the units that still owe something, most urgent first.

Everything comes from ``handlers.reports.standings`` (a few queries whatever the number of
units): the same figures as /tonghop and the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.chart import Chart, cumulative
from bot.web.site import Site
from handlers.context import Services
from handlers.formatting import deadline_left
from handlers.reports import Standing, Tally, due_label, standings, tally
from messages.plan import Deliverable
from messages.texts import web as texts

OWING_SHOWN = 25


@dataclass
class DeliverableFigures:
    deliverable: Deliverable
    due: str
    total: Tally
    by_level: dict[str, Tally]
    chart: Chart | None


@dataclass
class Owing:
    standing: Standing
    left: str  # "còn 3 ngày", "đã quá hạn 2 ngày"


@dataclass
class Overview:
    deliverables: list[DeliverableFigures]
    owing: list[Owing]
    owing_more: int


def overview(services: Services, table: dict[str, list[Standing]] | None = None) -> Overview:
    table = standings(services) if table is None else table
    now = services.clock.now()
    figures = []
    for deliverable in services.plan.deliverables:
        rows = table.get(deliverable.id, [])
        total, by_level = tally(rows, services)
        firsts = [services.clock.local(st.received.first_received_at).date() for st in rows if st.received]
        # a deadline that differs by unit (before each one's inspection): the chart marks the last set one
        dated = [st.deadline.at for st in rows if st.deadline.at is not None]
        due = deliverable.due.last_day or (max(dated).date() if dated else None)
        chart = cumulative(firsts, total.owed, due, now.date()) if rows else None
        figures.append(DeliverableFigures(deliverable, due_label(deliverable), total, by_level, chart))
    owing = sorted((st for rows in table.values() for st in rows if not st.submitted),
                   key=lambda st: (st.deadline.at is None, st.deadline.at or now))  # unset deadlines last
    shown = [Owing(st, deadline_left(st.deadline, now)) for st in owing[:OWING_SHOWN]]
    return Overview(figures, shown, max(0, len(owing) - OWING_SHOWN))


def overview_html(site: Site, request: Request, staff: Staff | None) -> Response:
    return site.page(request, "overview.html", staff=staff, title=texts.OVERVIEW_TITLE, nav="overview",
                     view=overview(site.services))


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    return overview_html(site, request, staff)


routes = [Route("/", page, methods=["GET"])]
