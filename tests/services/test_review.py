"""Guidance conversations (the `review` table): written by the region's advisers, listed
newest first."""

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


def test_a_guidance_conversation_keeps_its_topics_and_agreed_follow_up(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    coordinator = factories.coordinator(session, "5501")
    data = ReviewCreate(topics="  Pårørendeskole\u200b ", follow_up="Ny samtale etter samlingen")
    created = review.create_review(session, adviser, "5501", data)
    assert (created.topics, created.follow_up, created.note) == (
        "Pårørendeskole",
        "Ny samtale etter samlingen",
        "",
    )
    read = review.get_review(session, coordinator, created.id)
    assert (read.topics, read.follow_up) == ("Pårørendeskole", "Ny samtale etter samlingen")
