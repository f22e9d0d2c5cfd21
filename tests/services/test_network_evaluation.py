"""The end-of-network evaluation: each member answers for itself; everyone reads only the
summary, and only from three answers."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.network import EvaluationPut
from app.services import network_evaluation
from tests import factories
from tests.network_factories import network


def test_the_summary_needs_three_answers(session: Session) -> None:
    members = ("5501", "5540", "5503")
    network_id = network(session, members)
    for n, number in enumerate(members):
        coordinator = factories.coordinator(session, number)
        summary = network_evaluation.summary(session, coordinator, network_id)
        assert summary.mean_relevance is None, "nothing before three answers"
        network_evaluation.put_evaluation(
            session, coordinator, network_id, number, EvaluationPut(relevance=3 + n % 3), 0
        )
    summary = network_evaluation.summary(
        session, factories.coordinator(session, "5501"), network_id
    )
    assert summary.answered == 3
    assert summary.mean_relevance == pytest.approx(4.0)
    with pytest.raises(Forbidden):
        network_evaluation.put_evaluation(
            session,
            factories.coordinator(session, "5501"),
            network_id,
            "5540",
            EvaluationPut(relevance=1),
            1,
        )
