"""A municipality's anchoring and improvement team."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import READ, WRITE, IfMatchDep, PrincipalDep, SessionDep, set_etag
from app.models.anchoring import AnchoringPut, AnchoringRead, TeamPut, TeamRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import anchoring, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["anchoring"])


@router.get("/municipalities/{number}/anchoring", response_model=AnchoringRead, responses=READ)
def get_anchoring(
    number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> AnchoringRead:
    result = anchoring.get_anchoring(session, principal, number)
    set_etag(response, result.version)
    return result


@router.put("/municipalities/{number}/anchoring", response_model=AnchoringRead, responses=WRITE)
@access(write_access.edit_municipality)
def put_anchoring(
    number: str,
    data: AnchoringPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> AnchoringRead:
    """Management and political anchoring, dementia plan, stakeholder analysis,
    communication plan and Demensomsorgens ABC. Nothing recorded yet: `If-Match: "0"`."""
    result = anchoring.put_anchoring(session, principal, number, data, expected)
    set_etag(response, result.version)
    return result


@router.get("/municipalities/{number}/team", response_model=TeamRead, responses=READ)
def get_team(
    number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> TeamRead:
    result = anchoring.get_team(session, principal, number)
    set_etag(response, result.version)
    return result


@router.put("/municipalities/{number}/team", response_model=TeamRead, responses=WRITE)
@access(write_access.edit_municipality)
def put_team(
    number: str,
    data: TeamPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> TeamRead:
    """The improvement team by role, each with an optional name (never health data).
    Nothing recorded yet: `If-Match: "0"`."""
    result = anchoring.put_team(session, principal, number, data, expected)
    set_etag(response, result.version)
    return result
