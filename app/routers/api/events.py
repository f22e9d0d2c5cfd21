"""The change feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import MAX_ID, READ, PrincipalDep, SessionDep
from app.models.changes import ChangeFeedRead
from app.services import changes

router = APIRouter(tags=["events"])


@router.get("/events", response_model=ChangeFeedRead, responses=READ)
def list_change_events(
    session: SessionDep,
    principal: PrincipalDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The `next_cursor` (or an event id) seen last")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=changes.MAX_LIMIT)] = changes.DEFAULT_LIMIT,
) -> ChangeFeedRead:
    """Every change of what the caller may read, oldest first, after the cursor: created,
    updated, deleted (tombstones, also for what a deletion takes along) and published.
    Events are kept at least 180 days. Ids grow in commit order, so following
    `next_cursor` never misses an event."""
    return changes.list_events(session, principal, after=after, limit=limit)
