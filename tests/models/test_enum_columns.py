"""Enum columns: the attribute is the enum member, the stored value is the plain text it
always was, and a value that is no member never reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import Session

from app.models.base import MeasureStatus
from app.models.improvement import Measure
from tests import factories


def test_a_status_is_stored_as_its_text_and_read_back_as_the_member(session: Session) -> None:
    area_id = factories.area(session, "5501")
    measure_id = factories.measure_with_status(session, area_id, "in_progress")
    stored = session.execute(
        text("SELECT status FROM measure WHERE id = :id"), {"id": measure_id}
    ).scalar_one()
    assert stored == "in_progress"
    assert type(stored) is str
    session.expire_all()
    measure = session.get(Measure, measure_id)
    assert measure is not None
    assert measure.status is MeasureStatus.in_progress


def test_text_written_with_sql_reads_back_as_the_member(session: Session) -> None:
    area_id = factories.area(session, "5501")
    measure_id = factories.measure(session, area_id)
    session.execute(text("UPDATE measure SET status = 'done' WHERE id = :id"), {"id": measure_id})
    session.expire_all()
    measure = session.get(Measure, measure_id)
    assert measure is not None
    assert measure.status is MeasureStatus.done


def test_a_value_that_is_no_member_is_refused(session: Session) -> None:
    area_id = factories.area(session, "5501")
    measure = session.get(Measure, factories.measure(session, area_id))
    assert measure is not None
    measure.status = "finished"  # type: ignore[assignment]  # the wrong value is the point
    with pytest.raises(StatementError, match="finished"):
        session.flush()
