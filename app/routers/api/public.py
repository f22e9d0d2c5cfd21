"""The published pathway, open to everyone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.models.publishing import PublishedVersionRead
from app.routers.api.deps import NOT_MODIFIED, PUBLIC_READ, SessionDep, not_modified, responses
from app.services import publishing

router = APIRouter(tags=["public"])


@router.get(
    "/public/municipalities/{number}/pathway",
    response_model=PublishedVersionRead,
    responses=responses(PUBLIC_READ, NOT_MODIFIED),
)
def public_pathway(number: str, session: SessionDep, request: Request, response: Response) -> Any:
    """The latest published version. 404 until the municipality has published."""
    stamp = publishing.latest_stamp(session, number)
    headers = publishing.cache_headers(stamp)
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    result = publishing.get_public(session, number)
    response.headers.update(headers)
    return result
