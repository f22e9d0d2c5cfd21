"""What everyone may read without signing in: finding a municipality and its published
pathway. Both are cacheable by a CDN."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.deps import (
    NOT_MODIFIED,
    PUBLIC_READ,
    PageOut,
    SessionDep,
    not_modified,
    page_out,
    responses,
)
from app.models.publishing import PublicMunicipalityRead, PublicPathwayRead
from app.services import publishing

router = APIRouter(tags=["public"])


@router.get(
    "/public/municipalities",
    response_model=PageOut[PublicMunicipalityRead],
    responses=responses(PUBLIC_READ, NOT_MODIFIED),
)
def search_municipalities(
    session: SessionDep,
    request: Request,
    response: Response,
    q: Annotated[
        str | None,
        Query(
            max_length=publishing.SEARCH_MAX,
            description="Part of a name in any official form (e.g. `Gáivuotna`, `kafjord`) "
            "or a number (`5540`); case and accents do not matter",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """Municipalities in Norwegian alphabetical order, whether each has published its
    pathway, and when."""
    page = publishing.search_municipalities(session, q, limit=limit, offset=offset)
    headers = {"ETag": publishing.page_etag(page), "Cache-Control": publishing.CACHE_CONTROL}
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return page_out(page)


@router.get(
    "/public/municipalities/{number}/pathway",
    response_model=PublicPathwayRead,
    responses=responses(PUBLIC_READ, NOT_MODIFIED),
)
def public_pathway(number: str, session: SessionDep, request: Request, response: Response) -> Any:
    """The latest published version: contact points first, then the six phases with their
    offerings, strengths and improvement areas in summary. 404 until the municipality has
    published; the problem then carries the municipality's `name` and `website`."""
    stamp = publishing.latest_stamp(session, number)
    headers = publishing.cache_headers(stamp)
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    result = publishing.get_public(session, number)
    response.headers.update(headers)
    return result
