"""/thongbao: audiences, preview, cancel, confirm once, history."""

from __future__ import annotations

from datetime import datetime

import pytest
from broadcast_helpers import add_submission, outgoing, set_inspection
from support import TZ, Talk, register_focal
from sqlmodel import select

from handlers.broadcast import audience_units
from handlers.types import IncomingFile
from storage import people
from storage.models import Broadcast, ConversationState

SELF_REPORT = "bao-cao-tu-kiem-tra"  # III.4, owed by units not inspected directly
INSPECTION_REPORT = "bao-cao-doan-kiem-tra"  # III.3.a, owed by units inspected directly


@pytest.fixture
async def roster(talk, services):
    """Focal points in units of every kind, two communes added at run time (one inspected)."""
    await register_focal(talk, "tc1", "Sở Tài chính")  # department, inspected (II.2.a)
    await register_focal(talk, "tc2", "Sở Tài chính")
    await register_focal(talk, "yt1", "Sở Y tế")  # department, not inspected
    await register_focal(talk, "ab1", "UBND huyện An Biên")  # district, inspected (II.2.b)
    await register_focal(talk, "th1", "UBND huyện Tân Hiệp")  # district, not inspected
    await register_focal(talk, "bs1", "UBND xã Bình Sơn, huyện Hòn Đất")  # commune, added now
    await register_focal(talk, "tl1", "UBND xã Thổ Sơn, huyện Hòn Đất")  # commune, inspected below
    set_inspection(services, "ubnd-xa-tho-son-huyen-hon-dat", datetime(2020, 9, 20, 8, 0, tzinfo=TZ))
    return services


def codes(units) -> set[str]:
    return {u.code for u in units}


async def test_audiences_follow_the_plan_and_the_store(roster, plan):
    services = roster
    roster_units = services.roster().units
    everyone = audience_units(services, {"kind": "all"})
    assert codes(everyone) == {u.code for u in roster_units}
    assert len(everyone) == len(plan.units) + 2  # the plan's units and both communes
    for level in plan.level_order():
        got = audience_units(services, {"kind": "level", "level": level})
        assert codes(got) == {u.code for u in roster_units if u.level == level} and got
    communes = codes(audience_units(services, {"kind": "level", "level": "commune"}))
    assert communes == {"ubnd-xa-binh-son-huyen-hon-dat", "ubnd-xa-tho-son-huyen-hon-dat"}

    inspected = codes(audience_units(services, {"kind": "inspected"}))
    assert inspected == set(plan.listed_codes) | {"ubnd-xa-tho-son-huyen-hon-dat"}
    not_inspected = codes(audience_units(services, {"kind": "not_inspected"}))
    assert not_inspected == codes(everyone) - inspected
    assert "ubnd-xa-binh-son-huyen-hon-dat" in not_inspected and "so-y-te" in not_inspected


async def test_owes_audience_drops_units_that_sent_the_report(roster, plan):
    services = roster
    owes_self = {"kind": "owes", "deliverable": SELF_REPORT}
    before = codes(audience_units(services, owes_self))
    # exactly the units the plan makes owe III.4 (not inspected directly)
    assert before == {u.code for u in services.roster().units
                      if any(d.id == SELF_REPORT for d in plan.deliverables_for(u.code, u.inspected))}
    add_submission(services, "so-y-te", SELF_REPORT)
    add_submission(services, "ubnd-xa-binh-son-huyen-hon-dat", SELF_REPORT, at=datetime(2020, 10, 2, 8, 0, tzinfo=TZ))
    after = codes(audience_units(services, owes_self))
    assert after == before - {"so-y-te", "ubnd-xa-binh-son-huyen-hon-dat"}
    owes_inspection = codes(audience_units(services, {"kind": "owes", "deliverable": INSPECTION_REPORT}))
    assert "ubnd-xa-tho-son-huyen-hon-dat" in owes_inspection and "so-tai-chinh" in owes_inspection
    assert not owes_inspection & after


async def start_broadcast(talk, audience_label: str, text: str = "Đề nghị các đơn vị gửi báo cáo đúng hạn."):
    assert "chọn đối tượng" in Talk.text(await talk("staff", "/thongbao"))
    replies = await talk.tap("staff", audience_label)
    assert "nội dung thông báo" in Talk.text(replies), Talk.text(replies)
    replies = await talk("staff", text)
    assert "tệp đính kèm" in Talk.text(replies)
    return await talk.tap("staff", "Không đính kèm")


async def test_preview_counts_people_and_units_without_focal_point(roster, talk, services):
    replies = await start_broadcast(talk, "Chưa nộp: BC tự kiểm tra")
    text = Talk.text(replies)
    owing = audience_units(services, {"kind": "owes", "deliverable": SELF_REPORT})
    # Sở Y tế, Tân Hiệp, Bình Sơn have focal points (one each); every other owing unit has none
    assert f"Số đơn vị: {len(owing)}; người nhận: 3 (của 3 đơn vị)" in text
    assert f"Đơn vị chưa có đầu mối (sẽ không nhận được): {len(owing) - 3}" in text
    assert "Đề nghị các đơn vị gửi báo cáo đúng hạn." in text and "Chưa có tin nào được gửi" in text
    assert [o.label for o in replies[0].options] == ["Xác nhận gửi", "Hủy"]
    assert outgoing(services, kind="broadcast") == []  # nothing before confirmation


async def test_cancel_leaves_nothing(roster, talk, services):
    await start_broadcast(talk, "Tất cả đơn vị")
    replies = await talk.tap("staff", "Hủy")
    assert "Đã hủy thông báo" in Talk.text(replies)
    with services.store.session() as s:
        assert s.exec(select(Broadcast)).all() == []
        assert s.get(ConversationState, people.find(s, "test", "staff").id) is None
    assert outgoing(services, kind="broadcast") == []


async def test_confirm_writes_one_row_per_recipient_once(roster, talk, services):
    preview = await start_broadcast(talk, "Sở, ban, ngành", "Họp giao ban CCHC lúc 14:00 ngày 05/9/2020.")
    confirm = next(o.choice_id for o in preview[0].options if o.label == "Xác nhận gửi")
    cancel = next(o.choice_id for o in preview[0].options if o.label == "Hủy")
    text = Talk.text(await talk("staff", choice=confirm))
    assert "đang gửi đến 3 người nhận của 2 đơn vị" in text  # tc1, tc2 (Sở Tài chính), yt1 (Sở Y tế)
    rows = outgoing(services, kind="broadcast")
    with services.store.session() as s:
        recipients = {people.find(s, "test", u).id for u in ("tc1", "tc2", "yt1")}
        broadcast = s.exec(select(Broadcast)).one()
    assert {r.person_id for r in rows} == recipients and len(rows) == 3
    assert all(r.key == f"broadcast:{broadcast.id}:{r.person_id}" and r.broadcast_id == broadcast.id for r in rows)
    assert all(r.text.startswith("THÔNG BÁO CỦA SỞ NỘI VỤ") and "14:00 ngày 05/9/2020" in r.text for r in rows)
    assert broadcast.status == "sending" and broadcast.audience["kind"] == "level"
    # the second tap, and a late "Hủy" (a button of the same, spent decision), change nothing
    assert "đã được xử lý" in Talk.text(await talk("staff", choice=confirm))
    assert "đã được xử lý" in Talk.text(await talk("staff", choice=cancel))
    assert len(outgoing(services, kind="broadcast")) == 3


async def test_one_unit_by_name_with_ambiguity(roster, talk, services):
    await register_focal(talk, "pq1", "Ban Quản lý Khu kinh tế Phú Quốc")
    await talk("staff", "/thongbao")
    assert "nhập tên đơn vị" in Talk.text(await talk.tap("staff", "Một đơn vị"))
    assert "Không tìm thấy" in Talk.text(await talk("staff", "Sở Không Tồn Tại Gì Cả"))
    replies = await talk("staff", "Ban Quản lý")  # two units start so
    assert len([o for o in replies[0].options if "Ban Quản lý" in o.label]) == 2
    assert "Ban Quản lý Khu kinh tế Phú Quốc" in Talk.text(await talk.tap("staff", "Phú Quốc"))
    await talk("staff", "Mời dự tập huấn.")
    text = Talk.text(await talk.tap("staff", "Không đính kèm"))
    assert "Số đơn vị: 1; người nhận: 1 (của 1 đơn vị)" in text
    await talk.tap("staff", "Xác nhận gửi")
    with services.store.session() as s:
        pq1 = people.find(s, "test", "pq1").id
    assert [r.person_id for r in outgoing(services, kind="broadcast")] == [pq1]


async def test_inactive_focal_points_are_recorded_not_sent(roster, talk, services):
    with services.store.session() as s:
        people.set_active(s, people.find(s, "test", "tc2").id, False)
    text = Talk.text(await start_broadcast(talk, "Đơn vị được kiểm tra trực tiếp"))
    assert "người nhận: 3 (của 3 đơn vị)" in text  # tc1, ab1, tl1
    assert "đã chặn bot hoặc ngừng theo dõi (sẽ không nhận được): 1" in text
    await talk.tap("staff", "Xác nhận gửi")
    rows = outgoing(services, kind="broadcast")
    assert sorted(r.status for r in rows) == ["pending", "pending", "pending", "undeliverable"]


async def test_a_level_without_units_is_not_offered(talk):
    """The bundled plan lists no commune: "UBND cấp xã" would reach nobody, so it is not a choice."""
    labels = [o.label for r in await talk("staff", "/thongbao") for o in r.options]
    assert "UBND cấp huyện" in labels and "UBND cấp xã" not in labels


async def test_an_audience_with_nobody_is_not_offered_for_sending(talk, services):
    text = Talk.text(await start_broadcast(talk, "UBND cấp huyện"))  # no focal point registered yet
    assert "không có người nhận nào" in text
    with services.store.session() as s:
        assert s.exec(select(ConversationState)).all() == []


async def test_staff_only(roster, talk):
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("tc1", "/thongbao"))
    assert "chỉ dành cho cán bộ" in Talk.text(await talk("tc1", "/lichsuthongbao"))


async def test_draft_survives_a_restart(roster, talk, services, router):
    """Waiting states and buttons are rows: a new router and a new Talk carry on."""
    from handlers import build_router

    await talk("staff", "/thongbao")
    await talk.tap("staff", "UBND cấp huyện")
    fresh = Talk(services, build_router())
    await fresh("staff", "Nhắc lịch kiểm tra.")
    replies = await fresh.tap("staff", "Không đính kèm")
    assert "người nhận: 2" in Talk.text(replies)  # ab1, th1
    await fresh.tap("staff", "Xác nhận gửi")
    assert len(outgoing(services, kind="broadcast")) == 2


async def test_text_limits_and_attachment(roster, talk, services, tmp_path):
    await talk("staff", "/thongbao")
    await talk.tap("staff", "Một đơn vị")
    await talk("staff", "Sở Y tế")
    assert "vượt giới hạn" in Talk.text(await talk("staff", "x" * 5000))
    await talk("staff", "Gửi kèm hướng dẫn.")
    exe = tmp_path / "huongdan.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)

    def incoming(path, name):
        async def fetch(dest, max_bytes):
            dest.write_bytes(path.read_bytes())
        return IncomingFile(name=name, size=path.stat().st_size, mime="application/pdf", kind="document", fetch=fetch)

    assert "không được chấp nhận" in Talk.text(await talk("staff", file=incoming(exe, "huongdan.pdf")))
    pdf = tmp_path / "hd.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    text = Talk.text(await talk("staff", file=incoming(pdf, "Hướng dẫn.pdf")))
    assert "Tệp đính kèm: Hướng dẫn.pdf" in text
    await talk.tap("staff", "Xác nhận gửi")
    (row,) = outgoing(services, kind="broadcast")
    assert row.document_name == "Hướng dẫn.pdf" and services.files.exists(row.document_path)


async def test_a_terminal_session_is_not_a_recipient(roster, talk, services):
    """`agency-bot chat --agency` registers a console user; nobody can reach a closed terminal."""
    with services.store.session() as s:
        person = people.ensure(s, "console", "console-so-y-te", "console-so-y-te")
        people.register(s, person, "so-y-te", services.clock.now())
    text = Talk.text(await start_broadcast(talk, "Sở, ban, ngành"))
    assert "người nhận: 3 (của 2 đơn vị)" in text  # tc1, tc2, yt1 — not the console user


async def test_an_audience_that_empties_before_confirmation_sends_nothing_and_says_so(roster, talk, services):
    """Previewed to "units that still owe", then the last of them submits before staff confirm."""
    preview = await start_broadcast(talk, "Chưa nộp: BC tự kiểm tra")
    confirm = next(o.choice_id for o in preview[0].options if o.label == "Xác nhận gửi")
    for code in ("so-y-te", "ubnd-huyen-tan-hiep", "ubnd-xa-binh-son-huyen-hon-dat"):
        add_submission(services, code, SELF_REPORT)
    text = Talk.text(await talk("staff", choice=confirm))
    assert "Đã xác nhận" not in text
    with services.store.session() as s:
        assert s.exec(select(Broadcast)).all() == []
    assert outgoing(services, kind="broadcast") == []
