"""What every JSON endpoint shares: the session, the principal, ETags, paging, documented
error responses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any, Generic, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Path, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.changes import from_memos
from app.db import Database
from app.errors import PreconditionRequired, Unauthenticated
from app.services.access import ANONYMOUS, Principal
from app.services.common import Page
from app.services.identity import principal_for_token

T = TypeVar("T")

#: Ids are 32-bit on every backend; larger numbers can name nothing.
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Resource id")]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Making one does no I/O, so it is made on the event loop; it is
    closed in a worker thread only if it began a transaction (closing one is a round trip to
    the database), so a request answered from memos pays no thread hop for its session."""
    database: Database = request.app.state.db
    session = database.session(write=request.method not in SAFE_METHODS)
    try:
        yield session
    finally:
        if session.in_transaction():
            await to_thread.run_sync(session.close, limiter=_closing())
        else:
            session.close()


#: Closing a session ends its transaction and so releases its row locks: it must never wait
#: for a request thread (`Settings.request_threads`), since those may be waiting for these
#: very locks.
_CLOSING: RunVar[CapacityLimiter] = RunVar("demensforlop_closing")


def _closing() -> CapacityLimiter:
    try:
        return _CLOSING.get()
    except LookupError:
        limiter = CapacityLimiter(40)
        _CLOSING.set(limiter)
        return limiter


SessionDep = Annotated[Session, Depends(get_session)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
    return token.strip()


def principal_of(request: Request, session: Session) -> Principal:
    """Bearer token first; otherwise the browser session (set by the web app), else
    anonymous. A token that is present but not valid is an error, never anonymous."""
    token = bearer_token(request)
    if token is not None:
        principal = principal_for_token(session, token)
        if principal is None:
            raise Unauthenticated("The token is unknown, expired or revoked.")
        return principal
    from_cookie = getattr(request.state, "principal", None)
    if isinstance(from_cookie, Principal):
        return from_cookie
    resolver = getattr(request.app.state, "session_principal", None)
    if resolver is not None:
        resolved = resolver(request, session)
        if resolved is not None:
            return resolved  # type: ignore[no-any-return]
    return ANONYMOUS


async def get_principal(request: Request, session: SessionDep) -> Principal:
    # Without a thread hop while the token or session is in the memos.
    return await from_memos(principal_of, request, session)


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
