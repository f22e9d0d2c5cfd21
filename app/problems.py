"""One place that turns errors into responses: RFC 9457 problem+json under /api, an error
page (or an inline message, decided by the web routers) elsewhere. Never a stack trace."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, FieldError, Invalid, PreconditionFailed, TooManyRequests
from app.problem_types import STATUS_SLUGS

log = structlog.get_logger("demensforlop.errors")

PROBLEM_TYPE = "application/problem+json"

_HTTP_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
}


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"/problems/{slug or STATUS_SLUGS.get(status) or _slugify(title)}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return Response(
        content=json.dumps(body, default=str, ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers=headers,
    )


def _slugify(title: str) -> str:
    return "-".join(title.lower().split())


def www_authenticate(request: Request) -> str:
    """RFC 6750: a token that was sent and refused is `invalid_token`; none sent, no error."""
    if request.headers.get("authorization"):
        return 'Bearer realm="demensforlop", error="invalid_token"'
    return 'Bearer realm="demensforlop"'


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path not in (
        "/healthz",
        "/readyz",
        "/metrics",
    )


def field_errors_from_validation(errors: Sequence[Any]) -> list[FieldError]:
    result: list[FieldError] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        kind = error.get("type", "")
        # Pydantic adds the validator's name to the location of model-level errors.
        loc = [part for part in loc if not part.startswith("function-")]
        field = ".".join(loc) or where
        if kind == "extra_forbidden":
            message = "unknown field; it is not part of this resource"
        elif kind == "json_invalid":
            message = "the body is not valid JSON: " + str(error.get("ctx", {}).get("error", ""))
            field = "body"
        elif kind == "missing" and not loc:
            message = "a JSON body is required"
        else:
            message = str(error.get("msg", "invalid"))
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
        result.append(FieldError(field=field, message=message))
    return result


#: Renders the error page of an HTML path: (request, status, title, detail) → response.
HtmlRenderer = Callable[[Request, int, str, str], Response]


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """The handlers; with `html`, errors on paths outside the API are answered by it."""

    def render_html(request: Request, status: int, title: str, detail: str) -> Response | None:
        if html is None or not _wants_html(request):
            return None
        return html(request, status, title, detail)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        html = render_html(request, exc.status, exc.title, exc.detail)
        if html is not None:
            return html
        # Members a domain error carries (e.g. the website of an unpublished municipality).
        extra: dict[str, Any] = {k: v for k, v in exc.extra.items() if v is not None}
        headers: dict[str, str] = {}
        if isinstance(exc, Invalid):
            extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
        if isinstance(exc, PreconditionFailed):
            extra["current_version"] = exc.current_version
            if exc.current is not None:
                extra["current"] = exc.current
            headers["ETag"] = exc.etag
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401:
            headers["WWW-Authenticate"] = www_authenticate(request)
        return problem_response(
            request, exc.status, exc.title, exc.detail, slug=exc.slug, extra=extra, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = field_errors_from_validation(exc.errors())
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            html = render_html(request, 400, "Malformed JSON", detail)
            if html is not None:
                return html
            return problem_response(
                request,
                400,
                "Malformed JSON",
                detail,
                slug="malformed-json",
                extra={"errors": [{"field": e.field, "message": e.message} for e in errors]},
            )
        html = render_html(request, 422, "Invalid input", detail)
        if html is not None:
            return html
        return problem_response(
            request,
            422,
            "Invalid input",
            detail,
            slug="validation-error",
            extra={"errors": [{"field": e.field, "message": e.message} for e in errors]},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = _HTTP_TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Nothing at {request.url.path}."
        if exc.status_code == 400 and "parsing the body" in detail:
            detail = "The request body could not be read as JSON."
        html = render_html(request, exc.status_code, title, detail)
        if html is not None:
            return html
        return problem_response(
            request, exc.status_code, title, detail, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        detail = "Something went wrong on our side. Nothing was saved. Please try again."
        html = render_html(request, 500, "Internal server error", detail)
        if html is not None:
            return html
        return problem_response(request, 500, "Internal server error", detail)
