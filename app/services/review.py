"""Guidance conversations (veiledningssamtaler): the region's advisers meet a municipality
about its pathway and write down when, what it was about and the follow-up agreed, kept as a
history. They are help, not inspection: nothing here grades a municipality. The table and the
`/reviews` resource keep their old name so that integrators keep working."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.feedback import (
    Review,
    ReviewCreate,
    ReviewRead,
)
from app.models.municipality import Municipality
from app.services import audit
from app.services.access import (
    Principal,
    require_read,
    require_visible,
)
from app.services.common import (
    Page,
    clamp_paging,
    commit,
    count,
    get_municipality,
    lock_municipality,
)
from app.services.feedback import (
    require_review,
)

# ---- reviews -----------------------------------------------------------------------------


def review_read(review: Review, number: str) -> ReviewRead:
    return ReviewRead(
        id=review.id or 0,
        municipality=number,
        reviewed_at=review.reviewed_at,
        reviewer=review.reviewer,
        note=review.note,
        topics=review.topics,
        follow_up=review.follow_up,
    )


def list_reviews(
    session: Session,
    principal: Principal,
    number: str,
    *,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[ReviewRead]:
    """The guidance conversations with a municipality, newest first."""
    limit, offset = clamp_paging(limit, offset)
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    statement = select(Review).where(col(Review.municipality_id) == municipality.id)
    rows = session.exec(
        statement.order_by(col(Review.reviewed_at).desc(), col(Review.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return Page(
        items=[review_read(r, number) for r in rows],
        total=count(session, statement),
        limit=limit,
        offset=offset,
    )


def get_review(session: Session, principal: Principal, review_id: int) -> ReviewRead:
    row = session.exec(
        select(Review, Municipality)
        .join(Municipality, col(Municipality.id) == col(Review.municipality_id))
        .where(col(Review.id) == review_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "review")
    assert row is not None
    return review_read(row[0], row[1].number)


def create_review(
    session: Session, principal: Principal, number: str, data: ReviewCreate
) -> ReviewRead:
    """Record a guidance conversation held today: the region's advisers and administrators.
    Time for a new conversation comes `review_interval_months` later (see
    services.overview_builder)."""
    municipality = get_municipality(session, number)
    require_review(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    now: datetime = utcnow()
    review = Review(
        municipality_id=municipality.id or 0,
        reviewed_at=now,
        reviewer=principal.label,
        reviewer_user_id=principal.user_id,
        note=clean_text(data.note),
        topics=clean_text(data.topics),
        follow_up=clean_text(data.follow_up),
    )
    session.add(review)
    session.flush()
    result = review_read(review, number)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="review",
        entity_id=review.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result
