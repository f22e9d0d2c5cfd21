"""Regions and municipalities."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.deps import (
    CREATE,
    NOT_MODIFIED,
    READ,
    WRITE,
    IfMatchDep,
    PageOut,
    PrincipalDep,
    SessionDep,
    etag,
    not_modified,
    page_out,
    respond_304,
    responses,
    set_etag,
)
from app.models.municipality import (
    MunicipalityCreate,
    MunicipalityRead,
    MunicipalityUpdate,
    RegionDetail,
    RegionRead,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import municipalities, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["regions and municipalities"])


@router.get("/regions", response_model=PageOut[RegionRead], responses=READ)
def list_regions(session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(municipalities.list_regions(session, principal))


@router.get("/regions/{slug}", response_model=RegionDetail, responses=READ)
def get_region(slug: str, session: SessionDep, principal: PrincipalDep) -> RegionDetail:
    """A region with its municipalities in alphabetical order."""
    return municipalities.get_region(session, principal, slug)


@router.get("/municipalities", response_model=PageOut[MunicipalityRead], responses=READ)
def list_municipalities(
    session: SessionDep,
    principal: PrincipalDep,
    region: Annotated[str | None, Query(max_length=60, description="Region slug")] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="Only municipalities changed after this time (with time zone)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    return page_out(
        municipalities.list_municipalities(
            session,
            principal,
            region=region,
            updated_since=updated_since,
            limit=limit,
            offset=offset,
        )
    )


@router.post(
    "/municipalities",
    response_model=MunicipalityRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.administer)
def create_municipality(
    data: MunicipalityCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> MunicipalityRead:
    """Administrators only."""
    created = municipalities.create_municipality(session, principal, data)
    response.headers["Location"] = str(
        request.url_for("get_municipality", number=created.number).path
    )
    set_etag(response, created.version)
    return created


@router.get(
    "/municipalities/{number}",
    response_model=MunicipalityRead,
    responses=responses(READ, NOT_MODIFIED),
)
def get_municipality(
    number: str, session: SessionDep, principal: PrincipalDep, request: Request, response: Response
) -> Any:
    version = municipalities.municipality_version(session, principal, number)
    if not_modified(request, etag(version)):
        return respond_304(etag(version))
    result = municipalities.get_municipality_read(session, principal, number)
    set_etag(response, result.version)
    return result


@router.patch("/municipalities/{number}", response_model=MunicipalityRead, responses=WRITE)
@access(write_access.edit_municipality)
def update_municipality(
    number: str,
    data: MunicipalityUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> MunicipalityRead:
    """Figures and website by editors; name and region by administrators."""
    result = municipalities.update_municipality(session, principal, number, data, expected)
    set_etag(response, result.version)
    return result
