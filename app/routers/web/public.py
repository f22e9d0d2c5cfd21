"""The public pages, for everyone without signing in: the start page that finds a
municipality, and a municipality's latest published pathway.

The pathway page is built for national traffic behind a CDN: a conditional request is
answered from the latest version's stamp alone (one small query), and the rendered page is
kept per published version and language, since a published version never changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app import cache
from app.deps import read_cookie, session_is_kept
from app.errors import Invalid, NotPublished
from app.services import catalogue, publishing
from app.web import labels
from app.web.core import LANGUAGE_COOKIE, Web, WebDep, web_of
from app.web.forms import Form, service_errors
from app.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    NORWEGIAN,
    from_accept_language,
    normalise_language,
)

router = APIRouter(include_in_schema=False)

SEARCH_LIMIT = 20
#: The public page varies with the language, which the query, the language cookie or
#: Accept-Language choose.
PUBLIC_VARY = "Accept-Language, Cookie"
#: Before the first publication: cacheable briefly, so a publication shows within a minute.
NOT_PUBLISHED_CACHE = "public, max-age=60"


@router.get("/")
def start_page(web: WebDep, q: Annotated[str | None, Query(max_length=1000)] = None) -> Response:
    form = Form({"q": q or ""})
    results = None
    status = 200
    if q is not None and q.strip():
        try:
            results = publishing.search_municipalities(web.db, q, limit=SEARCH_LIMIT)
        except Invalid as exc:
            form.errors = service_errors(exc.errors, web.lang)
            status = 422
    context = {"form": form, "results": results, "query": (q or "").strip()}
    return web.render("public/start.html", context, block="results", status=status)


def contact_tag(contact: tuple[str, ...]) -> str:
    """A short digest of the municipality's contact, which the page shows live ("" when
    there is none)."""
    if not any(contact):
        return ""
    return "-" + hashlib.sha256("\n".join(contact).encode()).hexdigest()[:10]


def _stamp_headers(stamp: publishing.PublishedStamp, lang: str) -> dict[str, str]:
    headers = publishing.cache_headers(stamp)
    # The same version in another language, or with another contact, is another
    # representation.
    headers["ETag"] = headers["ETag"][:-1] + f'-{lang}{contact_tag(stamp.contact)}"'
    headers["Vary"] = PUBLIC_VARY
    return headers


def _not_modified(request: Request, headers: dict[str, str], published_at: datetime) -> bool:
    """If-None-Match decides when sent; otherwise If-Modified-Since (to the second)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        tag = headers["ETag"]
        return "*" in tags or tag in tags or f"W/{tag}" in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return published_at.replace(microsecond=0) <= since
    return False


def page_language(web: Web, language_form: str) -> str:
    """A municipality's page speaks its official language form, unless the visitor chose a
    language (?lang=, the language switch's cookie or their own setting) or their browser
    asks for English; a neutral municipality leaves it to the browser."""
    request = web.request
    explicit = (
        normalise_language(request.query_params.get("lang"))
        or normalise_language(read_cookie(request, LANGUAGE_COOKIE))
        or (web.active.language if web.active and web.active.language in LANGUAGES else None)
    )
    if explicit:
        return explicit
    browser = from_accept_language(request.headers.get("accept-language"))
    if browser == "en" or language_form not in NORWEGIAN:
        return browser or DEFAULT_LANGUAGE
    return language_form


def _speak(web: Web, language_form: str) -> None:
    web.lang = page_language(web, language_form)
    web.request.state.lang = web.lang


def check_public_page(
    web: Web, number: str
) -> tuple[publishing.PublishedStamp, dict[str, str], Response | None]:
    """The latest published version's stamp and headers, and the 304 when the client's copy
    is current. Raises NotPublished before the first publication."""
    stamp = cache.latest_stamp(web.request, web.db, number)
    _speak(web, stamp.language_form)
    headers = _stamp_headers(stamp, web.lang)
    if _not_modified(web.request, headers, stamp.published_at):
        return stamp, headers, Response(status_code=304, headers=headers)
    return stamp, headers, None


def early_public_304(request: Request, session: Session, number: str) -> Response | None:
    """The page's own 304, for `app.conditional` to answer before routing."""
    return check_public_page(web_of(request, session, FormData()), number)[2]


def early_public_304_kept(request: Request, number: str) -> bool:
    """Whether `early_public_304` reads nothing but kept values: the visitor's browser
    session, if any, and the latest published version."""
    return session_is_kept(request) and cache.latest_stamp_is_kept(request, number)


@router.get("/kommuner/{number}")
def public_pathway(number: str, web: WebDep) -> Response:
    try:
        stamp, headers, unchanged = check_public_page(web, number)
    except NotPublished as exc:
        _speak(web, exc.language_form)
        context = {
            "name": exc.name,
            "website": exc.website,
            "number": number,
            "contact": exc.contact,
        }
        return web.render(
            "public/not_published.html",
            context,
            headers={"Cache-Control": NOT_PUBLISHED_CACHE, "Vary": PUBLIC_VARY},
        )
    if unchanged is not None:
        return unchanged
    body = cache.caches_of(web.request).public_page.fetch(
        web.db,
        ("public", number, stamp.version, stamp.published_at, web.lang, stamp.contact),
        lambda: _public_page(web, number, stamp.contact),
        web.request,
    )
    return web.html(body, headers=headers)


def _public_page(web: Web, number: str, contact: tuple[str, ...]) -> bytes:
    """The page of the latest published version, rendered (kept in `app.cache`)."""
    published = publishing.get_public(web.db, number)
    phases = catalogue.list_phases(web.db, web.lang)
    offering_types = catalogue.list_offering_types(web.db, web.lang)
    response = web.render(
        "public/pathway.html",
        {
            "pathway": published,
            "phase_names": {p.key: p.name for p in phases},
            "offering_names": {t.key: (t.name_nb, t.name) for t in offering_types},
            "provider_labels": labels.PROVIDER,
            "contact": contact,
            "number": number,
        },
    )
    return bytes(response.body)
