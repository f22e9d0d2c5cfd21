"""Anchoring and the improvement team: written by the municipality's editors, one version
compare, an identical write a no-op."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, PreconditionFailed
from app.models.anchoring import AnchoringLevel, AnchoringPut, TeamMember, TeamPut, TeamRole
from app.services import anchoring
from tests import factories


def test_anchoring_is_versioned_and_an_identical_write_changes_nothing(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    assert anchoring.get_anchoring(session, coordinator, "5501").version == 0
    saved = anchoring.put_anchoring(
        session, coordinator, "5501", AnchoringPut(management=AnchoringLevel.anchored), 0
    )
    assert (saved.management, saved.version) == (AnchoringLevel.anchored, 1)
    same = anchoring.put_anchoring(
        session, coordinator, "5501", AnchoringPut(management=AnchoringLevel.anchored), 1
    )
    assert same.version == 1
    with pytest.raises(PreconditionFailed):
        anchoring.put_anchoring(session, coordinator, "5501", AnchoringPut(), 0)
    with pytest.raises(Forbidden):
        anchoring.put_anchoring(
            session, factories.coordinator(session, "5540"), "5501", AnchoringPut(), 1
        )


def test_the_team_keeps_its_order_and_names_are_cleaned(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    team = anchoring.put_team(
        session,
        coordinator,
        "5501",
        TeamPut(
            members=[
                TeamMember(role=TeamRole.leader, name="  Kari \u202e"),
                TeamMember(role=TeamRole.other),
            ]
        ),
        0,
    )
    assert [(m.role, m.name) for m in team.members] == [
        (TeamRole.leader, "Kari"),
        (TeamRole.other, ""),
    ]
