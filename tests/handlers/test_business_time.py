"""Under BOT_CLOCK_START users see business time: a rehearsal of 2020 never prints today's year."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from support import TZ, Talk, build_test_services

from bot.clock import Clock


@pytest.fixture
def rehearsal(store, plan, tmp_path, router):
    real = time.time()
    clock = Clock(TZ, datetime(2020, 9, 20, 9, 0, tzinfo=TZ), real=lambda: real)
    services = build_test_services(store, plan, clock, tmp_path)
    return Talk(services, router)


async def test_invite_expiry_is_shown_in_business_time(rehearsal):
    text = Talk.text(await rehearsal("staff", "/moi Sở Y tế"))
    assert "Hiệu lực đến 04/10/2020 09:00" in text, text
    this_year = str(datetime.now().year)
    assert this_year not in text


async def test_unanswered_questions_are_stamped_in_business_time(rehearsal):
    await rehearsal("someone", "trời hôm nay có mưa không")
    text = Talk.text(await rehearsal("staff", "/chuatraloi"))
    assert "20/09/2020 09:00" in text, text
    assert str(datetime.now().year) not in text


def test_business_of_a_real_instant():
    real = 1_800_000_000.0
    clock = Clock(TZ, datetime(2020, 9, 20, 9, 0, tzinfo=TZ), real=lambda: real)
    assert clock.business(clock.real_now()) == clock.now()
