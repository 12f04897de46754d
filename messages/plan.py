"""The plan file's schema: everything the bot knows about one inspection plan.

A plan is data (YAML, see ``messages/plans/``); these pydantic models validate it
and answer the few structural questions the rest of the bot asks (which units are
inspected directly, which deliverables a unit owes, how to cite a section).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from messages.knowledge_schema import Knowledge
from messages.vntext import fmt_date

Tier = Literal["department", "district", "commune"]
Audience = Literal["all", "inspected", "not_inspected", "coordinator"]

SCHEMA_VERSION = 1
_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def _parse_date(value: object) -> object:
    """Accept ``30/9/2020`` (as Vietnamese documents write it) or ISO ``2020-09-30``."""
    if isinstance(value, date) or not isinstance(value, str):
        return value
    if m := _DMY.match(value):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(value):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"'{value}' không phải ngày dạng dd/mm/yyyy")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"ngày '{value.strip()}' không tồn tại") from None


def _parse_time(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}:\d{2}\s*", value):
        hours, minutes = (int(p) for p in value.strip().split(":"))
        try:
            return time(hours, minutes)
        except ValueError:
            raise ValueError(f"giờ '{value.strip()}' không hợp lệ") from None
    return value


def _check_code(value: str) -> str:
    if not _CODE.match(value):
        raise ValueError(f"mã '{value}' phải là chữ thường không dấu nối bằng '-', ví dụ so-tai-chinh")
    return value


def _supported_version(value: int) -> int:
    if value != SCHEMA_VERSION:
        raise ValueError(f"phiên bản {value} chưa được hỗ trợ (bot đọc phiên bản {SCHEMA_VERSION})")
    return value


PlanDate = Annotated[date, BeforeValidator(_parse_date)]
PlanTime = Annotated[time, BeforeValidator(_parse_time)]
Code = Annotated[str, AfterValidator(_check_code)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def official_date(value: date) -> str:
    """Date in a document citation, as Vietnamese administrative style writes it:
    day padded below 10, month padded only for January and February (03/3/2020)."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"


class Signer(_Model):
    name: str
    position: str  # "Phó Chủ tịch"
    capacity: str | None = None  # "KT. Chủ tịch" (ký thay)

    @property
    def full(self) -> str:
        """"KT. Chủ tịch, Phó Chủ tịch Lê Thị Minh Phụng"."""
        return f"{self.capacity + ', ' if self.capacity else ''}{self.position} {self.name}"


class Document(_Model):
    kind: str  # "Kế hoạch"
    number: str  # "32/KH-UBND"
    date: PlanDate
    place: str
    issuer: str
    title: str
    year: int
    signer: Signer
    recipients: list[str] = Field(min_length=1)

    @property
    def citation(self) -> str:
        return f"{self.kind} {self.number} ngày {official_date(self.date)}"


class LegalBasis(_Model):
    id: str
    kind: str  # "Quyết định", "Kế hoạch"
    number: str
    date: PlanDate
    issuer: str
    subject: str
    relation: Literal["basis", "implements"] = "basis"  # "Căn cứ" or "Thực hiện"
    amends: str | None = None  # id of the basis this one amends

    @property
    def label(self) -> str:
        return f"{self.kind} số {self.number} ngày {official_date(self.date)} của {self.issuer}"


class Section(_Model):
    id: str  # "III.4", "I.2.b", "preamble"
    title: str | None = None
    label: str | None = None  # how to cite a part that is not a numbered section ("Phần căn cứ")
    text: str

    @property
    def cited_as(self) -> str:
        return self.label or f"Mục {self.id}"


class Unit(_Model):
    code: Code
    name: str  # as written on documents: "Sở Tài chính", "UBND huyện An Biên"
    tier: Tier
    parent: Code | None = None  # district of a commune
    aliases: list[str] = []  # abbreviations people use: "STC", "SNV"


class Window(_Model):
    label: str  # "Quý III/2020"
    start: PlanDate
    end: PlanDate

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.end < self.start:
            raise ValueError("ngày kết thúc (end) trước ngày bắt đầu (start)")
        return self


class Coverage(_Model):
    """Requirement I.2.b: how much the province inspects."""

    departments_ratio: float = Field(ge=0, le=1)
    districts_ratio: float = Field(ge=0, le=1)
    communes: int = Field(ge=0)
    section: str


class Inspection(_Model):
    section: str  # where the lists are (II.2)
    departments: list[Code]  # II.2.a
    districts: list[Code]  # II.2.b
    communes: list[Code] = []  # II.2.c when named; usually chosen later by staff
    communes_per_district: int = Field(ge=0)
    communes_section: str
    window: Window
    window_section: str  # II.3
    announced_by: Code  # who announces the exact dates (III.2)
    announce_section: str
    coverage: Coverage


class Obligation(_Model):
    id: str
    section: str
    applies_to: Audience
    summary: str  # one line, used in lists
    text: str  # what the unit must do, in plain words
    ratio: float | None = Field(default=None, ge=0, le=1)  # e.g. self-inspect ≥ 30 % of subordinates


class Due(_Model):
    """A fixed date, or "before the unit's inspection" (then the window's end until staff set a date)."""

    date: PlanDate | None = None
    before_inspection: bool = False
    wording: str  # the plan's own words: "trước ngày 30/9/2020"

    @model_validator(mode="after")
    def _one_kind(self) -> "Due":
        if (self.date is None) == (not self.before_inspection):
            raise ValueError("cần đúng một trong hai: date (ngày cụ thể) hoặc before_inspection: true")
        return self


class Deliverable(_Model):
    id: Code
    title: str
    short: str = Field(max_length=40)  # button label
    section: str
    applies_to: Audience
    sender: str  # who sends it, in the plan's words
    recipient: str
    content: str  # what it reports on
    due: Due


class ReminderPolicy(_Model):
    """When reminders go out. Defaults follow common practice; a plan may change them."""

    deadline_days_before: list[int] = [14, 7, 3, 1, 0]
    send_at: PlanTime = time(8, 0)
    overdue_after_days: int = Field(default=1, ge=1)
    overdue_every_days: int = Field(default=7, ge=1)
    overdue_max: int = Field(default=3, ge=0)
    inspection_days_before: list[int] = [7, 1]
    window_open_notice: bool = True


class Plan(_Model):
    schema_version: Annotated[int, AfterValidator(_supported_version)]
    id: Code
    document: Document
    legal_bases: list[LegalBasis]
    sections: list[Section] = Field(min_length=1)
    coordinator: Code  # the unit that runs the plan (Sở Nội vụ)
    units: list[Unit] = Field(min_length=1)
    inspection: Inspection
    obligations: list[Obligation]
    deliverables: list[Deliverable] = Field(min_length=1)
    reminders: ReminderPolicy = ReminderPolicy()
    knowledge: Knowledge = Knowledge()

    @model_validator(mode="after")
    def _consistent(self) -> "Plan":
        """Cross-references. Each problem starts with its path so the loader can give its line."""
        problems: list[str] = []
        for field, values in (
            ("units", [u.code for u in self.units]),
            ("deliverables", [d.id for d in self.deliverables]),
            ("obligations", [o.id for o in self.obligations]),
            ("sections", [s.id for s in self.sections]),
        ):
            problems += _duplicates(field, values)
        by_code = {u.code: u for u in self.units}
        section_ids = {s.id for s in self.sections}
        for i, u in enumerate(self.units):
            if u.parent is not None and u.parent not in by_code:
                problems.append(f"units[{i}].parent: '{u.parent}' không có trong danh sách units")
        for field, tier in (("departments", "department"), ("districts", "district"), ("communes", "commune")):
            for i, code in enumerate(getattr(self.inspection, field)):
                unit = by_code.get(code)
                if unit is None:
                    problems.append(f"inspection.{field}[{i}]: đơn vị '{code}' không có trong danh sách units")
                elif unit.tier != tier:
                    problems.append(f"inspection.{field}[{i}]: '{code}' thuộc cấp {unit.tier}, không phải {tier}")
        if self.coordinator not in by_code:
            problems.append(f"coordinator: '{self.coordinator}' không có trong danh sách units")
        if self.inspection.announced_by not in by_code:
            problems.append(f"inspection.announced_by: '{self.inspection.announced_by}' không có trong danh sách units")
        cited = [(f"obligations[{i}].section", o.section) for i, o in enumerate(self.obligations)]
        cited += [(f"deliverables[{i}].section", d.section) for i, d in enumerate(self.deliverables)]
        cited += [("inspection.section", self.inspection.section)]
        cited += [("inspection.window_section", self.inspection.window_section)]
        cited += [("inspection.coverage.section", self.inspection.coverage.section)]
        cited += [("inspection.communes_section", self.inspection.communes_section)]
        cited += [("inspection.announce_section", self.inspection.announce_section)]
        for path, section in cited:
            if section not in section_ids:
                problems.append(f"{path}: mục '{section}' không có trong sections")
        problems += self.knowledge.problems(section_ids)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # ---- structural queries -------------------------------------------------
    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def unit_name(self, code: str) -> str:
        """A plan unit's name (the coordinator, the announcer…), or its code if the plan has none."""
        unit = self.unit(code)
        return unit.name if unit else code

    def deliverable(self, deliverable_id: str | None) -> Deliverable | None:
        return next((d for d in self.deliverables if d.id == deliverable_id), None)

    def inspects_communes_of(self, district_code: str | None) -> bool:
        """II.2.c: communes are chosen only among the districts inspected directly."""
        return district_code is not None and district_code in self.inspection.districts

    def preparation(self) -> list[Obligation]:
        """What a unit inspected directly prepares (III.3), in plan order."""
        return [o for o in self.obligations if o.applies_to == "inspected"]

    @property
    def inspected_codes(self) -> frozenset[str]:
        i = self.inspection
        return frozenset([*i.departments, *i.districts, *i.communes])

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_label(self, section_id: str) -> str:
        """"Mục III.4" (or the label of an unnumbered part)."""
        section = self.section(section_id)
        return section.cited_as if section else f"Mục {section_id}"

    def cite(self, section_id: str) -> str:
        """"Mục III.4, Kế hoạch 32/KH-UBND ngày 03/3/2020"."""
        return f"{self.section_label(section_id)}, {self.document.citation}"

    def audience_of(self, code: str, inspected: bool) -> set[str]:
        """The audiences a unit belongs to (for obligations and deliverables)."""
        groups = {"all", "inspected" if inspected else "not_inspected"}
        if code == self.coordinator:
            groups.add("coordinator")
        return groups

    def deliverables_for(self, code: str, inspected: bool) -> list[Deliverable]:
        groups = self.audience_of(code, inspected)
        return [d for d in self.deliverables if d.applies_to in groups]

    def obligations_for(self, code: str, inspected: bool) -> list[Obligation]:
        groups = self.audience_of(code, inspected)
        return [o for o in self.obligations if o.applies_to in groups]

    def summary_dates(self) -> str:
        w = self.inspection.window
        return f"{w.label} ({fmt_date(w.start)}–{fmt_date(w.end)})"


def _duplicates(field: str, values: list[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, v in enumerate(values):
        if v in seen:
            problems.append(f"{field}[{i}]: '{v}' bị trùng")
        seen.add(v)
    return problems
