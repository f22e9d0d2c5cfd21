"""The draft pathway and its phase sections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app import cache
from app.deps import (
    NOT_MODIFIED,
    READ,
    WRITE,
    IfMatchDep,
    LangDep,
    PrincipalDep,
    SessionDep,
    caller_is_kept,
    etag,
    not_modified,
    principal_of,
    respond_304,
    responses,
    set_etag,
)
from app.models.pathway import PathwayRead, PhaseSectionInput, PhaseSectionRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import pathway, write_access
from app.services.access import Principal

router = APIRouter(route_class=AccessFirstRoute, tags=["pathway"])

PRIVATE = "private, no-cache"


def check_pathway(
    request: Request, session: Session, principal: Principal, number: str
) -> tuple[pathway.DraftFacts, Response | None]:
    """The draft's facts, and the 304 when the caller's copy of the draft is current."""
    facts = pathway.open_draft(principal, cache.draft_facts(request, session, number))
    tag = etag(facts.version)
    unchanged = respond_304(tag, {"Cache-Control": PRIVATE}) if not_modified(request, tag) else None
    return facts, unchanged


def early_pathway_304(request: Request, session: Session, number: str) -> Response | None:
    """The route's own 304, for `app.conditional` to answer before routing."""
    return check_pathway(request, session, principal_of(request, session), number)[1]


def early_pathway_304_kept(request: Request, number: str) -> bool:
    """Whether `early_pathway_304` reads nothing but kept values: the caller and the draft's
    facts (`app.conditional` then runs it on the event loop)."""
    return caller_is_kept(request) and cache.draft_facts_are_kept(request, number)


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
    facts, unchanged = check_pathway(request, session, principal, number)
    if unchanged is not None:
        return unchanged
    return Response(
        content=cache.pathway_json(request, session, facts, lang),
        media_type="application/json",
        headers={"ETag": etag(facts.version), "Cache-Control": PRIVATE},
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
@access(write_access.edit_municipality)
def put_section(
    number: str,
    phase: str,
    data: PhaseSectionInput,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Any:
    """Replace one phase section, offerings included. Needs If-Match with the section's
    ETag; other sections are never touched."""
    result = pathway.update_section(session, principal, number, phase, data, expected, lang)
    # The service built the answer from validated values: serialised once, not checked again.
    return Response(
        content=result.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag(result.version)},
    )
