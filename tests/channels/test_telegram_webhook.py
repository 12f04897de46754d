"""Webhook mode over real HTTP: registration with Telegram, the secret header, garbage, /healthz."""

from __future__ import annotations

import httpx
import pytest
from fakes.telegram_api import load_update, text_update
from telegram_env import WEBHOOK_SECRET, telegram_bot

from bot.http import HttpServer, build_app
from messages.texts import registration as reg_texts

PUBLIC_URL = "https://bot.sonoivu.example.gov.vn/telegram/webhook"
USER = 5550001


@pytest.fixture
async def webhook_bot(fake, services, router, tmp_path):
    async with telegram_bot(fake, services, router, tmp_path, telegram_webhook_url=PUBLIC_URL,
                            telegram_webhook_secret=WEBHOOK_SECRET) as channel:
        http = HttpServer(build_app(channel.routes(), lambda: {"status": "ok"}), "127.0.0.1", 0)
        await http.start()
        try:
            yield channel, f"http://127.0.0.1:{http.port}"
        finally:
            await http.stop()


async def test_webhook_is_registered_with_secret_and_allowed_updates_and_nothing_polls(fake, webhook_bot):
    assert fake.webhook["url"] == PUBLIC_URL
    assert fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert fake.calls_to("getUpdates") == []
    drops = [c.params.get("drop_pending_updates") for c in fake.calls_to("setWebhook")]
    assert drops in ([False], ["false"], [None])  # pending updates are kept


async def test_an_update_with_the_right_secret_is_answered_at_once_and_processed(fake, webhook_bot):
    _, base = webhook_bot
    status = await fake.post_webhook(load_update("command"), f"{base}/telegram/webhook")
    assert status == 200
    [answer] = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.params["text"].startswith(reg_texts.HELP_HEADER)


@pytest.mark.parametrize("secret", ["wrong-secret-0000000000", ""])
async def test_a_wrong_or_missing_secret_is_forbidden(fake, webhook_bot, secret):
    _, base = webhook_bot
    async with httpx.AsyncClient() as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        response = await client.post(f"{base}/telegram/webhook", json=text_update(USER, "/help"), headers=headers)
    assert response.status_code == 403
    await fake.wait_quiet()
    assert fake.sent() == []


@pytest.mark.parametrize("body", [b"not json at all", b"[1, 2]", b'{"no_update_id": true}',
                                  b'{"update_id": 5, "message": "x"}'])
async def test_garbage_is_a_bad_request(fake, webhook_bot, body):
    _, base = webhook_bot
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{base}/telegram/webhook", content=body,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                                              "Content-Type": "application/json"})
    assert response.status_code == 400


async def test_unknown_update_types_are_accepted_and_ignored(fake, webhook_bot):
    _, base = webhook_bot
    status = await fake.post_webhook({"update_id": 77, "some_future_update": {"weird": True}},
                                     f"{base}/telegram/webhook")
    assert status == 200
    await fake.wait_quiet()
    assert fake.sent() == []


async def test_healthz_answers_beside_the_webhook(webhook_bot):
    _, base = webhook_bot
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/healthz")
        wrong_method = await client.get(f"{base}/telegram/webhook")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert wrong_method.status_code == 405


async def test_stopping_keeps_the_webhook_so_telegram_holds_updates(fake, services, router, tmp_path):
    async with telegram_bot(fake, services, router, tmp_path, telegram_webhook_url=PUBLIC_URL,
                            telegram_webhook_secret=WEBHOOK_SECRET):
        pass
    assert fake.webhook["url"] == PUBLIC_URL and fake.calls_to("deleteWebhook") == []


async def test_a_webhook_telegram_refuses_stops_start_up_with_one_sentence(fake, services, router, tmp_path):
    from bot.settings import SettingsError
    from messages.texts import telegram as tg_texts

    fake.fail(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known",
              method="setWebhook")
    with pytest.raises(SettingsError) as caught:
        async with telegram_bot(fake, services, router, tmp_path, telegram_webhook_url=PUBLIC_URL,
                                telegram_webhook_secret=WEBHOOK_SECRET):
            pass
    assert str(caught.value).startswith(tg_texts.WEBHOOK_REFUSED.split("{")[0]) and PUBLIC_URL in str(caught.value)


async def test_the_same_update_posted_twice_is_answered_once(fake, webhook_bot, services):
    _, base = webhook_bot
    update = {**text_update(USER, "/help"), "update_id": 123456}
    assert await fake.post_webhook(update, f"{base}/telegram/webhook") == 200
    await fake.wait_for("sendMessage", chat_id=USER)
    await fake.wait_quiet()
    answered = len(fake.calls_to("sendMessage"))
    assert await fake.post_webhook(update, f"{base}/telegram/webhook") == 200  # Telegram resends: still 200
    await fake.wait_quiet()
    assert len(fake.calls_to("sendMessage")) == answered
    other = text_update(USER, "/help")  # a new message: post_webhook gives it the next update_id
    assert await fake.post_webhook(other, f"{base}/telegram/webhook") == 200
    await fake.wait_for("sendMessage", chat_id=USER, count=2 * answered)
    await fake.wait_quiet(0.5)
    assert len(fake.calls_to("sendMessage")) == 2 * answered  # the resent one was not answered


async def test_a_chunked_body_past_the_limit_is_413(webhook_bot):
    _, base = webhook_bot

    async def chunks():
        for _ in range(40):
            yield b"x" * 64 * 1024

    async with httpx.AsyncClient() as client:
        try:
            status = (await client.post(f"{base}/telegram/webhook", content=chunks(),
                                        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})).status_code
        except (httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError):
            status = 413
    assert status == 413
