"""The pathway editor in a real browser: in-place editing, conflicts between two people,
no JavaScript, and the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import col, select

from app.models.audit import AuditEvent
from tests.browser.conftest import TROMSO, LiveServer, sign_in

pytestmark = pytest.mark.browser

EDITOR = "/app/kommuner/5501/forlop"


def section(page: Page, phase: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#fase-{phase}")


def open_editor(page: Page, server: LiveServer) -> None:
    sign_in(page, server, TROMSO, EDITOR)
    expect(page.locator("h1")).to_have_text("Demensforløpet")


def test_edit_saves_in_place_and_is_audited(
    page: Page, live_server: LiveServer, console_errors: list[str]
) -> None:
    open_editor(page, live_server)
    page.evaluate("window.__sameDocument = true")
    assessment = section(page, "assessment")
    assessment.get_by_role("link", name="Rediger Utredning og diagnose").click()
    description = assessment.get_by_label("Beskrivelse", exact=True)
    expect(description).to_be_focused()
    text = "Ta kontakt med fastlegen, som utreder sammen med hukommelsesteamet."
    description.fill(text)
    assessment.get_by_role("button", name="Lagre Utredning og diagnose").click()

    expect(assessment.locator(".saved-note")).to_contain_text("Utredning og diagnose er lagret.")
    expect(assessment.locator(".prose")).to_have_text(text)
    expect(page.locator("#announcer")).to_have_text("Utredning og diagnose er lagret.")
    # Saved without a page load: the document (and the marker set in it) is still there.
    assert page.evaluate("window.__sameDocument") is True

    page.reload()
    expect(section(page, "assessment").locator(".prose")).to_have_text(text)
    assert console_errors == []

    database = live_server.database()
    with database.session() as session:
        event = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.entity_type) == "phase_section")
            .where(col(AuditEvent.entity_id) == "5501/assessment")
            .order_by(col(AuditEvent.id).desc())
        ).first()
    database.dispose()
    assert event is not None
    assert event.actor == TROMSO.name
    assert event.actor_type == "user"
    assert event.after is not None
    assert event.after["description"] == text

    # The browser session also authenticates the JSON API, which shows the same event.
    response = page.request.get(
        f"{live_server.url}/api/v1/audit-events?municipality=5501&entity_type=phase_section"
    )
    assert response.status == 200
    latest = response.json()["items"][0]
    assert (latest["actor"], latest["entity_id"]) == (TROMSO.name, "5501/assessment")


def test_two_people_editing_the_same_phase_see_a_conflict_and_lose_nothing(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    first = new_context().new_page()
    second = new_context().new_page()
    for page in (first, second):
        open_editor(page, live_server)
        section(page, "home_with_services").get_by_role(
            "link", name="Rediger Hjemme med tjenester"
        ).click()
        expect(
            section(page, "home_with_services").get_by_label("Beskrivelse", exact=True)
        ).to_be_visible()

    theirs = "Hjemmetjenesten har fast kontaktperson for alle med demens."
    mine = "Hjemmetjenesten tilbyr dagaktivitet tre dager i uken."
    first_section = section(first, "home_with_services")
    first_section.get_by_label("Beskrivelse", exact=True).fill(theirs)
    first_section.get_by_role("button", name="Lagre Hjemme med tjenester").click()
    expect(first_section.locator(".prose")).to_have_text(theirs)

    second_section = section(second, "home_with_services")
    second_section.get_by_label("Beskrivelse", exact=True).fill(mine)
    second_section.get_by_role("button", name="Lagre Hjemme med tjenester").click()

    conflict = second_section.locator(".conflict")
    expect(conflict).to_contain_text("Noen andre lagret dette mens du redigerte.")
    row = conflict.get_by_role("row", name="Beskrivelse")
    expect(row).to_contain_text(mine)
    expect(row).to_contain_text(theirs)
    # What this person typed is still in the form.
    expect(second_section.get_by_label("Beskrivelse", exact=True)).to_have_value(mine)
    # Nothing was overwritten: the saved text is the first person's.
    first.reload()
    expect(section(first, "home_with_services").locator(".prose")).to_have_text(theirs)

    second_section.get_by_role("button", name="Behold min versjon").click()
    expect(second_section.locator(".prose")).to_have_text(mine)
    second.reload()
    expect(section(second, "home_with_services").locator(".prose")).to_have_text(mine)


def test_the_same_edit_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    open_editor(page, live_server)
    section(page, "suspicion").get_by_role("link", name="Rediger Mistanke").click()
    page.wait_for_url(f"{live_server.url}{EDITOR}/suspicion")
    text = "Snakk med fastlegen eller ring demenskoordinatoren."
    form_section = section(page, "suspicion")
    form_section.get_by_label("Beskrivelse", exact=True).fill(text)
    form_section.get_by_label("Ansvarlig", exact=True).fill("Demenskoordinatoren")
    form_section.get_by_role("button", name="Lagre Mistanke").click()

    page.wait_for_url(f"{live_server.url}{EDITOR}#fase-suspicion")
    expect(page.locator(".notice--success")).to_have_text("Endringene er lagret.")
    expect(section(page, "suspicion").locator(".prose")).to_have_text(text)
    expect(section(page, "suspicion")).to_contain_text("Demenskoordinatoren")

    # A failed validation keeps what was typed and says what is wrong, beside the field.
    section(page, "suspicion").get_by_role("link", name="Rediger Mistanke").click()
    form_section = section(page, "suspicion")
    form_section.get_by_label("Beskrivelse", exact=True).fill("Ny tekst som ikke skal gå tapt")
    form_section.get_by_label("E-post", exact=True).fill("ikke-en-adresse")
    form_section.get_by_role("button", name="Lagre Mistanke").click()
    expect(form_section.locator(".error-summary")).to_be_visible()
    expect(form_section.get_by_label("Beskrivelse", exact=True)).to_have_value(
        "Ny tekst som ikke skal gå tapt"
    )
    expect(form_section.locator("#suspicion-contact-email-error")).to_contain_text(
        "gyldig e-postadresse"
    )


def _tab_until(page: Page, script: str, limit: int = 250) -> None:
    """Press Tab until `script` (a predicate on document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {script})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {script}")


def test_a_whole_phase_edit_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, console_errors: list[str]
) -> None:
    open_editor(page, live_server)
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"

    _tab_until(page, "el.id === 'end_of_life-edit-link'")
    page.keyboard.press("Enter")
    phase = section(page, "end_of_life")
    expect(phase.get_by_label("Beskrivelse", exact=True)).to_be_focused()
    page.keyboard.type("Palliativt team gir råd hele døgnet.")

    page.keyboard.press("Tab")
    expect(phase.get_by_label("Ansvarlig", exact=True)).to_be_focused()
    page.keyboard.type("Palliativt team")

    _tab_until(page, "el.name === 'maturity'")
    page.keyboard.press("ArrowDown")  # unknown → not established
    page.keyboard.press("ArrowDown")  # → planned
    page.keyboard.press("ArrowDown")  # → established
    expect(phase.get_by_label("Etablert", exact=True)).to_be_checked()

    page.keyboard.press("Tab")
    expect(phase.get_by_label("Vi har behov for mer kunnskap rundt dette temaet")).to_be_focused()
    page.keyboard.press("Space")

    _tab_until(page, "el.id === 'end_of_life-add-offering'")
    page.keyboard.press("Enter")
    offering_type = phase.locator("#end_of_life-offerings-0-type")
    expect(offering_type).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first catalogue type of this phase
    chosen = offering_type.input_value()
    assert chosen

    _tab_until(page, "el.type === 'submit' && el.value === 'save' && el.tabIndex === 0")
    page.keyboard.press("Enter")

    expect(phase.locator(".saved-note")).to_contain_text("er lagret")
    expect(phase.locator(".prose")).to_have_text("Palliativt team gir råd hele døgnet.")
    expect(phase).to_contain_text("Etablert")
    expect(phase).to_contain_text("Trenger mer kunnskap")
    expect(phase.locator("table tbody tr")).to_have_count(1)
    # Focus stays in the section, on its edit link, for the next step.
    expect(phase.locator("#end_of_life-edit-link")).to_be_focused()
    assert console_errors == []
