"""Channel fixtures: the fake Telegram Bot API server (``fake``) and a started ``TelegramChannel``
(``bot``); the fake Zalo OA (``zalo``) and a started ``ZaloChannel`` behind the bot's HTTP endpoint
(``rig``, answering through ``zalo_router``, which a module may override)."""

import pytest
from fakes.telegram_api import FakeBotApi
from fakes.zalo_api import FakeZalo, ZaloRig, zalo_settings
from telegram_env import telegram_bot


@pytest.fixture
async def fake():
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake, services, router, tmp_path):
    async with telegram_bot(fake, services, router, tmp_path / "data") as channel:
        yield channel


@pytest.fixture
async def zalo():
    async with FakeZalo() as api:
        yield api


@pytest.fixture
def zalo_router(router):
    return router


@pytest.fixture
async def rig(zalo, services, zalo_router, tmp_path):
    access, refresh = zalo.issue_pair()
    async with ZaloRig(zalo, zalo_settings(zalo, tmp_path, access, refresh), services, zalo_router) as rig:
        yield rig
