"""The change feed (`GET /api/v1/events`): every change of content as an event, deletions as
tombstones (with what a deletion takes along), kept at least `RETENTION`.

`audit.record` stages an event for every write; the events are inserted when the
transaction commits (a `before_commit` hook), so they are saved with the change or not at
all. On PostgreSQL the insert takes a transaction-level advisory lock first and holds it to
the commit: ids are then handed out in commit order, and a consumer that has seen id N will
never later find a committed event below N. (SQLite has one writer at a time, so its ids are
in commit order anyway.) The lock is held only for the few inserts at the very end of a
writing transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, or_, text
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.models.base import utcnow
from app.models.changes import ChangeEvent, ChangeEventRead, ChangeFeedRead
from app.models.feedback import Comment
from app.models.improvement import Measure, ProgressNote
from app.models.measurement import Indicator, Observation
from app.models.municipality import Municipality
from app.models.pdsa import PdsaCycle
from app.services.access import Principal, require_authenticated

#: Kept at least this long (`prune`).
RETENTION = timedelta(days=180)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: Accounts and credentials are not content: they stay in the audit trail only.
NOT_IN_FEED = frozenset({"user", "api_token", "webhook"})
#: Any fixed number: the advisory lock that orders the feed's ids (PostgreSQL).
FEED_LOCK_KEY = 7_301_942_113
_PENDING = "change_events_pending"

_PAST = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "publish": "published",
    "restore": "restored",
    "reorder": "reordered",
    "import": "imported",
    "seed": "seeded",
}
#: Entity types named for the integrator (a published version is the pathway published).
_TYPE_NAMES = {"published_version": "pathway", "observations": "observation"}


@dataclass(frozen=True)
class Staged:
    type: str
    entity_type: str
    entity_id: str
    municipality_id: int | None
    region_id: int | None
    municipality: str | None
    version: int | None
    deleted: bool
    occurred_at: datetime


def event_type(entity_type: str, action: str) -> str:
    return f"{_TYPE_NAMES.get(entity_type, entity_type)}.{_PAST.get(action, action)}"


def _version(entity_type: str, before: Any, after: Any) -> int | None:
    source = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
    key = "number" if entity_type == "published_version" else "version"
    value = source.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stage(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: object,
    municipality: Municipality | None,
    before: Any = None,
    after: Any = None,
    occurred_at: datetime | None = None,
) -> None:
    """Add an event to the session's transaction (inserted when it commits)."""
    if entity_type in NOT_IN_FEED:
        return
    deleted = action == "delete"
    _pending(session).append(
        Staged(
            type=event_type(entity_type, action),
            entity_type=entity_type,
            entity_id=str(entity_id),
            municipality_id=municipality.id if municipality else None,
            region_id=municipality.region_id if municipality else None,
            municipality=municipality.number if municipality else None,
            version=_version(entity_type, before, after),
            deleted=deleted,
            occurred_at=occurred_at or utcnow(),
        )
    )


def _pending(session: Session) -> list[Staged]:
    pending: list[Staged] = session.info.setdefault(_PENDING, [])
    return pending


# ---- cascades -----------------------------------------------------------------------------


def _tombstones(
    session: Session,
    municipality: Municipality,
    children: Iterable[tuple[str, object, int | None]],
) -> None:
    for entity_type, entity_id, version in children:
        stage(
            session,
            action="delete",
            entity_type=entity_type,
            entity_id=entity_id,
            municipality=municipality,
            before={"version": version} if version is not None else None,
        )


def _observation_rows(session: Session, indicator_ids: list[int]) -> list[tuple[str, object, None]]:
    if not indicator_ids:
        return []
    rows = session.exec(
        select(
            col(Observation.indicator_id), col(Observation.period), col(Observation.comment)
        ).where(col(Observation.indicator_id).in_(indicator_ids))
    ).all()
    # An observation's annotation goes with it (`services.annotations`).
    return [
        (entity_type, f"{i}/{period.isoformat()}", None)
        for i, period, comment in rows
        for entity_type in (("observation", "annotation") if comment else ("observation",))
    ]


def stage_indicator_cascade(
    session: Session, municipality: Municipality, indicator_id: int
) -> None:
    """Tombstones for what deleting an indicator takes along: its observations (and their
    annotations). Call before
    the delete."""
    _tombstones(session, municipality, _observation_rows(session, [indicator_id]))


def _cycle_rows(session: Session, measure_ids: list[int]) -> list[tuple[str, object, int | None]]:
    if not measure_ids:
        return []
    cycles = session.exec(
        select(PdsaCycle.id, PdsaCycle.version).where(col(PdsaCycle.measure_id).in_(measure_ids))
    ).all()
    return [("pdsa_cycle", i, v) for i, v in cycles]


def stage_measure_cascade(session: Session, municipality: Municipality, measure_id: int) -> None:
    """Tombstones for a measure's progress notes and PDSA cycles. Call before the delete."""
    notes = session.exec(
        select(ProgressNote.id, ProgressNote.version).where(
            col(ProgressNote.measure_id) == measure_id
        )
    ).all()
    children: list[tuple[str, object, int | None]] = [("progress_note", i, v) for i, v in notes]
    _tombstones(session, municipality, children + _cycle_rows(session, [measure_id]))


def stage_area_cascade(session: Session, municipality: Municipality, area_id: int) -> None:
    """Tombstones for everything deleting an improvement area takes along: its measures
    (and their notes and PDSA cycles), its notes, indicators (and their observations) and
    comments."""
    measures = session.exec(
        select(Measure.id, Measure.version).where(col(Measure.improvement_area_id) == area_id)
    ).all()
    measure_ids = [i for i, _ in measures if i is not None]
    notes = session.exec(
        select(ProgressNote.id, ProgressNote.version).where(
            or_(
                col(ProgressNote.improvement_area_id) == area_id,
                col(ProgressNote.measure_id).in_(measure_ids),
            )
        )
    ).all()
    indicators = session.exec(
        select(Indicator.id, Indicator.version).where(col(Indicator.improvement_area_id) == area_id)
    ).all()
    comments = session.exec(
        select(Comment.id, Comment.version).where(col(Comment.improvement_area_id) == area_id)
    ).all()
    comment_ids = [i for i, _ in comments if i is not None]
    replies = session.exec(
        select(Comment.id, Comment.version).where(col(Comment.parent_id).in_(comment_ids))
    ).all()
    children: list[tuple[str, object, int | None]] = [("measure", i, v) for i, v in measures]
    children += [("progress_note", i, v) for i, v in notes]
    children += _cycle_rows(session, measure_ids)
    children += [("indicator", i, v) for i, v in indicators]
    children += _observation_rows(session, [i for i, _ in indicators if i is not None])
    children += [("comment", i, v) for i, v in {*comments, *replies}]
    _tombstones(session, municipality, children)


# ---- writing at commit --------------------------------------------------------------------


def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})
    rows = [ChangeEvent(**vars(item)) for item in pending]
    session.add_all(rows)
    session.flush()
    from app.services import webhooks  # it builds on this module

    webhooks.queue_deliveries(session, rows)
    for hook in AFTER_WRITE:
        hook(session, rows)


#: Called with the events just written, in the same transaction, after the webhook outbox.
AFTER_WRITE: list[Any] = []


def _forget_pending(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "before_commit", _write_pending)
event.listen(Session, "after_rollback", _forget_pending)
event.listen(Session, "after_soft_rollback", _forget_pending)


# ---- reading ------------------------------------------------------------------------------


def visible_to(principal: Principal) -> Any:
    """The events the caller may read, as a condition (None: all, for administrators)."""
    if principal.is_admin:
        return None
    municipality_ids = list(principal.municipality_ids)
    region_ids = list(principal.region_ids)
    if principal.is_coordinator:
        return col(ChangeEvent.municipality_id).in_(municipality_ids)
    if principal.is_adviser:
        return col(ChangeEvent.region_id).in_(region_ids)
    if principal.is_api_client:
        return or_(
            col(ChangeEvent.municipality_id).in_(municipality_ids),
            col(ChangeEvent.region_id).in_(region_ids),
        )
    return col(ChangeEvent.id).in_([])


def read(event_row: ChangeEvent) -> ChangeEventRead:
    return ChangeEventRead(
        id=event_row.id or 0,
        type=event_row.type,
        municipality=event_row.municipality,
        entity_type=event_row.entity_type,
        entity_id=event_row.entity_id,
        version=event_row.version,
        deleted=event_row.deleted,
        occurred_at=event_row.occurred_at,
    )


def list_events(
    session: Session, principal: Principal, *, after: int | None = None, limit: int | None = None
) -> ChangeFeedRead:
    """The caller's events after the cursor, oldest first."""
    require_authenticated(principal)
    after = 0 if after is None else after
    limit = DEFAULT_LIMIT if limit is None else limit
    if after < 0:
        raise Invalid(FieldError("after", "must be 0 or more"))
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(FieldError("limit", f"must be between 1 and {MAX_LIMIT}"))
    statement = select(ChangeEvent).where(col(ChangeEvent.id) > after)
    condition = visible_to(principal)
    if condition is not None:
        statement = statement.where(condition)
    rows = session.exec(statement.order_by(col(ChangeEvent.id)).limit(limit)).all()
    items = [read(r) for r in rows]
    return ChangeFeedRead(items=items, next_cursor=items[-1].id if items else after)


def prune(session: Session, now: datetime | None = None) -> int:
    """Delete events older than `RETENTION`; returns how many."""
    cutoff = (now or utcnow()) - RETENTION
    result = session.execute(delete(ChangeEvent).where(col(ChangeEvent.occurred_at) < cutoff))
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
