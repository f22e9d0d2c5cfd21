"""A municipality's plan for further work (shown on its poster)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.deps import READ, WRITE, IfMatchDep, PrincipalDep, SessionDep, set_etag
from app.models.poster import FurtherWorkPlanPut, FurtherWorkPlanRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import further_work, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["improvement"])


@router.get(
    "/municipalities/{number}/further-work-plan",
    response_model=FurtherWorkPlanRead,
    responses=READ,
)
def get_further_work_plan(
    number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> FurtherWorkPlanRead:
    """The plan for further work ("plan for videre arbeid") the municipality presents on its
    poster at a learning network's final gathering."""
    result = further_work.get_plan(session, principal, number)
    set_etag(response, result.version)
    return result


@router.put(
    "/municipalities/{number}/further-work-plan",
    response_model=FurtherWorkPlanRead,
    responses=WRITE,
)
@access(write_access.edit_municipality)
def put_further_work_plan(
    number: str,
    data: FurtherWorkPlanPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> FurtherWorkPlanRead:
    """Write the whole plan (Markdown, the editor's safe subset; at most 4,000 characters).
    Nothing written yet: `If-Match: "0"`."""
    result = further_work.put_plan(session, principal, number, data, expected)
    set_etag(response, result.version)
    return result
