"""The regional and national overview, as JSON, CSV and XLSX, and a region's good examples."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from app import cache
from app.config import Settings
from app.deps import (
    NOT_MODIFIED,
    READ,
    LangDep,
    PrincipalDep,
    SessionDep,
    not_modified,
    respond_304,
    responses,
)
from app.models.overview import Overview, OverviewFilters, OverviewSummary, RegionGoodExamples
from app.rendering import overview_export
from app.services import good_examples as examples

router = APIRouter(tags=["regional overview"])

Format = Literal["json", "csv", "xlsx"]

CACHE_HEADERS = {
    "Cache-Control": "private, no-cache",
    "Vary": "Authorization, Cookie, Accept-Language",
}


def overview_filters(
    phase: Annotated[
        str | None, Query(max_length=40, description="Only this phase (a phase key)")
    ] = None,
    offering_type: Annotated[
        str | None,
        Query(
            max_length=60,
            description="Only municipalities with this offering type available or planned",
        ),
    ] = None,
    tag: Annotated[
        str | None,
        Query(max_length=50, description="Only municipalities and improvement areas with the tag"),
    ] = None,
    needs_knowledge: Annotated[
        bool | None,
        Query(description="Only municipalities that (do not) mark a phase as needing knowledge"),
    ] = None,
) -> OverviewFilters:
    return OverviewFilters(
        phase=phase or None,
        offering_type=offering_type or None,
        tag=tag or None,
        needs_knowledge=needs_knowledge,
    )


FiltersDep = Annotated[OverviewFilters, Depends(overview_filters)]
AnonymousQuery = Annotated[
    bool,
    Query(description="The anonymous summary: counts and groups only, small counts suppressed"),
]

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "One table; `;`-separated UTF-8 with a byte order mark; the first line is the "
            "header. The named overview is working material for guidance, not a comparison "
            "or a ranking (the file downloaded from the region page says so in a first "
            "`#` comment line; this one does not, so that CSV readers take it as it is)"
        ),
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "One sheet per table, Norwegian headings; the named overview opens on the sheet "
            "«Om dette arbeidsmaterialet»: working material for guidance, not a comparison"
        ),
        "content": {overview_export.XLSX_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}


def _options(request: Request, anonymous: bool, lang: str) -> dict[str, Any]:
    return {"anonymous": anonymous, "lang": lang, "settings": request.app.state.settings}


def _respond(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    slug: str | None,
    filters: OverviewFilters,
    anonymous: bool,
    lang: str,
    kind: Format,
) -> Response:
    settings: Settings = request.app.state.settings
    if kind != "json":
        lang = "nb"  # the files have Norwegian headings; their words are Norwegian too
    tag = cache.overview_etag(
        request,
        session,
        principal,
        slug,
        filters,
        anonymous=anonymous,
        lang=lang,
        settings=settings,
        variant=kind,
    )
    # The XLSX file carries the time it was written, so equal content is not equal bytes.
    if kind == "xlsx":
        tag = f"W/{tag}"
    if not_modified(request, tag):
        return respond_304(tag, CACHE_HEADERS)
    headers = {"ETag": tag, **CACHE_HEADERS}
    if kind == "json":
        body = cache.overview_json(
            request, session, principal, slug, tag, filters, **_options(request, anonymous, lang)
        )
        return Response(content=body, media_type="application/json", headers=headers)
    result = cache.overview_result(
        request, session, principal, slug, tag, filters, **_options(request, anonymous, lang)
    )
    if kind == "csv":
        body, media_type = overview_export.to_csv(result), overview_export.CSV_MEDIA_TYPE
    else:
        body, media_type = overview_export.to_xlsx(result), overview_export.XLSX_MEDIA_TYPE
    name = overview_export.file_name(result, kind)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(content=body, media_type=media_type, headers=headers)


@router.get(
    "/regions/{slug}/overview",
    response_model=Overview | OverviewSummary,
    responses=responses(READ, NOT_MODIFIED),
)
def region_overview(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    """The region's municipalities in alphabetical order: totals, the municipality × phase
    grid, checklist answers, strengths, improvement areas, measures, reviews due, offering
    coverage, improvement areas grouped by phase and by tag, and good examples. For the
    region's advisers, administrators and API clients bound to the region.
    `anonymous=true` gives the summary for sharing: no municipality names or numbers."""
    return _respond(request, session, principal, slug, filters, anonymous, lang, "json")


@router.get(
    "/regions/{slug}/overview.csv",
    response_class=Response,
    responses=responses(CSV_RESPONSE, READ, NOT_MODIFIED),
)
def region_overview_csv(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    """The municipality table of the overview (or the summary in long form) as CSV."""
    return _respond(request, session, principal, slug, filters, anonymous, lang, "csv")


@router.get(
    "/regions/{slug}/overview.xlsx",
    response_class=Response,
    responses=responses(XLSX_RESPONSE, READ, NOT_MODIFIED),
)
def region_overview_xlsx(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    """Every table of the overview (or of the summary), one sheet each."""
    return _respond(request, session, principal, slug, filters, anonymous, lang, "xlsx")


@router.get(
    "/overview",
    response_model=Overview | OverviewSummary,
    responses=responses(READ, NOT_MODIFIED),
)
def national_overview(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    """The same overview for all municipalities in the country, with totals per region.
    Administrators only."""
    return _respond(request, session, principal, None, filters, anonymous, lang, "json")


@router.get(
    "/overview.csv",
    response_class=Response,
    responses=responses(CSV_RESPONSE, READ, NOT_MODIFIED),
)
def national_overview_csv(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    return _respond(request, session, principal, None, filters, anonymous, lang, "csv")


@router.get(
    "/overview.xlsx",
    response_class=Response,
    responses=responses(XLSX_RESPONSE, READ, NOT_MODIFIED),
)
def national_overview_xlsx(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    filters: FiltersDep,
    anonymous: AnonymousQuery = False,
) -> Response:
    return _respond(request, session, principal, None, filters, anonymous, lang, "xlsx")


@router.get(
    "/regions/{slug}/good-examples",
    response_model=RegionGoodExamples,
    responses=READ,
)
def good_examples(
    slug: str, session: SessionDep, principal: PrincipalDep, lang: LangDep
) -> RegionGoodExamples:
    """The strengths of the region's municipalities grouped by phase, naming who wrote
    them, so that municipalities can learn from each other. Also for the coordinators of
    the region's municipalities. A municipality whose drafts the caller may not read is
    shown as it last published (its strengths then carry no `id`), and not before it has
    published."""
    return examples.good_examples(session, principal, slug, lang)
