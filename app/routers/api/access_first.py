"""Access first: a caller who may not write somewhere is refused (401, 403 or 404) before
anything about the request itself is judged. FastAPI reads If-Match (428), the content type
(415) and the body (422) before the handler runs, and the handler's service checks access
only then; answered in that order, a stranger would learn that an object exists, or what it
expects, before being told no.

Every unsafe route names its rule with `@access(rule)`, one of `services.write_access`
(`AccessFirstRoute`, the API routers' route class, refuses to build an unsafe route without
one). When reading the request fails, the route asks the rule — from the path alone — whether
the caller may write there at all, and answers with the refusal if there is one; otherwise
with the original error, so a writer who forgot If-Match still gets 428. Requests that read
fine pay nothing: their service checks access as always."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, get_type_hints

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from app.api_http import IMPORT_SUFFIX, acceptable_body
from app.db import Database
from app.deps import MAX_ID, SAFE_METHODS, principal_of
from app.errors import PreconditionRequired, UnsupportedMediaType

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
#: A rule of `services.write_access`: (session, principal, *address) → None, or it raises.
Rule = Callable[..., None]

_RULE = "__write_access_rule__"


def access(rule: Rule) -> Callable[[Endpoint], Endpoint]:
    """Names who may call an unsafe route: `rule` is asked when the request cannot be read."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _RULE, rule)
        return endpoint

    return mark


def _about_the_request(error: Exception) -> bool:
    """Errors raised while the request is read, before the handler's service runs."""
    if isinstance(error, RequestValidationError | PreconditionRequired | UnsupportedMediaType):
        return True
    return isinstance(error, HTTPException) and error.status_code in (400, 415, 422)


def _address(rule: Rule) -> list[tuple[str, type]]:
    """The path parameters the rule reads, after the session and the principal."""
    hints = get_type_hints(rule)
    names = list(inspect.signature(rule).parameters)[2:]
    return [(name, hints[name]) for name in names]


def _convert(raw: str, kind: type) -> object | None:
    if kind is int:
        return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None
    return raw


def _check(request: Request, rule: Rule, address: list[tuple[str, type]]) -> None:
    """Raise the refusal the rule gives the caller at this address, if any."""
    values = [_convert(str(request.path_params.get(name, "")), kind) for name, kind in address]
    if any(value is None for value in values):
        return  # the address itself is wrong: that is what the caller is told
    database: Database = request.app.state.db
    with database.session() as session:
        rule(session, principal_of(request, session, note_use=False), *values)


def _unsupported_media_type(request: Request, error: Exception) -> None:
    """A body that could not be read because it is not JSON is 415, not 422."""
    headers = request.headers
    path = request.url.path
    if isinstance(error, RequestValidationError) and not acceptable_body(
        headers.get("content-type"), headers.get("content-length"), path
    ):
        detail = "Send the body as application/json" + (
            " (or text/csv)." if path.endswith(IMPORT_SUFFIX) else "."
        )
        raise UnsupportedMediaType(detail) from error


class AccessFirstRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        unsafe = sorted((self.methods or set()) - SAFE_METHODS)
        if unsafe and not hasattr(endpoint, _RULE):
            raise TypeError(f"{unsafe} {path}: name who may call it with @access(...)")

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        rule: Rule | None = getattr(self.endpoint, _RULE, None)
        if rule is None:
            return handler
        address = _address(rule)

        async def access_first(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:
                if _about_the_request(error):
                    await run_in_threadpool(_check, request, rule, address)
                    _unsupported_media_type(request, error)
                raise

        return access_first
