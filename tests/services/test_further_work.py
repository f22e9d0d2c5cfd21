"""The plan for further work: written by the municipality's editors, Markdown cleaned, one
version compare, an identical write a no-op, audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.errors import Forbidden, PreconditionFailed
from app.models.audit import AuditEvent
from app.models.poster import FurtherWorkPlanPut
from app.services import further_work
from tests import factories


def test_the_plan_is_written_cleaned_versioned_and_audited(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    empty = further_work.get_plan(session, coordinator, "5501")
    assert (empty.plan, empty.plan_html, empty.version) == ("", "", 0)

    written = further_work.put_plan(
        session,
        coordinator,
        "5501",
        FurtherWorkPlanPut(plan="- Fortsette i teamet\n- <script>x</script>**Møte** hver måned"),
        0,
    )
    assert written.version == 1
    assert "<script" not in written.plan
    assert "<li>Fortsette i teamet</li>" in written.plan_html
    assert "<strong>Møte</strong>" in written.plan_html

    same = further_work.put_plan(
        session, coordinator, "5501", FurtherWorkPlanPut(plan=written.plan), 1
    )
    assert same.version == 1, "an identical write changes nothing"
    with pytest.raises(PreconditionFailed):
        further_work.put_plan(session, coordinator, "5501", FurtherWorkPlanPut(plan="Ny"), 0)
    changed = further_work.put_plan(session, coordinator, "5501", FurtherWorkPlanPut(plan="Ny"), 1)
    assert (changed.plan, changed.version) == ("Ny", 2)

    actions = session.exec(
        select(AuditEvent.action).where(col(AuditEvent.entity_type) == "further_work_plan")
    ).all()
    assert sorted(actions) == ["create", "update"]


def test_only_the_municipalitys_editors_write_and_readers_read(session: Session) -> None:
    with pytest.raises(Forbidden):
        further_work.put_plan(
            session, factories.coordinator(session, "5503"), "5501", FurtherWorkPlanPut(plan="X"), 0
        )
    with pytest.raises(Forbidden):
        further_work.get_plan(session, factories.coordinator(session, "5503"), "5501")
    adviser = factories.adviser(session, "troms")
    assert further_work.get_plan(session, adviser, "5501").version == 0
    with pytest.raises(Forbidden):
        further_work.put_plan(session, adviser, "5501", FurtherWorkPlanPut(plan="X"), 0)
