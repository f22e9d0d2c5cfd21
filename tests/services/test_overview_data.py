"""The overview's data: one region's municipalities and nothing from elsewhere."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import utcnow
from app.services.overview_data import load_overview_data
from tests import factories


def test_a_region_loads_only_its_own_municipalities_and_their_content(session: Session) -> None:
    troms = factories.region(session, "troms")
    factories.strength_in(session, "5501", "Godt samarbeid", "assessment")
    factories.strength_in(session, "0301", "Oslo sitt", None)
    factories.area(session, "5501", "Bedre oppfølging", phases=["assessment"])
    factories.area(session, "0301", "Oslo sitt område")
    factories.published_version(session, "5501", utcnow())
    factories.published_version(session, "0301", utcnow())

    data = load_overview_data(session, troms, "nb")
    numbers = {m.number for m in data.municipalities}
    assert "5501" in numbers
    assert "0301" not in numbers
    assert {r.slug for r in data.region_of.values()} == {"troms"}
    tromso = factories.municipality(session, "5501").id or 0
    oslo = factories.municipality(session, "0301").id or 0
    assert [s.text for s in data.strengths[tromso]] == ["Godt samarbeid"]
    assert [a.title for a in data.areas[tromso]] == ["Bedre oppfølging"]
    assert data.area_phases[data.areas[tromso][0].id or 0] == ["assessment"]
    assert data.published[tromso][0] == 1
    assert oslo not in data.strengths
    assert oslo not in data.areas
    assert oslo not in data.published


def test_the_country_loads_every_municipality(session: Session) -> None:
    data = load_overview_data(session, None, "nb")
    assert len(data.municipalities) == 357
    assert len({r.slug for r in data.region_of.values()}) > 1
