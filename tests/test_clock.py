from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.clock import Clock, ManualClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_clock_starts_at_the_given_instant_and_runs():
    real = [1_000_000.0]
    clock = Clock(TZ, datetime(2020, 9, 29, 7, 59, 40, tzinfo=TZ), real=lambda: real[0])
    assert clock.now() == datetime(2020, 9, 29, 7, 59, 40, tzinfo=TZ)
    real[0] += 20
    assert clock.now() == datetime(2020, 9, 29, 8, 0, 0, tzinfo=TZ)
    # real time is untouched: security checks use it
    assert clock.real_now() == datetime.fromtimestamp(real[0], timezone.utc)
    # a business instant maps back to the real instant the scheduler must wake at
    assert clock.to_real(datetime(2020, 9, 29, 8, 0, 10, tzinfo=TZ)).timestamp() == real[0] + 10


def test_naive_start_is_read_in_the_bot_time_zone():
    clock = Clock(TZ, datetime(2020, 9, 29, 8, 0), real=lambda: 0.0)
    assert clock.now().utcoffset() == timedelta(hours=7)
    assert clock.now().hour == 8


def test_without_start_it_is_the_real_clock():
    clock = Clock(TZ)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 2


def test_manual_clock():
    clock = ManualClock(datetime(2020, 9, 1, 9, 0))
    assert clock.advance(days=1).day == 2
    assert clock.local(datetime(2020, 9, 2, 2, 0, tzinfo=timezone.utc)).hour == 9
