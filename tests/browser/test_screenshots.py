"""Screenshots for a person to look at (README: test-artifacts/screenshots/): the regional
overview at 1366 px, where the municipality tables fit with their name column in view, and
the A3 poster as it prints, drawn from its PDF by pdftoppm (Debian's poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from app.services import seed_content
from tests.browser.conftest import ADVISER, LiveServer, sign_in
from tests.conftest import IN_CI

pytestmark = pytest.mark.browser

#: The example municipality whose demo content the poster shows.
EXAMPLE = "5532"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.markup
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

    # The demo content of a municipality no other browser test uses (its strengths, phases,
    # measures and a run chart), so the poster shows what a municipality really writes.
    database = live_server.database()
    with database.session(write=True) as session:
        seed_content.fill_example(session, EXAMPLE)
    database.dispose()
    poster = new_context(viewport={"width": 1588, "height": 1123}).new_page()
    sign_in(poster, live_server, ADVISER)
    poster.goto(f"{live_server.url}/app/kommuner/{EXAMPLE}/plakat")
    poster.emulate_media(media="print")
    pdf = SCREENSHOTS / "poster-a3.pdf"
    poster.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    assert_the_poster_fills_the_sheet(poster)
    pdf_to_png(pdf, SCREENSHOTS / "poster-a3.png")


def pdf_to_png(pdf: Path, out: Path) -> None:
    """The PDF's one page as a PNG (A3 at 60 dpi: about 990 × 700 pixels)."""
    if shutil.which("pdftoppm") is None:
        message = "pdftoppm is missing: apt-get install poppler-utils"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    out.unlink(missing_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(out.with_suffix(""))],
        check=True,
        timeout=60,
    )
    assert out.stat().st_size > 10_000


def assert_the_poster_fills_the_sheet(poster: Page) -> None:
    """The demo municipality's content reaches the lower part of the sheet, the chart spans
    well over a quarter of its width, and its labels are large."""
    sheet = poster.locator("main.poster").bounding_box()
    assert sheet is not None
    bottoms = poster.locator(
        ".poster-phase, .poster-chart, .poster__areas, .poster__plan"
    ).evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    lowest = (max(bottoms) - sheet["y"]) / sheet["height"]
    assert lowest > 0.7, f"content ends at {lowest:.0%} of the sheet"
    chart = poster.locator(".poster-chart svg").first.bounding_box()
    assert chart is not None
    assert chart["width"] / sheet["width"] > 0.4, chart
    label = poster.locator(".poster-chart svg .rc-axis text").first.bounding_box()
    assert label is not None
    # 16.5 of the chart's 800 units drawn about 190 mm wide: text at least 3.5 mm tall.
    assert label["height"] / sheet["height"] * 277 >= 3.5, label
