"""The overview's builder: review dates and sums, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.models.overview import ReviewState, ReviewStatus
from app.services.overview_builder import DUE_SOON_DAYS, review_state

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

TODAY = date(2026, 3, 1)


def _state(
    reviewed: datetime | None, published: datetime | None, today: date = TODAY
) -> ReviewState:
    return review_state(reviewed, published, interval_months=12, today=today)


def test_never_reviewed_nor_published_has_no_due_date() -> None:
    state = _state(None, None)
    assert state.status == ReviewStatus.not_published
    assert state.basis is None
    assert state.due_on is None
    assert not state.due
    assert not state.overdue


def test_the_first_publication_starts_the_clock_until_a_review_does() -> None:
    published = datetime(2025, 3, 10, 12, tzinfo=UTC)
    by_publication = _state(None, published)
    assert (by_publication.basis, by_publication.due_on) == ("publication", date(2026, 3, 10))
    assert by_publication.status == ReviewStatus.due
    assert by_publication.due

    reviewed = datetime(2025, 12, 1, 12, tzinfo=UTC)
    by_review = _state(reviewed, published)
    assert (by_review.basis, by_review.due_on) == ("review", date(2026, 12, 1))
    assert by_review.status == ReviewStatus.ok
    assert not by_review.due


def test_due_within_the_window_and_overdue_the_day_after() -> None:
    reviewed = datetime(2025, 4, 1, 10, tzinfo=UTC)  # due 1 April 2026
    assert _state(reviewed, None, date(2026, 3, 1)).status == ReviewStatus.ok
    assert DUE_SOON_DAYS == 30
    assert _state(reviewed, None, date(2026, 3, 2)).status == ReviewStatus.due
    assert _state(reviewed, None, date(2026, 4, 1)).status == ReviewStatus.due
    late = _state(reviewed, None, date(2026, 4, 2))
    assert late.status == ReviewStatus.overdue
    assert late.due
    assert late.overdue


def test_the_due_date_is_the_norwegian_date_of_the_review() -> None:
    # 23:30 UTC on 31 March is 1 April in Oslo: the review counts from 1 April.
    state = _state(datetime(2025, 3, 31, 23, 30, tzinfo=UTC), None)
    assert state.due_on == date(2026, 4, 1)
    assert state.label
