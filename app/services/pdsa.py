"""PDSA cycles on a measure: planned, done, studied and acted on in small steps, written by
whoever edits the municipality, in the shape of every other write (lock the municipality,
compare versions, an identical write changes nothing, audited in the same transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.improvement import ImprovementArea, Measure
from app.models.municipality import Municipality
from app.models.pdsa import MAX_CYCLES, PdsaCycle, PdsaCycleCreate, PdsaCycleRead, PdsaCycleUpdate
from app.services import audit
from app.services.access import Principal, require_edit, require_visible
from app.services.common import (
    Page,
    check_version,
    commit,
    count,
    lock_municipality,
    touch,
)
from app.services.improvement import find_measure, locked_measure

TEXT_FIELDS = ("title", "prediction", "done", "studied", "act_notes")


def cycle_read(cycle: PdsaCycle) -> PdsaCycleRead:
    return PdsaCycleRead.model_validate(cycle, from_attributes=True)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        k: clean_text(v) if k in TEXT_FIELDS and v is not None else v for k, v in values.items()
    }
    if "title" in cleaned and not cleaned["title"]:
        raise Invalid(FieldError("title", "cannot be empty"))
    return cleaned


def cycle_values(data: PdsaCycleCreate) -> dict[str, Any]:
    """A cycle's stored values as the API saves them (text cleaned, dates in order)."""
    values = _clean(data.model_dump(include=set(PdsaCycleCreate.model_fields)))
    _check_dates(values["starts_on"], values["ends_on"])
    return values


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise Invalid(FieldError("ends_on", "cannot be before starts_on"))


def list_cycles(session: Session, principal: Principal, measure_id: int) -> Page[PdsaCycleRead]:
    """In the order they were started (undated last)."""
    find_measure(session, principal, measure_id)
    cycles = session.exec(
        select(PdsaCycle)
        .where(col(PdsaCycle.measure_id) == measure_id)
        .order_by(col(PdsaCycle.starts_on).is_(None), col(PdsaCycle.starts_on), col(PdsaCycle.id))
    ).all()
    items = [cycle_read(c) for c in cycles]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def create_cycle(
    session: Session, principal: Principal, measure_id: int, data: PdsaCycleCreate
) -> PdsaCycleRead:
    _, municipality, _ = locked_measure(session, principal, measure_id, None)
    values = _clean(data.model_dump())
    _check_dates(values["starts_on"], values["ends_on"])
    if count(session, select(PdsaCycle.id).where(col(PdsaCycle.measure_id) == measure_id)) >= (
        MAX_CYCLES
    ):
        raise Invalid(FieldError("title", f"at most {MAX_CYCLES} PDSA cycles per measure"))
    now = utcnow()
    cycle = PdsaCycle(
        measure_id=measure_id, author=principal.label, created_at=now, updated_at=now, **values
    )
    session.add(cycle)
    touch(municipality, now)
    session.flush()
    result = cycle_read(cycle)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="pdsa_cycle",
        entity_id=cycle.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def _cycle(session: Session, principal: Principal, cycle_id: int) -> tuple[PdsaCycle, Municipality]:
    row = session.exec(
        select(PdsaCycle, Municipality)
        .join(Measure, col(Measure.id) == col(PdsaCycle.measure_id))
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(PdsaCycle.id) == cycle_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "PDSA cycle")
    assert row is not None
    return row[0], row[1]


def get_cycle(session: Session, principal: Principal, cycle_id: int) -> PdsaCycleRead:
    return cycle_read(_cycle(session, principal, cycle_id)[0])


def cycle_municipality(session: Session, principal: Principal, cycle_id: int) -> Municipality:
    return _cycle(session, principal, cycle_id)[1]


def _locked(
    session: Session, principal: Principal, cycle_id: int, expected_version: int
) -> tuple[PdsaCycle, Municipality, PdsaCycleRead]:
    cycle, municipality = _cycle(session, principal, cycle_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(cycle)
    before = cycle_read(cycle)
    check_version(cycle.version, expected_version, before.model_dump(mode="json"))
    return cycle, municipality, before


def update_cycle(
    session: Session,
    principal: Principal,
    cycle_id: int,
    data: PdsaCycleUpdate,
    expected_version: int,
) -> PdsaCycleRead:
    cycle, municipality, before = _locked(session, principal, cycle_id, expected_version)
    changes = _clean(data.model_dump(exclude_unset=True))
    _check_dates(changes.get("starts_on", cycle.starts_on), changes.get("ends_on", cycle.ends_on))
    changed = {k: v for k, v in changes.items() if getattr(cycle, k) != v}
    if not changed:
        session.rollback()
        return before
    now = utcnow()
    for key, value in changed.items():
        setattr(cycle, key, value)
    cycle.version += 1
    cycle.updated_at = now
    touch(municipality, now)
    after = cycle_read(cycle)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="pdsa_cycle",
        entity_id=cycle.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def delete_cycle(
    session: Session, principal: Principal, cycle_id: int, expected_version: int
) -> None:
    cycle, municipality, before = _locked(session, principal, cycle_id, expected_version)
    session.delete(cycle)
    touch(municipality)
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="pdsa_cycle",
        entity_id=cycle_id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=None,
    )
    commit(session)
