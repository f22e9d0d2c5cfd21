"""Publishing, the history, comparing versions and restoring a phase's text, as pages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.models.audit import AuditEvent
from app.models.base import Role
from app.models.publishing import PublishedVersion, PublishInput
from app.services import audit, pathway, publishing
from app.services.access import SYSTEM
from tests import factories
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, field_error, form_fields, page

PUBLISH = "/app/kommuner/5501/publiser"
HISTORY = "/app/kommuner/5501/historikk"
COMPARE = "/app/kommuner/5501/historikk/sammenlign"


def test_a_coordinator_publishes_with_a_summary(
    coordinator: SignedInClient, session: Session
) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Ring fastlegen.")
    document = page(coordinator.get(PUBLISH))
    assert document.one("h1").text() == "Publiser"
    assert "ikke publisert ennå" in document.one("main").text()

    missing = coordinator.post(PUBLISH, {"summary": "   "})
    assert missing.status_code == 422
    assert field_error(page(missing), "summary") == "Fyll ut dette feltet."
    too_long = coordinator.post(PUBLISH, {"summary": "x" * 501})
    assert too_long.status_code == 422
    shown = page(too_long)
    assert field_error(shown, "summary") == "Høyst 500 tegn."
    assert shown.by_id("summary").text() == "x" * 501
    assert publishing.list_versions(session, SYSTEM, "5501").total == 0

    done = coordinator.post(PUBLISH, {"summary": "Første versjon av forløpet", "confirm": "on"})
    assert done.status_code == 303
    assert done.headers["location"] == PUBLISH + "#publisert"
    listed = page(coordinator.get(PUBLISH))
    assert "Forløpet er publisert." in listed.one("main").text()
    rows = listed.one("table").find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert len(rows) == 1
    cells = rows[0].text()
    assert "Første versjon av forløpet" in cells
    assert rows[0].find("a", href=f"{COMPARE}?fra=1&til=utkast") is not None

    unchanged = coordinator.post(PUBLISH, {"summary": "Igjen", "confirm": "on"})
    assert unchanged.status_code == 409
    assert "Ingenting er endret" in page(unchanged).one("main").text()
    assert page(unchanged).by_id("summary").text() == "Igjen"

    factories.fill_section(session, "5501", "suspicion", text="Ring legevakten.")
    assert coordinator.post(PUBLISH, {"summary": "Ny tekst", "confirm": "on"}).status_code == 303
    rows = page(coordinator.get(PUBLISH)).one("table").find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert [r.one("th").text() for r in rows] == ["2", "1"]
    assert rows[0].find("a", href=f"{COMPARE}?fra=1&til=2") is not None


def test_only_editors_of_the_municipality_publish(signed_in: SignedIn, session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion")
    kafjord = signed_in(municipalities=("5540",))
    assert kafjord.get(PUBLISH).status_code == 403
    refused = kafjord.post(PUBLISH, {"summary": "Ikke vår kommune"})
    assert refused.status_code == 403
    assert "Ingen tilgang" in page(refused).one("h1").text()

    adviser = signed_in(Role.adviser)
    read_only = page(adviser.get(PUBLISH))
    assert read_only.find("textarea", name="summary") is None
    assert adviser.post(PUBLISH, {"summary": "Rådgiveren prøver"}).status_code == 403
    assert publishing.list_versions(session, SYSTEM, "5501").total == 0

    forged = signed_in().post(PUBLISH, {"summary": "Uten token"}, csrf=False)
    assert forged.status_code == 403
    assert publishing.list_versions(session, SYSTEM, "5501").total == 0


def _two_versions(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Kontakt fastlegen ved mistanke.")
    factories.fill_section(session, "5501", "assessment", text="Teamet utreder hjemme.")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første"))
    factories.fill_section(session, "5501", "assessment", text="Teamet utreder på kontoret.")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Andre"))


def test_the_diff_shows_exactly_the_changed_phase_marked_in_text(
    coordinator: SignedInClient, session: Session
) -> None:
    _two_versions(session)
    response = coordinator.get(COMPARE, params={"fra": "1", "til": "2"})
    assert response.status_code == 200
    document = page(response)
    changed = document.find_all("li", class_="diff-phase--changed")
    assert [li.get("id") for li in changed] == ["endring-assessment"]
    phases = document.find_all("li", class_="diff-phase")
    assert len(phases) == 6
    unchanged = [li for li in phases if li not in changed]
    assert all("uendret" in li.one("h3").text() for li in unchanged)
    assessment = changed[0]
    assert "endret" in assessment.one("h3").text()
    inserted = assessment.find_all("ins")
    deleted = assessment.find_all("del")
    assert [i.text() for i in inserted] == ["Lagt til: på kontoret."]
    assert [d.text() for d in deleted] == ["Fjernet: hjemme."]
    assert "Teamet utreder" in assessment.one("dd").text()
    # The restore button belongs to the changed phase only.
    assert len(document.find_all("form", class_="restore-form")) == 1


def test_restoring_the_old_text_is_a_new_audited_change(
    coordinator: SignedInClient, session: Session
) -> None:
    _two_versions(session)
    document = page(coordinator.get(COMPARE, params={"fra": "1", "til": "utkast"}))
    form = document.one("form", class_="restore-form")
    fields = form_fields(form)
    assert fields["phase"] == "assessment"
    assert fields["fra"] == "1"
    restored = coordinator.post(form.get("action") or "", fields)
    assert restored.status_code == 303
    assert restored.headers["location"] == "/app/kommuner/5501/forlop#fase-assessment"

    section = pathway.get_section(session, SYSTEM, "5501", "assessment")
    assert section.description == "Teamet utreder hjemme."
    event = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.entity_type) == "phase_section")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None
    assert event.action == "restore"
    assert event.actor_id == coordinator.principal.id
    assert (event.after or {}).get("description") == "Teamet utreder hjemme."

    editor = page(coordinator.get("/app/kommuner/5501/forlop"))
    assert "Teamet utreder hjemme." in editor.by_id("fase-assessment").text()

    # The same form again holds a stale section version: nothing is overwritten.
    stale = coordinator.post(form.get("action") or "", fields)
    assert stale.status_code == 409
    assert "endret av noen andre" in page(stale).one("main").text()


def test_compare_with_bad_input_keeps_the_page(
    coordinator: SignedInClient, session: Session
) -> None:
    _two_versions(session)
    bad = coordinator.get(COMPARE, params={"fra": "abc", "til": "2"})
    assert bad.status_code == 422
    assert field_error(page(bad), "sammenlign-fra") == "Velg en publisert versjon."
    missing = coordinator.get(COMPARE, params={"fra": "9", "til": "2"})
    assert missing.status_code == 404
    assert field_error(page(missing), "sammenlign-fra") == "Denne versjonen finnes ikke."


def test_an_adviser_compares_but_cannot_restore(signed_in: SignedIn, session: Session) -> None:
    _two_versions(session)
    adviser = signed_in(Role.adviser)
    document = page(adviser.get(COMPARE, params={"fra": "1", "til": "2"}))
    assert document.find("li", class_="diff-phase--changed") is not None
    assert document.find("form", class_="restore-form") is None
    refused = adviser.post(
        "/app/kommuner/5501/historikk/gjenopprett",
        {"phase": "assessment", "fra": "1", "version": "2"},
    )
    assert refused.status_code == 403


def test_the_history_filters_by_type_and_person_and_pages(
    coordinator: SignedInClient, signed_in: SignedIn, session: Session
) -> None:
    _two_versions(session)
    for i in range(30):
        factories.strength(session, "5501", f"Styrke {i}")
    document = page(coordinator.get(HISTORY))
    assert document.one("h1").text() == "Historikk"
    status = document.one("p", role="status").text()
    total = audit.list_events(session, SYSTEM, municipality_number="5501").total
    assert total >= 34
    assert status == f"{total} endringer · side 1 av {-(-total // 25)}"
    rows = document.one("table", class_="history-table").find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert len(rows) == 25
    assert "Styrke 29" in rows[0].text()
    assert document.find("a", rel="next") is not None

    second = page(coordinator.get(HISTORY, params={"side": "2"}))
    assert second.find("a", rel="prev") is not None

    published = page(coordinator.get(HISTORY, params={"type": "published_version"}))
    rows = published.one("table", class_="history-table").find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert len(rows) == 2
    assert all("publiserte" in r.text() for r in rows)
    assert published.by_id("filter-type").find("option", selected="") is not None

    nobody = page(coordinator.get(HISTORY, params={"person": "Finnes Ikke"}))
    # An unknown person is no filter at all (the choice list holds the real ones).
    assert nobody.find("a", rel="next") is not None
    options = [o.get("value") for o in nobody.by_id("filter-person").find_all("option")]
    assert "" in options
    assert len(options) >= 2


def test_an_imported_version_says_who_imported_it(
    coordinator: SignedInClient, session: Session
) -> None:
    """A version that came with an import names the importer, never who the file said."""
    municipality = factories.municipality(session, "5501")
    session.add(
        PublishedVersion(
            municipality_id=municipality.id or 0,
            number=1,
            published_by="Kari Koordinator",
            summary="Flyttet hit",
            snapshot={"municipality": "5501"},
            imported_by="Kari Koordinator",
            imported_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        )
    )
    session.commit()
    row = page(coordinator.get(PUBLISH)).one("tbody").one("tr")
    assert (
        row.one("span", data_imported="").text()
        == "importert av Kari Koordinator 2. mars 2026 10:30"
    )
