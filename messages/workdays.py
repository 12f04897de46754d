"""Working days for deadlines written as "N ngày làm việc trước ngày kiểm tra".

Monday to Friday, without the country's public holidays (the maintained ``holidays``
library knows Tết and the other lunar dates), adjusted by the plan's own calendar:
the extra days off and make-up working Saturdays the government announces each year.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from messages.plan import Calendar


class WorkCalendar:
    def __init__(self, calendar: Calendar):
        self.country = calendar.country
        self.days_off = frozenset(calendar.days_off)
        self.working_days = frozenset(calendar.working_days)
        self._public: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        days = self._public.get(year)
        if days is None:
            days = frozenset(holidays.country_holidays(self.country, years=year))
            self._public[year] = days
        return days

    def prepare(self, years: range) -> None:
        """Compute the public holidays of ``years`` now (the library loads its country data on first
        use: about 0.1 s that would otherwise fall on someone's first question)."""
        for year in years:
            self._holidays(year)

    def is_working(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off or day.weekday() >= 5:
            return False
        return day not in self._holidays(day.year)

    def before(self, day: date, n: int, working: bool) -> date:
        """The day ``n`` days before ``day`` (counting only working days when ``working``)."""
        if not working:
            return day - timedelta(days=n)
        current = day
        while n > 0:
            current -= timedelta(days=1)
            if self.is_working(current):
                n -= 1
        return current
