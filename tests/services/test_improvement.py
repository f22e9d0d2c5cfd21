"""Improvement areas in a strict priority order, and their measures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.errors import PreconditionFailed
from app.models.base import MeasureStatus
from app.models.improvement import MeasureCreate
from app.services import improvement
from app.services.access import SYSTEM
from tests import factories


def test_new_areas_go_last_and_a_move_keeps_the_order_whole(session: Session) -> None:
    first = factories.area(session, "5501", "Først")
    second = factories.area(session, "5501", "Deretter")
    page, order_version = improvement.list_areas(session, SYSTEM, "5501")
    assert [(a.id, a.priority) for a in page.items] == [(first, 1), (second, 2)]
    moved = improvement.move_area(session, SYSTEM, second, -1, order_version)
    page, _ = improvement.list_areas(session, SYSTEM, "5501")
    assert [(a.id, a.priority) for a in page.items] == [(second, 1), (first, 2)]
    with pytest.raises(PreconditionFailed):
        improvement.move_area(session, SYSTEM, first, -1, order_version)
    assert moved.version != order_version


def test_a_measure_past_its_due_date_is_overdue_until_done(session: Session) -> None:
    area_id = factories.area(session, "5501")
    measure = improvement.create_measure(
        session, SYSTEM, area_id, MeasureCreate(title="Kurs", due_date=date(2024, 3, 1))
    )
    row = improvement.find_measure(session, SYSTEM, measure.id)[0]
    assert improvement.is_overdue(row, today=date(2024, 3, 2))
    assert not improvement.is_overdue(row, today=date(2024, 3, 1))
    row.status = MeasureStatus.done
    assert not improvement.is_overdue(row, today=date(2024, 3, 2))
    assert improvement.get_area(session, SYSTEM, area_id).measure_counts["done"] == 1
