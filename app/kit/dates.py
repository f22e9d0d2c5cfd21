"""Norwegian calendar dates: the day a moment falls on in Oslo, and whole months later."""

from __future__ import annotations

import calendar
import re
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


_NORWEGIAN_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_day(text: str) -> date | None:
    """A date as people in Norway write it, dd.mm.åååå (one-digit day and month too), whatever
    the browser's language; ISO 8601 (åååå-mm-dd) is understood as well. Empty is None; a
    date that does not exist or is written another way raises ValueError."""
    text = text.strip()
    if not text:
        return None
    match = _NORWEGIAN_DAY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    raise ValueError(f"not a date written dd.mm.åååå: {text!r}")


def format_day(day: date | None) -> str:
    """dd.mm.åååå, as dates are shown in fields and typed into them; empty for None."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}" if day else ""
