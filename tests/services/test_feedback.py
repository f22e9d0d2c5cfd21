"""Comment threads between a municipality and its region's advisers."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.feedback import CommentCreate
from app.services import feedback
from tests import factories


def test_a_thread_waits_for_the_side_that_has_not_answered(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    question = feedback.create_comment(
        session, coordinator, "5501", CommentCreate(text="Hva mener dere?")
    )
    waiting = feedback.unanswered_threads(session, adviser)
    assert [t.id for t in waiting.items] == [question.id]
    assert waiting.items[0].awaiting == "adviser"
    feedback.create_comment(
        session, adviser, "5501", CommentCreate(text="Ser bra ut", parent_id=question.id)
    )
    assert feedback.unanswered_threads(session, adviser).total == 0
    (thread,) = feedback.open_threads_for_dashboard(session, coordinator).items
    assert [c.text for c in thread.comments] == ["Hva mener dere?", "Ser bra ut"]
    assert thread.awaiting == "municipality"


def test_a_coordinator_of_another_municipality_may_not_comment(session: Session) -> None:
    outsider = factories.coordinator(session, "5503")
    with pytest.raises(Forbidden):
        feedback.create_comment(session, outsider, "5501", CommentCreate(text="Hei"))


def test_a_comment_asked_for_under_another_municipality_is_refused(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501", "5503")
    comment = feedback.create_comment(session, coordinator, "5501", CommentCreate(text="Hei"))
    assert feedback.get_comment(session, coordinator, comment.id, "5501").id == comment.id
    with pytest.raises(Forbidden, match="another municipality"):
        feedback.get_comment(session, coordinator, comment.id, "5503")
