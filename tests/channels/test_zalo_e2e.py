"""Issue 7 "done when", end to end over real HTTP: a Zalo user registers with a code, asks about the
deadline, sends a PDF and gets a receipt, receives reminders (on Zalo and on a second channel), and
the access token expiring in the middle is invisible to them. Also: a quota error during a broadcast."""

from __future__ import annotations


from support import INVITE_CODE, Talk, register_focal
from fakes.zalo_api import ZaloRig, zalo_settings
from sqlmodel import select

from bot.delivery import OutMessage
from bot.sender import OutboxSender
from storage import outbox, people
from storage.models import OutgoingMessage, Submission

USER = "2947358103846519283"
QUESTION = "hạn nộp báo cáo là ngày nào"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Recorder:
    """A second channel: what one person on two channels receives there."""

    name = "test"

    def __init__(self):
        self.delivered: list[tuple[str, OutMessage]] = []

    async def deliver(self, chat_id: str, message: OutMessage) -> None:
        self.delivered.append((chat_id, message))


async def test_a_focal_point_on_zalo_from_registration_to_reminder(rig, zalo, services, talk, clock):
    # staff (on Zalo, with the bare word) invite Sở Y tế; the focal point registers with the code
    invite = ZaloRig.joined(await rig.say("z-staff", "moi Sở Y tế"))
    code = INVITE_CODE.search(invite).group(1)
    assert "Đăng ký thành công" in ZaloRig.joined(await rig.say(USER, f"dangky {code}"))

    # the access token expires: the next answer still arrives, after one refresh
    zalo.expire_access_tokens()
    answer = ZaloRig.joined(await rig.say(USER, QUESTION))
    assert len(zalo.refreshes) == 1
    # the answer is exactly what the conversation gives a focal point of the same unit elsewhere
    await register_focal(talk, "yt-test", "Sở Y tế")
    expected = Talk.text(await talk("yt-test", QUESTION))
    assert answer == expected
    if services.questions is not None:  # the question engine is in: the answer is unit-aware
        assert "30/09/2020" in answer or "30/9/2020" in answer

    # a PDF sent on Zalo is fetched from the (allowed) file host, kept, and receipted
    zalo.expire_access_tokens()
    url = zalo.add_file("bao-cao-tu-kiem-tra.pdf", PDF)
    before = len(zalo.to(USER))
    await rig.post(rig.hook.file(USER, url, "Báo cáo tự kiểm tra CCHC 2020.pdf", len(PDF)))
    receipt = ZaloRig.joined(zalo.to(USER)[before:])
    with services.store.session() as s:
        submission = s.exec(select(Submission).where(Submission.channel == "zalo")).one()
    assert submission.unit_code == "so-y-te" and submission.size == len(PDF)
    assert submission.receipt_no in receipt
    assert len(zalo.refreshes) == 2

    # reminders: the outbox sender delivers them through the Zalo channel (and the token expires again)
    second = Recorder()
    with services.store.session() as s:
        zalo_person = people.find(s, "zalo", USER)
        other = people.find(s, "test", "yt-test")
        for person in (zalo_person, other):
            outbox.enqueue(s, key=f"reminder:test:{person.id}", kind="reminder", due_at=clock.now(),
                           text="Nhắc hạn: báo cáo tự kiểm tra gửi Sở Nội vụ trước ngày 30/9/2020.",
                           person=person, unit_code="so-y-te")
    zalo.expire_access_tokens()
    sender = OutboxSender(services, {"zalo": rig.channel, "test": second}, rig.settings)
    assert await sender.drain_once() == 2
    assert zalo.texts(USER)[-1].startswith("Nhắc hạn: báo cáo tự kiểm tra")
    assert [chat for chat, _ in second.delivered] == ["yt-test"]  # one person, two channels, one each
    assert len(zalo.refreshes) == 3

    # the user never saw a token error, and no refresh token was spent twice
    assert all(c.answer.get("error") in (0, -216) for c in zalo.calls if c.path == "send")
    assert zalo.reused_refresh == []


async def test_zalo_and_telegram_registrations_of_one_person_both_get_the_planned_reminders(
        rig, zalo, services, talk, clock):
    """Reminders are planned per person: the same focal point on Zalo and elsewhere gets one on each."""
    from handlers.reminders import replan

    await register_focal(talk, "yt-test", "Sở Y tế")
    code = INVITE_CODE.search(ZaloRig.joined(await rig.say("z-staff", "moi Sở Y tế"))).group(1)
    await rig.say(USER, f"dangky {code}")
    replan(services, ["so-y-te"])
    with services.store.session() as s:
        rows = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "reminder",
                                                    OutgoingMessage.status == "pending")).all()
    first_zalo = min((r for r in rows if r.channel == "zalo"), key=lambda r: r.due_at)
    assert any(r.channel == "test" and r.due_at == first_zalo.due_at for r in rows)
    clock.set(first_zalo.due_at)
    second = Recorder()
    sender = OutboxSender(services, {"zalo": rig.channel, "test": second}, rig.settings)
    await sender.drain_once()
    with services.store.session() as s:
        row = s.get(OutgoingMessage, first_zalo.id)
    assert row.status == "sent", row.last_error
    assert zalo.to(USER)[-1].text == row.text
    assert second.delivered and second.delivered[-1][0] == "yt-test"


async def test_a_quota_error_during_a_broadcast_is_recorded_and_not_retried(rig, zalo, services, clock):
    users = ["9100000000000000001", "9100000000000000002", "9100000000000000003"]
    with services.store.session() as s:
        persons = [people.ensure(s, "zalo", u) for u in users]
        for person in persons:
            outbox.enqueue(s, key=f"broadcast:test:{person.id}", kind="broadcast", text="Thông báo họp giao ban",
                           due_at=clock.now(), person=person)
    zalo.fail(12002, "Daily quota limited", user_id=users[1], times=None)
    sender = OutboxSender(services, {"zalo": rig.channel}, rig.settings)
    assert await sender.drain_once() == 2
    with services.store.session() as s:
        rows = {r.person_id: r for r in s.exec(select(OutgoingMessage)).all()}
    refused = rows[persons[1].id]
    assert refused.status == "failed" and "12002" in refused.last_error and refused.attempts == 1
    assert rows[persons[0].id].status == rows[persons[2].id].status == "sent"
    await sender.drain_once()  # nothing is retried for that recipient
    attempts = [c for c in zalo.calls if c.path == "send" and c.body["recipient"]["user_id"] == users[1]]
    assert len(attempts) == 1
    with services.store.session() as s:
        assert people.find(s, "zalo", users[1]).active  # a quota error is not an unfollow


async def test_an_unfollowed_recipient_is_marked_unreachable_by_the_sender(rig, zalo, services, clock):
    with services.store.session() as s:
        person = people.ensure(s, "zalo", "9200000000000000001")
        outbox.enqueue(s, key="notice:test", kind="notice", text="Thông báo", due_at=clock.now(), person=person)
    zalo.fail(-213, "User has not followed OA")
    sender = OutboxSender(services, {"zalo": rig.channel}, rig.settings)
    await sender.drain_once()
    with services.store.session() as s:
        assert people.find(s, "zalo", "9200000000000000001").active is False
        assert s.exec(select(OutgoingMessage)).one().status == "undeliverable"


async def test_agency_bot_run_with_only_zalo_configured(zalo, tmp_path):
    """The composition root starts the Zalo channel without Telegram: webhook, sender and health."""
    import asyncio
    import time
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import httpx
    from fakes.zalo_api import Webhook

    from bot.app import Runtime
    from handlers.notify import notify_staff

    access, refresh = zalo.issue_pair()
    settings = zalo_settings(zalo, tmp_path, access, refresh,
                             bot_clock_start=datetime(2020, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert not settings.telegram_enabled and settings.zalo_enabled
    runtime = Runtime.build(settings)
    await runtime.start()
    try:
        base = f"http://127.0.0.1:{runtime.http.port}"
        async with httpx.AsyncClient() as client:
            assert (await client.get(base + "/healthz")).json()["channels"] == ["zalo"]
        hook = Webhook(base + "/zalo/webhook", zalo.app_id, zalo.oa_secret_key, lambda: int(time.time() * 1000))
        assert (await hook.post(hook.text("123", "help"))).status_code == 200
        await zalo.wait_for(1, "123")
        # staff listed in STAFF_ZALO_IDS are reachable through the outbox at once
        notify_staff(runtime.services, "zalo-run-test", "Kiểm tra kênh Zalo")
        sent = await zalo.wait_for(1, "z-staff")
        assert sent[0].text == "Kiểm tra kênh Zalo"
    finally:
        await runtime.stop()
    await asyncio.sleep(0)


async def registered(rig, unit: str = "Sở Y tế", user: str = USER) -> str:
    code = INVITE_CODE.search(ZaloRig.joined(await rig.say("z-staff", f"moi {unit}"))).group(1)
    assert "Đăng ký thành công" in ZaloRig.joined(await rig.say(user, f"dangky {code}"))
    return user


async def test_files_the_submission_handler_refuses_over_zalo(rig, zalo, services):
    """Size limits and hosts, with the real submission handler behind the adapter."""
    from messages.texts import submissions as sub_texts
    from messages.texts import zalo as zalo_texts

    await registered(rig)
    limit = services.max_file_bytes["zalo"]
    # declared too big: refused before anything is downloaded
    url = zalo.add_file("big.pdf", PDF)
    before = len(zalo.to(USER))
    await rig.post(rig.hook.file(USER, url, "big.pdf", limit + 1))
    assert zalo.file_hits == []
    assert "MB" in ZaloRig.joined(zalo.to(USER)[before:])
    # declared small, really bigger: cut off while streaming
    url = zalo.add_file("liar.pdf", b"%PDF-1.4\n" + b"0" * limit)
    before = len(zalo.to(USER))
    await rig.post(rig.hook.file(USER, url, "liar.pdf", 1000))
    assert zalo.file_hits == ["liar.pdf"]
    too_large = ZaloRig.joined(zalo.to(USER)[before:])
    # a host off the allow-list: never fetched
    before = len(zalo.to(USER))
    await rig.post(rig.hook.file(USER, "https://files.example.org/bc.pdf", "bc.pdf", 100))
    assert zalo.texts(USER)[before:] == [zalo_texts.FILE_HOST_REFUSED]
    # an allowed host that redirects elsewhere: the fetch stops at the redirect
    target = zalo.add_file("elsewhere.pdf", PDF).replace("127.0.0.1", "localhost")
    before = len(zalo.to(USER))
    await rig.post(rig.hook.file(USER, f"{zalo.url}/redirect?to={target}", "bc.pdf", len(PDF)))
    assert "elsewhere.pdf" not in zalo.file_hits
    refused_redirect = ZaloRig.joined(zalo.to(USER)[before:])
    with services.store.session() as s:
        assert s.exec(select(Submission)).all() == []
    assert "MB" in too_large
    assert refused_redirect and "BIÊN NHẬN" not in refused_redirect
    assert sub_texts.FETCH_FAILED.split("{")[0] in refused_redirect
