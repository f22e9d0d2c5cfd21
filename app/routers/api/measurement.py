"""Indicators and observations."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from app.models.measurement import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    ObservationList,
    ObservationsRead,
)
from app.routers.api.deps import (
    CREATE,
    NOT_MODIFIED,
    READ,
    WRITE,
    Id,
    IfMatchDep,
    PageOut,
    PrincipalDep,
    SessionDep,
    not_modified,
    page_out,
    respond_304,
    responses,
    set_etag,
)
from app.services import measurement

router = APIRouter(tags=["measurement"])


def _observations_tag(data_version: int, full: bool) -> str:
    # Editors and others see different numbers (small-number suppression), so they get
    # different tags.
    return f'"{data_version}"' if full else f'"{data_version}-s"'


@router.get(
    "/improvement-areas/{area_id}/indicators",
    response_model=PageOut[IndicatorRead],
    responses=READ,
)
def list_indicators(area_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(measurement.list_indicators(session, principal, area_id))


@router.post(
    "/improvement-areas/{area_id}/indicators",
    response_model=IndicatorRead,
    status_code=201,
    responses=CREATE,
)
def create_indicator(
    area_id: Id,
    data: IndicatorCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> IndicatorRead:
    created = measurement.create_indicator(session, principal, area_id, data)
    response.headers["Location"] = str(
        request.url_for("get_indicator", indicator_id=created.id).path
    )
    set_etag(response, created.version)
    return created


@router.get("/indicators/{indicator_id}", response_model=IndicatorRead, responses=READ)
def get_indicator(
    indicator_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> IndicatorRead:
    result = measurement.get_indicator(session, principal, indicator_id)
    set_etag(response, result.version)
    return result


@router.patch("/indicators/{indicator_id}", response_model=IndicatorRead, responses=WRITE)
def update_indicator(
    indicator_id: Id,
    data: IndicatorUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> IndicatorRead:
    result = measurement.update_indicator(session, principal, indicator_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/indicators/{indicator_id}", status_code=204, responses=WRITE)
def delete_indicator(
    indicator_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    measurement.delete_indicator(session, principal, indicator_id, expected)
    return Response(status_code=204)


@router.get(
    "/indicators/{indicator_id}/observations",
    response_model=ObservationsRead,
    responses=responses(READ, NOT_MODIFIED),
)
def list_observations(
    indicator_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> Any:
    """Observations by period. Counts below the small-number threshold are shown as "<5"
    (and their percentages hidden) unless the caller edits the municipality."""
    data_version, full = measurement.observations_version(session, principal, indicator_id)
    tag = _observations_tag(data_version, full)
    if not_modified(request, tag):
        return respond_304(tag)
    indicator, items, full = measurement.list_observations(session, principal, indicator_id)
    response.headers["ETag"] = _observations_tag(indicator.data_version, full)
    return ObservationsRead(
        indicator_id=indicator.id,
        data_version=indicator.data_version,
        items=items,
        total=len(items),
    )


@router.put(
    "/indicators/{indicator_id}/observations",
    response_model=ObservationsRead,
    responses=WRITE,
)
def put_observations(
    indicator_id: Id,
    data: ObservationList,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> ObservationsRead:
    """Insert or replace observations by period; periods not listed stay. Idempotent: the
    same list again changes nothing and keeps the ETag. One bad row rejects the whole list,
    and the errors name every bad row."""
    measurement.upsert_observations(session, principal, indicator_id, data, expected)
    indicator, items, full = measurement.list_observations(session, principal, indicator_id)
    response.headers["ETag"] = _observations_tag(indicator.data_version, full)
    return ObservationsRead(
        indicator_id=indicator.id,
        data_version=indicator.data_version,
        items=items,
        total=len(items),
    )


@router.delete("/indicators/{indicator_id}/observations/{period}", status_code=204, responses=WRITE)
def delete_observation(
    indicator_id: Id,
    period: date,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """If-Match: the ETag of the observation list."""
    version = measurement.delete_observation(session, principal, indicator_id, period, expected)
    return Response(status_code=204, headers={"ETag": f'"{version}"'})
