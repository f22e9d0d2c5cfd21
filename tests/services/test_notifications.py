"""Notification preferences: everything starts off, choices are kept per person and kind,
bad modes are refused without saving anything, and only signed-in people choose."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid
from app.models.base import Role
from app.services import notifications
from app.services.access import ANONYMOUS
from app.services.notifications import Kind, Mode
from tests import factories


def test_choices_are_kept_per_person_and_kind(session: Session) -> None:
    kari = factories.user(session, Role.coordinator, municipalities=("5540",))
    ola = factories.user(session, Role.coordinator, municipalities=("5540",))
    assert set(notifications.preferences(session, kari).values()) == {Mode.off}
    notifications.set_preferences(session, kari, {"comment": "immediate", "overdue": "weekly"})
    notifications.set_preferences(session, kari, {"overdue": "off"})
    chosen = notifications.preferences(session, kari)
    assert chosen[Kind.comment] == Mode.immediate
    assert chosen[Kind.overdue] == Mode.off
    assert chosen[Kind.upcoming] == Mode.off
    assert set(notifications.preferences(session, ola).values()) == {Mode.off}


def test_bad_modes_are_refused_and_nothing_is_saved(session: Session) -> None:
    kari = factories.user(session, Role.coordinator, municipalities=("5540",))
    with pytest.raises(Invalid) as raised:
        notifications.set_preferences(session, kari, {"comment": "weekly", "upcoming": "daily"})
    assert [e.field for e in raised.value.errors] == ["upcoming"]
    assert notifications.preferences(session, kari)[Kind.comment] == Mode.off
    with pytest.raises(Forbidden):
        notifications.preferences(session, ANONYMOUS)
