"""The application factory."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.routing import iter_route_contexts
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.api_http import ApiHttpMiddleware, RateLimiter
from app.cache import Caches, StampReader
from app.conditional import ConditionalMiddleware, ConditionalRoute
from app.config import Settings, get_settings
from app.db import Database
from app.deps import nul_in_path_is_not_found
from app.logging_setup import configure_logging
from app.mailer import OutboxSender
from app.middleware import (
    BodyLimitMiddleware,
    CompressionMiddleware,
    NulCleaningMiddleware,
    PrivateApiCacheMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from app.openapi_contract import complete, operation_id
from app.problem_types import explain
from app.problems import PROBLEM_TYPE, install_error_handlers
from app.routers import health
from app.routers.api import (
    anchoring,
    annotation,
    audit,
    catalogue,
    checklist,
    events,
    feedback,
    further_work,
    improvement,
    invitations,
    measurement,
    municipalities,
    networks,
    overview,
    pathway,
    pdsa,
    public,
    publishing,
    shared_examples,
    strengths,
    transfer,
    webhooks,
)
from app.routers.web import account_links as web_account_links
from app.routers.web import all_measurements as web_all_measurements
from app.routers.web import api_clients as web_api_clients
from app.routers.web import auth as web_auth
from app.routers.web import checklist as web_checklist
from app.routers.web import citizens as web_citizens
from app.routers.web import comments as web_comments
from app.routers.web import dashboard as web_dashboard
from app.routers.web import improvement as web_improvement
from app.routers.web import measurement as web_measurement
from app.routers.web import networks as web_networks
from app.routers.web import notifications as web_notifications
from app.routers.web import pathway as web_pathway
from app.routers.web import pdsa as web_pdsa
from app.routers.web import poster as web_poster
from app.routers.web import public as web_public
from app.routers.web import publishing as web_publishing
from app.routers.web import region as web_region
from app.routers.web import shared_examples as web_shared_examples
from app.routers.web import sso as web_sso
from app.routers.web import strengths as web_strengths
from app.routers.web import two_step as web_two_step
from app.routers.web import users as web_users
from app.routing import GatedRouter
from app.static_files import CachedStaticFiles
from app.web import install as install_web
from app.web import nav
from app.web.errors import render_error
from app.webhook_sender import WebhookSender

APP_DIR = Path(__file__).resolve().parent
API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"

API_DESCRIPTION = """
Every Norwegian municipality's dementia care pathway, its improvement work and measurements.

* **Authentication**: `Authorization: Bearer <token>` (made at /app/admin/api-klienter or with
  `demensforlop create-token`), or the browser session of the web app.
* **Errors** are `application/problem+json` (RFC 9457); validation errors list each field.
* **Concurrency**: GET returns a strong `ETag`; PUT, PATCH and DELETE need `If-Match`
  (428 without it, 412 with a stale one, the body then carries `current_version`).
* **Conditional GET**: every GET sends a strong `ETag`; `If-None-Match` answers 304 (the
  public API also `If-Modified-Since`). HEAD and OPTIONS work on every path.
* **Lists** are `{items, total, limit, offset}` with `Link: rel="next"` while more follow;
  creates answer 201 with `Location`.
* **Rate limits** per token: `RateLimit-*` headers, 429 with `Retry-After`.
* **Guide**: docs/api.md (tokens, the concurrency protocol, limits, versioning).
* **Limits**: request bodies up to 1 MiB (imports 16 MiB), text fields as documented per
  schema; unknown fields are rejected.
"""

API_TITLE = "Demensforlop API"
API_VERSION = "1"


def api_router() -> APIRouter:
    router = GatedRouter(prefix=API_PREFIX, gates=(API_PREFIX + "/",))
    for module in (
        catalogue,
        municipalities,
        pathway,
        publishing,
        checklist,
        strengths,
        improvement,
        further_work,
        measurement,
        annotation,
        pdsa,
        feedback,
        networks,
        anchoring,
        overview,
        shared_examples,
        audit,
        events,
        webhooks,
        public,
        transfer,
        invitations,
    ):
        router.include_router(module.router)
    return router


def web_router() -> APIRouter:
    """The HTML pages (outside the OpenAPI document): sign-in and the public pages, then the
    signed-in app under /app behind its prefix."""
    signed_in = GatedRouter(gates=("/app",), include_in_schema=False)
    for module in (
        web_dashboard,
        web_pathway,
        web_checklist,
        web_strengths,
        web_improvement,
        web_pdsa,
        web_measurement,
        web_all_measurements,
        web_region,
        web_comments,
        web_publishing,
        web_poster,
        web_networks,
        web_shared_examples,
        web_api_clients,
        web_users,
        web_notifications,
        web_citizens,
    ):
        signed_in.include_router(module.router)
    router = APIRouter(include_in_schema=False)
    # auth also serves /app/passord, so it stays outside the gate.
    router.include_router(web_auth.router)
    router.include_router(web_two_step.router)
    router.include_router(web_sso.router)
    router.include_router(web_account_links.router)
    router.include_router(web_public.router)
    router.include_router(web_notifications.unsubscribe_router)
    router.include_router(web_citizens.public_router)
    router.include_router(signed_in)
    return router


@functools.cache
def routers() -> tuple[APIRouter, ...]:
    """Health, the API and the web pages. The routes depend on the code alone, never on
    settings or data, so each process builds them once and every app it makes (the tests
    make one per test) includes the same ones."""
    return (health.router, api_router(), web_router())


@functools.cache
def _all_routes() -> APIRouter:
    everything = APIRouter(
        generate_unique_id_function=operation_id,
        dependencies=[Depends(nul_in_path_is_not_found)],
    )
    for router in routers():
        everything.include_router(router)
    return everything


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, built once per process from `routers()` (it depends on
    nothing else). Served at OPENAPI_URL; the API middleware reads its paths for `Allow`."""
    return complete(
        problem_content_types(
            get_openapi(
                title=API_TITLE,
                version=API_VERSION,
                description=API_DESCRIPTION,
                routes=_all_routes().routes,
            )
        )
    )


@functools.cache
def api_paths() -> tuple[tuple[str, frozenset[str]], ...]:
    """The paths of the OpenAPI document with the methods of each, read from the routes (the
    API middleware answers `Allow` from them without building the document)."""
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(_all_routes().routes):
        if route.path_format and route.include_in_schema and route.methods:
            found.setdefault(route.path_format, set()).update(route.methods)
    return tuple((path, frozenset(methods)) for path, methods in found.items())


@functools.cache
def route_shapes() -> frozenset[str]:
    """The paths of `routers()` with their parameter names erased (`app.web.nav` shows a
    menu item only for a page the app serves), worked out once per process."""
    return frozenset(
        nav.shape(route.path) for route in iter_route_contexts(_all_routes().routes) if route.path
    )


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    owns_database = database is None
    db = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sender = OutboxSender(settings, db) if settings.mail_sender_thread else None
        app.state.mail_sender = sender
        hooks = WebhookSender(settings, db) if settings.webhook_sender_thread else None
        if sender is not None:
            sender.start()
        if hooks is not None:
            hooks.start()
        app.state.stamp_reader = StampReader.open(db)
        yield
        if app.state.stamp_reader is not None:
            await app.state.stamp_reader.close()
        if hooks is not None:
            hooks.stop()
        if sender is not None:
            sender.stop()
        if owns_database:
            db.dispose()

    app = FastAPI(
        title=API_TITLE,
        generate_unique_id_function=operation_id,
        version=API_VERSION,
        description=API_DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.caches = Caches()
    #: Opened on the server's loop when the app starts (the lifespan), closed when it stops.
    app.state.stamp_reader = None
    app.state.route_shapes = route_shapes()

    # Errors: problem+json under /api, the web app's error pages elsewhere.
    install_error_handlers(app, html=render_error)
    install_web(app)
    # The shared routes themselves, not new includes of them: what FastAPI works out to
    # match a request is then built once per process, not once per app.
    app.router.routes.extend(_all_routes().routes)
    app.mount("/static", CachedStaticFiles(directory=APP_DIR / "static"), name="static")

    docs_env = Environment(
        loader=FileSystemLoader(APP_DIR / "templates"), autoescape=select_autoescape()
    )

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(docs_env.get_template("api_docs.html").render(openapi_url=OPENAPI_URL))

    @app.get("/problems/{problem}", include_in_schema=False)
    def problem_type(problem: str) -> PlainTextResponse:
        """What a problem `type` means (app.problem_types)."""
        text = explain(problem)
        if text is None:
            return PlainTextResponse("No such problem type.\n", status_code=404)
        return PlainTextResponse(text, headers={"Cache-Control": "public, max-age=86400"})

    app.openapi = openapi_document  # type: ignore[method-assign]

    def body_limit(path: str) -> int:
        # Only whole-municipality imports carry histories; observation imports are at most
        # 1000 short rows and keep the ordinary limit.
        if path.startswith(f"{API_PREFIX}/municipalities/") and path.endswith("/import"):
            return settings.max_import_bytes
        return settings.max_body_bytes

    # Innermost: 304s for current copies, decided by the routes' own checks (app.conditional).
    app.state.conditional_routes = [
        ConditionalRoute(
            f"{API_PREFIX}/municipalities/{{number}}/pathway",
            pathway.early_pathway_304,
            pathway.early_pathway_304_kept,
        ),
        ConditionalRoute(
            "/kommuner/{number}",
            web_public.early_public_304,
            web_public.early_public_304_kept,
            headers=(b"if-none-match", b"if-modified-since"),
        ),
    ]
    # Pages and API reads look up `app.cache`: their stamps are read on the event loop.
    app.add_middleware(
        ConditionalMiddleware,
        database=db,
        routes=app.state.conditional_routes,
        reading_prefixes=("/app/", f"{API_PREFIX}/", "/kommuner/"),
    )
    app.add_middleware(
        ApiHttpMiddleware,
        prefix=f"{API_PREFIX}/",
        cors_origins=settings.cors_origin_list,
        rate_limit=RateLimiter(settings.api_rate_limit, settings.api_rate_window_seconds)
        if settings.api_rate_limit
        else None,
        paths=api_paths,
    )
    app.add_middleware(NulCleaningMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(PrivateApiCacheMiddleware, prefix=f"{API_PREFIX}/")
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    app.add_middleware(RequestContextMiddleware)
    return app


def problem_content_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as application/problem+json, as they are sent."""
    components = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    components["bearer"] = {"type": "http", "scheme": "bearer"}
    schema["security"] = [{"bearer": []}, {}]
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                is_error = status.isdigit() and int(status) >= 400
                if is_error and content and "application/json" in content:
                    content[PROBLEM_TYPE] = content.pop("application/json")
    return schema
