"""Citizens in a real browser: the feedback form on a municipality's public page and the
public error page, in bokmål, nynorsk and English, with and without JavaScript, axe-clean;
and the coordinator's side: the guided start, the contact form and the list of messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

FORM = "/kommuner/5540/tilbakemelding"
#: Per language: the field label, the send button, the thanks heading and the 404 heading.
TEXTS = {
    "nb": (
        "Tilbakemelding",
        "Send tilbakemeldingen",
        "Takk for tilbakemeldingen",
        "Fant ikke siden",
        "Søk",
    ),
    "nn": (
        "Tilbakemelding",
        "Send tilbakemeldinga",
        "Takk for tilbakemeldinga",
        "Fann ikkje sida",
        "Søk",
    ),
    "en": (
        "Feedback",
        "Send the feedback",
        "Thank you for your feedback",
        "Page not found",
        "Search",
    ),
}


def _check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {describe(violations)}"


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_citizen_sends_feedback(page: Page, live_server: LiveServer, lang: str) -> None:
    _, send, thanks, _, _ = TEXTS[lang]
    page.goto(f"{live_server.url}/kommuner/5540?lang={lang}")
    page.locator(f"a[href^='{FORM}']").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    _check(page, f"feedback form ({lang})")

    page.locator("#melding-text").fill("")
    page.locator("#melding-sender_name").fill("Kari")
    page.get_by_role("button", name=send).click()
    expect(page.locator("#melding-text-error")).to_be_visible()
    expect(page.locator("#melding-sender_name")).to_have_value("Kari")
    _check(page, f"feedback form with an error ({lang})")

    page.locator("#melding-text").fill(f"Telefonnummeret mangler ({lang}).")
    page.get_by_role("button", name=send).click()
    expect(page.locator("h1")).to_have_text(thanks)
    _check(page, f"thanks ({lang})")


def test_the_feedback_form_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}{FORM}")
    page.locator("#melding-reply_email").fill("kari@")
    page.locator("#melding-text").fill("Uten JavaScript.")
    page.get_by_role("button", name="Send tilbakemeldingen").click()
    expect(page.locator("#melding-reply_email-error")).to_be_visible()
    expect(page.locator("#melding-text")).to_have_value("Uten JavaScript.")
    page.locator("#melding-reply_email").fill("kari@example.no")
    page.get_by_role("button", name="Send tilbakemeldingen").click()
    expect(page.locator("h1")).to_have_text("Takk for tilbakemeldingen")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_public_error_page_speaks_the_language_and_finds_a_municipality(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    _, _, _, heading, search = TEXTS[lang]
    with_script = new_context().new_page()
    response = with_script.goto(f"{live_server.url}/kommuner/9999?lang={lang}")
    assert response is not None
    assert response.status == 404
    expect(with_script.locator("h1")).to_have_text(heading)
    _check(with_script, f"404 ({lang})")

    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/kommuner/9999?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator("#q").fill("5540")
    page.get_by_role("button", name=search).click()
    page.wait_for_url("**/?q=*")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#results a[href='/kommuner/5540']")).to_contain_text("Kåfjord")


@pytest.mark.markup
def test_the_coordinators_pages_pass_axe(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/kommuner/5501/publiser")
    page.locator("#kontakt-contact_phone").fill("ring meg")
    page.get_by_role("button", name="Lagre kontakt").click()
    expect(page.locator("#kontakt-contact_phone-error")).to_be_visible()
    _check(page, "contact form with an error")
    page.locator("#kontakt-contact_phone").fill("+47 77 79 00 00")
    page.get_by_role("button", name="Lagre kontakt").click()
    expect(page.locator("#kontakt .flash-near")).to_be_visible()

    page.goto(f"{live_server.url}/app/kommuner/5501/tilbakemeldinger")
    _check(page, "feedback list")
    page.goto(f"{live_server.url}/app/kommuner/5501/forlop")
    expect(page.locator(".phase__guide a")).to_have_count(6)
    _check(page, "pathway editor with the guided start")
