"""The request dependencies both faces share: the database session, the principal (a bearer
token, or the browser session with its CSRF check), the language, If-Match and ETags; and
what every JSON endpoint shares besides (paging, documented error responses)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Annotated, Any, Generic, TypeVar

import structlog
from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Path, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app import cache
from app.config import Settings
from app.db import Database
from app.errors import CsrfRejected, NotFound, PreconditionRequired, Unauthenticated
from app.security import constant_time_equals
from app.services import api_clients, auth
from app.services.access import ANONYMOUS, Principal
from app.services.common import Page

log = structlog.get_logger("demensforlop.deps")

T = TypeVar("T")

#: Ids are 32-bit on every backend; larger numbers can name nothing.
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Resource id")]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def nul_in_path_is_not_found(request: Request) -> None:
    """A dependency of every route: no resource is named with a NUL character, and
    PostgreSQL's text cannot hold one (SQLite's can), so such a path is a 404 on both before
    anything looks it up. Query strings and forms are cleaned of NULs before they get here
    (app.middleware.NulCleaningMiddleware); JSON text is cleaned by the services."""
    if "\x00" in request.url.path:
        raise NotFound("No resource has a NUL character in its address.")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Making one does no I/O, so it is made on the event loop; it is
    closed in a worker thread only if it began a transaction (closing one is a round trip to
    the database). The close has a limiter of its own, as FastAPI gives the exit of a
    dependency: ending a transaction releases its locks, so it never waits for a request
    thread that may be waiting for those very locks."""
    database: Database = request.app.state.db
    session = database.session(write=request.method not in SAFE_METHODS)
    try:
        yield session
    finally:
        if session.in_transaction():
            await to_thread.run_sync(session.close, limiter=CapacityLimiter(1))
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


# ---- the browser session -----------------------------------------------------------------

#: The cookies' names as in development; `cookie_name` gives the name a cookie goes by.
SESSION_COOKIE = "dfl_session"
CSRF_HEADER = "x-csrf-token"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_policy(settings: Settings) -> auth.SessionPolicy:
    return auth.SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        demo_allowed=settings.demo,
        account_max_failures=settings.login_account_max_failures,
        account_window=timedelta(minutes=settings.login_account_window_minutes),
        address_max_failures=settings.login_address_max_failures,
        admins_two_step=settings.admin_two_step,
    )


def cookie_name(settings: Settings, name: str) -> str:
    """The one place that names cookies. In production every cookie is Secure, Path=/ and
    without Domain, and so carries the `__Host-` prefix: a browser then accepts it only from
    this very host over HTTPS, and a sibling subdomain cannot plant one. Development and
    tests on http://127.0.0.1 keep the plain names (browsers refuse `__Host-` over http)."""
    return f"__Host-{name}" if settings.is_production else name


def read_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie_name(settings_of(request), name))


def resolve_session(request: Request, session: Session) -> auth.ActiveSession | None:
    """The signed-in person of this request (looked up once per request; the stored session
    is kept under the access stamp, `app.cache.resolve_session`). Reading a page keeps the
    session from going idle; that write has its own short transaction."""
    if hasattr(request.state, "active_session"):
        cached: auth.ActiveSession | None = request.state.active_session
        return cached
    token = read_cookie(request, SESSION_COOKIE)
    active = cache.resolve_session(request, session, token, session_policy(settings_of(request)))
    if active is not None and active.needs_touch and request.method in SAFE_METHODS:
        database: Database = request.app.state.db
        try:
            with database.session(write=True) as own:
                auth.touch_session(own, active.session_id)
        except Exception:  # losing one refresh of last_seen_at is harmless
            log.warning("could not refresh the session", exc_info=True)
    request.state.active_session = active
    return active


def mask_csrf(token: str) -> str:
    """The session's CSRF token under a fresh one-time mask, so a page never shows the same
    secret twice and compressed pages leak nothing about it (BREACH)."""
    raw = token.encode("ascii")
    mask = secrets.token_bytes(len(raw))
    masked = bytes(a ^ b for a, b in zip(mask, raw, strict=True))
    return base64.urlsafe_b64encode(mask + masked).decode("ascii").rstrip("=")


def unmask_csrf(sent: str) -> str:
    """The token behind a masked value, or "" when it is not one."""
    if not sent or len(sent) > 512:
        return ""
    try:
        data = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except ValueError:
        return ""
    if not data or len(data) % 2:
        return ""
    half = len(data) // 2
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True)).decode("latin-1")


def check_csrf(request: Request, active: auth.ActiveSession | None, sent: str | None) -> None:
    """Unsafe requests authenticated by the session cookie must carry the session's CSRF
    token: HTMX and scripts in the X-CSRF-Token header, plain forms in a hidden field."""
    if request.method in SAFE_METHODS or active is None:
        return
    token = unmask_csrf(request.headers.get(CSRF_HEADER) or sent or "")
    if not token or not constant_time_equals(token, active.csrf_token):
        raise CsrfRejected(
            "The request did not carry this session's CSRF token. Reload the page and try again."
        )


# ---- the principal -----------------------------------------------------------------------


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
    return token.strip()


def principal_of(request: Request, session: Session, *, note_use: bool = True) -> Principal:
    """Bearer token first; otherwise the browser session (with the CSRF check of unsafe
    requests), else anonymous. A token that is present but not valid is an error, never
    anonymous. The stored token is kept under the access stamp, which every write to tokens,
    clients and sessions moves on (`app.cache.resolve_token`), and the session is read each
    time, so a token revoked or a session deleted by any means is refused on the next
    request.

    `note_use=False` for a second look at the same request's caller: the request's own
    transaction may already hold the token's row for its note of use."""
    token = bearer_token(request)
    if token is not None:
        resolved = cache.resolve_token(request, session, token)
        if resolved is None:
            raise Unauthenticated("The token is unknown, expired or revoked.")
        if note_use and resolved.needs_use_recorded:
            record_token_use(request, session, resolved.token_id)
        return resolved.principal
    active = resolve_session(request, session)
    if active is None:
        return ANONYMOUS
    check_csrf(request, active, None)
    return active.principal


def caller_is_kept(request: Request) -> bool:
    """Whether `principal_of` can tell the caller from kept values alone, with no read and
    no write: a bearer token or a browser session kept (`app.cache`), or no credentials."""
    if request.headers.get("authorization") is None:
        return session_is_kept(request)
    try:
        token = bearer_token(request)
    except Unauthenticated:
        return True  # refused before anything is read
    return token is None or cache.token_is_kept(request, token)


def session_is_kept(request: Request) -> bool:
    """Whether `resolve_session` can tell the person from kept values alone (or there is no
    session cookie)."""
    token = read_cookie(request, SESSION_COOKIE)
    policy = session_policy(settings_of(request))
    return token is None or cache.session_is_kept(request, token, policy)


def record_token_use(request: Request, session: Session, token_id: int) -> None:
    """When a token was last used, for the list of API clients, at most once a minute per
    token. A reading request writes it in a short transaction of its own, so it stays a
    reading one; a writing request already holds the write lock (SQLite), so it is written
    in the request's own transaction and saved with the request's change."""
    if request.method not in SAFE_METHODS:
        api_clients.record_use(session, token_id, save=False)
        return
    database: Database = request.app.state.db
    try:
        with database.session(write=True) as own:
            api_clients.record_use(own, token_id)
    except Exception:  # losing one note of use is harmless
        log.warning("could not record the token's use", exc_info=True)


def get_principal(request: Request, session: SessionDep) -> Principal:
    return principal_of(request, session)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def language(request: Request) -> str:
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "nb"


LangDep = Annotated[str, Depends(language)]


# ---- ETags -------------------------------------------------------------------------------


def etag(version: int | str) -> str:
    return f'"{version}"'


async def if_match(request: Request) -> int:
    """The version the client holds. Missing header → 428. A tag that is not ours (or `*`)
    cannot match, so the service answers 412 with the current version."""
    return expected_version(request)


def expected_version(request: Request) -> int:
    """`if_match` for a handler that must check something first (e.g. access)."""
    header = request.headers.get("if-match")
    if header is None or not header.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last GET, so that nobody's change is "
            "overwritten by accident."
        )
    value = header.strip()
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    return -1


IfMatchDep = Annotated[int, Depends(if_match)]


def not_modified(request: Request, tag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = [t.strip() for t in header.split(",")]
    return "*" in candidates or tag in candidates or f"W/{tag}" in candidates


def respond_304(tag: str, extra: dict[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={"ETag": tag, **(extra or {})})


def set_etag(response: Response, version: int | str) -> None:
    response.headers["ETag"] = etag(version)


# ---- shapes ------------------------------------------------------------------------------


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_out(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": list(page.items),
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


class ProblemFieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None
    current_version: int | None = None
    current: Any | None = None
    #: On 404 for a municipality that has not published: its name and own website.
    name: str | None = None
    website: str | None = None


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid credentials",
    403: "Authenticated but not allowed",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with data saved at the same time",
    412: "If-Match does not hold the current version; the body carries the current version",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input; `errors` names each field",
    428: "If-Match is required",
    429: "Too many attempts",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _DESCRIPTIONS[code]} for code in codes}


READ = problems(400, 401, 403, 404, 422)
PUBLIC_READ = problems(400, 404, 422)
CREATE = problems(400, 401, 403, 404, 409, 413, 415, 422)
WRITE = problems(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the If-None-Match tag is current"}
}


def responses(*groups: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    merged: dict[int | str, dict[str, Any]] = {}
    for group in groups:
        merged.update(group)
    return merged


def unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))
