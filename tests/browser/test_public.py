"""The public pages in a real browser: the start page finds Kåfjord by its Sami name and by
number, live with JavaScript and by submitting the form without; every public page (and
the publishing and history pages) passes axe-core and works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.models.pathway import PhaseSectionInput
from app.models.publishing import PublishInput
from app.services import pathway, publishing
from app.services.access import SYSTEM
from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

OFFERING_FIELDS = ("type", "name", "description", "status", "provider", "contact")


@pytest.fixture(scope="module")
def published(live_server: LiveServer) -> int:
    """Tromsø published twice (the second time with a changed phase), so that the public
    page, the versions and a comparison have something to show."""
    database = live_server.database()
    with database.session(write=True) as session:
        versions = publishing.list_versions(session, SYSTEM, "5501")
        if versions.total == 0:
            publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første versjon"))
            section = pathway.get_section(session, SYSTEM, "5501", "suspicion")
            data = section.model_dump()
            changed = {
                "description": section.description + "\n\nNytt avsnitt fra nettlesertesten.",
                "responsible": data["responsible"],
                "contact": data["contact"],
                "maturity": data["maturity"],
                "needs_knowledge": data["needs_knowledge"],
                "offerings": [{k: o[k] for k in OFFERING_FIELDS} for o in data["offerings"]],
            }
            pathway.update_section(
                session,
                SYSTEM,
                "5501",
                "suspicion",
                PhaseSectionInput.model_validate(changed),
                section.version,
            )
            publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Nytt avsnitt"))
        total = publishing.list_versions(session, SYSTEM, "5501").total
    database.dispose()
    return total


def _check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {describe(violations)}"


def test_the_start_page_finds_kafjord_live(
    page: Page, live_server: LiveServer, console_errors: list[str]
) -> None:
    page.goto(f"{live_server.url}/")
    _check(page, "start page")
    search = page.get_by_label("Kommunenavn eller kommunenummer")
    search.press_sequentially("Gáivuotna", delay=20)
    result = page.locator("#results a[href='/kommuner/5540']")
    expect(result).to_be_visible()
    expect(result).to_contain_text("Kåfjord")
    assert page.url == f"{live_server.url}/"  # live results, no page load
    _check(page, "start page with results")

    search.fill("")
    search.press_sequentially("5540", delay=20)
    expect(page.locator("#results a[href='/kommuner/5540']")).to_be_visible()
    result.click()
    page.wait_for_url(f"{live_server.url}/kommuner/5540")
    expect(page.locator("h1")).to_contain_text("Kåfjord")
    assert console_errors == []


def test_the_public_pages_work_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, published: int
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/")
    for query in ("Gáivuotna", "5540"):
        page.get_by_label("Kommunenavn eller kommunenummer").fill(query)
        page.get_by_role("button", name="Søk").click()
        page.wait_for_url("**/?q=*")
        expect(page.locator("#results a[href='/kommuner/5540']")).to_contain_text("Kåfjord")

    page.locator("#results a[href='/kommuner/5540']").click()
    expect(page.locator("main")).to_contain_text("har ikke publisert demensforløpet")

    page.goto(f"{live_server.url}/kommuner/5501")
    expect(page.locator("h1")).to_have_text("Demensforløpet i Tromsø")
    expect(page.locator(".public-published")).to_contain_text(f"versjon {published}")
    expect(page.locator(".public-phase")).to_have_count(6)
    expect(page.locator("main")).to_contain_text("Nytt avsnitt fra nettlesertesten.")


@pytest.mark.markup
def test_the_public_pages_pass_axe(page: Page, live_server: LiveServer, published: int) -> None:
    # axe-core runs as a script, so it checks the pages in a browser with JavaScript; the
    # pages themselves are the same without (nothing on them is built by script).
    for name, path in [
        ("results", "/?q=G%C3%A1ivuotna"),
        ("no results", "/?q=Atlantis"),
        ("not yet published", "/kommuner/5540"),
        ("published pathway", "/kommuner/5501"),
        ("published pathway in English", "/kommuner/5501?lang=en"),
        ("start page in English", "/?lang=en&q=5540"),
    ]:
        page.goto(f"{live_server.url}{path}")
        _check(page, name)
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.markup
def test_publishing_and_history_pages_pass_axe(
    page: Page, live_server: LiveServer, published: int
) -> None:
    sign_in(page, live_server, TROMSO)
    for name, path in [
        ("publish", "/app/kommuner/5501/publiser"),
        ("history", "/app/kommuner/5501/historikk"),
        ("compare", f"/app/kommuner/5501/historikk/sammenlign?fra=1&til={published}"),
        ("compare with draft", "/app/kommuner/5501/historikk/sammenlign?fra=1&til=utkast"),
    ]:
        page.goto(f"{live_server.url}{path}")
        _check(page, name)
    page.goto(f"{live_server.url}/app/kommuner/5501/historikk/sammenlign?fra=1&til={published}")
    changed = page.locator(".diff-phase--changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins")).to_contain_text("Nytt avsnitt fra nettlesertesten.")
