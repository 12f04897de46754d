"""Telegram channel fixtures: the fake Bot API server and a started ``TelegramChannel`` against it.

(A Zalo test module defines its own ``fake``; a module's fixture wins over this one.)"""

import pytest
from fakes.telegram_api import FakeBotApi
from telegram_env import telegram_bot


@pytest.fixture
async def fake():
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake, services, router, tmp_path):
    async with telegram_bot(fake, services, router, tmp_path / "data") as channel:
        yield channel
