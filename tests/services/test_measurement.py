"""The periods of an indicator: the quick-entry table's rows come from these."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.measurement import (
    period_containing,
    period_problem,
    recent_periods,
    shift_period,
)

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

FREQUENCIES = st.sampled_from(["week", "month", "quarter"])
DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 12, 31))


def test_the_period_holding_a_day() -> None:
    assert period_containing(date(2025, 1, 1), "week") == date(2024, 12, 30)
    assert period_containing(date(2025, 3, 31), "month") == date(2025, 3, 1)
    assert period_containing(date(2025, 3, 31), "quarter") == date(2025, 1, 1)
    assert period_containing(date(2025, 12, 31), "quarter") == date(2025, 10, 1)


def test_the_quick_entry_periods_are_this_one_and_the_six_before_newest_first() -> None:
    assert recent_periods("month", date(2025, 2, 14)) == [
        date(2025, 2, 1),
        date(2025, 1, 1),
        date(2024, 12, 1),
        date(2024, 11, 1),
        date(2024, 10, 1),
        date(2024, 9, 1),
        date(2024, 8, 1),
    ]
    assert recent_periods("quarter", date(2025, 2, 14), 3) == [
        date(2025, 1, 1),
        date(2024, 10, 1),
        date(2024, 7, 1),
    ]
    assert recent_periods("week", date(2025, 1, 2), 2) == [date(2024, 12, 30), date(2024, 12, 23)]


@given(day=DAYS, frequency=FREQUENCIES, steps=st.integers(-60, 60))
def test_periods_are_aligned_and_shifting_is_reversible(
    day: date, frequency: str, steps: int
) -> None:
    period = period_containing(day, frequency)
    assert period <= day
    assert period_problem(period, frequency) is None
    shifted = shift_period(period, frequency, steps)
    assert period_problem(shifted, frequency) is None
    assert shift_period(shifted, frequency, -steps) == period
    # The last day before the next period still belongs to this one.
    following = shift_period(period, frequency, 1)
    assert period_containing(following - timedelta(days=1), frequency) == period
    assert period_containing(following, frequency) == following
