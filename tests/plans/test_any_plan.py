"""Plan behaviour, run over both bundled plans: the 2020 three-level one and the 2026 two-level one.

Every expectation is read from the plan under test (its levels, lists, window, coordinator), so
the same test checks that nothing in the bot assumes one plan's shape; and the 2026 plan's
conversation must show nothing of the 2020 one.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import INVITE_CODE, PLAN_2026, TZ, Talk, build_test_services, register_focal

from bot.clock import ManualClock
from handlers import build_router, reminders
from handlers.plan_summary import describe_plan
from messages.plan_loader import bundled_plan_path, load_plan_cached, parse_plan
from messages.texts import inspections as insp_texts

PLANS = {"kien-giang-2020": str(bundled_plan_path()), "an-giang-2026": PLAN_2026}
# words of one plan that must never show in a conversation about the other
FOREIGN = {
    "kien-giang-2020": ["An Giang", "2026", "đặc khu"],
    "an-giang-2026": ["Kiên Giang", "2020", "Quý III", "huyện", "Huyện"],
}


@pytest.fixture(params=list(PLANS))
def each_plan(request):
    return request.param, load_plan_cached(PLANS[request.param])


@pytest.fixture
def world(each_plan, store, tmp_path):
    name, plan = each_plan
    start = datetime.combine(plan.inspection.window.start - timedelta(days=10), time(9, 0), TZ)
    services = build_test_services(store, plan, ManualClock(start), tmp_path)
    return name, plan, services, Talk(services, build_router())


def foreign_words(name: str, text: str) -> list[str]:
    return [w for w in FOREIGN[name] if w in text]


def listed(plan, level: str) -> str:
    return plan.unit_name(plan.selection(level).units[0])


def not_listed(plan) -> str:
    return next(u.name for u in plan.units if u.code not in plan.listed_codes and u.code != plan.coordinator
                and plan.level(u.level).parent is None)


def test_plan_show_describes_the_plans_own_levels(world):
    name, plan, services, _ = world
    text = describe_plan(plan, services.roster())
    for level in plan.levels:
        assert f"{level.name}: {sum(u.level == level.id for u in plan.units)} đơn vị" in text
    assert plan.coordinator_name in text and not foreign_words(name, text)
    if name == "an-giang-2026":
        assert "cấp huyện" not in text and "0 đơn vị" not in text


async def test_a_listed_unit_of_each_level_gets_its_date_without_a_question(world):
    name, plan, services, talk = world
    day = plan.inspection.window.start + timedelta(days=20)
    for sel in plan.inspection.selection:
        if not sel.units:
            continue
        unit = plan.unit_name(sel.units[0])
        text = Talk.text(await talk("staff", f"/datlich {unit} {day.day}/{day.month}/{day.year} 08:00"))
        assert f"Đã đặt lịch kiểm tra {unit}:" in text, text
        assert "None" not in text and "Lưu ý" not in text and not foreign_words(name, text)


async def test_an_unlisted_unit_is_added_only_on_confirmation(world):
    name, plan, services, talk = world
    unit = not_listed(plan)
    day = plan.inspection.window.start + timedelta(days=20)
    text = Talk.text(await talk("staff", f"/datlich {unit} {day.day}/{day.month}/{day.year}"))
    assert "không có trong danh sách kiểm tra trực tiếp" in text and "Đã đặt lịch" not in text
    text = Talk.text(await talk.tap("staff", insp_texts.BUTTON_ADD))
    assert f"Đã thêm {unit} vào danh sách kiểm tra trực tiếp" in text and f"Đã đặt lịch kiểm tra {unit}" in text
    assert not foreign_words(name, text)


async def test_deadlines_of_an_inspected_unit_follow_the_plans_rule(world):
    name, plan, services, talk = world
    level = next(lv for lv in reversed(plan.level_order()) if plan.selection(lv) and plan.selection(lv).units)
    unit = listed(plan, level)
    await register_focal(talk, "u1", unit)
    text = Talk.text(await talk("u1", "/hanchot"))
    assert "chưa xác định" in text and not foreign_words(name, text)
    day = plan.inspection.window.start + timedelta(days=48)
    await talk("staff", f"/datlich {unit} {day.day}/{day.month}/{day.year} 08:00")
    text = Talk.text(await talk("u1", "/hanchot"))
    offset = next(d.due.before_inspection for d in plan.deliverables if d.due.before_inspection)
    if offset.days == 0:
        assert f"Hạn: {day:%d/%m/%Y} 08:00" in text
    else:  # the 2026 plan: five working days before the inspection, end of that day
        due = re.search(r"Hạn: (\d\d/\d\d/\d{4}) —", text).group(1)
        assert datetime.strptime(due, "%d/%m/%Y").date() < day and "chưa xác định" not in text


async def test_how_early_the_date_is_announced_comes_from_the_plan(world):
    """A plan that says how early a unit learns its date (2026: "chậm nhất 10 ngày trước ngày kiểm tra") is
    quoted, with the day that falls on once staff set the date; a plan that does not (2020) says nothing of it."""
    name, plan, services, talk = world
    unit = listed(plan, next(lv for lv in plan.level_order() if plan.selection(lv) and plan.selection(lv).units))
    await register_focal(talk, "u3", unit)
    question = f"{plan.coordinator_name} phải báo lịch kiểm tra trước bao lâu?"
    before = Talk.text(await talk("u3", question))
    day = plan.inspection.window.start + timedelta(days=48)
    await talk("staff", f"/datlich {unit} {day.day}/{day.month}/{day.year} 08:00")
    after = Talk.text(await talk("u3", question))
    notice = plan.inspection.notice
    if notice is None:
        assert "ngày trước ngày kiểm tra" not in before + after
    else:
        assert notice.wording in before and "tức chậm nhất ngày" not in before
        assert f"“{notice.wording}”, tức chậm nhất ngày {day - timedelta(days=notice.before.days):%d/%m/%Y}" in after
    assert not foreign_words(name, before + after)


async def test_a_unit_not_inspected_owes_the_report_by_its_last_day(world):
    name, plan, services, talk = world
    unit = not_listed(plan)
    await register_focal(talk, "u2", unit)
    report = next(d for d in plan.deliverables if d.due.last_day)
    text = Talk.text(await talk("u2", "/hanchot"))
    assert f"Hạn: {report.due.last_day:%d/%m/%Y}" in text and f"“{report.due.wording}”" in text
    assert not foreign_words(name, text)


async def test_broadcast_audiences_are_the_levels_that_have_units(world):
    name, plan, services, talk = world
    labels = [o.label for r in await talk("staff", "/thongbao") for o in r.options]
    present = {u.level for u in services.roster().units}
    for level in plan.levels:
        assert (level.name in labels) == (level.id in present)
    assert not foreign_words(name, " ".join(labels))


async def test_overview_workbook_and_reminders_speak_of_the_plans_levels(world):
    name, plan, services, talk = world
    for i, level in enumerate(plan.level_order()):
        units = [u for u in plan.units if u.level == level]
        if units:
            await register_focal(talk, f"f{i}", units[-1].name)
    overview = Talk.text(await talk("staff", "/tonghop"))
    assert not foreign_words(name, overview)
    for level in plan.levels:
        if any(u.level == level.id for u in plan.units):
            assert f"{level.name}:" in overview
    (reply,) = await talk("staff", "/xuatexcel")
    wb = load_workbook(reply.document)
    sheet = wb.worksheets[1]
    shorts = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert shorts <= {lv.short for lv in plan.levels}
    listing = reminders.describe_upcoming(services, 400)
    assert not foreign_words(name, listing)


async def test_the_console_conversation_shows_only_this_plan(world):
    name, plan, services, talk = world
    talk.channel = "console"
    texts = []
    for line in ("/start", "/help", "hạn nộp báo cáo là khi nào", "ai ký kế hoạch", "/moi", "/datlich"):
        texts.append(Talk.text(await talk("c1", line)))
    joined = "\n".join(texts)
    assert plan.document.citation in joined and plan.coordinator_name in joined
    assert not foreign_words(name, joined), foreign_words(name, joined)


async def test_a_plan_whose_coordinator_is_another_office(each_plan, store, tmp_path):
    """Texts name the plan's own coordinator: a unit is told to contact that office."""
    name, _ = each_plan
    text = Path(PLANS[name]).read_text(encoding="utf-8").replace("coordinator: so-noi-vu",
                                                                  "coordinator: van-phong-ubnd-tinh")
    plan = parse_plan(text, "other.yaml")
    services = build_test_services(store, plan, ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=TZ)), tmp_path)
    talk = Talk(services, build_router())
    for answer in (Talk.text(await talk("u9", "/trangthai")), Talk.text(await talk("u9", "/dangky AAAAAAAAAA")),
                   Talk.text(await talk("u9", "/thongbao"))):
        assert "Văn phòng UBND tỉnh" in answer and "Sở Nội vụ" not in answer
    code = INVITE_CODE.search(Talk.text(await talk("staff", f"/moi {plan.unit_name(plan.units[-1].code)}")))
    assert code is not None


def test_texts_and_code_hold_no_fact_of_a_plan():
    """Facts of any bundled plan (province, year, units, sections, coordinator) live in the plan files."""
    import ast

    root = Path(__file__).resolve().parents[2]
    facts = {"Kiên Giang", "An Giang", "Sở Nội vụ", "2020", "2026", "Quý III", "huyện", "30/9", "15/10"}
    for path in PLANS.values():
        plan = load_plan_cached(path)
        facts |= {u.name for u in plan.units} | {plan.document.number}
    pattern = re.compile("|".join(re.escape(f) for f in sorted(facts, key=len, reverse=True)) + r"|Mục [IVX]+\.")
    found = []
    for folder in ("bot", "handlers", "storage", "messages/texts"):
        for file in (root / folder).rglob("*.py"):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            docs = {id(n.body[0].value) for n in ast.walk(tree)
                    if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and n.body and isinstance(n.body[0], ast.Expr)}
            found += [f"{file.relative_to(root)}:{n.lineno}: {n.value[:60]!r}" for n in ast.walk(tree)
                      if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
                      and pattern.search(n.value)]
    assert found == []


async def test_the_issue_example_on_the_2026_plan(plan_2026, store, tmp_path):
    """/datlich phường Long Xuyên 18/6/2026, then the ward's /hanchot: five working days before."""
    services = build_test_services(store, plan_2026, ManualClock(datetime(2026, 6, 1, 9, 0, tzinfo=TZ)), tmp_path)
    talk = Talk(services, build_router())
    await register_focal(talk, "lx", "phường Long Xuyên")
    text = Talk.text(await talk("staff", "/datlich phường Long Xuyên 18/6/2026"))
    assert "Đã đặt lịch kiểm tra UBND phường Long Xuyên: 18/06/2026 08:00." in text
    assert "None" not in text and "Lưu ý" not in text and "huyện" not in text
    text = Talk.text(await talk("lx", "/hanchot"))
    assert "Hạn: 11/06/2026 — còn 10 ngày" in text and "“chậm nhất 05 ngày làm việc trước ngày kiểm tra”" in text
    services.clock.set(datetime(2026, 6, 12, 9, 0, tzinfo=TZ))  # six days before the visit: already late
    assert "đã quá hạn 1 ngày" in Talk.text(await talk("lx", "/hanchot"))
