"""The learning network in a real browser, with and without JavaScript: the facilitator plans
a gathering and a task, Tromsø's coordinator answers it, the gathering page shows both; the
pages pass axe-core in bokmål and English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    ADVISER,
    TROMSO,
    LiveServer,
    axe_violations,
    describe,
    sign_in,
)

pytestmark = pytest.mark.browser


def _network_url(page: Page, server: LiveServer) -> str:
    """Through the menu, as a person finds it."""
    page.goto(f"{server.url}/app")
    page.click("nav.main-nav >> text=Læringsnettverk")
    page.wait_for_url("**/app/nettverk")
    page.click("main a:has-text('Læringsnettverk for gode demensforløp i Troms')")
    page.wait_for_url("**/app/nettverk/*")
    return page.url


def _plan_answer_and_collect(
    new_context: Callable[..., BrowserContext], server: LiveServer, tag: str, js: bool
) -> tuple[str, str, str]:
    facilitator = new_context(java_script_enabled=js).new_page()
    sign_in(facilitator, server, ADVISER)
    network = _network_url(facilitator, server)

    facilitator.fill("#samling-title", f"Samling {tag}")
    facilitator.fill("#samling-starts_on", "2030-05-02")
    facilitator.fill("#samling-ends_on", "2030-05-01")  # before the start: refused
    facilitator.click("form[action$='/samlinger'] button[type=submit]")
    expect(facilitator.locator("#samling-ends_on-error")).to_be_visible()
    expect(facilitator.locator("#samling-title")).to_have_value(f"Samling {tag}")
    facilitator.fill("#samling-ends_on", "2030-05-03")
    facilitator.fill("#samling-place", "Tromsø")
    facilitator.click("form[action$='/samlinger'] button[type=submit]")
    facilitator.wait_for_url("**/app/samlinger/*")
    gathering = facilitator.url

    facilitator.goto(network)
    facilitator.fill("#oppgave-title", f"Oppgave {tag}")
    facilitator.fill("#oppgave-description", "Hva har dere fått til siden sist?")
    facilitator.select_option("#oppgave-gathering_id", label=f"Samling {tag} (02.05.2030)")
    facilitator.click("form[action$='/oppgaver'] button[type=submit]")
    facilitator.wait_for_url("**/app/oppgaver/*")
    task = facilitator.url

    coordinator = new_context(java_script_enabled=js).new_page()
    sign_in(coordinator, server, TROMSO)
    coordinator.goto(task)
    answer = coordinator.locator("#svar-5501")
    answer.locator("label:has-text('Klart til samlingen')").click()
    answer.locator("textarea[name=report]").fill(f"Rapport {tag}: hukommelsesteamet er utvidet.")
    answer.locator("button[type=submit]").click()
    coordinator.wait_for_url(task)
    expect(coordinator.locator("#svar-5501 textarea[name=report]")).to_have_value(
        f"Rapport {tag}: hukommelsesteamet er utvidet."
    )

    facilitator.goto(gathering)
    expect(facilitator.locator("main")).to_contain_text(f"Oppgave {tag}")
    expect(facilitator.locator("main")).to_contain_text(
        f"Rapport {tag}: hukommelsesteamet er utvidet."
    )
    return network, gathering, task


def test_plan_answer_and_collect_with_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    _plan_answer_and_collect(new_context, live_server, "A", js=True)


def test_plan_answer_and_collect_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    _plan_answer_and_collect(new_context, live_server, "B", js=False)


@pytest.mark.markup
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_network_pages_pass_axe(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, lang: str
) -> None:
    network, gathering, task = _plan_answer_and_collect(new_context, live_server, f"C{lang}", True)
    for who in (ADVISER, TROMSO):
        page = new_context().new_page()
        sign_in(page, live_server, who)
        for name, url in [
            ("networks", f"{live_server.url}/app/nettverk"),
            ("network", network),
            ("gathering", gathering),
            ("task", task),
            ("poster gallery", f"{network}/plakater"),
            ("poster", f"{live_server.url}/app/kommuner/5501/plakat"),
        ]:
            page.goto(f"{url}?lang={lang}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            violations = axe_violations(page)
            assert violations == [], f"{name} as {who.email} ({lang}): {describe(violations)}"
