"""Every unit with its level, inspected or not, focal points and each deliverable's status;
filtered by level, status and inspected, and searched by name as people write it (the bot's
own matching, ``Roster.resolve``, then the units whose name contains what was typed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.auth import Staff, staff_page
from bot.web.site import Site
from handlers.context import Services
from handlers.reports import Standing, standings, unit_order
from messages.texts import web as texts
from messages.units import UnitRecord, expand
from storage import people

PAGE_SIZE = 100
STATUS_FILTERS = tuple(texts.FILTER_STATUSES)


@dataclass
class UnitRow:
    unit: UnitRecord
    focal: int
    cells: list[Standing | None]  # one per deliverable of the plan, None where the unit owes nothing

    @property
    def statuses(self) -> set[str]:
        return {c.status for c in self.cells if c is not None}


@dataclass
class Filters:
    q: str = ""
    level: str = ""
    status: str = ""
    inspected: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params) -> "Filters":
        page = params.get("page", "1")
        return cls(q=params.get("q", "").strip()[:200], level=params.get("level", ""),
                   status=params.get("status", "") if params.get("status") in STATUS_FILTERS else "",
                   inspected=params.get("inspected", "") if params.get("inspected") in ("yes", "no") else "",
                   page=max(1, int(page)) if page.isdigit() else 1)

    def query(self, **change) -> str:
        """The query string of these filters with ``change`` applied (links to other pages)."""
        values = {"q": self.q, "level": self.level, "status": self.status, "inspected": self.inspected,
                  "page": self.page, **change}
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


@dataclass
class Listing:
    rows: list[UnitRow]
    total: int  # units in the roster
    matched: int  # after filtering
    pages: int
    hint: str = ""  # about the search: nothing found, a commune not yet known
    levels: list[str] = field(default_factory=list)


def unit_rows(services: Services, table: dict[str, list[Standing]] | None = None) -> list[UnitRow]:
    """Every unit in roster order, with where it stands on each deliverable (one pass over ``standings``)."""
    table = standings(services) if table is None else table
    deliverables = [d.id for d in services.plan.deliverables]
    by_unit: dict[str, dict[str, Standing]] = {}
    for deliverable_id, rows in table.items():
        for st in rows:
            by_unit.setdefault(st.unit.code, {})[deliverable_id] = st
    with services.store.session() as s:
        focal = people.focal_counts(s)
    return [UnitRow(u, focal.get(u.code, 0), [by_unit.get(u.code, {}).get(d) for d in deliverables])
            for u in unit_order(services)]


def search(services: Services, q: str) -> tuple[list[str] | None, str]:
    """Codes of the units ``q`` names, best first (None: no search), and a sentence when it names none."""
    if not q:
        return None, ""
    roster = services.roster()
    found = roster.resolve(q)
    codes = [found.unit.code] if found.unit else [u.code for u in found.candidates]
    key = expand(q)
    if key:
        codes += [c for k, cs in roster.name_keys().items() if key in k for c in cs]
    codes = list(dict.fromkeys(codes))
    if codes:
        return codes, ""
    if found.new_unit is not None:
        return [], texts.SEARCH_NEW_UNIT.format(q=q, name=found.new_unit.name)
    return [], texts.SEARCH_NOTHING.format(q=q)


def listing(services: Services, f: Filters) -> Listing:
    rows = unit_rows(services)
    total = len(rows)
    codes, hint = search(services, f.q)
    if codes is not None:
        rank = {c: i for i, c in enumerate(codes)}
        rows = sorted((r for r in rows if r.unit.code in rank), key=lambda r: rank[r.unit.code])
    if f.level:
        rows = [r for r in rows if r.unit.level == f.level]
    if f.inspected:
        rows = [r for r in rows if r.unit.inspected == (f.inspected == "yes")]
    if f.status == "missing":
        rows = [r for r in rows if r.statuses & {"missing", "overdue"}]
    elif f.status in ("overdue", "late"):
        rows = [r for r in rows if f.status in r.statuses]
    elif f.status == "complete":
        rows = [r for r in rows if r.statuses and r.statuses <= {"on_time", "late"}]
    elif f.status == "no_focal":
        rows = [r for r in rows if r.focal == 0]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(f.page, pages)
    present = {u.level for u in services.roster().units}
    levels = [lv for lv in services.plan.level_order() if lv in present]
    return Listing(rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], total, len(rows), pages, hint, levels)


@staff_page
async def page(request: Request, site: Site, staff: Staff) -> Response:
    f = Filters.from_query(request.query_params)
    view = listing(site.services, f)
    f.page = min(f.page, view.pages)
    return site.page(request, "units.html", staff=staff, title=texts.UNITS_TITLE, nav="units", view=view, f=f,
                     deliverables=site.services.plan.deliverables)


routes = [Route("/units", page, methods=["GET"])]
