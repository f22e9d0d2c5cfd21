"""Pure ASGI middleware: request ids and access logs, metrics, security headers, the API's
caching and the request body limit."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable

import structlog
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.context import request_id_var

log = structlog.get_logger("demensforlop.request")

REQUESTS = Counter(
    "demensforlop_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
DURATION = Histogram(
    "demensforlop_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Gives each request an id (or keeps a sane one from X-Request-ID), logs one line per
    request with its status and duration, and counts it for /metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_of(scope)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            DURATION.labels(method, route).observe(elapsed)
            if scope["path"] not in ("/healthz", "/metrics"):
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts
        self.base = [
            (
                b"content-security-policy",
                b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                b"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                b"form-action 'self'; frame-ancestors 'none'",
            ),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.base.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *[(k, v) for k, v in self.base if k not in present],
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PrivateApiCacheMiddleware:
    """The one place that decides how API answers may be cached: everything under `prefix`
    is `private, no-cache` (for its caller only, revalidated with its ETag before reuse)
    unless the route said otherwise. Only the answers that are the same for everyone say
    so (`public, …`: the catalogues and the public API)."""

    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    message["headers"] = [*headers, (b"cache-control", PRIVATE_CACHE)]
            await send(message)

        await self.app(scope, receive, send_private)


PRIVATE_CACHE = b"private, no-cache"


class CompressionMiddleware:
    """gzip for pages and static files, so a coordinator on a slow line gets the editor in a
    fraction of the bytes. Not for /api: integrators send its strong ETags back in If-Match,
    and a compressed representation may not carry the same strong validator, so compressed
    responses get weak ETags (enough for If-None-Match, which compares weakly)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_weak_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if (b"content-encoding", b"gzip") in headers:
                    message["headers"] = [
                        (name, b"W/" + value if name == b"etag" and value[:1] == b'"' else value)
                        for name, value in headers
                    ]
            await send(message)

        await self.gzip(scope, receive, send_weak_etag)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodyLimitMiddleware:
    """Refuses bodies over the limit: at once when Content-Length says so, otherwise as soon
    as the streamed body passes it."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = 0
            if declared > limit:
                await _send_too_large(scope, send, limit)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


class NulCleaningMiddleware:
    """Takes NUL characters out of query strings and URL-encoded forms before anything reads
    them, as the services take control characters out of the text they save: PostgreSQL's
    text cannot hold a NUL (SQLite's can), and no search, filter or form value needs one."""

    _FORM = b"application/x-www-form-urlencoded"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            scope = dict(scope, query_string=_without_nul(query))
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not content_type.startswith(self._FORM):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = _without_nul(b"".join(chunks))
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        scope = dict(scope, headers=[*headers, (b"content-length", str(len(body)).encode())])
        sent = False

        async def cleaned_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, cleaned_receive, send)


def _without_nul(encoded: bytes) -> bytes:
    return encoded.replace(b"%00", b"").replace(b"\x00", b"")


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "/problems/payload-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"The request body is larger than {limit} bytes.",
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
