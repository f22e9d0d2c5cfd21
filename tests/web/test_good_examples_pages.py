"""Pages that show many municipalities' content show a few items of each and link to the
rest, so one municipality's 50 strengths or 100 improvement areas never weigh down another
person's page."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import Role
from app.models.publishing import PublishInput
from app.services import examples, publishing
from app.services.access import SYSTEM
from tests import factories
from tests.web.conftest import SignedIn
from tests.webtools import page

TROMS = "/app/regioner/troms"
KAFJORD = "5540"


def _many_strengths(session: Session, number: str, n: int) -> None:
    """`n` strengths, published: other municipalities see what was published."""
    for i in range(n):
        factories.strength_in(session, number, f"Styrke {i:02d}", "assessment")
    publishing.publish(session, SYSTEM, number, PublishInput(summary="Styrkene"))


def test_the_dashboard_shows_a_few_strengths_of_each_municipality(
    session: Session, signed_in: SignedIn
) -> None:
    _many_strengths(session, KAFJORD, 50)
    factories.strength(session, "5501", "Vår egen styrke")
    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    board = page(coordinator.get("/app"))
    section = board.one("section", data_good_examples="troms")
    texts = [li.text() for li in section.find_all("li") if "data-strength" in li.attrs]
    assert texts == [
        "Gáivuotna - Kåfjord - Kaivuono: Styrke 00",
        "Gáivuotna - Kåfjord - Kaivuono: Styrke 01",
        "Gáivuotna - Kåfjord - Kaivuono: Styrke 02",
        "Tromsø: Vår egen styrke",
    ]
    more = section.one("ul", data_more_examples="")
    link = more.one("a")
    assert link.text() == "47 styrker til fra Gáivuotna - Kåfjord - Kaivuono"
    assert link.get("href") == f"{TROMS}/gode-eksempler?kommune={KAFJORD}"

    everything = page(coordinator.get(link.get("href") or ""))
    listed = everything.one("section", data_municipality=KAFJORD).find_all("li")
    assert len(listed) == 50
    assert listed[0].text() == "Styrke 00 (Utredning og diagnose)"


def test_the_good_examples_page_is_paged_by_municipality(
    session: Session, signed_in: SignedIn
) -> None:
    troms = ["5501", "5503", "5510", "5512", "5514", "5516", "5518", "5520", "5522", "5524"]
    for number in [*troms, KAFJORD]:
        _many_strengths(session, number, 4)
    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    first = page(coordinator.get(f"{TROMS}/gode-eksempler"))
    shown = [s for s in first.walk() if s.tag == "section" and "data-municipality" in s.attrs]
    assert len(shown) == examples.MUNICIPALITIES_PER_PAGE
    assert all(len(s.find_all("li")) == examples.SHOWN_PER_MUNICIPALITY for s in shown)
    pager = first.one("nav", class_="pager")
    assert pager.one("a", rel="next").get("href") == f"{TROMS}/gode-eksempler?side=2"
    second = page(coordinator.get(f"{TROMS}/gode-eksempler?side=2"))
    rest = [s for s in second.walk() if s.tag == "section" and "data-municipality" in s.attrs]
    assert len(rest) == 1
    numbers = {s.get("data-municipality") for s in shown + rest}
    assert numbers == {*troms, KAFJORD}
    # A page past the end shows the last one; nonsense shows the first.
    assert coordinator.get(f"{TROMS}/gode-eksempler?side=99").status_code == 200
    assert coordinator.get(f"{TROMS}/gode-eksempler?side=tull").status_code == 200


def test_the_overview_page_caps_each_municipalitys_lists(
    session: Session, signed_in: SignedIn
) -> None:
    _many_strengths(session, KAFJORD, 50)
    for i in range(8):
        factories.tagged_area(session, KAFJORD, f"Område {i}", ["assessment"], ["lege"])
    adviser = signed_in(Role.adviser, regions=("troms",))
    document = page(adviser.get(TROMS))
    group = document.one("section", data_strength_group="assessment")
    assert len(group.find_all("li")) == 3
    more = document.one("a", href=f"/app/kommuner/{KAFJORD}/styrker")
    assert more.text() == "47 styrker til fra Gáivuotna - Kåfjord - Kaivuono"
    for kind, key in (("phase", "assessment"), ("tag", "lege")):
        areas = document.one("section", data_area_group=kind, data_key=key)
        listed = [li for li in areas.find_all("li") if li.get("data-area-id")]
        assert len(listed) == 3
        assert areas.one("a", href=f"/app/kommuner/{KAFJORD}/forbedringsomrader").text() == (
            "5 forbedringsområder til fra Gáivuotna - Kåfjord - Kaivuono"
        )
