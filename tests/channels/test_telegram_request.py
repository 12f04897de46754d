"""The HTTP the bot speaks to a Bot API server, and how leniently it reads answers."""

from __future__ import annotations

import json

import pytest
from fakes.telegram_api import FakeBotApi, text_update
from telegram_env import telegram_bot, texts

from bot.channels.telegram_request import lenient_answer, parse_update
from bot.delivery import OutMessage
from messages.texts import registration as reg_texts

USER = 5550001


@pytest.fixture
async def fake():
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake, services, router, tmp_path):
    async with telegram_bot(fake, services, router, tmp_path) as channel:
        yield channel


async def test_methods_go_as_json_polls_as_get_and_uploads_as_multipart(fake, bot, tmp_path):
    await fake.converse(text_update(USER, "/help"))
    path = tmp_path / "a.txt"
    path.write_text("x")
    await bot.deliver(str(USER), OutMessage("tệp", document=path))
    encodings = {c.method: c.encoding for c in fake.calls}
    assert encodings["getUpdates"] == "query"
    assert encodings["sendMessage"] == encodings["setMyCommands"] == encodings["getMe"] == "json"
    assert encodings["sendDocument"] == "multipart"


async def test_an_update_missing_harmless_fields_is_still_answered(fake, bot):
    sloppy = {"message": {"message_id": 7, "from": {"id": USER, "first_name": "An"}, "chat": {"id": USER},
                          "text": "/help", "entities": [{"offset": 0, "length": 5, "type": "bot_command"}]}}
    answer = texts(await fake.converse(sloppy, USER))  # no date, no chat type, no is_bot
    assert answer.startswith(reg_texts.HELP_HEADER)


def _answer(result) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()


def test_getme_without_is_bot_is_completed():
    payload, _ = lenient_answer("getme", _answer({"id": 666, "username": "emu_bot"}))
    assert json.loads(payload)["result"] == {"id": 666, "username": "emu_bot", "is_bot": True,
                                             "first_name": "emu_bot"}


def test_a_send_answer_that_is_not_a_message_becomes_none():
    assert json.loads(lenient_answer("sendmessage", _answer({"weird": 1}))[0])["result"] is None
    ok = _answer({"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "a"})
    assert lenient_answer("sendmessage", ok)[0] == ok  # untouched when fine


def test_an_emulator_style_callback_is_repaired():
    update = {"update_id": 3, "callback_query": {
        "id": 12, "from": {"id": USER, "first_name": "An"}, "data": "abc",
        "message": {"chat_id": USER, "text": "Chọn", "reply_markup": '{"inline_keyboard": []}'}}}
    parsed = parse_update(update)
    assert parsed.callback_query.data == "abc" and parsed.callback_query.id == "12"
    assert parsed.callback_query.message.chat.id == USER


def test_an_update_beyond_repair_keeps_only_its_id_and_empty_polls_are_flagged():
    broken = {"update_id": 9, "message": {"message_id": 1, "text": "không có chat"}}
    payload, empty = lenient_answer("getupdates", _answer([broken]))
    assert json.loads(payload)["result"] == [{"update_id": 9}] and not empty
    assert lenient_answer("getupdates", _answer([]))[1] is True
    with pytest.raises(ValueError):
        parse_update({"update_id": 9, "message": {"message_id": 1, "text": "x"}})
