"""The regional overview for advisers, the national one for administrators, the anonymous
summary of either, and their CSV/XLSX exports.

GET /app/regioner/{slug}                    the overview (filters as a plain GET form)
GET /app/regioner/{slug}/sammendrag         the anonymous summary (counts only)
GET /app/regioner/{slug}/eksport.{csv,xlsx}     the overview as a file (same filters)
GET /app/regioner/{slug}/sammendrag.{csv,xlsx}  the summary as a file
GET /app/nasjonalt[...]                     the same for the whole country (administrators)

Everything comes from `services.overview` (a fixed number of queries whatever the number of
municipalities) and `rendering.overview_export`, the same code the JSON API uses. With HTMX
the filter form swaps only the `results` block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from app import cache
from app.config import Settings
from app.errors import Invalid
from app.models.overview import Overview, OverviewFilters, OverviewSummary
from app.rendering import overview_export
from app.services import examples, overview
from app.web import labels
from app.web.core import SignedInDep, Web
from app.web.forms import Form
from app.web.i18n import N_
from app.web.templating import render_block

router = APIRouter(include_in_schema=False)

TEMPLATE = "region/overview.html"
SUMMARY_TEMPLATE = "region/summary.html"

#: The filter form's fields (GET parameters) and what the service calls them.
FILTER_FIELDS = {
    "fase": "phase",
    "tilbudstype": "offering_type",
    "stikkord": "tag",
    "kunnskap": "needs_knowledge",
}
KNOWLEDGE_VALUES = {"": None, "ja": True, "nei": False}


@dataclass
class Scope:
    """Where an overview lives: a region (`slug`) or the whole country (None)."""

    slug: str | None

    @property
    def base(self) -> str:
        return f"/app/regioner/{self.slug}" if self.slug else "/app/nasjonalt"


def _filter_form(request: Request) -> Form:
    return Form({name: request.query_params.get(name, "").strip() for name in FILTER_FIELDS})


def _filters(web: Web, form: Form) -> OverviewFilters | None:
    """The filters asked for, or None (with the errors on the form) when one is not valid.
    Unknown phases and offering types are left to the service, which knows them."""
    knowledge = form.value("kunnskap")
    if knowledge not in KNOWLEDGE_VALUES:
        form.errors["kunnskap"] = web._(N_("Velg ja, nei eller alle."))
        return None
    if len(form.value("stikkord")) > 50:
        form.errors["stikkord"] = web._(N_("Et stikkord har høyst 50 tegn."))
        return None
    return OverviewFilters(
        phase=form.value("fase") or None,
        offering_type=form.value("tilbudstype") or None,
        tag=form.value("stikkord") or None,
        needs_knowledge=KNOWLEDGE_VALUES[knowledge],
    )


def _query(form: Form) -> str:
    """The filters as a query string, for the export links (empty fields left out)."""
    pairs = [(name, form.value(name)) for name in FILTER_FIELDS if form.value(name)]
    return "?" + urlencode(pairs) if pairs else ""


def _settings(web: Web) -> Settings:
    settings: Settings = web.request.app.state.settings
    return settings


def _result(
    web: Web, scope: Scope, form: Form, *, anonymous: bool, lang: str | None = None
) -> Overview | OverviewSummary | None:
    filters = _filters(web, form)
    if filters is None:
        overview.open_region(web.db, web.principal, scope.slug)  # access first, always
        return None
    try:
        return overview.get_overview(
            web.db,
            web.principal,
            scope.slug,
            filters,
            anonymous=anonymous,
            lang=lang or web.lang,
            settings=_settings(web),
        )
    except Invalid as exc:
        names = {v: k for k, v in FILTER_FIELDS.items()}
        for error in exc.errors:
            field = names.get(error.field, "fase")
            form.errors[field] = (
                web._(N_("Ukjent fase."))
                if field == "fase"
                else web._(N_("Ukjent tilbudstype."))
                if field == "tilbudstype"
                else web._(N_("Ugyldig verdi."))
            )
        return None


def _context(
    web: Web, scope: Scope, form: Form, region_name: str | None, *, anonymous: bool
) -> dict[str, Any]:
    """The page around its results (for the region named, if any)."""
    phases, all_types = cache.catalogue(web.request, web.db, web.lang)
    types = [t for t in all_types if t.active]
    title = (
        web._(N_("Nasjonal oversikt"))
        if scope.slug is None
        else web._(N_("Regionoversikt"))
        if region_name is None
        else web._(N_("Regionoversikt: %(region)s"), region=region_name)
    )
    if anonymous:
        title = web._(N_("Anonymt sammendrag")) + (f" – {region_name}" if region_name else "")
    query = _query(form)
    return {
        "scope": scope,
        "form": form,
        "page_title": title,
        "phase_options": [("", web._(N_("Alle faser")))] + [(p.key, p.name) for p in phases],
        "type_options": [("", web._(N_("Alle tilbudstyper")))] + [(t.key, t.name) for t in types],
        "knowledge_options": [
            ("", web._(N_("Alle"))),
            ("ja", web._(N_("Bare kommuner som trenger mer kunnskap"))),
            ("nei", web._(N_("Bare kommuner som ikke har markert det"))),
        ],
        "query": query,
        "labels": labels,
        "base": scope.base + ("/sammendrag" if anonymous else ""),
        "csv_url": scope.base + ("/sammendrag.csv" if anonymous else "/eksport.csv") + query,
        "xlsx_url": scope.base + ("/sammendrag.xlsx" if anonymous else "/eksport.xlsx") + query,
        "summary_url": scope.base + "/sammendrag" + query,
        "overview_url": scope.base + query,
        "hide_switcher": anonymous,
        # Lists of many municipalities' content show a few items of each.
        "cap_area_group": examples.cap_area_group,
        "cap_strength_groups": examples.cap_strength_groups,
        "tag_groups_shown": examples.TAG_GROUPS_SHOWN,
    }


def _results(result: Overview | OverviewSummary | None) -> dict[str, Any]:
    """What the results block shows: the overview (None when a filter is not valid)."""
    return {
        "result": result,
        "region_names": {
            item.region.slug: item.region.name for item in getattr(result, "regions", [])
        },
    }


def _page(web: Web, scope: Scope, *, anonymous: bool) -> Response:
    form = _filter_form(web.request)
    template = SUMMARY_TEMPLATE if anonymous else TEMPLATE
    filters = _filters(web, form)
    tag = None
    if filters is not None:
        try:
            tag = cache.overview_etag(
                web.request,
                web.db,
                web.principal,
                scope.slug,
                filters,
                anonymous=anonymous,
                lang=web.lang,
                settings=_settings(web),
                variant="page",
            )
        except Invalid:
            tag = None  # the slow path below names the bad filter beside its field
    if tag is None:
        result = _result(web, scope, form, anonymous=anonymous)
        region_name = result.region.name if result is not None and result.region else None
        context = {
            **_context(web, scope, form, region_name, anonymous=anonymous),
            **_results(result),
        }
        return web.render(
            template, context, block="results", status=422 if form.has_errors else 200
        )
    # `overview_etag` has checked access to the region, so it is there.
    region_name = cache.region(web.request, web.db, scope.slug).name if scope.slug else None
    context = _context(web, scope, form, region_name, anonymous=anonymous)

    def render() -> Markup:
        # The overview is built once per ETag and shared with the API and the files.
        result = cache.overview_result(
            web.request,
            web.db,
            web.principal,
            scope.slug,
            tag,
            filters,
            anonymous=anonymous,
            lang=web.lang,
            settings=_settings(web),
        )
        full = {"request": web.request, "web": web, "lang": web.lang, **context, **_results(result)}
        return Markup(render_block(template, "results_body", full))  # noqa: S704 - rendered by our autoescaping templates

    # The results (the heavy part, 1 MB for the whole country) are rendered once per ETag
    # (which names the content, the filters, the language and the day exactly) and kind of
    # answer; the rest of the page for each person.
    html = cache.overview_results(web.request, web.db, (template, tag, web.is_fragment), render)
    return web.render(template, {**context, "results_html": html}, block="results")


def _export(web: Web, scope: Scope, kind: Literal["csv", "xlsx"], *, anonymous: bool) -> Response:
    form = _filter_form(web.request)
    # The files have Norwegian headings; their words are Norwegian too (as in the API).
    result = _result(web, scope, form, anonymous=anonymous, lang="nb")
    if result is None:
        context = {**_context(web, scope, form, None, anonymous=anonymous), **_results(None)}
        return web.render(SUMMARY_TEMPLATE if anonymous else TEMPLATE, context, status=422)
    if kind == "csv":
        # Downloaded by a person: the named file says first that it is working material.
        body = overview_export.to_csv(result, note=True)
        media_type = overview_export.CSV_MEDIA_TYPE
    else:
        body, media_type = overview_export.to_xlsx(result), overview_export.XLSX_MEDIA_TYPE
    name = overview_export.file_name(result, kind)
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# ---- a region ----------------------------------------------------------------------------


@router.get("/app/regioner/{slug}")
def region_page(slug: str, web: SignedInDep) -> Response:
    return _page(web, Scope(slug), anonymous=False)


@router.get("/app/regioner/{slug}/sammendrag")
def region_summary(slug: str, web: SignedInDep) -> Response:
    return _page(web, Scope(slug), anonymous=True)


@router.get("/app/regioner/{slug}/eksport.csv")
def region_csv(slug: str, web: SignedInDep) -> Response:
    return _export(web, Scope(slug), "csv", anonymous=False)


@router.get("/app/regioner/{slug}/eksport.xlsx")
def region_xlsx(slug: str, web: SignedInDep) -> Response:
    return _export(web, Scope(slug), "xlsx", anonymous=False)


@router.get("/app/regioner/{slug}/sammendrag.csv")
def region_summary_csv(slug: str, web: SignedInDep) -> Response:
    return _export(web, Scope(slug), "csv", anonymous=True)


@router.get("/app/regioner/{slug}/sammendrag.xlsx")
def region_summary_xlsx(slug: str, web: SignedInDep) -> Response:
    return _export(web, Scope(slug), "xlsx", anonymous=True)


@router.get("/app/regioner/{slug}/gode-eksempler")
def region_examples(slug: str, web: SignedInDep, kommune: str = "", side: str = "1") -> Response:
    """The region's good examples for its members (coordinators included): a page of
    municipalities, or one municipality with all its strengths."""
    page = int(side) if side.isdigit() and len(side) < 7 else 1
    result = examples.examples_page(
        web.db,
        web.principal,
        slug,
        municipality=kommune.strip() or None,
        page=page,
        lang=web.lang,
    )
    return web.render("region/examples.html", {"examples": result})


# ---- the country -------------------------------------------------------------------------


@router.get("/app/nasjonalt")
def national_page(web: SignedInDep) -> Response:
    return _page(web, Scope(None), anonymous=False)


@router.get("/app/nasjonalt/sammendrag")
def national_summary(web: SignedInDep) -> Response:
    return _page(web, Scope(None), anonymous=True)


@router.get("/app/nasjonalt/eksport.csv")
def national_csv(web: SignedInDep) -> Response:
    return _export(web, Scope(None), "csv", anonymous=False)


@router.get("/app/nasjonalt/eksport.xlsx")
def national_xlsx(web: SignedInDep) -> Response:
    return _export(web, Scope(None), "xlsx", anonymous=False)


@router.get("/app/nasjonalt/sammendrag.csv")
def national_summary_csv(web: SignedInDep) -> Response:
    return _export(web, Scope(None), "csv", anonymous=True)


@router.get("/app/nasjonalt/sammendrag.xlsx")
def national_summary_xlsx(web: SignedInDep) -> Response:
    return _export(web, Scope(None), "xlsx", anonymous=True)
