"""Units and inspection dates in the store."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from messages.plan import Plan
from messages.units import UnitRecord
from storage.models import InspectionVisit, Unit, utcnow


def sync_plan(session: Session, plan: Plan) -> None:
    """Make the store's roster match the plan (names, tiers, who is inspected directly).

    Departments and districts are inspected iff the plan lists them; units added at run
    time (communes) are kept, and a commune that staff gave a date keeps its flag.
    """
    inspected = plan.inspected_codes
    existing = {u.code: u for u in session.exec(select(Unit)).all()}
    # parents first so foreign keys hold on PostgreSQL
    for spec in sorted(plan.units, key=lambda u: u.parent is not None):
        row = existing.get(spec.code) or Unit(code=spec.code, name=spec.name, tier=spec.tier)
        row.name, row.tier, row.parent_code, row.source = spec.name, spec.tier, spec.parent, "plan"
        row.inspected = spec.code in inspected or (spec.tier == "commune" and row.inspected)
        session.add(row)
        session.flush()
    session.commit()


def record(unit: Unit) -> UnitRecord:
    return UnitRecord(unit.code, unit.name, unit.tier, unit.parent_code, (), unit.inspected)


def runtime_units(session: Session) -> list[UnitRecord]:
    """Units not in the plan file (communes added later), for the roster."""
    rows = session.exec(select(Unit).where(Unit.source != "plan")).all()
    return [record(u) for u in rows]


def inspected_communes(session: Session) -> list[str]:
    return list(session.exec(select(Unit.code).where(Unit.tier == "commune", Unit.inspected == True)).all())  # noqa: E712


def get(session: Session, code: str) -> Unit | None:
    return session.get(Unit, code)


def add(session: Session, unit: UnitRecord, source: str) -> Unit:
    """Add a unit read from a name (a commune); returns the existing row if it is there."""
    row = session.get(Unit, unit.code)
    if row is None:
        row = Unit(code=unit.code, name=unit.name, tier=unit.tier, parent_code=unit.parent,
                   inspected=unit.inspected, source=source)
        session.add(row)
        session.commit()
    return row


def set_inspection(session: Session, unit_code: str, starts_at: datetime, by: int | None) -> tuple[InspectionVisit, datetime | None]:
    """Store a unit's inspection date; returns the visit and the previous date (None if new).

    Who is inspected directly has one rule: departments and districts iff the plan lists
    them (``sync_plan``), communes iff staff gave them a date (II.2.c: the plan leaves the
    choice to them). So a date flags a commune; a date for a department or district off
    the plan's list is stored (staff may visit it) but does not change what it owes.
    """
    visit = session.get(InspectionVisit, unit_code)
    previous = visit.starts_at if visit else None
    if visit is None:
        visit = InspectionVisit(unit_code=unit_code, starts_at=starts_at, set_by=by)
    visit.starts_at, visit.set_by, visit.set_at = starts_at, by, utcnow()
    session.add(visit)
    unit = session.get(Unit, unit_code)
    if unit is not None and unit.tier == "commune" and not unit.inspected:
        unit.inspected = True
        session.add(unit)
    session.commit()
    return visit, previous


def inspection_of(session: Session, unit_code: str) -> InspectionVisit | None:
    return session.get(InspectionVisit, unit_code)


def all_inspections(session: Session) -> list[InspectionVisit]:
    return list(session.exec(select(InspectionVisit)).all())
