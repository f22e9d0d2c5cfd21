"""Strengths: the editors' write rules, one version compare, an identical write a no-op."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid, PreconditionFailed
from app.models.pathway import StrengthCreate, StrengthUpdate
from app.services import strengths
from app.services.access import SYSTEM
from tests import factories


def test_a_strength_is_written_cleaned_and_versioned(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    created = strengths.create_strength(
        session, coordinator, "5501", StrengthCreate(text="  Godt samarbeid \n", phase=None)
    )
    assert created.text == "Godt samarbeid"
    assert created.version == 1
    same = strengths.update_strength(
        session, coordinator, created.id, StrengthUpdate(text="Godt samarbeid"), 1
    )
    assert same.version == 1, "an identical write changes nothing"
    changed = strengths.update_strength(
        session, coordinator, created.id, StrengthUpdate(text="Tett samarbeid"), 1
    )
    assert (changed.text, changed.version) == ("Tett samarbeid", 2)
    with pytest.raises(PreconditionFailed):
        strengths.update_strength(session, coordinator, created.id, StrengthUpdate(text="X"), 1)


def test_only_the_municipalitys_editors_write_and_phases_must_exist(session: Session) -> None:
    other = factories.coordinator(session, "5503")
    with pytest.raises(Forbidden):
        strengths.create_strength(session, other, "5501", StrengthCreate(text="Ikke min"))
    with pytest.raises(Invalid):
        strengths.create_strength(
            session, SYSTEM, "5501", StrengthCreate(text="Fase", phase="no-such-phase")
        )
    assert strengths.list_strengths(session, SYSTEM, "5501").total == 0
