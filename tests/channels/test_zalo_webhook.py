"""Zalo inbound: signed webhook posts to the real endpoint, answered through a zalo OA API over HTTP."""

from __future__ import annotations

import json

import pytest
from support import INVITE_CODE
from fakes.zalo_api import ZaloRig, signature, zalo_settings
from sqlmodel import select

from messages.texts import common as common_texts
from messages.texts import registration as reg_texts
from messages.texts import zalo as zalo_texts
from storage import people
from storage.models import ProcessedEvent


async def invite_code(rig: ZaloRig, unit: str) -> str:
    """Zalo staff ask for an invite code with the bare word (no slash), as on Zalo."""
    sent = await rig.say("z-staff", f"moi {unit}")
    return INVITE_CODE.search(ZaloRig.joined(sent)).group(1)


# ---- signature, timestamp, body -------------------------------------------------------------
async def test_signed_text_is_answered_through_the_oa_api(rig, zalo):
    sent = await rig.say("1234567890123456789", "help")
    assert sent, "no answer"
    assert reg_texts.HELP_HEADER in ZaloRig.joined(sent)
    call = next(c for c in zalo.calls if c.path == "send")
    assert call.headers["access_token"] in zalo.valid_access
    assert call.body["recipient"] == {"user_id": "1234567890123456789"}


async def test_missing_signature_is_401_and_nothing_happens(rig, zalo):
    response = await rig.post(rig.hook.text("111", "help"), sign=False)
    assert response.status_code == 401
    assert zalo.sent == []


@pytest.mark.parametrize("mac", ["mac=" + "0" * 64, "0" * 64, "garbage", "mac="])
async def test_bad_signature_is_403(rig, zalo, mac):
    response = await rig.post(rig.hook.text("111", "help"), mac=mac)
    assert response.status_code == 403
    assert zalo.sent == []


async def test_signature_over_other_bytes_is_refused(rig, zalo):
    """The hash covers the raw body: re-serialising the same JSON differently breaks it."""
    body = rig.hook.text("111", "help")
    mac = signature(zalo.app_id, json.dumps(body).encode(), body["timestamp"], zalo.oa_secret_key)
    response = await rig.post(body, mac=mac, raw=json.dumps(body, indent=2).encode())
    assert response.status_code == 403
    assert zalo.sent == []


async def test_bare_hex_signature_is_accepted(rig, zalo):
    body = rig.hook.text("111", "help")
    raw = json.dumps(body).encode()
    mac = signature(zalo.app_id, raw, body["timestamp"], zalo.oa_secret_key).removeprefix("mac=")
    response = await rig.post(body, mac=mac, raw=raw)
    assert response.status_code == 200
    assert zalo.to("111")


async def test_stale_and_future_timestamps_are_refused(rig, zalo, clock):
    now = int(clock.real_now().timestamp() * 1000)
    max_age_ms = rig.settings.zalo_webhook_max_age_s * 1000
    for ts in (now - max_age_ms - 1000, now + max_age_ms + 1000):
        response = await rig.post(rig.hook.text("111", "help", ts=ts))
        assert response.status_code == 403
    assert zalo.sent == []
    response = await rig.post(rig.hook.text("111", "help", ts=now - max_age_ms + 5000))
    assert response.status_code == 200
    assert zalo.to("111")


async def test_the_timestamp_is_checked_against_the_real_clock(zalo, store, plan, tmp_path, router):
    """BOT_CLOCK_START moves business time only: a webhook stamped with the real time is fresh."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.clock import Clock
    from support import build_test_services

    rehearsal = Clock(ZoneInfo("Asia/Ho_Chi_Minh"), datetime(2020, 9, 1, 9, 0))
    services = build_test_services(store, plan, rehearsal, tmp_path)
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, router) as rig:
        business_ms = int(rehearsal.now().timestamp() * 1000)
        assert (await rig.post(rig.hook.text("111", "help", ts=business_ms))).status_code == 403
        assert (await rig.post(rig.hook.text("111", "help"))).status_code == 200
        assert zalo.to("111")


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b"\xff\xfe{", b'"text"'])
async def test_malformed_bodies_get_400_and_never_crash(rig, zalo, raw):
    response = await rig.post({}, mac="mac=" + "0" * 64, raw=raw)
    assert response.status_code == 400
    assert zalo.sent == []
    assert (await rig.say("111", "help"))  # still alive


async def test_signed_but_odd_events_are_acknowledged_and_ignored(rig, zalo):
    base = rig.hook.text("111", "help")
    odd = [
        {"app_id": zalo.app_id, "timestamp": base["timestamp"]},  # no event name
        {**base, "sender": None},
        {**base, "message": "hello"},
        {**base, "message": {"text": 5}},  # no msg_id
        {**base, "event_name": 42},
        {**base, "event_name": "anonymous_send_text"},
        {**base, "event_name": "user_seen_message"},
    ]
    for body in odd:
        response = await rig.post(body)
        assert response.status_code == 200, body
    assert zalo.sent == []


async def test_a_file_event_without_a_usable_attachment_is_answered(rig, zalo):
    body = rig.hook.text("111", "")
    body["event_name"] = "user_send_file"
    body["message"] = {"msg_id": "x1", "attachments": [1, {"payload": 3}, {"type": "file"}]}
    assert (await rig.post(body)).status_code == 200
    assert zalo.texts("111") == [zalo_texts.FILE_UNREADABLE]


# ---- duplicates and echoes --------------------------------------------------------------------
async def test_a_retried_event_is_handled_once(rig, zalo):
    body = rig.hook.text("111", "help", msg_id="a1b2c3")
    assert (await rig.post(body)).status_code == 200
    first = len(zalo.to("111"))
    assert first >= 1
    assert (await rig.post(body)).status_code == 200  # Zalo retries with the same msg_id
    assert len(zalo.to("111")) == first
    with rig.services.store.session() as s:
        assert s.exec(select(ProcessedEvent).where(ProcessedEvent.event_id == "a1b2c3")).one().channel == "zalo"


async def test_duplicates_are_remembered_across_a_restart(rig, zalo, services, router, tmp_path):
    body = rig.hook.text("111", "help", msg_id="restart-1")
    await rig.post(body)
    count = len(zalo.to("111"))
    async with ZaloRig(zalo, rig.settings, services, router) as again:
        await again.post(body)
    assert len(zalo.to("111")) == count


async def test_the_oas_own_echoes_are_ignored(rig, zalo):
    response = await rig.post(rig.hook.oa_echo("111", "help"))
    assert response.status_code == 200
    assert zalo.sent == []
    with rig.services.store.session() as s:
        assert people.find(s, "zalo", "111") is None


# ---- follow / unfollow ----------------------------------------------------------------------------
async def test_follow_greets_and_explains_registration(rig, zalo):
    assert (await rig.post(rig.hook.follow("5550001"))).status_code == 200
    text = ZaloRig.joined(zalo.to("5550001"))
    assert "Kính chào anh/chị" in text
    assert zalo_texts.HOW_TO_REGISTER.format(coordinator="Sở Nội vụ") in text
    assert "/dangky" not in text  # on Zalo the word is typed without a slash
    assert "dangky" in text.split("không cần dấu /")[1]  # the commands as bare words, from the router


async def test_unfollow_marks_the_person_inactive_and_a_new_message_reactivates(rig, zalo):
    await rig.say("5550002", "help")
    await rig.post(rig.hook.unfollow("5550002"))
    with rig.services.store.session() as s:
        assert people.find(s, "zalo", "5550002").active is False
    await rig.post(rig.hook.follow("5550002"))
    with rig.services.store.session() as s:
        assert people.find(s, "zalo", "5550002").active is True


# ---- registration, commands as bare words ------------------------------------------------------
async def test_registration_with_an_invite_code_as_a_bare_word(rig, zalo):
    code = await invite_code(rig, "Sở Tài chính")
    sent = await rig.say("7000000000000000001", f"dangky {code}")
    assert "Đăng ký thành công" in ZaloRig.joined(sent)
    with rig.services.store.session() as s:
        person = people.find(s, "zalo", "7000000000000000001")
    assert person.unit_code == "so-tai-chinh" and person.role == "focal"
    # the invitation told staff how to register on Zalo
    assert f"dangky {code}" in ZaloRig.joined(zalo.to("z-staff"))


async def test_ids_are_kept_as_strings(rig):
    big = "8946542097564023450"  # larger than 2**63
    await rig.say(big, "help")
    with rig.services.store.session() as s:
        assert people.find(s, "zalo", big).external_id == big


async def test_stickers_and_the_like_get_the_routers_answer(rig, zalo):
    body = rig.hook.text("111", "")
    body["event_name"] = "user_send_sticker"
    body["message"] = {"msg_id": "st1", "attachments": [{"type": "sticker", "payload": {"id": "x"}}]}
    await rig.post(body)
    assert ZaloRig.joined(zalo.to("111")) == common_texts.EMPTY_MESSAGE
    body = {**rig.hook.text("111", ""), "event_name": "user_reacted_message"}
    await rig.post(body)  # a reaction is not a message: no answer
    assert len(zalo.to("111")) == 1
