"""Published versions: publish, list, read, compare; restoring a phase section from one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from app.deps import (
    CREATE,
    NOT_MODIFIED,
    READ,
    WRITE,
    IfMatchDep,
    LangDep,
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
from app.models.pathway import PhaseSectionRead
from app.models.publishing import (
    DraftStatus,
    PathwayDiff,
    PublishedVersionRead,
    PublishedVersionSummary,
    PublishInput,
    RestoreInput,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import diff, draft_status, publishing, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["publishing"])

PRIVATE = "private, no-cache"

VersionNumber = Annotated[int, Path(ge=1, le=1_000_000, description="The version's number")]


@router.get(
    "/municipalities/{number}/pathway/versions",
    response_model=PageOut[PublishedVersionSummary],
    responses=READ,
)
def list_versions(
    number: str,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Published versions, newest first: number, time, who published and the change
    summary. Read one for its snapshot."""
    return page_out(
        publishing.list_versions(session, principal, number, limit=limit, offset=offset)
    )


@router.post(
    "/municipalities/{number}/pathway/versions",
    response_model=PublishedVersionRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_municipality)
def publish(
    number: str,
    data: PublishInput,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> PublishedVersionRead:
    """Publish the draft as a new, immutable version with a short change summary (at most
    500 characters). Editors of the municipality only; 409 when nothing has changed since
    the last publication."""
    created = publishing.publish(session, principal, number, data)
    response.headers["Location"] = str(
        request.url_for("get_version", number=number, version=created.number).path
    )
    set_etag(response, created.number)
    return created


@router.get(
    "/municipalities/{number}/pathway/versions/{version}",
    response_model=PublishedVersionRead,
    responses=responses(READ, NOT_MODIFIED),
)
def get_version(
    number: str,
    version: VersionNumber,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> Any:
    """One published version with its snapshot (`pathway`). It never changes."""
    tag = etag(publishing.version_number(session, principal, number, version))
    if not_modified(request, tag):
        return respond_304(tag, {"Cache-Control": PRIVATE})
    result = publishing.get_version(session, principal, number, version)
    set_etag(response, result.number)
    response.headers["Cache-Control"] = PRIVATE
    return result


@router.get(
    "/municipalities/{number}/pathway/versions/{version}/diff",
    response_model=PathwayDiff,
    responses=READ,
)
def compare(
    number: str,
    version: VersionNumber,
    session: SessionDep,
    principal: PrincipalDep,
    against: Annotated[
        str,
        Query(
            max_length=10,
            description="Another published version's number, or `draft` (the default)",
        ),
    ] = "draft",
) -> PathwayDiff:
    """What changed from this version to `against`, phase by phase: the changed fields with
    a word-level diff of text (`segments` of `equal`/`insert`/`delete`), offerings added,
    removed and changed, and the changes to strengths and improvement areas."""
    return diff.compare_versions(session, principal, number, version, against)


@router.get(
    "/municipalities/{number}/pathway/draft-status",
    response_model=DraftStatus,
    responses=READ,
)
def get_draft_status(
    number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> DraftStatus:
    """Whether the draft differs from the latest published version
    (`has_unpublished_changes`, with the phases that changed), and what the public page would
    lack if it were published now: phases with no description and phases with no one to
    contact. Changes the public never reads (measurements, checklist answers, notes) do not
    count as unpublished changes."""
    response.headers["Cache-Control"] = PRIVATE
    return draft_status.draft_status(session, principal, number)


@router.post(
    "/municipalities/{number}/pathway/phases/{phase}/restore",
    response_model=PhaseSectionRead,
    responses=WRITE,
)
@access(write_access.edit_municipality)
def restore_section(
    number: str,
    phase: str,
    data: RestoreInput,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    response: Response,
) -> PhaseSectionRead:
    """Bring back the section's description, responsible and contact (and with
    `include_offerings`, its offerings) from published version `from_version`, as a new
    change to the draft. Needs If-Match with the section's ETag; audited as "restore"."""
    result = publishing.restore_section(session, principal, number, phase, data, expected, lang)
    set_etag(response, result.version)
    return result
