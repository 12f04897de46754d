"""Shared set-up for the Telegram channel tests: the real channel against ``FakeBotApi``."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import AsyncIterator

from fakes.telegram_api import FakeBotApi, text_update

from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from handlers.context import Services
from handlers.router import Router

STAFF = 9001  # the conftest services' staff Telegram id
WEBHOOK_SECRET = "s3cret_Webhook-Token_0123456789"


def tg_settings(fake: FakeBotApi, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url,
        telegram_api_base_file_url=fake.base_file_url, telegram_webhook_url=None, telegram_webhook_secret=None,
        staff_telegram_ids=[STAFF], data_dir=data_dir,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def telegram_bot(fake: FakeBotApi, services: Services, router: Router, data_dir: Path,
                       **overrides: object) -> AsyncIterator[TelegramChannel]:
    """The channel started (polling unless a webhook URL is given) and stopped around the block."""
    channel = TelegramChannel(tg_settings(fake, data_dir, **overrides), services, router)
    services.invite_links["telegram"] = channel.invite_link  # as bot.app.build_channels does
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


def texts(calls) -> str:
    return "\n".join(c.params.get("text") or c.params.get("caption") or "" for c in calls)


async def invite_code(fake: FakeBotApi, unit: str) -> str:
    """Staff ask for an invite in chat; the code is read from the deep link in the answer."""
    answer = texts(await fake.converse(text_update(STAFF, f"/moi {unit}")))
    match = re.search(rf"https://t\.me/{fake.username}\?start=([A-Za-z0-9_-]+)", answer)
    assert match, answer
    return match.group(1)


async def register_via_deep_link(fake: FakeBotApi, user_id: int, unit: str) -> str:
    code = await invite_code(fake, unit)
    answer = texts(await fake.converse(text_update(user_id, f"/start {code}")))
    assert "thành công" in answer, answer
    return answer
