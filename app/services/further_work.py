"""A municipality's plan for further work ("plan for videre arbeid"): what its team will do
after the learning network, shown on its poster and in the network's poster gallery. Read
like the rest of its content; written by its editors, in the same shape as every write."""

from __future__ import annotations

from sqlmodel import Session

from app.kit.text import clean_markdown, render_markdown
from app.models.base import utcnow
from app.models.municipality import Municipality
from app.models.poster import FurtherWorkPlan, FurtherWorkPlanPut, FurtherWorkPlanRead
from app.services import audit
from app.services.access import Principal, require_edit, require_read
from app.services.common import check_version, commit, get_municipality, lock_municipality, touch


def plan_read(number: str, row: FurtherWorkPlan | None) -> FurtherWorkPlanRead:
    if row is None:
        return FurtherWorkPlanRead(
            municipality=number, plan="", plan_html="", version=0, updated_at=None
        )
    return FurtherWorkPlanRead(
        municipality=number,
        plan=row.plan,
        plan_html=render_markdown(row.plan),
        version=row.version,
        updated_at=row.updated_at,
    )


def read_plan(session: Session, municipality: Municipality) -> FurtherWorkPlanRead:
    """The plan of a municipality the caller has been allowed to see."""
    return plan_read(municipality.number, session.get(FurtherWorkPlan, municipality.id))


def get_plan(session: Session, principal: Principal, number: str) -> FurtherWorkPlanRead:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return read_plan(session, municipality)


def put_plan(
    session: Session,
    principal: Principal,
    number: str,
    data: FurtherWorkPlanPut,
    expected: int,
) -> FurtherWorkPlanRead:
    """Write the whole plan. Nothing written yet: `If-Match: "0"`."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    row = session.get(FurtherWorkPlan, municipality.id, populate_existing=True)
    before = plan_read(number, row)
    check_version(before.version, expected, before.model_dump(mode="json"))
    plan = clean_markdown(data.plan)
    if row is not None and row.plan == plan:
        session.rollback()
        return before
    now = utcnow()
    if row is None:
        row = FurtherWorkPlan(municipality_id=municipality.id or 0, version=0)
    row.plan = plan
    row.version += 1
    row.updated_at = now
    session.add(row)
    touch(municipality, now)
    session.flush()
    after = plan_read(number, row)
    audit.record(
        session,
        principal,
        action="update" if before.version else "create",
        entity_type="further_work_plan",
        entity_id=number,
        municipality=municipality,
        before={"plan": before.plan} if before.version else None,
        after={"plan": after.plan},
    )
    commit(session)
    return after
