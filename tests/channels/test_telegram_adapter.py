"""The Telegram channel end to end: real PTB Application ↔ real HTTP ↔ FakeBotApi, real update JSON."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fakes.telegram_api import callback_update, load_update, scope_key, text_update
from telegram_env import STAFF, invite_code, register_via_deep_link, telegram_bot, texts

from handlers.types import Reply
from messages.texts import common as common_texts
from messages.texts import registration as reg_texts
from messages.texts import telegram as tg_texts

USER = 5550001  # the user in tests/fixtures/telegram/*.json
OTHER = 5550002
GROUP = -1001234567890

COORDINATOR = "Sở Nội vụ"  # the bundled plan's coordinator


def spy_text_handler(router, seen: list):
    """Record what reaches ``router.on_text``; answer through the real handler when there is one."""
    original = router.text_handler

    @router.on_text
    async def spy(ctx):
        seen.append(ctx)
        if original is not None:
            return await original(ctx)
        return [Reply(f"(câu hỏi) {ctx.inbound.text}")]


# ---- start-up -------------------------------------------------------------------------------------
async def test_start_sets_menus_per_scope_and_polls_for_what_it_handles(fake, bot, router):
    default = fake.commands[scope_key()]
    staff = fake.commands[scope_key({"type": "chat", "chat_id": STAFF})]
    assert [c["command"] for c in default] == [c.name for c in router.menu(staff=False)]
    assert {c["command"] for c in staff} == {c.name for c in router.menu(staff=True)}
    assert "moi" in {c["command"] for c in staff} and "moi" not in {c["command"] for c in default}
    descriptions = {c["command"]: c["description"] for c in default}
    assert descriptions["dangky"] == reg_texts.COMMAND_REGISTER  # Vietnamese, from the router
    polls = await fake.wait_for("getUpdates", ok=None)
    assert polls[0].params["allowed_updates"] == ["message", "callback_query"]
    assert fake.webhook["url"] == ""
    assert bot.invite_link("ABC") == f"https://t.me/{fake.username}?start=ABC"


async def test_invite_link_is_unknown_before_getme(fake, services, router, tmp_path):
    from telegram_env import tg_settings

    from bot.channels.telegram import TelegramChannel

    channel = TelegramChannel(tg_settings(fake, tmp_path), services, router)
    assert channel.invite_link("ABC") is None
    assert channel.routes() == []  # polling: no webhook endpoint


async def test_staff_menu_waits_until_telegram_knows_the_staff_chat(fake, services, router, tmp_path):
    fake.fail(400, "Bad Request: chat not found", method="setMyCommands", chat_id=STAFF)
    async with telegram_bot(fake, services, router, tmp_path):
        key = scope_key({"type": "chat", "chat_id": STAFF})
        assert key not in fake.commands and scope_key() in fake.commands
        await fake.converse(text_update(STAFF, "/help"))
        assert "moi" in {c["command"] for c in fake.commands[key]}


# ---- conversations --------------------------------------------------------------------------------
async def test_start_greets_a_stranger_with_how_to_register(fake, bot):
    update = load_update("command")
    update["message"]["text"] = "/start"
    update["message"]["entities"][0]["length"] = 6
    answer = texts(await fake.converse(update))
    assert answer.startswith("Kính chào anh/chị")
    assert reg_texts.HOW_TO_REGISTER.format(coordinator=COORDINATOR) in answer


async def test_deep_link_registration_then_used_code_and_staff_only_refusal(fake, bot, services):
    code = await invite_code(fake, "Sở Tài chính")
    start = load_update("start_payload")  # the real shape a deep link produces
    start["message"]["text"] = f"/start {code}"
    answer = texts(await fake.converse(start))
    assert "Đăng ký thành công" in answer and "Sở Tài chính" in answer

    again = texts(await fake.converse(text_update(OTHER, f"/start {code}")))
    assert again == reg_texts.REGISTER_USED.format(coordinator=COORDINATOR)
    wrong = texts(await fake.converse(text_update(OTHER, "/dangky ZZZZZZZZZZ")))
    assert wrong == reg_texts.REGISTER_UNKNOWN.format(coordinator=COORDINATOR)
    refused = texts(await fake.converse(text_update(OTHER, "/moi Sở Tài chính")))
    assert refused == common_texts.STAFF_ONLY.format(coordinator=COORDINATOR)


async def test_free_text_goes_to_the_question_handler_as_the_registered_unit(fake, bot, router):
    seen: list = []
    spy_text_handler(router, seen)
    await register_via_deep_link(fake, USER, "UBND huyện An Biên")
    answer = await fake.converse(load_update("text_message"))
    assert answer and all(c.params["text"].strip() for c in answer)
    ctx = seen[-1]
    assert ctx.inbound.channel == "telegram"
    assert (ctx.inbound.user_id, ctx.inbound.chat_id) == (str(USER), str(USER))
    assert ctx.inbound.text == "Khi nào phải nộp báo cáo tự kiểm tra?"
    assert ctx.inbound.display_name == "Nguyễn Văn An"
    assert ctx.actor.unit is not None and ctx.actor.unit.code == "ubnd-huyen-an-bien"


async def test_buttons_carry_ids_and_a_tap_answers_retires_the_keyboard_and_runs_once(fake, bot, router):
    got: list[dict] = []

    @router.command("thuchon", role="any", description="Thử chọn")
    async def offer(ctx):
        return [Reply("Chọn một phương án:", options=[ctx.option("Phương án A — Sở Giáo dục và Đào tạo", "thu", v="A"),
                                                       ctx.option("Phương án B", "thu", v="B")])]

    @router.action("thu", once=True)
    async def chosen(ctx, payload):
        got.append(payload)
        return [Reply(f"Đã nhận {payload['v']}")]

    [sent] = await fake.converse(text_update(USER, "/thuchon"))
    buttons = [b for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["Phương án A — Sở Giáo dục và Đào tạo", "Phương án B"]
    for button in buttons:
        assert button["callback_data"] not in button["text"] and len(button["callback_data"].encode()) <= 64
    original = dict(fake.last_message(USER))

    answer = await fake.tap(USER, "Phương án B")
    assert texts(answer) == "Đã nhận B" and got == [{"v": "B"}]
    assert len(fake.answered_callbacks) == 1
    message = fake.messages[(str(USER), original["message_id"])]
    assert "reply_markup" not in message
    assert message["text"].endswith(tg_texts.CHOSEN.format(label="Phương án B"))

    # a second tap that was already on its way (double tap) is answered, and refused by the router
    stale = callback_update(USER, buttons[1]["callback_data"], original)
    assert texts(await fake.converse(stale)) == common_texts.CHOICE_USED
    assert len(fake.answered_callbacks) == 2 and got == [{"v": "B"}]


async def test_group_chat_answers_only_what_is_addressed_to_the_bot(fake, bot, router):
    seen: list = []
    spy_text_handler(router, seen)
    fake.push_update(load_update("group_message"))  # members talking among themselves
    other_bot = load_update("group_command")
    other_bot["message"]["text"] = "/help@some_other_bot"
    fake.push_update(other_bot)
    answer = await fake.converse(load_update("group_command"))  # /help@agency_test_bot
    assert len(answer) == 1 and answer[0].chat_id == str(GROUP)
    assert answer[0].params["reply_parameters"]["message_id"] == 88  # quotes the asker
    assert seen == []

    await fake.converse(load_update("group_mention"))
    assert seen[-1].inbound.text == "hạn nộp báo cáo là ngày nào?"
    assert (seen[-1].inbound.user_id, seen[-1].inbound.chat_id) == (str(OTHER), str(GROUP))
    assert len(fake.sent(GROUP)) == 2


async def test_edits_channel_posts_membership_and_service_messages_are_ignored_quietly(fake, bot):
    for name in ("edited_message", "channel_post", "my_chat_member", "group_migrated"):
        fake.push_update(load_update(name))
    answer = await fake.converse(load_update("command"))  # a marker processed after them
    assert len(answer) == 1 and answer[0].params["text"].startswith(reg_texts.HELP_HEADER)
    assert len(fake.sent()) == 1


async def test_sticker_in_private_chat_gets_a_clear_answer(fake, bot):
    assert texts(await fake.converse(load_update("sticker"))) == tg_texts.UNSUPPORTED_MEDIA


async def test_malformed_update_neither_stops_polling_nor_reaches_the_user(fake, bot, caplog):
    caplog.set_level(logging.WARNING, logger="agency_bot")
    bad_id = fake.push_update(load_update("malformed_message"))
    answer = await fake.converse(load_update("command"))
    assert len(answer) == 1 and answer[0].params["text"].startswith(reg_texts.HELP_HEADER)
    assert any(int(c.params.get("offset") or 0) > bad_id for c in fake.calls_to("getUpdates"))
    assert "malformed Telegram update" in caplog.text
    assert "thiếu chat" not in caplog.text  # the message text is never logged


async def test_a_crashing_handler_still_answers(fake, bot, router):
    @router.on_text
    async def boom(ctx):
        raise RuntimeError("bug")

    assert texts(await fake.converse(text_update(USER, "câu hỏi bất kỳ"))) == common_texts.INTERNAL_ERROR.format(coordinator=COORDINATOR)


async def test_a_failure_while_rendering_reaches_the_error_handler_and_the_user(fake, bot, router, caplog):
    caplog.set_level(logging.DEBUG, logger="agency_bot")

    @router.command("hong", role="any", description="Thử lỗi")
    async def broken(ctx):
        return [Reply("Tệp kèm:", document=Path("/nonexistent/khong-co.pdf"))]

    answer = await fake.converse(text_update(USER, "/hong"))
    assert texts(answer) == common_texts.INTERNAL_ERROR.format(coordinator=COORDINATOR)
    assert "telegram update" in caplog.text and "(message) failed" in caplog.text
    assert fake.token not in caplog.text and fake.token.split(":")[1] not in caplog.text


async def test_long_work_for_one_person_does_not_block_others_and_keeps_their_order(fake, bot, router):
    gate, started = asyncio.Event(), asyncio.Event()

    @router.command("cham", role="any", description="Việc lâu")
    async def slow(ctx):
        started.set()
        await gate.wait()
        return [Reply("xong việc lâu")]

    fake.push_update(text_update(USER, "/cham"))
    await asyncio.wait_for(started.wait(), 10)
    fake.push_update(text_update(USER, "/help"))  # same person: must wait its turn
    other = await fake.converse(text_update(OTHER, "/help"))  # someone else: answered meanwhile
    assert other and fake.sent(USER) == []
    gate.set()
    answers = await fake.wait_for("sendMessage", chat_id=USER, count=2)
    assert answers[0].params["text"] == "xong việc lâu"
    assert answers[1].params["text"].startswith(reg_texts.HELP_HEADER)


async def test_long_replies_are_split_and_buttons_go_on_the_last_part(fake, bot, router):
    paragraph = "Nội dung kiểm tra công tác cải cách hành chính của đơn vị. " * 30  # ~1.8k chars
    long_text = "\n\n".join(f"{i}. {paragraph}" for i in range(5))  # ~9k chars

    @router.command("dai", role="any", description="Thử tin dài")
    async def long_reply(ctx):
        return [Reply(long_text, options=[ctx.option("Đồng ý", "thu")])]

    answer = await fake.converse(text_update(USER, "/dai"), count=3)
    assert len(answer) == 3
    assert all(len(c.params["text"]) <= 4096 for c in answer)
    assert all(c.params["text"][0].isdigit() for c in answer)  # cut at paragraph starts
    assert " ".join(" ".join(c.params["text"] for c in answer).split()) == " ".join(long_text.split())
    assert [("reply_markup" in c.params) for c in answer] == [False, False, True]


async def test_a_reply_refused_with_429_is_queued_in_the_outbox_with_its_buttons(fake, bot, services):
    """A receipt or an answer must not be lost because a broadcast is using the rate at the moment."""
    from sqlmodel import select

    from storage.models import OutgoingMessage

    fake.flood(3, method="sendMessage", chat_id=STAFF)
    fake.push_update(text_update(STAFF, "/moi Ban Quản lý"))  # an answer with two buttons
    rows = []
    for _ in range(100):
        with services.store.session() as s:
            rows = s.exec(select(OutgoingMessage).where(OutgoingMessage.kind == "reply")).all()
        if rows:
            break
        await asyncio.sleep(0.05)
    [row] = rows
    assert row.chat_id == str(STAFF) and row.status == "pending" and "Ban Quản lý" in row.text
    assert sorted(o["label"] for o in row.options) == ["Ban Quản lý Khu kinh tế Phú Quốc", "Ban Quản lý Khu kinh tế tỉnh"]
    assert all(o["choice_id"] for o in row.options)
