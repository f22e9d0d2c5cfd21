"""A municipality's anchoring (management, politicians, dementia plan, Demensomsorgens ABC)
and its improvement team by role. Read like the rest of its content; written by its
editors."""

from __future__ import annotations

from sqlmodel import Session

from app.kit.text import clean_text
from app.models.anchoring import (
    AnchoringPut,
    AnchoringRead,
    ImprovementTeam,
    MunicipalityAnchoring,
    TeamMember,
    TeamPut,
    TeamRead,
)
from app.models.base import utcnow
from app.services import audit
from app.services.access import Principal, require_edit, require_read
from app.services.common import (
    check_version,
    commit,
    get_municipality,
    lock_municipality,
    touch,
)


def _anchoring_read(number: str, row: MunicipalityAnchoring | None) -> AnchoringRead:
    if row is None:
        return AnchoringRead.model_validate(
            {**AnchoringPut().model_dump(), "municipality": number, "version": 0,
             "updated_at": None}
        )  # fmt: skip
    return AnchoringRead(
        municipality=number,
        management=row.management,
        political=row.political,
        dementia_plan=row.dementia_plan,
        dementia_plan_year=row.dementia_plan_year,
        stakeholder_analysis=row.stakeholder_analysis,
        communication_plan=row.communication_plan,
        abc_status=row.abc_status,
        abc_contacts=row.abc_contacts,
        version=row.version,
        updated_at=row.updated_at,
    )


def get_anchoring(session: Session, principal: Principal, number: str) -> AnchoringRead:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return _anchoring_read(number, session.get(MunicipalityAnchoring, municipality.id))


def put_anchoring(
    session: Session, principal: Principal, number: str, data: AnchoringPut, expected: int
) -> AnchoringRead:
    """Nothing recorded yet: `If-Match: "0"`."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    row = session.get(MunicipalityAnchoring, municipality.id, populate_existing=True)
    before = _anchoring_read(number, row)
    check_version(before.version, expected, before.model_dump(mode="json"))
    values = data.model_dump(mode="json")
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        session.rollback()
        return before
    now = utcnow()
    if row is None:
        row = MunicipalityAnchoring(municipality_id=municipality.id or 0, version=0)
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_at = now
    session.add(row)
    touch(municipality, now)
    session.flush()
    after = _anchoring_read(number, row)
    audit.record(
        session,
        principal,
        action="update" if before.version else "create",
        entity_type="anchoring",
        entity_id=number,
        municipality=municipality,
        before=before.model_dump(mode="json") if before.version else None,
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def _team_read(number: str, row: ImprovementTeam | None) -> TeamRead:
    if row is None:
        return TeamRead(municipality=number, members=[], version=0, updated_at=None)
    members = [TeamMember.model_validate(m) for m in row.members]
    return TeamRead(
        municipality=number, members=members, version=row.version, updated_at=row.updated_at
    )


def get_team(session: Session, principal: Principal, number: str) -> TeamRead:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return _team_read(number, session.get(ImprovementTeam, municipality.id))


def put_team(
    session: Session, principal: Principal, number: str, data: TeamPut, expected: int
) -> TeamRead:
    """The whole team at once, in the order given. Nothing recorded yet: `If-Match: "0"`."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    row = session.get(ImprovementTeam, municipality.id, populate_existing=True)
    before = _team_read(number, row)
    check_version(before.version, expected, before.model_dump(mode="json"))
    members = [{"role": m.role.value, "name": clean_text(m.name)} for m in data.members]
    if row is not None and row.members == members:
        session.rollback()
        return before
    now = utcnow()
    if row is None:
        row = ImprovementTeam(municipality_id=municipality.id or 0, version=0)
    row.members = members
    row.version += 1
    row.updated_at = now
    session.add(row)
    touch(municipality, now)
    session.flush()
    after = _team_read(number, row)
    audit.record(
        session,
        principal,
        action="update" if before.version else "create",
        entity_type="improvement_team",
        entity_id=number,
        municipality=municipality,
        before=before.model_dump(mode="json") if before.version else None,
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after
