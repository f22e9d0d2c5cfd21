"""Work between gatherings: tasks for a gathering of the same network, answers by each
member's editors, reports read by every member."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid, PreconditionFailed
from app.models.network import AnswerPut, AnswerStatus, GatheringCreate, TaskCreate
from app.services import gatherings, network_tasks
from app.services.access import SYSTEM
from tests import factories
from tests.network_factories import network


def test_tasks_and_answers(session: Session) -> None:
    network_id = network(session)
    other = network(session, ("5503",))
    foreign = gatherings.create_gathering(
        session, SYSTEM, other, GatheringCreate(title="Annen", starts_on=date(2025, 3, 1))
    )
    with pytest.raises(Invalid) as wrong:
        network_tasks.create_task(
            session, SYSTEM, network_id, TaskCreate(title="Oppgave", gathering_id=foreign.id)
        )
    assert wrong.value.errors[0].field == "gathering_id"
    task = network_tasks.create_task(session, SYSTEM, network_id, TaskCreate(title="Oppgave"))

    tromso = factories.coordinator(session, "5501")
    answer = network_tasks.put_answer(
        session, tromso, task.id, "5501", AnswerPut(status=AnswerStatus.done, report="**Gjort**"), 0
    )
    assert (answer.status, answer.version) == (AnswerStatus.done, 1)
    with pytest.raises(PreconditionFailed):
        network_tasks.put_answer(
            session, tromso, task.id, "5501", AnswerPut(status=AnswerStatus.in_progress), 0
        )
    with pytest.raises(Forbidden):
        network_tasks.put_answer(
            session, tromso, task.id, "5540", AnswerPut(status=AnswerStatus.done), 0
        )

    kafjord = factories.coordinator(session, "5540")
    read = network_tasks.get_task(session, kafjord, task.id)
    reports = {a.municipality: a.report for a in read.answers}
    assert reports["5501"] == "**Gjort**", "members read each other's reports"
