"""The draft pathway and its phase sections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.models.pathway import PathwayRead, PhaseSectionInput, PhaseSectionRead
from app.routers.api.deps import (
    NOT_MODIFIED,
    READ,
    WRITE,
    IfMatchDep,
    LangDep,
    PrincipalDep,
    SessionDep,
    etag,
    not_modified,
    respond_304,
    responses,
    set_etag,
)
from app.services import pathway

router = APIRouter(tags=["pathway"])

PRIVATE = "private, no-cache"


@router.get(
    "/municipalities/{number}/pathway",
    response_model=PathwayRead,
    responses=responses(READ, NOT_MODIFIED),
)
def get_pathway(
    number: str,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    request: Request,
    response: Response,
) -> Any:
    """The draft: all six phase sections with their offerings. The ETag changes with any
    change to the municipality."""
    municipality = pathway.open_pathway(session, principal, number)
    tag = etag(municipality.version)
    if not_modified(request, tag):
        return respond_304(tag, {"Cache-Control": PRIVATE})
    return Response(
        content=pathway.pathway_json(session, municipality, lang),
        media_type="application/json",
        headers={"ETag": tag, "Cache-Control": PRIVATE},
    )


@router.get(
    "/municipalities/{number}/pathway/phases/{phase}",
    response_model=PhaseSectionRead,
    responses=responses(READ, NOT_MODIFIED),
)
def get_section(
    number: str,
    phase: str,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    request: Request,
    response: Response,
) -> Any:
    version = pathway.section_version(session, principal, number, phase)
    if not_modified(request, etag(version)):
        return respond_304(etag(version), {"Cache-Control": PRIVATE})
    result = pathway.get_section(session, principal, number, phase, lang)
    set_etag(response, result.version)
    response.headers["Cache-Control"] = PRIVATE
    return result


@router.put(
    "/municipalities/{number}/pathway/phases/{phase}",
    response_model=PhaseSectionRead,
    responses=WRITE,
)
def put_section(
    number: str,
    phase: str,
    data: PhaseSectionInput,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    response: Response,
) -> PhaseSectionRead:
    """Replace one phase section, offerings included. Needs If-Match with the section's
    ETag; other sections are never touched."""
    result = pathway.update_section(session, principal, number, phase, data, expected, lang)
    set_etag(response, result.version)
    return result
