"""Strengths: what the municipality is good at ("Dette er vi gode på"), shown first."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.catalogue import Phase
from app.models.municipality import Municipality
from app.models.pathway import (
    MAX_STRENGTHS,
    Strength,
    StrengthCreate,
    StrengthRead,
    StrengthText,
    StrengthUpdate,
)
from app.services import audit
from app.services.access import Principal, require_edit, require_read, require_visible
from app.services.common import (
    Page,
    check_version,
    commit,
    get_municipality,
    lock_municipality,
    touch,
)


def strength_read(strength: Strength, number: str) -> StrengthRead:
    return StrengthRead(
        id=strength.id or 0,
        municipality=number,
        text=strength.text,
        phase=strength.phase,
        shared=strength.shared,
        position=strength.position,
        version=strength.version,
        updated_at=strength.updated_at,
    )


def strength_values(data: StrengthText) -> dict[str, Any]:
    """A strength's stored columns as the API saves them."""
    return {"text": clean_text(data.text), "phase": data.phase}


def check_phase(session: Session, phase: str | None, field: str = "phase") -> None:
    if phase is not None and session.get(Phase, phase) is None:
        raise Invalid(FieldError(field, f"unknown phase {phase!r}"))


def list_strengths(session: Session, principal: Principal, number: str) -> Page[StrengthRead]:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    rows = session.exec(
        select(Strength)
        .where(col(Strength.municipality_id) == municipality.id)
        .order_by(col(Strength.position), col(Strength.id))
    ).all()
    items = [strength_read(s, number) for s in rows]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def create_strength(
    session: Session, principal: Principal, number: str, data: StrengthCreate
) -> StrengthRead:
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    check_phase(session, data.phase)
    existing = session.exec(
        select(Strength.position).where(col(Strength.municipality_id) == municipality.id)
    ).all()
    if len(existing) >= MAX_STRENGTHS:
        raise Invalid(FieldError("text", f"at most {MAX_STRENGTHS} strengths"))
    values = strength_values(data)
    if not values["text"]:
        raise Invalid(FieldError("text", "cannot be empty"))
    now = utcnow()
    strength = Strength(
        municipality_id=municipality.id or 0,
        position=max(existing, default=0) + 1,
        **values,
        shared=data.shared,
        created_at=now,
        updated_at=now,
    )
    session.add(strength)
    touch(municipality, now)
    session.flush()
    result = strength_read(strength, number)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="strength",
        entity_id=strength.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def _strength(
    session: Session, principal: Principal, strength_id: int
) -> tuple[Strength, Municipality]:
    row = session.exec(
        select(Strength, Municipality)
        .join(Municipality, col(Municipality.id) == col(Strength.municipality_id))
        .where(col(Strength.id) == strength_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "strength")
    assert row is not None
    return row[0], row[1]


def strength_municipality(session: Session, principal: Principal, strength_id: int) -> Municipality:
    return _strength(session, principal, strength_id)[1]


def get_strength(session: Session, principal: Principal, strength_id: int) -> StrengthRead:
    strength, municipality = _strength(session, principal, strength_id)
    return strength_read(strength, municipality.number)


def _locked_strength(
    session: Session, principal: Principal, strength_id: int, expected_version: int
) -> tuple[Strength, Municipality, StrengthRead]:
    strength, municipality = _strength(session, principal, strength_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(strength)
    before = strength_read(strength, municipality.number)
    check_version(strength.version, expected_version, before.model_dump(mode="json"))
    return strength, municipality, before


def update_strength(
    session: Session,
    principal: Principal,
    strength_id: int,
    data: StrengthUpdate,
    expected_version: int,
) -> StrengthRead:
    strength, municipality, before = _locked_strength(
        session, principal, strength_id, expected_version
    )
    changes = data.model_dump(exclude_unset=True)
    if "phase" in changes:
        check_phase(session, changes["phase"])
    if "text" in changes:
        changes["text"] = clean_text(changes["text"])
        if not changes["text"]:
            raise Invalid(FieldError("text", "cannot be empty"))
    if all(getattr(strength, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    now = utcnow()
    for key, value in changes.items():
        setattr(strength, key, value)
    strength.version += 1
    strength.updated_at = now
    touch(municipality, now)
    after = strength_read(strength, municipality.number)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="strength",
        entity_id=strength.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def delete_strength(
    session: Session, principal: Principal, strength_id: int, expected_version: int
) -> None:
    strength, municipality, before = _locked_strength(
        session, principal, strength_id, expected_version
    )
    session.delete(strength)
    touch(municipality)
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="strength",
        entity_id=strength_id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=None,
    )
    commit(session)
