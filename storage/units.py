"""Units and inspection dates in the store."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from messages.plan import Plan
from messages.units import UnitRecord
from storage.models import InspectionVisit, Unit, utcnow


def sync_plan(session: Session, plan: Plan) -> None:
    """Make the store's roster match the plan (names, levels, parents, who is inspected directly).

    A unit is inspected directly iff the plan lists it or staff chose it (``staff_selected``):
    reloading the plan never undoes staff's choices. Units added at run time are kept.
    """
    listed = plan.listed_codes
    depth = {lv: i for i, lv in enumerate(plan.level_order())}
    existing = {u.code: u for u in session.exec(select(Unit)).all()}
    # parents first so foreign keys hold on PostgreSQL
    for spec in sorted(plan.units, key=lambda u: depth.get(u.level, 0)):
        row = existing.get(spec.code) or Unit(code=spec.code, name=spec.name, level=spec.level)
        row.name, row.level, row.parent_code, row.source = spec.name, spec.level, spec.parent, "plan"
        row.inspected = spec.code in listed or row.staff_selected
        session.add(row)
        session.flush()
    session.commit()


def record(unit: Unit) -> UnitRecord:
    return UnitRecord(unit.code, unit.name, unit.level, unit.parent_code, (), unit.inspected)


def runtime_units(session: Session) -> list[UnitRecord]:
    """Units not in the plan file (imported, or confirmed by staff), for the roster."""
    rows = session.exec(select(Unit).where(Unit.source != "plan")).all()
    return [record(u) for u in rows]


def staff_selected(session: Session) -> list[str]:
    """Units staff chose for direct inspection at run time."""
    return list(session.exec(select(Unit.code).where(Unit.staff_selected == True)).all())  # noqa: E712


def all_units(session: Session) -> list[Unit]:
    return list(session.exec(select(Unit)).all())


def get(session: Session, code: str) -> Unit | None:
    return session.get(Unit, code)


def add(session: Session, unit: UnitRecord, source: str, *, commit: bool = True) -> Unit:
    """Add a unit staff confirmed (or imported); returns the existing row if it is there."""
    row = session.get(Unit, unit.code)
    if row is None:
        row = Unit(code=unit.code, name=unit.name, level=unit.level, parent_code=unit.parent,
                   inspected=unit.inspected, staff_selected=unit.inspected, source=source)
        session.add(row)
        if commit:
            session.commit()
    return row


def upsert(session: Session, unit: UnitRecord, source: str) -> Unit:
    """Add or update a unit from staff's roster (the caller commits); its inspected flag is staff's."""
    row = session.get(Unit, unit.code) or Unit(code=unit.code, name=unit.name, level=unit.level, source=source)
    row.name, row.level, row.parent_code = unit.name, unit.level, unit.parent
    row.inspected = row.staff_selected = unit.inspected
    session.add(row)
    session.flush()
    return row


def select_for_inspection(session: Session, unit_code: str) -> bool:
    """Staff chose this unit for direct inspection; True if it was not inspected before."""
    unit = session.get(Unit, unit_code)
    if unit is None or unit.inspected:
        return False
    unit.inspected = unit.staff_selected = True
    session.add(unit)
    session.commit()
    return True


def set_inspection(session: Session, unit_code: str, starts_at: datetime,
                   by: int | None) -> tuple[InspectionVisit, datetime | None]:
    """Store a unit's inspection date; returns the visit and the previous date (None if new).
    Choosing who is inspected is ``select_for_inspection``'s business, not a date's."""
    visit = session.get(InspectionVisit, unit_code)
    previous = visit.starts_at if visit else None
    if visit is None:
        visit = InspectionVisit(unit_code=unit_code, starts_at=starts_at, set_by=by)
    visit.starts_at, visit.set_by, visit.set_at = starts_at, by, utcnow()
    session.add(visit)
    session.commit()
    return visit, previous


def inspection_of(session: Session, unit_code: str) -> InspectionVisit | None:
    return session.get(InspectionVisit, unit_code)


def all_inspections(session: Session) -> list[InspectionVisit]:
    return list(session.exec(select(InspectionVisit)).all())
