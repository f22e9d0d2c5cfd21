"""Sharing a strength from its form, and the national good examples page."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import Role
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, field_error, page


def test_a_shared_strength_is_found_by_a_coordinator_elsewhere(
    coordinator: SignedInClient, signed_in: SignedIn, session: Session
) -> None:
    added = coordinator.post(
        "/app/kommuner/5501/styrker", {"text": "Fast demenskontakt", "shared": "on"}
    )
    assert added.status_code == 303
    coordinator.post("/app/kommuner/5501/styrker", {"text": "Ikke delt"})
    elsewhere = signed_in(Role.coordinator, municipalities=["0301"])
    menu = page(elsewhere.get("/app")).one("nav", class_="main-nav")
    assert "/app/gode-eksempler" in [a.get("href") for a in menu.find_all("a")]
    text = page(elsewhere.get("/app/gode-eksempler?q=demenskontakt")).text()
    assert "Tromsø: Fast demenskontakt" in text
    assert "Ikke delt" not in page(elsewhere.get("/app/gode-eksempler")).text()


def test_a_measure_cannot_be_shared_before_it_is_done(
    coordinator: SignedInClient, session: Session
) -> None:
    created = coordinator.post(
        "/app/kommuner/5501/forbedringsomrader", {"title": "Oppfølging", "status": "in_progress"}
    )
    area_url = created.headers["location"].split("#")[0].split("?")[0]
    refused = coordinator.post(
        f"{area_url}/tiltak", {"title": "Ny rutine", "status": "in_progress", "shared": "on"}
    )
    assert refused.status_code == 422
    document = page(refused)
    assert "Bare et gjennomført tiltak kan deles" in (
        field_error(document, "nytt-tiltak-shared") or document.text()
    )


def test_bad_search_input_is_explained_and_kept(coordinator: SignedInClient) -> None:
    answer = coordinator.get("/app/gode-eksempler?fase=ukjent&q=pårørende")
    assert answer.status_code == 422
    document = page(answer)
    assert field_error(document, "fase")
    assert document.by_id("q").get("value") == "pårørende"
