"""Strengths: what the municipality is good at."""

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
from app.models.pathway import StrengthCreate, StrengthRead, StrengthUpdate
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import strengths, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["strengths"])


@router.get(
    "/municipalities/{number}/strengths", response_model=PageOut[StrengthRead], responses=READ
)
def list_strengths(number: str, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(strengths.list_strengths(session, principal, number))


@router.post(
    "/municipalities/{number}/strengths",
    response_model=StrengthRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_municipality)
def create_strength(
    number: str,
    data: StrengthCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> StrengthRead:
    created = strengths.create_strength(session, principal, number, data)
    response.headers["Location"] = str(request.url_for("get_strength", strength_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get("/strengths/{strength_id}", response_model=StrengthRead, responses=READ)
def get_strength(
    strength_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> StrengthRead:
    result = strengths.get_strength(session, principal, strength_id)
    set_etag(response, result.version)
    return result


@router.patch("/strengths/{strength_id}", response_model=StrengthRead, responses=WRITE)
@access(write_access.edit_strength)
def update_strength(
    strength_id: Id,
    data: StrengthUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> StrengthRead:
    result = strengths.update_strength(session, principal, strength_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/strengths/{strength_id}", status_code=204, responses=WRITE)
@access(write_access.edit_strength)
def delete_strength(
    strength_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    strengths.delete_strength(session, principal, strength_id, expected)
    return Response(status_code=204)
