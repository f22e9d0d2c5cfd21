"""Indicators and observations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.deps import (
    CREATE,
    NOT_MODIFIED,
    READ,
    WRITE,
    Id,
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
from app.errors import UnsupportedMediaType
from app.kit.observation_text import Separator, decode_text
from app.models.measurement import (
    IndicatorAnalysisRead,
    IndicatorCreate,
    IndicatorFromTemplate,
    IndicatorRead,
    IndicatorUpdate,
    ObservationImportRead,
    ObservationList,
    ObservationsRead,
)
from app.rendering import chart_svg
from app.rendering.chart_png import png_of
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import indicator_templates, measurement, run_charts, write_access
from app.web.i18n import LANGUAGES, babel_locale, translations

router = APIRouter(route_class=AccessFirstRoute, tags=["measurement"])

PRIVATE = "private, no-cache"
IMPORT_MEDIA_TYPES = ("text/csv", "text/plain", "text/tab-separated-values")
SVG_MEDIA_TYPE = "image/svg+xml"
PNG_MEDIA_TYPE = "image/png"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


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
@access(write_access.edit_area)
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


@router.post(
    "/improvement-areas/{area_id}/indicators/from-template",
    response_model=IndicatorRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.edit_area)
def create_indicator_from_template(
    area_id: Id,
    data: IndicatorFromTemplate,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    request: Request,
    response: Response,
) -> IndicatorRead:
    """One of `GET /indicator-templates` added to the area, named in the caller's language.
    A second one of the same template is refused (422 naming `template`)."""
    created = indicator_templates.add_from_template(
        session, principal, area_id, data.template, lang
    )
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
@access(write_access.edit_indicator)
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
@access(write_access.edit_indicator)
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


@router.get(
    "/indicators/{indicator_id}/observations.csv",
    response_class=Response,
    responses=responses(
        {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}, READ, NOT_MODIFIED
    ),
)
def export_observations(
    indicator_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    separator: Annotated[
        Literal["semicolon", "comma"],
        Query(
            description="semicolon (default): `;` and decimal comma, with a byte order "
            "mark, as Norwegian spreadsheets open it; comma: `,` and decimal point"
        ),
    ] = "semicolon",
) -> Response:
    """The observations as CSV with a header row. The import reads the file back
    unchanged. Small numbers appear as "<5" unless the caller edits the municipality."""
    data_version, full = measurement.observations_version(session, principal, indicator_id)
    tag = etag(f"{data_version}{'' if full else '-s'}.{separator}")
    if not_modified(request, tag):
        return respond_304(tag, {"Cache-Control": PRIVATE})
    char: Separator = ";" if separator == "semicolon" else ","
    indicator, text = measurement.export_observations_csv(session, principal, indicator_id, char)
    body = ("\ufeff" if char == ";" else "") + text
    return Response(
        content=body.encode("utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "ETag": tag,
            "Cache-Control": PRIVATE,
            "Content-Disposition": f'attachment; filename="indicator-{indicator.id}.csv"',
        },
    )


async def import_text(request: Request) -> str:
    """The body of an observation import: text/csv, text/plain or text/tab-separated-values."""
    content_type = request.headers.get("content-type", "")
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() not in IMPORT_MEDIA_TYPES:
        raise UnsupportedMediaType(
            "Send the rows as text/csv or text/plain (pasted from a spreadsheet). To send "
            "JSON, PUT the list to the observations resource."
        )
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    try:
        return decode_text(await request.body(), charset)
    except ValueError as exc:
        # A request that cannot be read, like a malformed JSON body (see access_first).
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("body",), "msg": str(exc), "input": None}]
        ) from None


ImportTextDep = Annotated[str, Depends(import_text)]


@router.post(
    "/indicators/{indicator_id}/observations/import",
    response_model=ObservationImportRead,
    responses=WRITE,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Rows of period and value (or numerator and denominator), "
            "separated by tabs, semicolons or commas, with or without a header row.",
            "content": {
                media_type: {"schema": {"type": "string"}} for media_type in IMPORT_MEDIA_TYPES
            },
        }
    },
)
@access(write_access.edit_indicator)
def import_observations(
    indicator_id: Id,
    text: ImportTextDep,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> ObservationImportRead:
    """Insert or replace observations from pasted spreadsheet rows or a CSV file (the
    export reads back unchanged). Periods as 2024-01-15, 15.01.2024, 2024-01 or "januar
    2024"; numbers with a decimal comma or point. All or nothing: with one bad row nothing
    is saved, and the 422 names every bad line (`errors[].field` is `line.N`). If-Match: the
    ETag of the observation list. Importing the same rows again changes nothing."""
    rows, changed = measurement.import_observations(
        session, principal, indicator_id, text, expected
    )
    indicator, items, full = measurement.list_observations(session, principal, indicator_id)
    response.headers["ETag"] = _observations_tag(indicator.data_version, full)
    return ObservationImportRead(
        indicator_id=indicator.id,
        data_version=indicator.data_version,
        items=items,
        total=len(items),
        rows=rows,
        changed=changed,
    )


@router.get(
    "/indicators/{indicator_id}/analysis",
    response_model=IndicatorAnalysisRead,
    responses=responses(READ, NOT_MODIFIED),
)
def get_analysis(
    indicator_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    request: Request,
    response: Response,
) -> Any:
    """The run-chart analysis with the Anhøj rules, the verdict in plain words and the
    control chart. The top-level numbers describe the current segment (all points, or those
    from `baseline_restart`); signals are reported from 10 useful points. `verdict` judges
    the current segment by the indicator's `direction` (the text in the caller's language,
    Accept-Language); `spc` is its control chart with the Making Data Count rules. For
    callers who do not edit the municipality, small numbers and a centre line built on them
    are hidden, and so is `spc` when a point of the segment is."""
    fingerprint = run_charts.analysis_fingerprint(session, principal, indicator_id)
    tag = etag(f"{fingerprint}.{lang}")
    headers = {"Cache-Control": PRIVATE, "Vary": "Authorization, Cookie, Accept-Language"}
    if not_modified(request, tag):
        return respond_304(tag, headers)
    result = run_charts.get_analysis(
        session, principal, indicator_id, translations(lang).gettext, str(babel_locale(lang))
    )
    response.headers["ETag"] = tag
    response.headers.update(headers)
    return result


ChartLang = Annotated[
    str | None,
    Query(
        pattern="^[a-z]{2}$",
        description="The language of the chart's texts (nb or en); by default the caller's "
        "Accept-Language.",
    ),
]


def _chart_file(
    indicator_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    lang: str,
    media_type: str,
) -> Response:
    lang = lang if lang in LANGUAGES else "nb"
    tag = etag(f"{run_charts.chart_fingerprint(session, principal, indicator_id)}.{lang}")
    headers = {"Cache-Control": PRIVATE, "Vary": "Authorization, Cookie, Accept-Language"}
    if not_modified(request, tag):
        return respond_304(tag, headers)
    chart = run_charts.get_chart(session, principal, indicator_id)
    document = chart_svg.svg_document(
        chart, translate=translations(lang).gettext, locale=str(babel_locale(lang))
    )
    content = document.encode("utf-8") if media_type == SVG_MEDIA_TYPE else png_of(document)
    extension = "svg" if media_type == SVG_MEDIA_TYPE else "png"
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "ETag": tag,
            **headers,
            "Content-Disposition": f'inline; filename="diagram-{indicator_id}.{extension}"',
        },
    )


@router.get(
    "/indicators/{indicator_id}/chart.svg",
    response_class=Response,
    responses=responses(
        {200: {"content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}}}}, READ, NOT_MODIFIED
    ),
)
def get_chart(
    indicator_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    accept_lang: LangDep,
    lang: ChartLang = None,
) -> Response:
    """The run chart as accessible SVG (title, description, black-and-white readable):
    points, centre line, target, the area's measures where they started, and signalling
    runs highlighted; the verdict in plain words above it."""
    return _chart_file(
        indicator_id, session, principal, request, lang or accept_lang, SVG_MEDIA_TYPE
    )


@router.get(
    "/indicators/{indicator_id}/chart.png",
    response_class=Response,
    responses=responses(
        {200: {"content": {PNG_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
        READ,
        NOT_MODIFIED,
    ),
)
def get_chart_png(
    indicator_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    accept_lang: LangDep,
    lang: ChartLang = None,
) -> Response:
    """The same chart as the SVG, drawn as a PNG picture at twice its size (sharp on a
    printed A4 page and in a slide)."""
    return _chart_file(
        indicator_id, session, principal, request, lang or accept_lang, PNG_MEDIA_TYPE
    )


@router.put(
    "/indicators/{indicator_id}/observations",
    response_model=ObservationsRead,
    responses=WRITE,
)
@access(write_access.edit_indicator)
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
@access(write_access.edit_indicator)
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
