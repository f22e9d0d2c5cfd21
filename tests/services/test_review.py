"""Reviews: written by the region's advisers, listed newest first."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.feedback import ReviewCreate
from app.services import review
from tests import factories


def test_an_adviser_reviews_and_a_coordinator_reads_the_history(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    coordinator = factories.coordinator(session, "5501")
    first = review.create_review(session, adviser, "5501", ReviewCreate(note="I rute"))
    second = review.create_review(session, adviser, "5501", ReviewCreate(note="Fortsatt i rute"))
    listed = review.list_reviews(session, coordinator, "5501")
    assert [r.id for r in listed.items] == [second.id, first.id]
    assert review.get_review(session, coordinator, first.id).note == "I rute"


def test_a_coordinator_does_not_review_their_own_pathway(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    with pytest.raises(Forbidden):
        review.create_review(session, coordinator, "5501", ReviewCreate(note="Selvros"))
