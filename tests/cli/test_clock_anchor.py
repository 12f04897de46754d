"""BOT_CLOCK_START across processes and restarts: one business time, never running backwards."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import build_services
from bot.settings import load_settings


def test_every_process_and_restart_shows_the_same_business_time(monkeypatch):
    monkeypatch.setenv("BOT_CLOCK_START", "2020-09-01T09:00:00+07:00")
    first = build_services(load_settings())
    time.sleep(0.3)  # a second process (or a restart) starts a little later...
    second = build_services(load_settings())
    gap = abs(second.clock.now() - first.clock.now())
    assert gap < timedelta(seconds=0.1), gap  # ...and continues the first one's business time
    assert first.clock.now().date().isoformat() == "2020-09-01"

    monkeypatch.setenv("BOT_CLOCK_START", "2020-09-28T09:00:00+07:00")  # a new rehearsal starts at its instant
    third = build_services(load_settings())
    began = datetime(2020, 9, 28, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert timedelta(0) <= third.clock.now() - began < timedelta(seconds=5)
    for services in (first, second, third):
        services.store.dispose()
