"""Norwegian calendar dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.kit.dates import add_months, format_day, local_date, parse_day

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 15), 2) == date(2025, 1, 15)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_the_local_date_is_the_day_in_oslo() -> None:
    # 23:30 UTC on 31 December is already New Year's Day in Oslo (UTC+1 in winter) ...
    assert local_date(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == date(2025, 1, 1)
    # ... and 22:30 UTC on a summer evening is past midnight (UTC+2).
    assert local_date(datetime(2024, 6, 30, 22, 30, tzinfo=UTC)) == date(2024, 7, 1)
    assert local_date(datetime(2024, 6, 30, 21, 30, tzinfo=UTC)) == date(2024, 6, 30)


def test_dates_are_read_as_written_in_norway_whatever_the_browser() -> None:
    assert parse_day("05.03.2027") == date(2027, 3, 5)
    assert parse_day(" 5.3.2027 ") == date(2027, 3, 5)
    assert parse_day("2027-03-05") == date(2027, 3, 5)
    assert parse_day("") is None
    for wrong in ("03/05/2027", "31.02.2027", "5.3.27", "2027-3-5", "i morgen"):
        try:
            parse_day(wrong)
        except ValueError:
            continue
        raise AssertionError(f"{wrong!r} was read as a date")
    assert format_day(date(2027, 3, 5)) == "05.03.2027"
    assert format_day(None) == ""
