"""The audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.deps import READ, PageOut, PrincipalDep, SessionDep, page_out
from app.models.audit import AuditEventRead, AuditFiltersRead
from app.services import audit

router = APIRouter(tags=["audit"])


@router.get("/audit-events", response_model=PageOut[AuditEventRead], responses=READ)
def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    since: Annotated[datetime | None, Query(description="With time zone")] = None,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    actor: Annotated[
        str | None, Query(max_length=200, description="Who made the change, as shown in `actor`")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Newest first: who changed what and when, with the values before and after."""
    return page_out(
        audit.list_events(
            session,
            principal,
            municipality_number=municipality,
            since=since,
            entity_type=entity_type,
            actor=actor,
            limit=limit,
            offset=offset,
        )
    )


@router.get("/audit-events/filters", response_model=AuditFiltersRead, responses=READ)
def history_filters(
    session: SessionDep,
    principal: PrincipalDep,
    municipality: Annotated[str, Query(pattern=r"^\d{4}$")],
) -> AuditFiltersRead:
    """The entity types and actors in a municipality's history: the choices for filtering
    `/audit-events` by `entity_type` and `actor`."""
    return audit.history_filters(session, principal, municipality)
