"""A unit owing two deliverables: the file is kept first, then a button says which one.

The plan is the bundled one with a second deliverable for units not inspected directly
(a plan file, not code: exactly how another year's plan would add one).
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from support import Talk, build_test_services, register_focal
from data.files import samples
from handlers import build_router
from messages.plan_loader import bundled_plan_path, parse_plan
from storage.models import Submission

EXTRA = """
  - id: bao-cao-so-lieu
    title: Biểu số liệu kết quả tự kiểm tra CCHC năm 2020
    short: Biểu số liệu (Mục III.4)
    section: III.4
    applies_to: not_inspected
    sender: Cơ quan, địa phương không thuộc đối tượng kiểm tra trực tiếp
    recipient: Ủy ban nhân dân tỉnh (qua Sở Nội vụ)
    content: Biểu số liệu kèm báo cáo.
    due:
      wording: trước ngày 15/9/2020
      last_day: 14/9/2020
"""


@pytest.fixture
def two_deliverable_plan():
    text = bundled_plan_path().read_text(encoding="utf-8")
    head, tail = text.split("\n# Nhắc hạn", 1)
    return parse_plan(head.rstrip("\n") + "\n" + EXTRA + "\n# Nhắc hạn" + tail, "test-plan.yaml")


@pytest.fixture
def talk2(store, two_deliverable_plan, clock, tmp_path):
    services = build_test_services(store, two_deliverable_plan, clock, tmp_path)
    return Talk(services, build_router())


def rows(services):
    with services.store.session() as s:
        return list(s.exec(select(Submission).order_by(Submission.id)).all())


async def test_a_file_for_a_unit_owing_two_reports_asks_which_one(talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    replies = await talk2("u1", file=samples.incoming(samples.pdf(), "so-lieu.pdf"))
    labels = [o.label for r in replies for o in r.options]
    assert len(labels) == 2 and any("Biểu số liệu" in label and "14/09/2020" in label for label in labels)
    assert "so-lieu.pdf" in Talk.text(replies) and "BIÊN NHẬN" not in Talk.text(replies)
    assert rows(talk2.services) == []  # no row until the choice ...
    assert len([p for p in talk2.services.files.root.rglob("*.pdf")]) == 1  # ... but the file is safe
    replies = await talk2.tap("u1", "Biểu số liệu")
    text = Talk.text(replies)
    assert "BIÊN NHẬN" in text and "Biểu số liệu kết quả tự kiểm tra" in text and "14/09/2020" in text
    [row] = rows(talk2.services)
    assert row.deliverable_id == "bao-cao-so-lieu" and row.original_name == "so-lieu.pdf"


async def test_the_choice_survives_a_restart_and_keeps_the_arrival_time(store, two_deliverable_plan, clock,
                                                                        tmp_path, talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    replies = await talk2("u1", file=samples.incoming(samples.pdf(), "bc.pdf"))
    choice = next(o for r in replies for o in r.options if "Biểu số liệu" in o.label)
    clock.advance(days=20)  # the person taps three weeks later, after the 15/9 deadline
    restarted = Talk(build_test_services(store, two_deliverable_plan, clock, tmp_path), build_router())
    text = Talk.text(await restarted("u1", choice=choice.choice_id))
    assert "BIÊN NHẬN" in text and "01/09/2020 09:00" in text and "ĐÚNG HẠN" in text
    assert "đã được xử lý" in Talk.text(await restarted("u1", choice=choice.choice_id))


async def test_a_button_whose_file_is_gone_asks_to_send_again(talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    await talk2("u1", file=samples.incoming(samples.pdf(), "bc.pdf"))
    for kept in talk2.services.files.root.rglob("*.pdf"):
        kept.unlink()
    assert "gửi lại" in Talk.text(await talk2.tap("u1", "Biểu số liệu"))
    assert rows(talk2.services) == []


async def test_someone_else_cannot_use_the_buttons(talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    await register_focal(talk2, "u2", "Sở Tư pháp")
    replies = await talk2("u1", file=samples.incoming(samples.pdf(), "bc.pdf"))
    choice = next(o for r in replies for o in r.options)
    assert "không còn hiệu lực" in Talk.text(await talk2("u2", choice=choice.choice_id))
    assert rows(talk2.services) == []


async def test_nopbaocao_chooses_first_then_the_file_goes_there(talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    replies = await talk2("u1", "/nopbaocao")
    assert len([o for r in replies for o in r.options]) == 2
    text = Talk.text(await talk2.tap("u1", "Biểu số liệu"))
    assert "Biểu số liệu kết quả tự kiểm tra" in text and "14/09/2020" in text
    replies = await talk2("u1", file=samples.incoming(samples.xlsx(), "so-lieu.xlsx"))
    assert "BIÊN NHẬN" in Talk.text(replies) and not [o for r in replies for o in r.options]
    [row] = rows(talk2.services)
    assert row.deliverable_id == "bao-cao-so-lieu"
    # the next file is asked about again (the preset was for one file)
    replies = await talk2("u1", file=samples.incoming(samples.pdf(), "bao-cao.pdf"))
    assert len([o for r in replies for o in r.options]) == 2


async def test_each_deliverable_keeps_its_own_versions(talk2):
    await register_focal(talk2, "u1", "Sở Y tế")
    await talk2("u1", file=samples.incoming(samples.pdf("a"), "a.pdf"))
    await talk2.tap("u1", "BC tự kiểm tra")
    await talk2("u1", file=samples.incoming(samples.pdf("a"), "a.pdf"))  # same file, other deliverable
    replies = await talk2.tap("u1", "Biểu số liệu")
    assert "BIÊN NHẬN" in Talk.text(replies) and "thay thế" not in Talk.text(replies)
    first, second = rows(talk2.services)
    assert first.sha256 == second.sha256 and first.superseded_by is None and second.superseded_by is None
    assert re.fullmatch(r"KG-2020-\d{6}", second.receipt_no) and first.receipt_no != second.receipt_no


async def test_the_choice_made_with_nopbaocao_lapses_after_a_day(talk2, clock):
    await register_focal(talk2, "u1", "Sở Y tế")
    await talk2("u1", "/nopbaocao")
    await talk2.tap("u1", "Biểu số liệu")
    clock.advance(days=2)
    assert "đang chờ tệp" not in Talk.text(await talk2("u1", "xin chào"))
    replies = await talk2("u1", file=samples.incoming(samples.pdf(), "bc.pdf"))
    assert len([o for r in replies for o in r.options]) == 2  # asked again, not filed under the old choice
