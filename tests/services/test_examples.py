"""Good examples capped per municipality, with how many of each are left out."""

from __future__ import annotations

import pytest

from app.models.overview import GroupedStrength, MunicipalityRef, StrengthGroup
from app.services import examples

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def _strength(number: str, name: str, text: str) -> GroupedStrength:
    return GroupedStrength(municipality=number, municipality_name=name, id=None, text=text)


def test_a_municipality_shows_its_first_strengths_and_the_rest_are_counted() -> None:
    tromso = [_strength("5501", "Tromsø", f"Styrke {i}") for i in range(4)]
    harstad = [_strength("5503", "Harstad", "Bibliotek")]
    groups = [
        StrengthGroup(
            phase="assessment",
            name="Utredning",
            municipalities=[
                MunicipalityRef(number="5501", name="Tromsø"),
                MunicipalityRef(number="5503", name="Harstad"),
            ],
            strengths=[*tromso[:2], *harstad],
        ),
        StrengthGroup(phase=None, name="Hele forløpet", municipalities=[], strengths=tromso[2:]),
    ]
    capped, more = examples.cap_strength_groups(groups, per_municipality=2)
    assert [s.text for s in capped[0].strengths] == ["Styrke 0", "Styrke 1", "Bibliotek"]
    assert capped[1].strengths == []
    assert [(m.municipality.number, m.hidden) for m in more] == [("5501", 2)]
