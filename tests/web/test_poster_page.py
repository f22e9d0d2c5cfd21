"""The poster page: everything on one sheet, long lists cut with "+N flere", descriptions
whole with their lists kept as lists."""

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
    # The description is shown whole: nothing is cut with "…".
    assert suspicion.one("div", class_="poster-phase__text").text() == ("Ord " * 200).strip()
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


def test_the_poster_shows_the_whole_description_with_its_lists(
    coordinator: SignedInClient, session: Session
) -> None:
    text = (
        "Fastlegen gjør en basal utredning sammen med hukommelsesteamet.\n"
        "Ved behov:\n"
        "- henvises du til geriatrisk poliklinikk\n"
        "- får du tilbud om <b>hjemmebesøk</b>\n"
        "\n"
        "1. Ring fastlegen\n"
        "2. Avtal time med hukommelsesteamet"
    )
    factories.fill_section(session, "5501", "assessment", text=text)
    response = coordinator.get(POSTER)
    assert response.status_code == 200
    assert "Ved behov…" not in response.text
    assert "<b>hjemmebesøk" not in response.text
    phase = page(response).find_all("li", class_="poster-phase")[1]
    description = phase.one("div", class_="poster-phase__text")
    assert description.one("p").text() == (
        "Fastlegen gjør en basal utredning sammen med hukommelsesteamet. Ved behov:"
    )
    assert [li.text() for li in description.one("ul").find_all("li")] == [
        "henvises du til geriatrisk poliklinikk",
        "får du tilbud om hjemmebesøk",
    ]
    assert [li.text() for li in description.one("ol").find_all("li")] == [
        "Ring fastlegen",
        "Avtal time med hukommelsesteamet",
    ]
