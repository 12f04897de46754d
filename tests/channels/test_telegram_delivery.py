"""``deliver()`` for the outbox sender, rendering helpers, server URLs and the invite deep link."""

from __future__ import annotations

import pytest
from data.files import samples
from fakes.telegram_api import Limits
from telegram.error import NetworkError
from telegram_env import tg_settings

from bot.channels.telegram import deep_link_factory
from bot.channels.telegram_outbound import split_text, utf16_len
from bot.channels.telegram_plumbing import server_urls
from bot.delivery import ChatMoved, OutMessage, Rejected, RetryLater, Unreachable
from handlers.types import Option
from messages.texts import telegram as tg_texts

USER = 5550001
GROUP = -4012345678


async def test_deliver_sends_text_buttons_and_documents(fake, bot, tmp_path):
    await bot.deliver(str(USER), OutMessage("Nhắc hạn nộp báo cáo", options=[Option("Xem hạn", "c1d2e3")]))
    [sent] = fake.sent(USER)
    assert sent.params["text"] == "Nhắc hạn nộp báo cáo"
    assert sent.params["reply_markup"]["inline_keyboard"] == [[{"text": "Xem hạn", "callback_data": "c1d2e3"}]]

    workbook = tmp_path / "tong-hop.xlsx"
    workbook.write_bytes(samples.xlsx())
    await bot.deliver(str(USER), OutMessage("Bảng tổng hợp", document=workbook, document_name="Tổng hợp.xlsx"))
    doc = fake.sent(USER)[-1]
    assert doc.method == "sendDocument" and doc.params["caption"] == "Bảng tổng hợp"
    assert doc.files["document"].filename == "Tổng hợp.xlsx" and doc.files["document"].content == samples.xlsx()


async def test_a_long_text_with_a_document_goes_as_messages_then_the_file(fake, bot, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(samples.pdf())
    await bot.deliver(str(USER), OutMessage("Thông báo. " * 200, document=path))  # > 1024: no caption
    assert [c.method for c in fake.sent(USER)] == ["sendMessage", "sendDocument"]
    assert "caption" not in fake.sent(USER)[-1].params


async def test_a_retried_message_does_not_repeat_the_parts_already_sent(fake, bot, tmp_path):
    """A 429 on the attachment must not make the sender's retry send the text twice."""
    path = tmp_path / "a.pdf"
    path.write_bytes(samples.pdf())
    message = OutMessage("Thông báo. " * 200, document=path)
    fake.flood(1, method="sendDocument", chat_id=USER)
    with pytest.raises(RetryLater):
        await bot.deliver(str(USER), message)
    await bot.deliver(str(USER), message)  # the sender's retry
    assert [c.method for c in fake.sent(USER)] == ["sendMessage", "sendDocument"]
    # a new message with the same content later is a new message again
    await bot.deliver(str(USER), message)
    assert [c.method for c in fake.sent(USER)] == ["sendMessage", "sendDocument"] * 2


async def test_flood_control_becomes_retry_later(fake, bot):
    fake.flood(7, chat_id=USER)
    with pytest.raises(RetryLater) as caught:
        await bot.deliver(str(USER), OutMessage("a"))
    assert caught.value.after == 7.0


async def test_a_user_who_blocked_the_bot_is_unreachable(fake, bot):
    fake.block(USER)
    with pytest.raises(Unreachable):
        await bot.deliver(str(USER), OutMessage("a"))


async def test_a_chat_that_never_started_the_bot_is_unreachable(fake, bot):
    fake.fail(400, "Bad Request: chat not found", chat_id=USER)
    with pytest.raises(Unreachable):
        await bot.deliver(str(USER), OutMessage("a"))


async def test_a_migrated_group_names_its_new_id(fake, bot):
    fake.migrate(GROUP, -1001234567890)
    with pytest.raises(ChatMoved) as caught:
        await bot.deliver(str(GROUP), OutMessage("a"))
    assert caught.value.new_chat_id == "-1001234567890"


async def test_a_bad_request_is_rejected_with_its_reason(fake, bot):
    fake.fail(400, "Bad Request: can't parse entities: unsupported start tag", chat_id=USER)
    with pytest.raises(Rejected) as caught:
        await bot.deliver(str(USER), OutMessage("a"))
    assert "can't parse entities" in caught.value.reason.lower()


async def test_server_errors_stay_transient_and_are_not_retried_by_ptb(fake, bot):
    fake.fail(502, "Bad Gateway", chat_id=USER)
    with pytest.raises(NetworkError):
        await bot.deliver(str(USER), OutMessage("a"))
    assert len(fake.calls_to("sendMessage", USER)) == 1  # one attempt: the sender decides


async def test_the_limit_enforcer_answers_429_past_one_message_a_second_per_chat(fake, bot):
    fake.enforce(Limits())
    await bot.deliver(str(USER), OutMessage("1"))
    with pytest.raises(RetryLater) as caught:
        await bot.deliver(str(USER), OutMessage("2"))
    assert caught.value.after >= 1 and fake.count_429 == 1 and fake.sends_accepted == 1
    await bot.deliver("5550003", OutMessage("another chat is fine"))


# ---- pieces ----------------------------------------------------------------------------------------
def test_split_text_respects_utf16_and_prefers_line_breaks():
    emoji_line = "📄 Báo cáo " * 300  # astral characters count twice
    chunks = split_text(emoji_line + "\n" + "x" * 10, limit=1000)
    assert all(utf16_len(c) <= 1000 for c in chunks)
    assert "".join("".join(chunks).split()) == "".join((emoji_line + "x" * 10).split())
    assert split_text("  \n ") == [] and split_text("ngắn") == ["ngắn"]
    assert split_text("a" * 2500 + "\n" + "b" * 2500) == ["a" * 2500, "b" * 2500]


@pytest.mark.parametrize("given,api,files", [
    (None, "https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
    ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
    ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
    ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
    ("http://emu:9000/api/bot{token}", "http://emu:9000/api/bot{token}", "http://emu:9000/api/file/bot{token}"),
])
def test_server_urls_accept_what_operators_write(given, api, files):
    base, file_base, cloud = server_urls(given, None)
    assert (base, file_base, cloud) == (api, files, given is None)


def test_an_explicit_file_url_wins():
    assert server_urls("http://a:1/bot", "http://files:2")[1] == "http://files:2/file/bot"
    assert server_urls("http://a:1/bot", "http://files:2/file/bot/")[1] == "http://files:2/file/bot"


async def test_deep_link_factory_asks_the_configured_server(fake, tmp_path):
    link = await deep_link_factory(tg_settings(fake, tmp_path))
    assert link("K7M2X9PQRS") == f"https://t.me/{fake.username}?start=K7M2X9PQRS"
    assert [c.method for c in fake.calls] == ["getMe"]


async def test_deep_link_factory_says_why_when_it_cannot(fake, tmp_path, capsys):
    wrong = tg_settings(fake, tmp_path, telegram_bot_token="7000000001:WRONGwrongWRONGwrongWRONGwrong_xyz")
    assert await deep_link_factory(wrong) is None
    assert capsys.readouterr().err.strip() == tg_texts.DEEP_LINK_UNAVAILABLE.format(reason=tg_texts.REASON_TOKEN)
    dead = tg_settings(fake, tmp_path, telegram_api_base_url="http://127.0.0.1:9/bot")
    assert await deep_link_factory(dead) is None
    err = capsys.readouterr().err
    assert tg_texts.REASON_NETWORK in err and fake.token not in err



async def test_a_rejected_token_or_a_dead_server_stops_start_up_with_one_sentence(fake, services, router, tmp_path):
    from bot.channels.telegram import TelegramChannel
    from bot.settings import SettingsError

    wrong = tg_settings(fake, tmp_path, telegram_bot_token="7000000001:WRONGwrongWRONGwrongWRONGwrong_xyz")
    with pytest.raises(SettingsError) as caught:
        await TelegramChannel(wrong, services, router).start()
    assert str(caught.value) == tg_texts.TOKEN_REJECTED.format(server=f"127.0.0.1:{fake.port}")
    dead = TelegramChannel(tg_settings(fake, tmp_path, telegram_api_base_url="http://127.0.0.1:9"), services, router)
    with pytest.raises(SettingsError, match="127.0.0.1:9"):
        await dead.start()
    await dead.stop()  # safe after a failed start


async def test_agency_bot_invite_prints_the_deep_link_from_the_configured_server(fake, tmp_path):
    import asyncio
    import os
    import sys

    env = {**os.environ, "DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": fake.token,
           "TELEGRAM_API_BASE_URL": fake.base_url, "TELEGRAM_WEBHOOK_URL": "", "DATABASE_URL": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "invite", "Sở Tài chính", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert f"https://t.me/{fake.username}?start=" in out.decode() and "Sở Tài chính" in out.decode()
    assert fake.token not in out.decode() + err.decode()
