"""The poster page: everything on one sheet, long lists cut with "+N flere"."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import Role
from tests import factories
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, page

POSTER = "/app/kommuner/5501/plakat"


def test_the_poster_cuts_long_lists(coordinator: SignedInClient, session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", offerings=7, text="Ord " * 200)
    for i in range(8):
        factories.strength(session, "5501", f"Styrke {i}")
    first = factories.area(session, "5501", title="Område 0")
    factories.area(session, "5501", title="Område 1")
    for status in ("in_progress", "in_progress", "done"):
        factories.measure_with_status(session, first, status)
    response = coordinator.get(POSTER)
    assert response.status_code == 200
    document = page(response)
    assert document.one("h1").text() == "Demensforløpet i Tromsø"
    phases = document.find_all("li", class_="poster-phase")
    assert len(phases) == 6
    suspicion = phases[0]
    # Three offerings and "+4 flere" take the four lines a phase has.
    assert len(suspicion.find_all("li")) == 4
    assert suspicion.one("li", class_="poster-more").text() == "+4 flere"
    assert len(suspicion.one("p", class_="poster-phase__text").text()) <= 220
    strengths = document.one("section", class_="poster__strengths")
    assert [li.text() for li in strengths.find_all("li")][-1] == "+4 flere"
    assert len(strengths.find_all("li")) == 5
    areas = document.one("section", class_="poster__areas")
    first_area = areas.find_all("li", class_="poster-area")[0]
    assert "Område 0" in first_area.text()
    assert first_area.one("p", class_="poster-area__measures").text() == (
        "3 tiltak: pågår 2 gjennomført 1"
    )
    assert areas.find("li", class_="poster-more") is None
    assert "Ingen målinger med tall ennå." in document.one(class_="poster__charts").text()


def test_the_poster_is_for_those_who_read_the_municipality(signed_in: SignedIn) -> None:
    assert signed_in(municipalities=("5540",)).get(POSTER).status_code == 403
    assert signed_in(Role.adviser).get(POSTER).status_code == 200
