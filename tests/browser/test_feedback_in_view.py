"""Feedback in view, in every interface language and without JavaScript (the fragment of
the redirect does the work): after adding a strength or a measure, the page opens at what
changed, the confirmation is beside it, announced (role=status) and focused, and the page
passes axe-core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.models.improvement import ImprovementAreaCreate
from app.services import improvement
from app.services.access import SYSTEM
from app.web.i18n import LANGUAGES
from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

STRENGTHS = "/app/kommuner/5501/styrker"
CONFIRMATION = {"nb": "Lagt til.", "nn": "Lagt til.", "en": "Added."}


def _no_script_page(new_context: Callable[..., BrowserContext], server: LiveServer) -> Page:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, server, TROMSO)
    return page


def _confirmed_beside(page: Page, anchor: str, lang: str, *, scripts: bool = False) -> None:
    assert page.url.endswith(f"#{anchor}"), page.url
    expect(page.locator("html")).to_have_attribute("lang", lang)
    note = page.locator(f"#{anchor} #bekreftelse")
    expect(note).to_have_attribute("role", "status")
    expect(note).to_be_visible()
    assert note.inner_text().strip() != ""
    # Nothing at the top of the page: the one confirmation is where the browser is.
    expect(page.locator(".notice--success")).to_have_count(1)
    if scripts:
        # The page's script moves focus to the confirmation, which is read out.
        assert page.evaluate("() => document.activeElement.id") == "bekreftelse"
    else:
        # Without scripts the fragment is the starting point of Tab: the next Tab lands
        # in what changed, where the person continues.
        page.keyboard.press("Tab")
        assert page.evaluate(
            f"() => document.getElementById('{anchor}').contains(document.activeElement)"
        )
    box = note.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    # (Scrolled to the top of the window: allow for rounding.)
    assert -2 <= box["y"] <= viewport["height"] - box["height"], box
    violations = axe_violations(page)
    assert violations == [], f"{anchor} ({lang}): {describe(violations)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_added_strength_is_confirmed_beside_it(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    page = _no_script_page(new_context, live_server)
    page.goto(f"{live_server.url}{STRENGTHS}?lang={lang}")
    text = f"Raske svar fra hukommelsesteamet ({lang})"
    page.locator("#ny-styrke-text").fill(text)
    page.locator("section[aria-labelledby=ny-styrke-title] button[type=submit]").click()
    page.wait_for_url(lambda url: "#styrke-" in url)
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor} textarea")).to_have_value(text)
    expect(page.locator(f"#{anchor} #bekreftelse")).to_have_text(CONFIRMATION[lang])
    _confirmed_beside(page, anchor, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_added_measure_is_confirmed_beside_it(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    database = live_server.database()
    with database.session(write=True) as session:
        area = improvement.create_area(
            session,
            SYSTEM,
            "5501",
            ImprovementAreaCreate(title=f"Tilbakemelding i synsfeltet {lang}"),
        )
    database.dispose()
    page = _no_script_page(new_context, live_server)
    page.goto(f"{live_server.url}/app/forbedringsomrader/{area.id}?lang={lang}")
    title = f"Fast dag for utredning ({lang})"
    page.locator("#nytt-tiltak-title").fill(title)
    page.locator("#tiltak form button[type=submit]").click()
    page.wait_for_url(lambda url: "#tiltak-" in url)
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor} th a")).to_have_text(title)
    expect(page.locator(f"#{anchor} #bekreftelse")).to_have_text(CONFIRMATION[lang])
    _confirmed_beside(page, anchor, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_new_area_opens_with_the_confirmation_focused(
    page: Page, live_server: LiveServer, lang: str
) -> None:
    """With scripts: the form is sent by htmx, which follows the redirect to the new area's
    page; the confirmation there is beside the area's details and has the focus."""
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/kommuner/5501/forbedringsomrader?lang={lang}")
    page.locator("#nytt-title").fill(f"Bedre samarbeid med fastlegene ({lang})")
    page.locator("#new-area button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("#area-details"))
    expect(page.locator("#area-details #bekreftelse")).to_have_text(CONFIRMATION[lang])
    _confirmed_beside(page, "area-details", lang, scripts=True)
