"""Saved is not public: the draft's status in the editor and on the publish page, the
publish page's changes, preview and warnings, the draft-status API, the national help on
public pages, and confirmations shown beside what changed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.publishing import PublishInput
from app.services import publishing
from app.services.access import SYSTEM
from tests import factories
from tests.webtools import SignedInClient, field_error, form_fields, page

EDITOR = "/app/kommuner/5501/forlop"
PUBLISH = "/app/kommuner/5501/publiser"
PREVIEW = "/app/kommuner/5501/publiser/forhandsvisning"
PHASES = (
    "suspicion",
    "assessment",
    "independent_with_support",
    "home_with_services",
    "round_the_clock_care",
    "end_of_life",
)


def _fill_all(session: Session, text: str = "Beskrivelse") -> None:
    for phase in PHASES:
        factories.fill_section(session, "5501", phase, text=text)


def test_the_editor_says_when_saved_changes_are_not_public(
    coordinator: SignedInClient, session: Session
) -> None:
    assert "Ikke publisert ennå" in page(coordinator.get(EDITOR)).by_id("utkast-status").text()
    _fill_all(session)
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    status = page(coordinator.get(EDITOR)).by_id("utkast-status").text()
    assert "Publisert" in status
    assert "Upubliserte endringer" not in status

    factories.fill_section(session, "5501", "assessment", text="Ny tekst om utredning.")
    status = page(coordinator.get(EDITOR)).by_id("utkast-status").text()
    assert "Upubliserte endringer" in status
    assert "versjon 1" in status


def test_changes_the_public_never_reads_are_not_unpublished_changes(
    coordinator: SignedInClient, session: Session
) -> None:
    _fill_all(session)
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    api = coordinator.get("/api/v1/municipalities/5501/pathway/draft-status")
    assert api.status_code == 200
    assert api.json()["has_unpublished_changes"] is False
    assert api.json()["published_version"] == 1

    factories.fill_section(session, "5501", "end_of_life", text="Endret.")
    changed = coordinator.get("/api/v1/municipalities/5501/pathway/draft-status").json()
    assert changed["has_unpublished_changes"] is True
    assert changed["changed_phases"] == ["end_of_life"]


def test_the_publish_page_shows_changes_phase_by_phase_and_a_preview(
    coordinator: SignedInClient, session: Session
) -> None:
    _fill_all(session)
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    factories.fill_section(session, "5501", "assessment", text="Henvis til hukommelsesteamet.")
    document = page(coordinator.get(PUBLISH))
    changes = document.by_id("endringer")
    assert "Endringer siden versjon 1" in changes.text()
    assessment = document.by_id("endring-assessment")
    assert "endret" in assessment.text()
    assert "hukommelsesteamet." in assessment.find("ins").text()  # type: ignore[union-attr]
    assert "uendret" in document.by_id("endring-suspicion").text()
    assert document.find("a", href=PREVIEW) is not None

    preview = coordinator.get(PREVIEW)
    assert preview.status_code == 200
    shown = page(preview)
    assert "Forhåndsvisning av utkastet" in shown.one("main").text()
    assert "Henvis til hukommelsesteamet." in shown.by_id("fase-assessment").text()
    assert "Henvis til hukommelsesteamet." not in page(coordinator.get("/kommuner/5501")).text()


def test_publishing_with_empty_phases_asks_for_a_confirmation(
    coordinator: SignedInClient, session: Session
) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Ring fastlegen.")
    document = page(coordinator.get(PUBLISH))
    warnings = document.by_id("advarsler").text()
    assert "5 faser er ikke beskrevet" in warnings
    assert "Utredning og diagnose" in warnings

    refused = coordinator.post(PUBLISH, {"summary": "Første versjon"})
    assert refused.status_code == 422
    assert field_error(page(refused), "confirm")
    assert page(refused).by_id("summary").text() == "Første versjon"
    assert publishing.list_versions(session, SYSTEM, "5501").total == 0

    done = coordinator.post(PUBLISH, {"summary": "Første versjon", "confirm": "on"})
    assert done.status_code == 303
    assert publishing.list_versions(session, SYSTEM, "5501").total == 1


def test_a_complete_pathway_publishes_without_warnings(
    coordinator: SignedInClient, session: Session
) -> None:
    _fill_all(session)
    assert page(coordinator.get(PUBLISH)).find(id="advarsler") is None
    assert coordinator.post(PUBLISH, {"summary": "Alt er med"}).status_code == 303


def test_an_unpublished_page_is_never_empty(anonymous: TestClient) -> None:
    document = page(anonymous.get("/kommuner/5501"))
    main = document.one("main").text()
    assert "har ikke publisert demensforløpet" in main
    assert "Demenslinjen" in main
    assert document.find("a", href="tel:+4723120040") is not None
    assert "helsenorge.no" in main
    english = page(anonymous.get("/kommuner/5501?lang=en")).one("main").text()
    assert "Help you can always get" in english


def test_the_public_page_says_when_it_was_last_updated(
    anonymous: TestClient, session: Session
) -> None:
    _fill_all(session)
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    main = page(anonymous.get("/kommuner/5501")).one("main").text()
    assert "Sist oppdatert" in main
    assert "Demenslinjen" in main


def test_a_saved_phase_is_confirmed_beside_it_without_javascript(
    coordinator: SignedInClient, session: Session
) -> None:
    """Regression: the confirmation was shown above the title while the browser jumped to
    the phase further down."""
    editor = page(coordinator.get(f"{EDITOR}/assessment"))
    phase_form = editor.find("form", action=f"{EDITOR}/assessment")
    assert phase_form is not None
    form = form_fields(phase_form)
    form.update({"description": "Ny tekst.", "maturity": "planned"})
    saved = coordinator.post(f"{EDITOR}/assessment", form)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("#fase-assessment")
    after = page(coordinator.get(saved.headers["location"].split("#")[0]))
    note = after.by_id("bekreftelse")
    assert note.get("role") == "status"
    assert "Endringene er lagret." in after.by_id("fase-assessment").text()
    assert len(after.find_all("p", class_="notice--success")) == 1
