"""PDSA cycles of a measure: plan, do, study, act."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.deps import (
    CREATE,
    READ,
    WRITE,
    Id,
    IfMatchDep,
    PageOut,
    PrincipalDep,
    SessionDep,
    page_out,
    set_etag,
)
from app.models.pdsa import PdsaCycleCreate, PdsaCycleRead, PdsaCycleUpdate
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import pdsa, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["improvement work"])


@router.get(
    "/measures/{measure_id}/pdsa-cycles",
    response_model=PageOut[PdsaCycleRead],
    responses=READ,
)
def list_cycles(measure_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """The measure's PDSA cycles in the order they started (undated last)."""
    return page_out(pdsa.list_cycles(session, principal, measure_id))


@router.post(
    "/measures/{measure_id}/pdsa-cycles",
    response_model=PdsaCycleRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_measure)
def create_cycle(
    measure_id: Id,
    data: PdsaCycleCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> PdsaCycleRead:
    """A new cycle: at least what is tried (`title`); the prediction, what was done, what
    was studied and the decision (`act`: adopt, adapt or abandon) can follow later."""
    created = pdsa.create_cycle(session, principal, measure_id, data)
    response.headers["Location"] = str(request.url_for("get_cycle", cycle_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get("/pdsa-cycles/{cycle_id}", response_model=PdsaCycleRead, responses=READ)
def get_cycle(
    cycle_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> PdsaCycleRead:
    result = pdsa.get_cycle(session, principal, cycle_id)
    set_etag(response, result.version)
    return result


@router.patch("/pdsa-cycles/{cycle_id}", response_model=PdsaCycleRead, responses=WRITE)
@access(write_access.edit_cycle)
def update_cycle(
    cycle_id: Id,
    data: PdsaCycleUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> PdsaCycleRead:
    """Change any field; needs If-Match with the cycle's ETag. The same values again change
    nothing."""
    result = pdsa.update_cycle(session, principal, cycle_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/pdsa-cycles/{cycle_id}", status_code=204, responses=WRITE)
@access(write_access.edit_cycle)
def delete_cycle(
    cycle_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    pdsa.delete_cycle(session, principal, cycle_id, expected)
    return Response(status_code=204)
