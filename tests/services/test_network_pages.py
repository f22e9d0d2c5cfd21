"""The network page: the facilitators see the task × member grid and who may need a hand;
members see counts, never a ranking or another member's status by name."""

from __future__ import annotations

from sqlmodel import Session

from app.models.network import TaskCreate
from app.services import network_pages, network_tasks
from app.services.access import SYSTEM
from tests import factories
from tests.network_factories import network


def test_facilitators_see_the_grid_members_see_counts(session: Session) -> None:
    network_id = network(session)
    network_tasks.create_task(session, SYSTEM, network_id, TaskCreate(title="Oppgave"))
    facilitator = network_pages.network_page(
        session, factories.adviser(session, "troms"), network_id
    )
    assert facilitator.runs
    assert facilitator.grid
    member = network_pages.network_page(session, factories.coordinator(session, "5501"), network_id)
    assert not member.runs
    assert member.grid == []
    assert member.needs_help == []
