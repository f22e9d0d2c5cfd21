"""Good examples: a coordinator gets those of their own region."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.overview import Overview
from app.models.publishing import PublishInput
from app.services import good_examples, overview, publishing
from app.services.access import SYSTEM
from tests import factories


def _full(session: Session, principal: Any, slug: str | None = "troms", **kwargs: Any) -> Overview:
    result = overview.get_overview(session, principal, slug, **kwargs)
    assert isinstance(result, Overview)
    return result


def test_coordinator_gets_the_good_examples_of_their_region(session: Session) -> None:
    factories.strength_in(session, "5540", "Samtalegruppe for pårørende", "home_with_services")
    factories.strength_in(session, "5501", "Hukommelsesteam med fast lege", "assessment")
    factories.strength_in(session, "5503", "Demensvennlig bibliotek", None)
    factories.strength_in(session, "3401", "Innlandets eget eksempel", "assessment")
    # Other municipalities' strengths are shown as published (finding 9).
    for number in ("5540", "5503", "3401"):
        publishing.publish(session, SYSTEM, number, PublishInput(summary="Første versjon"))
    coordinator = factories.coordinator(session, "5501")

    mine = good_examples.my_good_examples(session, coordinator)
    assert [r.region.slug for r in mine] == ["troms"]
    groups = {g.phase: g for g in mine[0].groups}
    assert [s.text for s in groups["assessment"].strengths] == ["Hukommelsesteam med fast lege"]
    assert [(m.number, m.name) for m in groups["home_with_services"].municipalities] == [
        ("5540", "Gáivuotna - Kåfjord - Kaivuono")
    ]
    assert [s.municipality for s in groups[None].strengths] == ["5503"]
    assert "Innlandets eget eksempel" not in mine[0].model_dump_json()

    # The same groups as the adviser's overview shows, while drafts and versions agree.
    adviser_view = _full(session, factories.adviser(session, "troms")).good_examples
    assert [[(s.municipality, s.text) for s in g.strengths] for g in adviser_view] == [
        [(s.municipality, s.text) for s in g.strengths] for g in mine[0].groups
    ]

    with pytest.raises(Forbidden):
        good_examples.good_examples(session, coordinator, "innlandet")
    with pytest.raises(Forbidden):
        good_examples.my_good_examples(session, factories.adviser(session, "troms"))
