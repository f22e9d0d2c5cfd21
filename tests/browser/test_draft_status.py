"""Saved is not public, in a real browser and in every interface language: the editor's
badge, the publish page with its changes, warnings and preview, and the unpublished public
page with national help; axe-core clean, and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

#: Every interface language; a new one is added here.
LANGUAGES = ("nb", "nn", "en")
HELP = {
    "nb": "Hjelp du alltid kan få",
    "nn": "Hjelp du alltid kan få",
    "en": "Help you can always get",
}
PREVIEW = {
    "nb": "Forhåndsvisning av utkastet",
    "nn": "Førehandsvising av utkastet",
    "en": "Preview of the draft",
}


def _clean(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {describe(violations)}"


@pytest.mark.markup
@pytest.mark.parametrize("lang", LANGUAGES)
def test_publish_page_preview_and_editor_pass_axe(
    page: Page, live_server: LiveServer, lang: str
) -> None:
    sign_in(page, live_server, TROMSO)
    for name, path in [
        ("editor", "/app/kommuner/5501/forlop"),
        ("publish", "/app/kommuner/5501/publiser"),
        ("preview", "/app/kommuner/5501/publiser/forhandsvisning"),
    ]:
        page.goto(f"{live_server.url}{path}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        _clean(page, f"{name} ({lang})")
    expect(page.locator("main")).to_contain_text(PREVIEW[lang])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_unpublished_public_page_shows_national_help_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/kommuner/5540?lang={lang}")
    expect(page.locator("#nasjonal-hjelp-title")).to_have_text(HELP[lang])
    expect(page.locator("a[href='tel:+4723120040']")).to_be_visible()


@pytest.mark.markup
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_unpublished_public_page_passes_axe(
    page: Page, live_server: LiveServer, lang: str
) -> None:
    page.goto(f"{live_server.url}/kommuner/5540?lang={lang}")
    _clean(page, f"unpublished ({lang})")


def test_the_publish_page_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/kommuner/5501/publiser")
    expect(page.locator("#utkast-status")).to_be_visible()
    page.get_by_role("link", name="Forhåndsvis utkastet slik innbyggerne vil se det").click()
    expect(page.locator("main")).to_contain_text("Forhåndsvisning av utkastet")
