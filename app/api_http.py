"""The HTTP details every API resource shares, in one place rather than per route.

* **Conditional GET**: every successful GET carries a strong ETag — the route's own (from a
  version) or, where the route has none (lists), a hash of the representation — and
  If-None-Match with a current tag answers 304. Where the route sends Last-Modified (the
  public API), If-Modified-Since is answered too.
* **HEAD** on every GET: the GET is run and its body left out.
* **OPTIONS** and **405** carry the true `Allow` of the path.
* **CORS**: the public endpoints for any origin (without credentials), the rest for the
  configured origins only; ETag, Location and Link are exposed.
* **Paged lists** get `Link: <…>; rel="next"` while there are more items.
* **Rate limits** per token: `RateLimit-*` on every answer, 429 with `Retry-After` when spent.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problem_types import STATUS_SLUGS
from app.routing import route_path

PUBLIC_PREFIXES = ("/api/v1/public/", "/api/v1/openapi.json")
EXPOSED = (
    b"ETag, Location, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)
PREFLIGHT_HEADERS = (
    b"Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, X-Request-ID"
)
#: What a 304 repeats of the 200 it stands for (RFC 9110, 15.4.5).
KEPT_ON_304 = {b"etag", b"cache-control", b"vary", b"last-modified", b"expires"}


#: Path parameters that are dates match only a date, so a word beside them (e.g.
#: `…/observations/import`) is never taken for one.
DATE_PARAMETERS = ("period",)
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@dataclass(frozen=True)
class PathTable:
    """The API's paths and the methods of each: the paths its OpenAPI document lists."""

    paths: tuple[tuple[re.Pattern[str], frozenset[str]], ...]

    @classmethod
    def of(cls, routes: Iterable[tuple[str, Iterable[str]]]) -> PathTable:
        """From each path template and its methods."""
        paths = []
        for template, route_methods in routes:
            regex, _, _ = compile_path(template)
            pattern = regex.pattern
            for name in DATE_PARAMETERS:
                pattern = pattern.replace(
                    f"(?P<{name}>[^/]+)", f"(?P<{name}>\\d{{4}}-\\d{{2}}-\\d{{2}})"
                )
            methods = frozenset(m.upper() for m in route_methods if m.upper() in METHOD_ORDER)
            paths.append((re.compile(pattern), methods))
        return cls(tuple(paths))

    def allowed(self, path: str) -> list[str]:
        """Every method the path answers, with HEAD beside GET and OPTIONS; [] if none."""
        methods: set[str] = set()
        for regex, route_methods in self.paths:
            if regex.match(path):
                methods.update(route_methods)
        if not methods:
            return []
        if "GET" in methods:
            methods.add("HEAD")
        methods.add("OPTIONS")
        return [m for m in METHOD_ORDER if m in methods]


def strong_etag(body: bytes) -> bytes:
    return b'"h' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def tag_matches(header: str, tag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110, 13.1.2)."""
    bare = tag.removeprefix("W/")
    for candidate in (t.strip() for t in header.split(",")):
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def not_modified_since(header: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False


def next_link(scope: Scope, body: bytes) -> bytes | None:
    """`<path?…offset=N>; rel="next"` for a page with more items after it."""
    if not body.startswith(b"{") or b'"offset"' not in body[-200:]:
        return None
    try:
        page = json.loads(body)
        total, limit, offset = int(page["total"]), int(page["limit"]), int(page["offset"])
    except (ValueError, KeyError, TypeError):
        return None
    if offset + limit >= total or "items" not in page:
        return None
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    query.update({"limit": str(limit), "offset": str(offset + limit)})
    path = scope.get("root_path", "") + route_path(scope)
    return f'<{path}?{urlencode(query)}>; rel="next"'.encode("latin-1")


@dataclass
class RateLimiter:
    """A fixed window per token and process: `limit` requests per `window` seconds."""

    limit: int
    window: int
    _counts: dict[bytes, tuple[int, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: bytes, now: float | None = None) -> tuple[int, int]:
        """(remaining, seconds to the window's end); remaining < 0 when spent."""
        now = time.time() if now is None else now
        window = int(now // self.window)
        with self._lock:
            start, count = self._counts.get(key, (window, 0))
            if start != window:
                count = 0
                if len(self._counts) > 10_000:
                    self._counts.clear()
            count += 1
            self._counts[key] = (window, count)
        reset = (window + 1) * self.window - int(now)
        return self.limit - count, max(reset, 1)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class ApiHttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        cors_origins: tuple[str, ...],
        rate_limit: RateLimiter | None,
        paths: Callable[[], Iterable[tuple[str, Iterable[str]]]],
    ) -> None:
        self.app = app
        self.prefix = prefix
        #: The API's path templates and their methods, read at the first request.
        self.paths = paths
        self.cors_origins = cors_origins
        self.rate_limit = rate_limit
        self._table: PathTable | None = None

    def allowed(self, scope: Scope, path: str) -> list[str]:
        if self._table is None:
            self._table = PathTable.of(self.paths())
        return self._table.allowed(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        cors = self._cors_headers(scope, path)
        if scope["method"] == "OPTIONS":
            await self._options(scope, send, path, cors)
            return
        allow = self.allowed(scope, path)
        if allow and scope["method"] not in allow:
            body = _problem(
                scope, 405, "Method not allowed", f"{scope['method']} is not allowed here."
            )
            headers = [(b"content-type", b"application/problem+json")]
            await _send(send, 405, [*headers, (b"allow", ", ".join(allow).encode()), *cors], body)
            return
        limits: list[tuple[bytes, bytes]] = []
        if self.rate_limit is not None:
            limited = await self._rate_limited(scope, send, limits, cors)
            if limited:
                return
        extra = cors + limits
        if scope["method"] in ("PUT", "PATCH", "DELETE") and _header(scope, b"if-match") == "*":
            scope = await self._resolve_any(scope)
        if scope["method"] in ("GET", "HEAD"):
            await self._get(scope, receive, send, path, extra)
            return

        async def send_extra(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._fix_allow(scope, message, path) + extra
            await send(message)

        await self.app(scope, receive, send_extra)

    async def _resolve_any(self, scope: Scope) -> Scope:
        """`If-Match: *` holds when the resource has a current representation (RFC 9110,
        13.1.1): the current ETag, read by a GET of the same path with the same credentials,
        stands in for it. Without one (gone, or no GET) the `*` goes on and cannot match."""
        dropped = {b"if-match", b"if-none-match", b"content-type", b"content-length"}
        probe = dict(
            scope,
            method="GET",
            query_string=b"",
            headers=[(k, v) for k, v in scope["headers"] if k not in dropped],
        )
        tag: bytes | None = None

        async def nothing() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def read_tag(message: Message) -> None:
            nonlocal tag
            if message["type"] == "http.response.start" and message["status"] == 200:
                tag = dict(message.get("headers", [])).get(b"etag")

        await self.app(probe, nothing, read_tag)
        if tag is None:
            return scope
        headers = [(k, v) for k, v in scope["headers"] if k != b"if-match"]
        return dict(scope, headers=[*headers, (b"if-match", tag)])

    # ---- CORS and OPTIONS -------------------------------------------------------------

    def _cors_headers(self, scope: Scope, path: str) -> list[tuple[bytes, bytes]]:
        origin = _header(scope, b"origin")
        if origin is None:
            return []
        if path.startswith(PUBLIC_PREFIXES):
            allow = b"*"
        elif origin in self.cors_origins:
            allow = origin.encode("latin-1")
        else:
            return [(b"vary", b"Origin")]
        return [
            (b"access-control-allow-origin", allow),
            (b"access-control-expose-headers", EXPOSED),
            (b"vary", b"Origin"),
        ]

    async def _options(
        self, scope: Scope, send: Send, path: str, cors: list[tuple[bytes, bytes]]
    ) -> None:
        allow = self.allowed(scope, path)
        if not allow:
            await _send(
                send,
                404,
                [(b"content-type", b"application/problem+json")],
                _problem(scope, 404, "Not found", f"Nothing at {scope['path']}."),
            )
            return
        headers = [(b"allow", ", ".join(allow).encode())]
        preflight = _header(scope, b"access-control-request-method") is not None
        if preflight and any(k == b"access-control-allow-origin" for k, _ in cors):
            headers += [
                (b"access-control-allow-methods", ", ".join(allow).encode()),
                (b"access-control-allow-headers", PREFLIGHT_HEADERS),
                (b"access-control-max-age", b"600"),
            ]
        await _send(send, 204, headers + cors, b"")

    def _fix_allow(self, scope: Scope, message: Message, path: str) -> list[tuple[bytes, bytes]]:
        headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
        if message["status"] != 405:
            return headers
        allow = ", ".join(self.allowed(scope, path)).encode()
        return [(k, v) for k, v in headers if k.lower() != b"allow"] + [(b"allow", allow)]

    # ---- rate limits ------------------------------------------------------------------

    async def _rate_limited(
        self, scope: Scope, send: Send, limits: list[tuple[bytes, bytes]], cors: Any
    ) -> bool:
        assert self.rate_limit is not None
        authorization = _header(scope, b"authorization")
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        key = hashlib.sha256(authorization.encode("latin-1")).digest()
        remaining, reset = self.rate_limit.take(key)
        limits += [
            (b"ratelimit-limit", str(self.rate_limit.limit).encode()),
            (b"ratelimit-remaining", str(max(remaining, 0)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if remaining >= 0:
            return False
        body = _problem(
            scope,
            429,
            "Too many requests",
            f"This token may make {self.rate_limit.limit} requests in "
            f"{self.rate_limit.window} seconds. Try again in {reset} seconds.",
        )
        headers = [(b"content-type", b"application/problem+json"), (b"retry-after", b"%d" % reset)]
        await _send(send, 429, headers + limits + cors, body)
        return True

    # ---- GET and HEAD -----------------------------------------------------------------

    async def _get(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        head = scope["method"] == "HEAD"
        inner = dict(scope, method="GET") if head else scope
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._answer(scope, send, path, start, b"".join(chunks), extra, head)
            else:  # pragma: no cover - other message types pass through
                await send(message)

        await self.app(inner, receive, collect)

    async def _answer(
        self,
        scope: Scope,
        send: Send,
        path: str,
        start: Message | None,
        body: bytes,
        extra: list[tuple[bytes, bytes]],
        head: bool,
    ) -> None:
        assert start is not None
        status: int = start["status"]
        headers = self._fix_allow(scope, start, path)
        names = {k.lower() for k, _ in headers}
        if status == 200:
            if b"etag" not in names:
                headers.append((b"etag", strong_etag(body)))
            link = next_link(scope, body)
            if link is not None:
                headers.append((b"link", link))
            if self._current(scope, headers):
                kept = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
                await _send(send, 304, kept + extra, b"")
                return
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await _send(send, status, headers + extra, b"" if head else body)

    @staticmethod
    def _current(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bool:
        values = {k.lower(): v.decode("latin-1") for k, v in headers}
        if_none_match = _header(scope, b"if-none-match")
        if if_none_match is not None:
            return tag_matches(if_none_match, values[b"etag"])
        since = _header(scope, b"if-modified-since")
        modified = values.get(b"last-modified")
        return since is not None and modified is not None and not_modified_since(since, modified)


IMPORT_SUFFIX = "/observations/import"
IMPORT_TYPES = ("text/csv", "text/plain", "text/tab-separated-values")


def acceptable_body(content_type: str | None, length: str | None, path: str) -> bool:
    """A body is JSON (the observation import also takes text); an empty one is no body."""
    if content_type is None or length == "0":
        return True
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return True
    return path.endswith(IMPORT_SUFFIX) and media in IMPORT_TYPES


def _problem(scope: Scope, status: int, title: str, detail: str) -> bytes:
    slug = STATUS_SLUGS.get(status) or "-".join(title.lower().split())
    return json.dumps(
        {
            "type": f"/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope["path"],
        }
    ).encode()


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if status not in (204, 304) and not any(k == b"content-length" for k, _ in headers):
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
