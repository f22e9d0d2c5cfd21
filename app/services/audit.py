"""The audit trail. Every write records an event in the same transaction as the write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.context import current_request_id
from app.errors import FieldError, Invalid
from app.kit.collation import norwegian_key
from app.kit.small_numbers import suppress_payload
from app.models.audit import AuditEvent, AuditEventRead, AuditFiltersRead
from app.models.base import utcnow
from app.models.measurement import Indicator
from app.models.municipality import Municipality
from app.services import changes
from app.services.access import (
    Principal,
    require_authenticated,
    require_read,
    visible_municipality_ids,
)
from app.services.common import Page, clamp_paging, count, get_municipality


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: object,
    municipality: Municipality | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    occurred_at: datetime | None = None,
) -> None:
    """Record the event in the session's transaction."""
    values: dict[str, Any] = {
        "actor_type": principal.kind.value,
        "actor_id": principal.id,
        "actor": principal.label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "municipality_id": municipality.id if municipality else None,
        "request_id": current_request_id(),
        "before": before,
        "after": after,
        "occurred_at": occurred_at or utcnow(),
    }
    session.add(AuditEvent(**values))
    changes.stage(
        session,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        municipality=municipality,
        before=before,
        after=after,
        occurred_at=values["occurred_at"],
    )


def list_events(
    session: Session,
    principal: Principal,
    *,
    municipality_number: str | None = None,
    since: datetime | None = None,
    entity_type: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[AuditEventRead]:
    """Events of municipalities the caller may read; events without a municipality (users,
    catalogues) only for administrators. Newest first."""
    require_authenticated(principal)
    limit, offset = clamp_paging(limit, offset)
    if since is not None and since.tzinfo is None:
        raise Invalid(FieldError("since", "must include a time zone, e.g. 2024-01-31T00:00:00Z"))
    statement = select(AuditEvent, Municipality).outerjoin(
        Municipality, col(Municipality.id) == col(AuditEvent.municipality_id)
    )
    if municipality_number is not None:
        municipality = get_municipality(session, municipality_number)
        require_read(principal, municipality)
        statement = statement.where(col(AuditEvent.municipality_id) == municipality.id)
    elif not principal.is_admin:
        visible = visible_municipality_ids(session, principal)
        statement = statement.where(col(AuditEvent.municipality_id).in_(visible))
    if since is not None:
        statement = statement.where(col(AuditEvent.occurred_at) >= since)
    if entity_type:
        statement = statement.where(col(AuditEvent.entity_type) == entity_type)
    if actor:
        statement = statement.where(col(AuditEvent.actor) == actor)
    total = count(session, statement)
    rows = session.exec(
        statement.order_by(col(AuditEvent.id).desc()).limit(limit).offset(offset)
    ).all()
    return Page(
        items=_as_seen_by(session, principal, rows), total=total, limit=limit, offset=offset
    )


#: Events whose entity id names the indicator first ("12" or "12/2024-01-01").
_OBSERVATION_EVENTS = frozenset({"observations", "observation"})


def _indicator_id(event: AuditEvent) -> int | None:
    if event.entity_type not in _OBSERVATION_EVENTS:
        return None
    head = event.entity_id.split("/", 1)[0]
    return int(head) if head.isdigit() else None


def _as_seen_by(
    session: Session,
    principal: Principal,
    rows: Sequence[tuple[AuditEvent, Municipality | None]],
) -> list[AuditEventRead]:
    """The events as the caller may see them: observations recorded with their raw numbers
    have their small numbers hidden from whoever may not see them (kit.small_numbers),
    as everywhere else. One query more, only when there is something to hide."""
    threshold = get_settings().small_number_threshold
    hiding = {
        event.id
        for event, municipality in rows
        if municipality is not None and not principal.sees_small_numbers(municipality)
    }
    indicator_ids = {
        i for event, _ in rows if event.id in hiding and (i := _indicator_id(event)) is not None
    }
    kinds: dict[int, str] = {}
    if indicator_ids:
        kinds = {
            id_: kind
            for id_, kind in session.exec(
                select(Indicator.id, Indicator.kind).where(col(Indicator.id).in_(indicator_ids))
            ).all()
            if id_ is not None
        }
    items = []
    for event, municipality in rows:
        before, after = event.before, event.after
        if event.id in hiding:
            kind = kinds.get(_indicator_id(event) or 0)
            before = suppress_payload(before, kind, threshold)
            after = suppress_payload(after, kind, threshold)
        items.append(
            AuditEventRead(
                id=event.id or 0,
                occurred_at=event.occurred_at,
                actor_type=event.actor_type,
                actor=event.actor,
                action=event.action,
                entity_type=event.entity_type,
                entity_id=event.entity_id,
                municipality=municipality.number if municipality else None,
                before=before,
                after=after,
            )
        )
    return items


def history_filters(session: Session, principal: Principal, number: str) -> AuditFiltersRead:
    """The entity types and the people (or API clients) found in a municipality's history,
    for its filters, in two queries; the same readers as the history itself."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    of_municipality = col(AuditEvent.municipality_id) == municipality.id
    entity_types = session.exec(
        select(AuditEvent.entity_type).where(of_municipality).distinct()
    ).all()
    actors = session.exec(select(AuditEvent.actor).where(of_municipality).distinct()).all()
    return AuditFiltersRead(
        entity_types=sorted(entity_types),
        actors=sorted(actors, key=lambda a: (norwegian_key(a), a)),
    )
