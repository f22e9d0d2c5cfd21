"""The regional overview, the national view and the comments in a real browser: axe-core
finds nothing, the filters work without JavaScript and with it, and a comment is written by
one person and resolved by another."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    ADVISER,
    KAFJORD,
    LiveServer,
    axe_violations,
    demo_user,
    describe,
    sign_in,
)

pytestmark = pytest.mark.browser

ADMIN = demo_user("admin")


def _check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {describe(violations)}"


@pytest.mark.markup
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_overview_pages_pass_axe(page: Page, live_server: LiveServer, lang: str) -> None:
    sign_in(page, live_server, ADVISER)
    for name, path in [
        ("region page", "/app/regioner/troms"),
        ("filtered region page", "/app/regioner/troms?fase=assessment&kunnskap=nei"),
        ("region page, filter not valid", "/app/regioner/troms?kunnskap=kanskje"),
        ("anonymous summary", "/app/regioner/troms/sammendrag"),
        ("good examples", "/app/regioner/troms/gode-eksempler"),
        ("good examples of one municipality", "/app/regioner/troms/gode-eksempler?kommune=5501"),
        ("comments", "/app/kommuner/5501/kommentarer"),
        ("adviser dashboard", "/app"),
    ]:
        separator = "&" if "?" in path else "?"
        page.goto(f"{live_server.url}{path}{separator}lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        _check(page, f"{name} ({lang})")
    rows = page.goto(f"{live_server.url}/app/regioner/troms")
    assert rows is not None
    assert page.locator("#grid tbody tr").count() == 21


@pytest.mark.markup
def test_the_national_view_passes_axe(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, ADMIN)
    page.goto(f"{live_server.url}/app/nasjonalt")
    expect(page.locator("#grid tbody tr")).to_have_count(357)
    _check(page, "national view")
    page.goto(f"{live_server.url}/app/nasjonalt/sammendrag")
    _check(page, "national summary")


def test_filtering_the_grid_without_and_with_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    plain = new_context(java_script_enabled=False).new_page()
    sign_in(plain, live_server, ADVISER)
    plain.goto(f"{live_server.url}/app/regioner/troms")
    plain.select_option("#filter-fase", "assessment")
    plain.click("#filters button[type=submit]")
    plain.wait_for_url("**/app/regioner/troms?fase=assessment*")
    expect(plain.locator("#grid thead th")).to_have_count(2)
    expect(plain.locator("#grid tbody tr")).to_have_count(21)
    expect(plain.locator("#filter-fase")).to_have_value("assessment")
    csv_link = plain.locator(".export-links a").first.get_attribute("href")
    assert csv_link is not None
    assert "fase=assessment" in csv_link

    page = new_context().new_page()
    sign_in(page, live_server, ADVISER)
    page.goto(f"{live_server.url}/app/regioner/troms")
    expect(page.locator("#grid thead th")).to_have_count(7)
    page.evaluate("window.notReloaded = true")
    page.select_option("#filter-fase", "suspicion")
    page.click("#filters button[type=submit]")
    expect(page.locator("#grid thead th")).to_have_count(2)
    expect(page.locator("#grid thead th").nth(1)).to_have_attribute("data-phase", "suspicion")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the results only
    assert "fase=suspicion" in page.url
    _check(page, "region page after an htmx swap")


def test_a_comment_written_by_the_adviser_is_resolved_by_the_coordinator(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    text = "Kan dere beskrive hvem som følger opp etter diagnose?"
    adviser = new_context().new_page()
    sign_in(adviser, live_server, ADVISER)
    adviser.goto(f"{live_server.url}/app/kommuner/5540/forlop")
    adviser.locator("#fase-assessment a.phase__comments").click()
    expect(adviser.locator("#ny-gjelder")).to_have_value("fase:assessment")
    adviser.fill("#ny-text", text)
    adviser.click("#ny-kommentar button[type=submit]")
    thread = adviser.locator("article.thread", has_text=text)
    expect(thread).to_have_attribute("data-resolved", "false")
    _check(adviser, "comments after writing one")

    coordinator = new_context().new_page()
    sign_in(coordinator, live_server, KAFJORD)
    entry = coordinator.locator("#open-threads li", has_text=text)
    expect(entry).to_be_visible()
    entry.locator("a").click()
    thread = coordinator.locator("article.thread", has_text=text)
    thread.locator("textarea").fill("Hukommelsesteamet gjør det, vi skriver det inn.")
    thread.get_by_role("button", name="Send svar").click()
    thread = coordinator.locator("article.thread", has_text=text)
    expect(thread.locator("li.comment")).to_have_count(2)
    thread.get_by_role("button", name="Merk som løst").click()
    expect(coordinator.locator("article.thread", has_text=text)).to_have_attribute(
        "data-resolved", "true"
    )
    coordinator.goto(f"{live_server.url}/app")
    expect(coordinator.locator("#open-threads li", has_text=text)).to_have_count(0)

    adviser.goto(f"{live_server.url}/app/kommuner/5540/kommentarer")
    resolved = adviser.locator("article.thread", has_text=text)
    expect(resolved).to_have_attribute("data-resolved", "true")
    expect(resolved).to_contain_text("Løst av Demenskoordinator Kåfjord (demo)")
