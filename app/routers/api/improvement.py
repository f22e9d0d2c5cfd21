"""Improvement areas, their priority order, measures and progress notes."""

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
from app.models.improvement import (
    ImprovementAreaCreate,
    ImprovementAreaRead,
    ImprovementAreaUpdate,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    PriorityOrder,
    PriorityOrderRead,
    ProgressNoteCreate,
    ProgressNoteRead,
    ProgressNoteUpdate,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import improvement, progress_notes, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["improvement work"])


@router.get(
    "/municipalities/{number}/improvement-areas",
    response_model=PageOut[ImprovementAreaRead],
    responses=READ,
)
def list_areas(
    number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    """In priority order. The ETag is the version of the order, for reordering."""
    page, order_version = improvement.list_areas(session, principal, number)
    set_etag(response, order_version)
    return page_out(page)


@router.post(
    "/municipalities/{number}/improvement-areas",
    response_model=ImprovementAreaRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_municipality)
def create_area(
    number: str,
    data: ImprovementAreaCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> ImprovementAreaRead:
    """A new area gets the lowest priority; reorder to change that."""
    created = improvement.create_area(session, principal, number, data)
    response.headers["Location"] = str(request.url_for("get_area", area_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.put(
    "/municipalities/{number}/improvement-areas/order",
    response_model=PriorityOrderRead,
    responses=WRITE,
)
@access(write_access.edit_municipality)
def reorder_areas(
    number: str,
    data: PriorityOrder,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> PriorityOrderRead:
    """Body: every area id, highest priority first. If-Match: the ETag of the area list."""
    result = improvement.reorder_areas(session, principal, number, data, expected)
    set_etag(response, result.version)
    return result


@router.get("/improvement-areas/{area_id}", response_model=ImprovementAreaRead, responses=READ)
def get_area(
    area_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> ImprovementAreaRead:
    result = improvement.get_area(session, principal, area_id)
    set_etag(response, result.version)
    return result


@router.patch("/improvement-areas/{area_id}", response_model=ImprovementAreaRead, responses=WRITE)
@access(write_access.edit_area)
def update_area(
    area_id: Id,
    data: ImprovementAreaUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> ImprovementAreaRead:
    result = improvement.update_area(session, principal, area_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/improvement-areas/{area_id}", status_code=204, responses=WRITE)
@access(write_access.edit_area)
def delete_area(
    area_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Removes the area with its measures, notes and indicators."""
    improvement.delete_area(session, principal, area_id, expected)
    return Response(status_code=204)


@router.get(
    "/improvement-areas/{area_id}/measures",
    response_model=PageOut[MeasureRead],
    responses=READ,
)
def list_measures(area_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(improvement.list_measures(session, principal, area_id))


@router.post(
    "/improvement-areas/{area_id}/measures",
    response_model=MeasureRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_area)
def create_measure(
    area_id: Id,
    data: MeasureCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> MeasureRead:
    created = improvement.create_measure(session, principal, area_id, data)
    response.headers["Location"] = str(request.url_for("get_measure", measure_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get("/measures/{measure_id}", response_model=MeasureRead, responses=READ)
def get_measure(
    measure_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> MeasureRead:
    result = improvement.get_measure(session, principal, measure_id)
    set_etag(response, result.version)
    return result


@router.patch("/measures/{measure_id}", response_model=MeasureRead, responses=WRITE)
@access(write_access.edit_measure)
def update_measure(
    measure_id: Id,
    data: MeasureUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> MeasureRead:
    result = improvement.update_measure(session, principal, measure_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/measures/{measure_id}", status_code=204, responses=WRITE)
@access(write_access.edit_measure)
def delete_measure(
    measure_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    improvement.delete_measure(session, principal, measure_id, expected)
    return Response(status_code=204)


# ---- progress notes ----------------------------------------------------------------------


@router.get(
    "/measures/{measure_id}/notes", response_model=PageOut[ProgressNoteRead], responses=READ
)
def list_measure_notes(
    measure_id: Id, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Newest first."""
    return page_out(progress_notes.list_notes(session, principal, measure_id=measure_id))


@router.post(
    "/measures/{measure_id}/notes",
    response_model=ProgressNoteRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_measure)
def create_measure_note(
    measure_id: Id,
    data: ProgressNoteCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> ProgressNoteRead:
    created = progress_notes.create_note(session, principal, data, measure_id=measure_id)
    response.headers["Location"] = str(request.url_for("get_note", note_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get(
    "/improvement-areas/{area_id}/notes",
    response_model=PageOut[ProgressNoteRead],
    responses=READ,
)
def list_area_notes(area_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """Newest first."""
    return page_out(progress_notes.list_notes(session, principal, area_id=area_id))


@router.post(
    "/improvement-areas/{area_id}/notes",
    response_model=ProgressNoteRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_area)
def create_area_note(
    area_id: Id,
    data: ProgressNoteCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> ProgressNoteRead:
    created = progress_notes.create_note(session, principal, data, area_id=area_id)
    response.headers["Location"] = str(request.url_for("get_note", note_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get("/progress-notes/{note_id}", response_model=ProgressNoteRead, responses=READ)
def get_note(
    note_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> ProgressNoteRead:
    result = progress_notes.get_note(session, principal, note_id)
    set_etag(response, result.version)
    return result


@router.patch("/progress-notes/{note_id}", response_model=ProgressNoteRead, responses=WRITE)
@access(write_access.correct_note)
def update_note(
    note_id: Id,
    data: ProgressNoteUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> ProgressNoteRead:
    """Only the author, within 24 hours; later corrections are new notes."""
    result = progress_notes.update_note(session, principal, note_id, data, expected)
    set_etag(response, result.version)
    return result
