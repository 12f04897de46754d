"""The plan file's schema: everything the bot knows about one inspection plan.

A plan is data (YAML, see ``messages/plans/``); these pydantic models validate it
and answer the structural questions the rest of the bot asks (which administrative
levels exist, which units are inspected directly or may still be chosen, which
deliverables a unit owes, how to cite a section). Nothing here knows one plan's
shape: a 2020 plan with provinces, districts and communes and a plan written under
today's two-level local government are both just lists of levels and units.
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
    PrivateAttr,
    model_validator,
)

from messages.knowledge_schema import Knowledge
from messages.vntext import fmt_date

Audience = Literal["all", "inspected", "not_inspected", "coordinator", "named"]  # named: only ``units``

SCHEMA_VERSION = 2
_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LEVEL_ID = re.compile(r"^[a-z][a-z0-9_]*$")
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


def _check_level_id(value: str) -> str:
    if not _LEVEL_ID.match(value):
        raise ValueError(f"mã cấp '{value}' phải là chữ thường không dấu, ví dụ commune")
    return value


def _supported_version(value: int) -> int:
    if value != SCHEMA_VERSION:
        raise ValueError(f"phiên bản {value} chưa được hỗ trợ (bot đọc phiên bản {SCHEMA_VERSION})")
    return value


PlanDate = Annotated[date, BeforeValidator(_parse_date)]
PlanTime = Annotated[time, BeforeValidator(_parse_time)]
Code = Annotated[str, AfterValidator(_check_code)]
LevelId = Annotated[str, AfterValidator(_check_level_id)]


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
    place: str  # the province, as the date line writes it
    issuer: str  # "Ủy ban nhân dân tỉnh …"
    issuer_short: str  # how texts name the issuer: "UBND tỉnh"
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


class Level(_Model):
    """One administrative level the plan concerns (a province's agencies, districts, communes…).

    ``kinds`` are the words a unit's name starts with, as users write them (sở, ban; xã, phường,
    đặc khu); ``places``: units of the level are places, named by their place alone too ("An Biên").
    """

    id: LevelId
    name: str  # heading and audience: "UBND cấp xã"
    short: str = Field(max_length=30)  # a column: "Cấp xã"
    kinds: list[str] = Field(min_length=1)
    parent: LevelId | None = None  # the level of its units' parents
    places: bool = False


class Unit(_Model):
    code: Code
    name: str  # as written on documents: "Sở Tài chính", "UBND phường Long Xuyên"
    level: LevelId
    parent: Code | None = None
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


class Selection(_Model):
    """Who of one level is inspected directly: units the plan names, and/or a number the
    announcer chooses later, per selected parent (``per_parent``) or in all (``count``)."""

    level: LevelId
    section: str
    units: list[Code] = []
    per_parent: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=1)
    wording: str | None = None  # the plan's words, for quoting: "Chọn 02 xã thuộc …"

    @model_validator(mode="after")
    def _says_something(self) -> "Selection":
        if not self.units and self.per_parent is None and self.count is None:
            raise ValueError("cần ít nhất một trong: units, per_parent, count")
        return self

    @property
    def chosen_later(self) -> bool:
        return self.per_parent is not None or self.count is not None


class Target(_Model):
    """One figure of the plan's coverage requirement ("từ 30% số sở", "10 UBND cấp xã")."""

    level: LevelId
    ratio: float | None = Field(default=None, gt=0, le=1)
    count: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> "Target":
        if (self.ratio is None) == (self.count is None):
            raise ValueError("cần đúng một trong hai: ratio (tỷ lệ) hoặc count (số đơn vị)")
        return self


class Coverage(_Model):
    section: str
    targets: list[Target] = Field(min_length=1)


class Offset(_Model):
    """How long before the unit's inspection; 0 days: at the inspection itself (its start)."""

    days: int = Field(ge=0)
    working: bool = False  # working days: weekends and public holidays do not count


class Notice(_Model):
    """How early the announcer must give a unit its inspection date ("chậm nhất 10 ngày trước ngày kiểm tra")."""

    wording: str  # the plan's words, quoted
    before: Offset


class Inspection(_Model):
    section: str  # where the lists are (II.2)
    selection: list[Selection] = Field(min_length=1)
    window: Window
    window_section: str
    announced_by: Code  # who announces the exact dates (and chooses what the plan leaves open)
    announce_section: str
    notice: Notice | None = None  # stated in the announce section
    coverage: Coverage | None = None


class Obligation(_Model):
    id: str
    section: str
    applies_to: Audience
    levels: list[LevelId] = []  # only units of these levels (empty: every level)
    units: list[Code] = []  # applies_to: named — the units the plan gives this duty to
    summary: str  # one line, used in lists
    text: str  # what the unit must do, in plain words
    ratio: float | None = Field(default=None, ge=0, le=1)  # e.g. self-inspect ≥ 30 % of subordinates


class Due(_Model):
    """A fixed last day, or an offset before the unit's inspection (unknown until staff set it).

    ``last_day`` is the last day a file is on time, stated explicitly: "trước ngày 30/9" read
    literally makes 29/9 the last day. ``wording`` keeps the plan's own words for quoting."""

    wording: str
    last_day: PlanDate | None = None
    before_inspection: Offset | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Due":
        if (self.last_day is None) == (self.before_inspection is None):
            raise ValueError("cần đúng một trong hai: last_day (ngày cuối cùng) hoặc before_inspection")
        return self

    @property
    def at_inspection(self) -> bool:
        """Owed at the inspection itself (brought to the team), not some days before."""
        return self.before_inspection is not None and self.before_inspection.days == 0


class Deliverable(_Model):
    id: Code
    title: str
    short: str = Field(max_length=40)  # button label
    section: str
    applies_to: Audience
    levels: list[LevelId] = []  # only units of these levels (empty: every level)
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


class Calendar(_Model):
    """Working days for offsets: Monday–Friday without the country's public holidays, plus the
    days off and make-up working days the government announces each year."""

    country: str = "VN"
    days_off: list[PlanDate] = []
    working_days: list[PlanDate] = []


class Plan(_Model):
    schema_version: Annotated[int, AfterValidator(_supported_version)]
    id: Code
    document: Document
    legal_bases: list[LegalBasis]
    sections: list[Section] = Field(min_length=1)
    coordinator: Code  # the unit that runs the plan and receives reports
    levels: list[Level] = Field(min_length=1)
    units: list[Unit] = Field(min_length=1)
    inspection: Inspection
    obligations: list[Obligation]
    deliverables: list[Deliverable] = Field(min_length=1)
    reminders: ReminderPolicy = ReminderPolicy()
    calendar: Calendar = Calendar()
    knowledge: Knowledge = Knowledge()
    _by_code: dict[str, Unit] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "Plan":
        """Cross-references. Each problem starts with its path so the loader can give its line."""
        problems: list[str] = []
        for field, values in (
            ("levels", [lv.id for lv in self.levels]),
            ("units", [u.code for u in self.units]),
            ("deliverables", [d.id for d in self.deliverables]),
            ("obligations", [o.id for o in self.obligations]),
            ("sections", [s.id for s in self.sections]),
            ("inspection.selection", [s.level for s in self.inspection.selection]),
        ):
            problems += _duplicates(field, values)
        levels = {lv.id: lv for lv in self.levels}
        by_code = {u.code: u for u in self.units}
        for i, lv in enumerate(self.levels):
            if lv.parent is not None and (lv.parent not in levels or lv.parent == lv.id):
                problems.append(f"levels[{i}].parent: cấp '{lv.parent}' không có trong levels")
        for i, u in enumerate(self.units):
            level = levels.get(u.level)
            if level is None:
                problems.append(f"units[{i}].level: cấp '{u.level}' không có trong levels")
                continue
            if u.parent is None:
                if level.parent is not None:
                    problems.append(f"units[{i}].parent: đơn vị cấp '{u.level}' cần đơn vị cấp trên ({level.parent})")
            elif u.parent not in by_code:
                problems.append(f"units[{i}].parent: '{u.parent}' không có trong danh sách units")
            elif by_code[u.parent].level != level.parent:
                problems.append(f"units[{i}].parent: '{u.parent}' không thuộc cấp {level.parent}")
        selected_levels = {s.level for s in self.inspection.selection}
        for i, sel in enumerate(self.inspection.selection):
            where = f"inspection.selection[{i}]"
            level = levels.get(sel.level)
            if level is None:
                problems.append(f"{where}.level: cấp '{sel.level}' không có trong levels")
                continue
            for j, code in enumerate(sel.units):
                unit = by_code.get(code)
                if unit is None:
                    problems.append(f"{where}.units[{j}]: đơn vị '{code}' không có trong danh sách units")
                elif unit.level != sel.level:
                    problems.append(f"{where}.units[{j}]: '{code}' thuộc cấp {unit.level}, không phải {sel.level}")
            if sel.per_parent is not None and (level.parent is None or level.parent not in selected_levels):
                problems.append(f"{where}.per_parent: cấp '{sel.level}' không có cấp trên được chọn kiểm tra")
        for field, code in (("coordinator", self.coordinator), ("inspection.announced_by", self.inspection.announced_by)):
            if code not in by_code:
                problems.append(f"{field}: '{code}' không có trong danh sách units")
        for i, target in enumerate(self.inspection.coverage.targets if self.inspection.coverage else []):
            if target.level not in levels:
                problems.append(f"inspection.coverage.targets[{i}].level: cấp '{target.level}' không có trong levels")
        for i, o in enumerate(self.obligations):
            if (o.applies_to == "named") != bool(o.units):
                problems.append(f"obligations[{i}].units: cần danh sách units khi (và chỉ khi) applies_to là named")
            problems += [f"obligations[{i}].units[{j}]: '{c}' không có trong danh sách units"
                         for j, c in enumerate(o.units) if c not in by_code]
        for field, items in (("obligations", self.obligations), ("deliverables", self.deliverables)):
            for i, item in enumerate(items):
                for j, lv in enumerate(item.levels):
                    if lv not in levels:
                        problems.append(f"{field}[{i}].levels[{j}]: cấp '{lv}' không có trong levels")
        problems += self._unknown_sections()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _unknown_sections(self) -> list[str]:
        section_ids = {s.id for s in self.sections}
        insp = self.inspection
        cited = [(f"obligations[{i}].section", o.section) for i, o in enumerate(self.obligations)]
        cited += [(f"deliverables[{i}].section", d.section) for i, d in enumerate(self.deliverables)]
        cited += [(f"inspection.selection[{i}].section", s.section) for i, s in enumerate(insp.selection)]
        cited += [("inspection.section", insp.section), ("inspection.window_section", insp.window_section),
                  ("inspection.announce_section", insp.announce_section)]
        if insp.coverage is not None:
            cited.append(("inspection.coverage.section", insp.coverage.section))
        problems = [f"{path}: mục '{s}' không có trong sections" for path, s in cited if s not in section_ids]
        from messages.knowledge.pack import load_pack  # here: the pack is loaded with the plan loader

        return problems + self.knowledge.problems(section_ids, {lv.id for lv in self.levels}, load_pack())

    # ---- units and levels -----------------------------------------------------
    def model_post_init(self, __context: object) -> None:
        self._by_code = {u.code: u for u in self.units}

    def unit(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def unit_name(self, code: str) -> str:
        """A plan unit's name (the coordinator, the announcer…), or its code if the plan has none."""
        unit = self.unit(code)
        return unit.name if unit else code

    @property
    def coordinator_name(self) -> str:
        return self.unit_name(self.coordinator)

    def level(self, level_id: str | None) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def level_name(self, level_id: str | None) -> str:
        level = self.level(level_id)
        return level.name if level else (level_id or "")

    def level_short(self, level_id: str | None) -> str:
        level = self.level(level_id)
        return level.short if level else (level_id or "")

    def level_order(self) -> list[str]:
        """Level ids, parents before children, otherwise as the plan declares them."""
        order: list[str] = []
        pending = [lv.id for lv in self.levels]
        while pending:
            for lv_id in list(pending):
                parent = self.level(lv_id).parent
                if parent is None or parent in order or parent not in pending:
                    order.append(lv_id)
                    pending.remove(lv_id)
            if pending and all(self.level(p).parent in pending for p in pending):
                order += pending  # a cycle was refused at load; never loop
                break
        return order

    # ---- who is inspected -----------------------------------------------------
    def selection(self, level_id: str | None) -> Selection | None:
        return next((s for s in self.inspection.selection if s.level == level_id), None)

    @property
    def listed_codes(self) -> frozenset[str]:
        """Units the plan itself names for direct inspection."""
        return frozenset(code for sel in self.inspection.selection for code in sel.units)

    def may_be_chosen(self, level_id: str, parent: str | None, inspected: set[str] | frozenset[str]) -> bool:
        """Could a unit of this level still be chosen by the announcer (the plan leaves a choice)?
        ``inspected``: codes inspected now (plan lists and staff choices)."""
        sel = self.selection(level_id)
        if sel is None:
            return False
        if sel.count is not None:
            return True
        return sel.per_parent is not None and parent is not None and parent in inspected

    # ---- sections ---------------------------------------------------------------
    def deliverable(self, deliverable_id: str | None) -> Deliverable | None:
        return next((d for d in self.deliverables if d.id == deliverable_id), None)

    def preparation(self) -> list[Obligation]:
        """What a unit inspected directly prepares, in plan order."""
        return [o for o in self.obligations if o.applies_to == "inspected"]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_label(self, section_id: str) -> str:
        """"Mục III.4" (or the label of an unnumbered part)."""
        section = self.section(section_id)
        return section.cited_as if section else f"Mục {section_id}"

    def cite(self, section_id: str) -> str:
        """"Mục III.4, Kế hoạch 32/KH-UBND ngày 03/3/2020"."""
        return f"{self.section_label(section_id)}, {self.document.citation}"

    # ---- what a unit owes ---------------------------------------------------------
    def audience_of(self, code: str, inspected: bool) -> set[str]:
        """The audiences a unit belongs to (for obligations and deliverables)."""
        groups = {"all", "inspected" if inspected else "not_inspected"}
        if code == self.coordinator:
            groups.add("coordinator")
        return groups

    def deliverables_for(self, code: str, inspected: bool, level: str | None = None) -> list[Deliverable]:
        groups = self.audience_of(code, inspected)
        return [d for d in self.deliverables if d.applies_to in groups and _in_levels(d.levels, level)]

    def obligations_for(self, code: str, inspected: bool, level: str | None = None) -> list[Obligation]:
        groups = self.audience_of(code, inspected)
        return [o for o in self.obligations if _in_levels(o.levels, level)
                and (o.applies_to in groups or (o.applies_to == "named" and code in o.units))]

    def summary_dates(self) -> str:
        w = self.inspection.window
        return f"{w.label} ({fmt_date(w.start)}–{fmt_date(w.end)})"


def _in_levels(levels: list[str], level: str | None) -> bool:
    return not levels or level is None or level in levels


def _duplicates(field: str, values: list[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, v in enumerate(values):
        if v in seen:
            problems.append(f"{field}[{i}]: '{v}' bị trùng")
        seen.add(v)
    return problems
