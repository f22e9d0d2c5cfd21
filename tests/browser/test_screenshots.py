"""Screenshots for a person to look at (README: test-artifacts/screenshots/): the regional
overview at 1366 px, where the municipality tables fit with their name column in view, and
the A3 poster as it prints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.conftest import ADVISER, TROMSO, LiveServer, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_overview_at_1366_and_poster_screenshots(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(page, live_server, ADVISER)
    page.goto(f"{live_server.url}/app/regioner/troms")
    for table in ("grid", "figures"):
        sticky = page.locator(f"#{table} tbody th[scope=row]").first.evaluate(
            "th => getComputedStyle(th).position"
        )
        assert sticky == "sticky"
    box = page.locator("#figures-scroll")
    fits = box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
    hint_hidden = page.locator("#figures-scroll-hint").is_hidden()
    assert fits == hint_hidden
    for href in page.locator(".jump-links a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, href
    out = SCREENSHOTS / "overview-1366.png"
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000

    poster = new_context(viewport={"width": 1588, "height": 1123}).new_page()
    sign_in(poster, live_server, TROMSO)
    poster.goto(f"{live_server.url}/app/kommuner/5501/plakat")
    poster.emulate_media(media="print")
    poster.pdf(
        path=str(SCREENSHOTS / "poster-a3.pdf"), prefer_css_page_size=True, print_background=True
    )
    out = SCREENSHOTS / "poster-a3.png"
    poster.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000
