"""Comments (threads with replies, resolved and reopened) and guidance conversations
(`/reviews`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from app.deps import (
    CREATE,
    MAX_ID,
    READ,
    WRITE,
    Id,
    IfMatchDep,
    PageOut,
    PrincipalDep,
    SessionDep,
    page_out,
    set_etag,
)
from app.models.feedback import (
    CommentCreate,
    CommentRead,
    CommentTarget,
    CommentThreadRead,
    CommentUpdate,
    ReviewCreate,
    ReviewRead,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import feedback, review, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["comments and reviews"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get(
    "/municipalities/{number}/comments",
    response_model=PageOut[CommentRead],
    responses=READ,
)
def list_comments(
    number: str,
    session: SessionDep,
    principal: PrincipalDep,
    open_only: Annotated[
        bool, Query(alias="open", description="Only comments of unresolved threads")
    ] = False,
    target: Annotated[CommentTarget | None, Query(description="The threads' target")] = None,
    phase: Annotated[str | None, Query(max_length=40)] = None,
    improvement_area_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Thread by thread (oldest first), each thread in the order written; `thread_id`
    names the thread's first comment."""
    return page_out(
        feedback.list_comments(
            session,
            principal,
            number,
            open_only=open_only,
            target=target,
            phase=phase,
            improvement_area_id=improvement_area_id,
            limit=limit,
            offset=offset,
        )
    )


@router.post(
    "/municipalities/{number}/comments",
    response_model=CommentRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.comment_on_municipality)
def create_comment(
    number: str,
    data: CommentCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> CommentRead:
    """A comment on the pathway, a phase section (`phase`) or an improvement area
    (`improvement_area_id`); with `parent_id`, a reply in that comment's thread. For the
    region's advisers and the municipality's editors."""
    created = feedback.create_comment(session, principal, number, data)
    response.headers["Location"] = str(request.url_for("get_comment", comment_id=created.id).path)
    set_etag(response, created.version)
    return created


@router.get("/comments/{comment_id}", response_model=CommentRead, responses=READ)
def get_comment(
    comment_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> CommentRead:
    result = feedback.get_comment(session, principal, comment_id)
    set_etag(response, result.version)
    return result


@router.patch("/comments/{comment_id}", response_model=CommentRead, responses=WRITE)
@access(write_access.change_comment)
def update_comment(
    comment_id: Id,
    data: CommentUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> CommentRead:
    """`{"resolved": true}` resolves a thread (on its first comment), `false` reopens it;
    `text` changes the text (the author only). Needs If-Match."""
    result = feedback.update_comment(session, principal, comment_id, data, expected)
    set_etag(response, result.version)
    return result


@router.get("/comment-threads", response_model=PageOut[CommentThreadRead], responses=READ)
def list_threads(
    session: SessionDep,
    principal: PrincipalDep,
    region: Annotated[str | None, Query(max_length=60, description="Region slug")] = None,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    status: Annotated[Literal["open", "resolved", "all"], Query()] = "open",
    awaiting: Annotated[
        Literal["adviser", "municipality"] | None,
        Query(description="`adviser`: threads whose last word came from the municipality"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Threads on every municipality the caller may read, most recently active first: a
    coordinator's open threads, or (`awaiting=adviser`) the threads an adviser has yet to
    answer."""
    return page_out(
        feedback.list_threads(
            session,
            principal,
            region=region,
            municipality=municipality,
            status=status,
            awaiting_side=awaiting,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/municipalities/{number}/reviews", response_model=PageOut[ReviewRead], responses=READ)
def list_reviews(
    number: str,
    session: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The guidance conversations with the municipality, newest first."""
    return page_out(review.list_reviews(session, principal, number, limit=limit, offset=offset))


@router.post(
    "/municipalities/{number}/reviews",
    response_model=ReviewRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.review_municipality)
def create_review(
    number: str,
    data: ReviewCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> ReviewRead:
    """Record a guidance conversation (veiledningssamtale) held today: its topics, the
    follow-up agreed and a note. The region's advisers and administrators; time for a new
    conversation comes 12 months later (REVIEW_INTERVAL_MONTHS). The resource keeps the name
    `reviews` for existing integrations."""
    created = review.create_review(session, principal, number, data)
    response.headers["Location"] = str(request.url_for("get_review", review_id=created.id).path)
    return created


@router.get("/reviews/{review_id}", response_model=ReviewRead, responses=READ)
def get_review(review_id: Id, session: SessionDep, principal: PrincipalDep) -> ReviewRead:
    return review.get_review(session, principal, review_id)
