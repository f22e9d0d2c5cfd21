"""The dashboard: each person's municipalities with their counts, never ranked."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models.improvement import MeasureCreate
from app.services import dashboard, improvement
from app.services.access import SYSTEM
from tests import factories


def test_a_coordinator_sees_their_municipalities_with_overdue_measures(session: Session) -> None:
    area_id = factories.area(session, "5501")
    improvement.create_measure(
        session, SYSTEM, area_id, MeasureCreate(title="Kurs", due_date=date(2024, 3, 1))
    )
    coordinator = factories.coordinator(session, "5501", "5503")
    board = dashboard.get_dashboard(session, coordinator, today=date(2024, 6, 1))
    cards = {c.number: c for c in board.municipalities}
    assert set(cards) == {"5501", "5503"}
    assert (cards["5501"].improvement_areas, cards["5501"].overdue_measures) == (1, 1)
    assert (cards["5503"].improvement_areas, cards["5503"].overdue_measures) == (0, 0)
    assert [m.title for m in board.overdue] == ["Kurs"]
    assert board.overdue_total == 1
    assert all(card.can_edit for card in board.municipalities)


def test_an_adviser_sees_the_region_read_only(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    board = dashboard.get_dashboard(session, adviser)
    assert "5501" in {c.number for c in board.municipalities}
    assert not any(c.can_edit for c in board.municipalities)
    assert [r.slug for r in board.regions] == ["troms"]
