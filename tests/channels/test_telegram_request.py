"""The HTTP the bot speaks to a Bot API server, and how leniently it reads answers."""

from __future__ import annotations

import asyncio
import json

import pytest
from fakes.stalled_http import HANG_UP, SILENT, StalledServer, closed_port
from fakes.telegram_api import text_update
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram_env import texts

from bot.channels.telegram_outbound import delivery_error
from bot.channels.telegram_request import BotApiRequest, lenient_answer, parse_update
from bot.delivery import OutMessage, Uncertain
from messages.texts import registration as reg_texts

USER = 5550001


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


# ---- network failures: may the request have reached Telegram? ----------------------------------
# Through PTB's own ``Bot`` (as the channel sends): PTB and the channel still see ``TimedOut`` /
# ``NetworkError`` as before; the outbox sender also sees whether the message may have arrived.
def _bot(url: str, **timeouts: float) -> tuple[Bot, BotApiRequest]:
    request = BotApiRequest(**timeouts)
    return Bot("123:SECRET", base_url=f"{url}/bot", request=request), request


async def test_no_answer_after_the_request_went_out_is_an_uncertain_timeout():
    async with StalledServer(SILENT) as server:
        bot, request = _bot(server.url, read_timeout=0.3)
        try:
            with pytest.raises(TimedOut) as caught:
                await bot.send_message(USER, "Thông báo")
        finally:
            await request.shutdown()
        assert server.requests == 1  # it did arrive: Telegram may have delivered it
    assert isinstance(caught.value, Uncertain) and "ReadTimeout" in caught.value.message
    assert "SECRET" not in caught.value.message
    assert delivery_error(caught.value) is None  # the channel re-raises it as is, for the sender to see


async def test_a_connection_dropped_before_the_answer_is_uncertain():
    async with StalledServer(HANG_UP) as server:
        bot, request = _bot(server.url)
        try:
            with pytest.raises(NetworkError) as caught:
                await bot.send_message(USER, "Thông báo")
        finally:
            await request.shutdown()
        assert server.requests == 1
    assert isinstance(caught.value, Uncertain) and not isinstance(caught.value, TimedOut)
    assert "RemoteProtocolError" in caught.value.message


async def test_a_refused_connection_is_safe_to_send_again():
    bot, request = _bot(f"http://127.0.0.1:{closed_port()}", connect_timeout=1.0)
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(USER, "Thông báo")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, Uncertain) and "ConnectError" in caught.value.message


async def test_waiting_in_vain_for_a_pooled_connection_is_safe_to_send_again():
    async with StalledServer(SILENT) as server:
        bot, request = _bot(server.url, pool_size=1, pool_timeout=0.2, read_timeout=5.0)
        first = asyncio.create_task(bot.send_message(USER, "một"))
        try:
            while server.requests < 1:
                await asyncio.sleep(0.01)
            with pytest.raises(TimedOut) as caught:  # the only connection is taken: this one never left
                await bot.send_message(USER, "hai")
            assert server.requests == 1
        finally:
            first.cancel()
            await asyncio.gather(first, return_exceptions=True)
            await request.shutdown()
    assert not isinstance(caught.value, Uncertain) and "PoolTimeout" in caught.value.message
