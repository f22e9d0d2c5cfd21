"""Notification preferences: per kind of event, each signed-in person chooses off, an
e-mail at once, or the weekly digest. Everything starts off."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid
from app.models.base import utcnow
from app.models.mail import NotificationPreference
from app.services.access import Principal
from app.services.common import commit


class Kind(StrEnum):
    #: A measure past its deadline.
    overdue = "overdue"
    #: A new comment or reply in one's municipality.
    comment = "comment"
    #: A new month without a number on an active indicator.
    missing_number = "missing_number"
    #: A guidance conversation or learning-network gathering coming up.
    upcoming = "upcoming"


class Mode(StrEnum):
    off = "off"
    immediate = "immediate"
    weekly = "weekly"


def _require_person(principal: Principal) -> int:
    if principal.user_id is None:
        raise Forbidden("Only signed-in people choose notifications.")
    return principal.user_id


def preferences(session: Session, principal: Principal) -> dict[Kind, Mode]:
    """Every kind with the person's choice (off where nothing is chosen)."""
    user_id = _require_person(principal)
    chosen = {
        row.kind: row.mode
        for row in session.exec(
            select(NotificationPreference).where(col(NotificationPreference.user_id) == user_id)
        ).all()
    }
    return {kind: Mode(chosen.get(kind.value, Mode.off.value)) for kind in Kind}


def set_preferences(session: Session, principal: Principal, choices: Mapping[str, str]) -> None:
    """Save one mode per kind; a kind left out stays as it was. Unknown modes are refused
    and nothing is saved."""
    user_id = _require_person(principal)
    modes = {m.value for m in Mode}
    errors = [
        FieldError(kind.value, "choose off, immediate or weekly")
        for kind in Kind
        if kind.value in choices and choices[kind.value] not in modes
    ]
    if errors:
        raise Invalid(errors)
    now = utcnow()
    for kind in Kind:
        if kind.value not in choices:
            continue
        row = session.get(NotificationPreference, (user_id, kind.value))
        mode = choices[kind.value]
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind.value, mode=mode)
        row.mode = mode
        row.changed_at = now
        session.add(row)
    commit(session)
