"""``/metrics``: off without ``METRICS_TOKEN``, only with that bearer token, and every family there,
scraped from ``agency-bot run``'s composition root after real traffic through a webhook."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Runtime
from bot.clock import Clock
from storage import outbox, people

sys.path.append(str(Path(__file__).parents[1] / "channels"))  # telegram_env: the Telegram tests' set-up
from fakes.telegram_api import FakeBotApi, text_update  # noqa: E402
from support import TZ  # noqa: E402
from telegram_env import WEBHOOK_SECRET, tg_settings  # noqa: E402
from support import until  # noqa: E402

TOKEN = "metrics-" + "t0ken-for-the-test"
FAMILIES = {
    "agency_bot_messages_sent_total", "agency_bot_messages_failed_total", "agency_bot_messages_uncertain_total",
    "agency_bot_outbox_depth", "agency_bot_outbox_oldest_due_age_seconds", "agency_bot_reminder_lateness_seconds",
    "agency_bot_questions_total", "agency_bot_submissions_received_total", "agency_bot_submissions_refused_total",
    "agency_bot_webhook_request_seconds", "agency_bot_leader",
}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_need_the_token_and_carry_every_family(tmp_path):
    async with FakeBotApi() as fake:
        settings = tg_settings(fake, tmp_path, http_port=0, metrics_token=TOKEN,
                               telegram_webhook_url="https://bot.example.gov.vn/telegram/webhook",
                               telegram_webhook_secret=WEBHOOK_SECRET)
        runtime = Runtime.build(settings, clock=Clock(TZ, datetime(2020, 9, 1, 9, 0, tzinfo=TZ)))
        await runtime.start()
        base = f"http://127.0.0.1:{runtime.http.port}"
        try:
            hook = f"{base}/telegram/webhook"
            assert await fake.post_webhook(text_update(7001, "hạn nộp báo cáo tự kiểm tra là khi nào"), hook) == 200
            assert await fake.post_webhook(text_update(7002, "thời tiết hôm nay thế nào"), hook) == 200
            await fake.wait_for("sendMessage", chat_id=7002)
            services = runtime.services
            with services.store.session() as s:
                staff = people.ensure(s, "telegram", "9001")
                outbox.enqueue(s, key="m:1", kind="notice", text="Thông báo thử", due_at=services.clock.now(),
                               person=staff)
            runtime.wake()
            await fake.wait_for("sendMessage", chat_id=9001)
            await until(lambda: runtime.metrics.messages["sent"].labels("telegram", "notice")._value.get() == 1)
            async with httpx.AsyncClient() as client:
                assert (await client.get(f"{base}/metrics")).status_code == 401
                wrong = await client.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"})
                assert wrong.status_code == 401
                answer = await client.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        finally:
            await runtime.stop()
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    families = {f.name if f.type != "counter" else f.name + "_total"
                for f in text_string_to_metric_families(answer.text)}
    assert FAMILIES <= families, FAMILIES - families
    got = samples(answer.text)
    assert got[("agency_bot_messages_sent_total", (("channel", "telegram"), ("kind", "notice")))] == 1
    assert got[("agency_bot_questions_total", (("outcome", "answered"),))] == 1
    assert got[("agency_bot_questions_total", (("outcome", "fallback"),))] == 1
    assert got[("agency_bot_leader", ())] == 1
    assert got[("agency_bot_outbox_depth", (("state", "due"),))] == 0
    assert got[("agency_bot_webhook_request_seconds_count", (("channel", "telegram"), ("status", "200")))] == 2


async def test_without_a_token_there_is_no_metrics_endpoint(tmp_path):
    from bot.settings import Settings

    runtime = Runtime.build(Settings(_env_file=None, data_dir=tmp_path, http_port=0))
    await runtime.start()
    try:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{runtime.http.port}/metrics")).status_code == 404
    finally:
        await runtime.stop()
