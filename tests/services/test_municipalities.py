"""Regions and municipalities as the API lists them."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import NotFound, Unauthenticated
from app.services import municipalities
from app.services.access import ANONYMOUS, SYSTEM


def test_a_region_and_the_list_narrowed_to_it_agree(session: Session) -> None:
    region = municipalities.get_region(session, SYSTEM, "troms")
    numbers = [m.number for m in region.municipalities]
    assert "5501" in numbers
    listed = [
        m.number
        for m in municipalities.list_municipalities(
            session, SYSTEM, region="troms", limit=500
        ).items
    ]
    assert listed == sorted(numbers), "the list is by number"


def test_unknown_regions_and_anonymous_callers(session: Session) -> None:
    with pytest.raises(NotFound):
        municipalities.get_region(session, SYSTEM, "atlantis")
    with pytest.raises(Unauthenticated):
        municipalities.list_regions(session, ANONYMOUS)
