"""The staff web pages in-process: the real Starlette app (as ``bot/app.py`` mounts it) on the
test services, driven by Starlette's test client; ``signed_in`` is a browser of a staff member."""

from __future__ import annotations

import pytest
from web_support import Browser

from bot.web import web_routes
from starlette.applications import Starlette


@pytest.fixture
def web_app(services):
    services.web_url = "http://testserver"
    return Starlette(routes=web_routes(services))


@pytest.fixture
def browser(web_app, services):
    """A browser with no session yet."""
    with Browser(web_app, services) as b:
        yield b


@pytest.fixture
def signed_in(web_app, services):
    """A browser signed in as the conftest's Telegram staff member (9001)."""
    with Browser(web_app, services) as b:
        b.sign_in("telegram", "9001")
        yield b
