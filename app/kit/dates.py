"""Norwegian calendar dates: the day a moment falls on in Oslo, and whole months later."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def local_date(moment: datetime) -> date:
    """The date in Oslo at `moment` (an aware datetime)."""
    return moment.astimezone(OSLO).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
