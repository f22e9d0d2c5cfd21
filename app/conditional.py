"""Conditional GETs answered before routing.

A client that already holds the current representation sends If-None-Match (or
If-Modified-Since) and gets 304. The route decides that from the caller and the version kept
in `app.cache` under the stamps (one small query per request), so the answer itself costs
little; what it cost was the framework around it: route matching, the dependency tree and a
thread hop per synchronous dependency.

`ConditionalMiddleware` runs a route's own *check* — the very function the route calls first.
It first reads the stamps on the event loop (`app.cache.StampReader`, PostgreSQL); when the
route's *kept* says the check needs nothing but kept values (the caller's token and the
version), the check runs right there, with no thread and no pooled connection. Otherwise
(SQLite, a value to load, a browser session to read) it runs in one thread hop with a
database session. When the check says "not modified" its 304 is sent as it is; in every
other case (a changed representation, an error, no access) nothing is sent and the request
goes on to the route, which answers it in full, errors included. So a 304 from here is
exactly the route's 304, and anything else is the route's own answer.

Every other GET under the `reading_prefixes` (the pages and the API, which all look up
`app.cache`) has its stamps read here on the loop as well, so its route does not read them
in its thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from prometheus_client import Counter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from app.cache import StampReader
from app.db import Database
from app.errors import DomainError
from app.routing import route_path
from app.services.common import Stamps

log = structlog.get_logger("demensforlop.conditional")

#: The route's check: the response to send when the client's copy is current, else None.
Check = Callable[..., Response | None]
#: Whether the check, for this request, would read nothing but kept values.
Kept = Callable[..., bool]

ANSWERED = Counter(
    "demensforlop_conditional_answered_total",
    "Conditional GETs answered 304 before routing",
    ["route"],
)


@dataclass(frozen=True)
class ConditionalRoute:
    """A GET route whose conditional requests may be answered early. `path` is the route's
    full path template, as in the app (it names the route in logs and metrics too)."""

    path: str
    check: Check
    kept: Kept
    headers: tuple[bytes, ...] = (b"if-none-match",)
    regex: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex, _, _ = compile_path(self.path)
        object.__setattr__(self, "regex", regex)


class _RouteName:
    """What the access log and metrics read from `scope["route"]`."""

    def __init__(self, path: str) -> None:
        self.path = path


class ConditionalMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: list[ConditionalRoute],
        database: Database,
        reading_prefixes: tuple[str, ...] = (),
    ):
        self.app = app
        self.routes = routes
        self.database = database
        #: Where every GET looks something up in `app.cache` (pages, the API): the stamps are
        #: read here, on the event loop, instead of in the route's thread.
        self.reading_prefixes = reading_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            route = self._candidate(scope)
            if route is not None:
                response = await self._early(route, scope)
                if response is not None:
                    scope["route"] = _RouteName(route.path)
                    ANSWERED.labels(route.path).inc()
                    await response(scope, receive, send)
                    return
            elif route_path(scope).startswith(self.reading_prefixes):
                await self._read_stamps(Request(scope))
        await self.app(scope, receive, send)

    async def _read_stamps(self, request: Request) -> Stamps | None:
        """The stamps read on the event loop, for the request's look-ups (`app.cache`)."""
        reader: StampReader | None = getattr(request.app.state, "stamp_reader", None)
        found = await reader.read() if reader is not None else None
        if found is not None:
            request.state.stamps = found
        return found

    def _candidate(self, scope: Scope) -> ConditionalRoute | None:
        names = {name for name, _ in scope["headers"]}
        for route in self.routes:
            if names.isdisjoint(route.headers):
                continue
            if route.regex.match(route_path(scope)):
                return route
        return None

    async def _early(self, route: ConditionalRoute, scope: Scope) -> Response | None:
        match = route.regex.match(route_path(scope))
        if match is None:
            return None
        request = Request(scope)
        found = await self._read_stamps(request)
        if found is not None and route.kept(request, **match.groupdict()):
            return self._check(route, request, match.groupdict())
        return await run_in_threadpool(self._check, route, request, match.groupdict())

    def _check(
        self, route: ConditionalRoute, request: Request, params: dict[str, str]
    ) -> Response | None:
        try:
            # When the caller and the version are kept (`app.cache`), the session never
            # reaches the database: the stamps are read on a connection of their own.
            with self.database.autocommit_session() as session:
                return route.check(request, session, **params)
        except DomainError:
            return None  # the route answers it, with its own error response
        except Exception:  # e.g. the database is away: the route answers that too
            log.warning("early conditional check failed", route=route.path, exc_info=True)
            return None
