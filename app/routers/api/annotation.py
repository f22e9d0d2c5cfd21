"""Annotations on an indicator's data points."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from app.deps import (
    NOT_MODIFIED,
    READ,
    WRITE,
    Id,
    IfMatchDep,
    PrincipalDep,
    SessionDep,
    etag,
    not_modified,
    respond_304,
    responses,
    set_etag,
)
from app.models.measurement import AnnotationInput, AnnotationRead, AnnotationsRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import annotation, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["measurement"])


@router.get(
    "/indicators/{indicator_id}/annotations",
    response_model=AnnotationsRead,
    responses=responses(READ, NOT_MODIFIED),
)
def list_annotations(
    indicator_id: Id, session: SessionDep, principal: PrincipalDep, request: Request
) -> Any:
    """The notes on the indicator's data points, in period order. The ETag is the
    indicator's data version, the same version the observation list carries: send it as
    If-Match to write a note."""
    tag = etag(annotation.annotations_version(session, principal, indicator_id))
    if not_modified(request, tag):
        return respond_304(tag)
    result = annotation.list_annotations(session, principal, indicator_id)
    return Response(
        content=result.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag(result.data_version)},
    )


@router.put(
    "/indicators/{indicator_id}/annotations/{period}",
    response_model=AnnotationRead,
    responses=WRITE,
)
@access(write_access.edit_indicator)
def put_annotation(
    indicator_id: Id,
    period: date,
    data: AnnotationInput,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> AnnotationRead:
    """Add or replace the note on the data point of `period` (the period's first day, as
    observations name it). Plain text on one line, at most 200 characters, and never
    anything about a person. 404 when there is no observation for the period. If-Match: the
    ETag of the observations (or of the annotation list); the same text again changes
    nothing and keeps the ETag."""
    result, version = annotation.put_annotation(
        session, principal, indicator_id, period, data, expected
    )
    set_etag(response, version)
    return result


@router.delete("/indicators/{indicator_id}/annotations/{period}", status_code=204, responses=WRITE)
@access(write_access.edit_indicator)
def delete_annotation(
    indicator_id: Id,
    period: date,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    """Remove the note on the data point of `period`; the observation stays. If-Match: the
    ETag of the observations (or of the annotation list)."""
    version = annotation.delete_annotation(session, principal, indicator_id, period, expected)
    return Response(status_code=204, headers={"ETag": etag(version)})
