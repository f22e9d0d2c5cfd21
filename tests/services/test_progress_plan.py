"""The progress plan: areas in priority order, measures in theirs, a timeline around them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models.improvement import MeasureCreate
from app.services import improvement, progress_plan
from app.services.access import SYSTEM
from tests import factories


def test_areas_in_priority_order_and_overdue_measures_counted(session: Session) -> None:
    first = factories.area(session, "5501", "Først")
    factories.area(session, "5501", "Deretter")
    improvement.create_measure(
        session,
        SYSTEM,
        first,
        MeasureCreate(title="Forsinket", start_date=date(2024, 1, 1), due_date=date(2024, 3, 1)),
    )
    coordinator = factories.coordinator(session, "5501")
    plan = progress_plan.get_progress_plan(session, coordinator, "5501", today=date(2024, 6, 15))
    assert [a.area.title for a in plan.areas] == ["Først", "Deretter"]
    assert (plan.measures, plan.overdue) == (1, 1)
    assert plan.start <= date(2024, 1, 1)
    assert plan.end >= date(2024, 6, 15)
