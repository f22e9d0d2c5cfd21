"""The guided start: each step is done as the data says, the next step is the first one
not done, and the progress counts the steps done."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.publishing import PublishInput
from app.services import guided_start, publishing
from app.services.access import SYSTEM
from app.services.catalogue import phase_keys
from tests import factories


def _keys_done(start: guided_start.GuidedStart) -> list[str]:
    return [s.key for s in start.steps if s.done]


def test_a_new_municipality_starts_with_the_phases(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    start = guided_start.guided_start(session, coordinator, "5501")
    assert [s.key for s in start.steps] == [
        "phases",
        "strengths",
        "improvement_areas",
        "measure",
        "publish",
    ]
    assert start.done_count == 0
    assert start.next_step is not None
    assert start.next_step.key == "phases"
    assert start.next_step.phase == "suspicion"
    assert (start.next_step.count, start.next_step.of) == (0, 6)


def test_steps_follow_the_data(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    factories.fill_section(session, "5501", "suspicion")
    start = guided_start.guided_start(session, coordinator, "5501")
    phases = start.steps[0]
    assert (phases.done, phases.count, phases.phase) == (False, 1, "assessment")

    factories.strength(session, "5501")
    area_id = factories.area(session, "5501")
    start = guided_start.guided_start(session, coordinator, "5501")
    assert _keys_done(start) == ["strengths", "improvement_areas"]
    assert start.next_step is not None
    assert start.next_step.key == "phases"

    for key in phase_keys(session):
        factories.fill_section(session, "5501", key)
    factories.measure(session, area_id)
    start = guided_start.guided_start(session, coordinator, "5501")
    assert start.done_count == 4
    assert start.next_step is not None
    assert start.next_step.key == "publish"

    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    start = guided_start.guided_start(session, coordinator, "5501")
    assert start.done_count == 5
    assert start.next_step is None


def test_another_municipality_is_not_shown(session: Session) -> None:
    with pytest.raises(Forbidden):
        guided_start.guided_start(session, factories.coordinator(session, "5540"), "5501")
