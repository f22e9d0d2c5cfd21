"""Checklist answers: unanswered items have version 0; answers are versioned per item."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, PreconditionFailed
from app.models.base import Answer
from app.models.pathway import ChecklistAnswerInput
from app.services import checklist
from tests import factories


def test_an_answer_is_versioned_and_an_identical_answer_changes_nothing(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    answers = checklist.get_answers(session, coordinator, "5501")
    item = answers.items[0]
    assert (item.answer, item.version) == (None, 0)
    saved = checklist.put_answer(
        session, coordinator, "5501", item.item, ChecklistAnswerInput(answer=Answer.yes), 0
    )
    assert (saved.answer, saved.version) == (Answer.yes, 1)
    again = checklist.put_answer(
        session, coordinator, "5501", item.item, ChecklistAnswerInput(answer=Answer.yes), 1
    )
    assert again.version == 1
    with pytest.raises(PreconditionFailed):
        checklist.put_answer(
            session, coordinator, "5501", item.item, ChecklistAnswerInput(answer=Answer.no), 0
        )
    assert checklist.get_answer(session, coordinator, "5501", item.item).answer == Answer.yes


def test_an_adviser_reads_but_does_not_answer(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    item = checklist.get_answers(session, adviser, "5501").items[0]
    with pytest.raises(Forbidden):
        checklist.put_answer(
            session, adviser, "5501", item.item, ChecklistAnswerInput(answer=Answer.no), 0
        )
