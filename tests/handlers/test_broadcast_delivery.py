"""A confirmed broadcast through the real outbox sender (bot/sender.py): summary, progress, history.

The channel here is an in-process stand-in for a platform (it records what it is given and
raises the ``bot.delivery`` outcomes a real adapter raises); the Telegram path against an
HTTP server is in tests/handlers/test_broadcast_telegram.py.
"""

from __future__ import annotations

from broadcast_helpers import RecordingChannel, make_sender, outgoing
from support import Talk, register_focal
from sqlmodel import select

from handlers.broadcast_reports import PROGRESS_MIN
from storage import people
from storage.models import Broadcast, Person


async def broadcast(talk, audience: str, text: str) -> None:
    await talk("staff", "/thongbao")
    await talk.tap("staff", audience)
    await talk("staff", text)
    await talk.tap("staff", "Không đính kèm")
    assert "Đã xác nhận" in Talk.text(await talk.tap("staff", "Xác nhận gửi"))


async def test_summary_reports_delivered_failed_blocked_and_no_focal_point(talk, services):
    for user, unit in [("a1", "Sở Y tế"), ("a2", "Sở Y tế"), ("b1", "Sở Tư pháp"), ("c1", "Sở Xây dựng"),
                       ("d1", "Sở Du lịch"), ("e1", "Sở Ngoại vụ")]:
        await register_focal(talk, user, unit)
    with services.store.session() as s:
        people.set_active(s, people.find(s, "test", "e1").id, False)  # blocked the bot last month
    channel = RecordingChannel()
    channel.blocked.add("c1")
    channel.rejected.add("d1")
    sender = make_sender(services, channel)
    await broadcast(talk, "Sở, ban, ngành", "Nộp báo cáo trước 30/9.")
    await sender.drain_once()

    for user in ("a1", "a2", "b1"):
        assert len(channel.to(user)) == 1 and "Nộp báo cáo trước 30/9." in channel.to(user)[0]
    assert channel.to("c1") == channel.to("d1") == channel.to("e1") == []
    with services.store.session() as s:
        assert s.exec(select(Person).where(Person.external_id == "c1")).one().active is False  # marked inactive
        row = s.exec(select(Broadcast)).one()
    assert row.status == "done" and row.finished_at is not None and row.summary_sent
    departments = sum(1 for u in services.roster().units if u.level == "province_agency")
    (summary,) = channel.to("staff")
    assert f"KẾT QUẢ GỬI THÔNG BÁO SỐ {row.id}" in summary
    assert "Đã gửi: 3/6" in summary
    assert "Không gửi được: 1" in summary and "quota exceeded" in summary
    assert "Đã chặn bot/ngừng theo dõi: 2" in summary
    assert f"Đơn vị chưa có đầu mối: {departments - 5}" in summary

    # history shows the same figures; the detail button repeats the summary
    history = Talk.text(await talk("staff", "/lichsuthongbao"))
    assert f"Số {row.id}" in history and "Đã xong: đã gửi 3/6, lỗi 1, chặn bot 2" in history
    assert "Đã gửi: 3/6" in Talk.text(await talk.tap("staff", f"Chi tiết số {row.id}"))
    # a later drain sends nothing again
    await sender.drain_once()
    assert len(channel.got) == 4


async def test_a_timeout_burst_is_reported_as_uncertain_apart_from_failures(talk, services):
    """Sends the platform took without answering (a read timeout, a 5xx after delivery) may have arrived:
    staff are told they are uncertain, not that they failed, and they are never sent again."""
    users = [(f"t{i}", "Sở Y tế") for i in range(5)]
    for user, unit in users:
        await register_focal(talk, user, unit)
    channel = RecordingChannel()
    channel.unanswered.update({"t1", "t3"})
    sender = make_sender(services, channel)
    await broadcast(talk, "Sở, ban, ngành", "Họp trực tuyến lúc 14 giờ.")
    await sender.drain_once()
    rows = outgoing(services, kind="broadcast")
    assert sorted(r.status for r in rows) == ["sent"] * 3 + ["uncertain"] * 2
    (summary,) = channel.to("staff")
    assert "Đã gửi: 3/5" in summary and "Không gửi được: 0" in summary
    assert "Chưa rõ đã đến hay chưa (không gửi lại để tránh trùng): 2" in summary and "Mất kết nối" in summary
    history = Talk.text(await talk("staff", "/lichsuthongbao"))
    assert "đã gửi 3/5, lỗi 0, chặn bot 0, chưa rõ đã đến 2" in history
    await sender.drain_once()
    assert sorted(chat for chat, _ in channel.got if chat != "staff") == sorted(u for u, _ in users)  # once each


async def test_progress_reports_for_a_long_broadcast(talk, services):
    n = PROGRESS_MIN + 20
    with services.store.session() as s:
        for i in range(n):
            person = people.ensure(s, "test", f"u{i}", f"u{i}")
            people.register(s, person, "so-y-te", services.clock.now())
    channel = RecordingChannel()
    sender = make_sender(services, channel, batch_size=10)
    await broadcast(talk, "Sở, ban, ngành", "Thông báo dài.")
    await sender.drain_once()
    staff = channel.to("staff")
    progress = [t for t in staff if "đã xử lý" in t]
    assert 1 <= len(progress) <= 3 and staff[-1].startswith("KẾT QUẢ GỬI THÔNG BÁO")
    assert f"Đã gửi: {n}/{n}" in staff[-1]
    # the first report arrives while the notice is still going out, not after it
    order = [chat for chat, _ in channel.got]
    first_report = next(i for i, (chat, text) in enumerate(channel.got) if chat == "staff")
    assert first_report < len(order) - 10
    assert sorted(c for c in order if c != "staff") == sorted(f"u{i}" for i in range(n))


async def test_a_broadcast_to_nobody_reachable_is_closed_at_once(talk, services):
    await register_focal(talk, "a1", "Sở Y tế")
    with services.store.session() as s:
        people.set_active(s, people.find(s, "test", "a1").id, False)
    # only an inactive focal point: said as soon as the unit is named, and nothing is sent
    await talk("staff", "/thongbao")
    await talk.tap("staff", "Một đơn vị")
    text = Talk.text(await talk("staff", "Sở Y tế"))
    assert "không có người nhận nào" in text
    assert outgoing(services, kind="broadcast") == []


async def test_restart_closes_a_broadcast_finished_while_down(talk, services):
    """The last row finished, then the bot died before the summary: start-up sends it."""
    from handlers.broadcast import subscribe

    await register_focal(talk, "a1", "Sở Y tế")
    await broadcast(talk, "Sở, ban, ngành", "Họp.")
    with services.store.session() as s:
        for row in outgoing(services, kind="broadcast"):
            row.status = "sent"
            s.add(row)
        s.commit()
    subscribe(services)  # what build_services runs at start-up
    summaries = outgoing(services, kind="notice")
    assert len(summaries) == 1 and "Đã gửi: 1/1" in summaries[0].text
    subscribe(services)
    assert len(outgoing(services, kind="notice")) == 1


async def test_a_progress_report_still_waiting_at_the_end_is_dropped(talk, services):
    """The summary says more than a late "75%": a progress row not yet sent is cancelled."""
    from handlers.broadcast_reports import reports_for

    n = PROGRESS_MIN + 8
    with services.store.session() as s:
        for i in range(n):
            person = people.ensure(s, "test", f"u{i}", f"u{i}")
            people.register(s, person, "so-y-te", services.clock.now())
    await broadcast(talk, "Sở, ban, ngành", "Họp.")
    rows = outgoing(services, kind="broadcast")
    reports = reports_for(services)

    def finish(some):
        with services.store.session() as s:
            for row in some:
                row.status = "sent"
                s.add(row)
            s.commit()
        for row in some:
            reports(row)

    finish(rows[: n // 2])
    (progress,) = [r for r in outgoing(services, kind="notice") if ":progress:" in r.key]
    assert progress.key.endswith(":progress:50") and progress.status == "pending"
    assert f"đã xử lý {n // 2}/{n} (50%) — đã gửi {n // 2}, lỗi 0" in progress.text
    finish(rows[n // 2:])
    notices = {r.key.rsplit(":", 1)[-1]: r for r in outgoing(services, kind="notice")}
    assert notices["50"].status == "cancelled" and notices["summary"].status == "pending"
    assert f"Đã gửi: {n}/{n}" in notices["summary"].text
