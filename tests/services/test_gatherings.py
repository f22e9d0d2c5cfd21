"""Gatherings: planned by those who run the network, dates in order, attendance as counts
for members only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid
from app.models.network import AttendanceEntry, GatheringCreate, GatheringUpdate
from app.services import gatherings
from app.services.access import SYSTEM
from tests import factories
from tests.network_factories import network


def test_a_gathering_with_attendance_counts(session: Session) -> None:
    network_id = network(session)
    created = gatherings.create_gathering(
        session,
        SYSTEM,
        network_id,
        GatheringCreate(
            title="Samling 1",
            starts_on=date(2025, 3, 1),
            attendance=[AttendanceEntry(municipality="5501", count=4)],
        ),
    )
    assert created.ends_on == date(2025, 3, 1), "one day unless said otherwise"
    assert [(a.municipality, a.count) for a in created.attendance] == [("5501", 4)]
    moved = gatherings.update_gathering(
        session, SYSTEM, created.id, GatheringUpdate(place="Tromsø"), created.version
    )
    assert moved.place == "Tromsø"
    with pytest.raises(Invalid):
        gatherings.create_gathering(
            session,
            SYSTEM,
            network_id,
            GatheringCreate(title="Baklengs", starts_on=date(2025, 3, 2), ends_on=date(2025, 3, 1)),
        )
    with pytest.raises(Invalid):
        gatherings.create_gathering(
            session,
            SYSTEM,
            network_id,
            GatheringCreate(
                title="Fremmed",
                starts_on=date(2025, 3, 1),
                attendance=[AttendanceEntry(municipality="0301", count=1)],
            ),
        )
    with pytest.raises(Forbidden):
        gatherings.create_gathering(
            session,
            factories.coordinator(session, "5501"),
            network_id,
            GatheringCreate(title="Medlem", starts_on=date(2025, 3, 1)),
        )
