"""The poster prints as exactly one A3 landscape page, however much the municipality has
written, and passes axe-core on the screen."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.models.base import IndicatorKind
from app.models.improvement import ImprovementAreaCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.pathway import StrengthCreate
from app.services import improvement, measurement, strengths
from app.services.access import SYSTEM
from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

#: A3 landscape in PostScript points: 420 × 297 mm.
A3_LANDSCAPE = (1190.55, 841.89)
TOLERANCE = 2.0
POSTER = "/app/kommuner/5501/plakat"


@pytest.fixture(scope="module")
def crowded(live_server: LiveServer) -> None:
    """More strengths and improvement areas than a poster holds, and two charts."""
    database = live_server.database()
    with database.session(write=True) as session:
        for i in range(9):
            strengths.create_strength(
                session,
                SYSTEM,
                "5501",
                StrengthCreate(text=f"Plakatstyrke {i}: et godt samarbeid mellom tjenestene"),
            )
        area = improvement.create_area(
            session, SYSTEM, "5501", ImprovementAreaCreate(title="Plakatområde med målinger")
        )
        for name in ("Samtaler på plakaten", "Hjemmebesøk på plakaten"):
            indicator = measurement.create_indicator(
                session,
                SYSTEM,
                area.id,
                IndicatorCreate(name=name, kind=IndicatorKind.count, unit="samtaler"),
            )
            items = [
                {
                    "period": measurement.shift_period(date(2023, 1, 1), "month", i).isoformat(),
                    "value": 10 + (i * 7) % 5,
                }
                for i in range(18)
            ]
            measurement.upsert_observations(
                session,
                SYSTEM,
                indicator.id,
                ObservationList.model_validate({"items": items}),
                1,
            )
        for i in range(5):
            improvement.create_area(
                session, SYSTEM, "5501", ImprovementAreaCreate(title=f"Ekstra område {i}")
            )
    database.dispose()


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of every page object of a PDF, from its MediaBox."""
    text = pdf.decode("latin-1")
    sizes = []
    for match in re.finditer(r"/Type\s*/Page(?![a-zA-Z])", text):
        start = text.rfind("<<", 0, match.start())
        end = text.find("endobj", match.end())
        box = re.search(
            r"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]",
            text[start:end],
        )
        assert box is not None, "a page without a MediaBox"
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


def test_the_poster_prints_on_one_a3_landscape_page(
    page: Page, live_server: LiveServer, crowded: None
) -> None:
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}{POSTER}")
    expect(page.locator("h1")).to_have_text("Demensforløpet i Tromsø")
    expect(page.locator(".poster-phase")).to_have_count(6)
    expect(page.locator(".poster-chart svg")).to_have_count(2)
    expect(page.locator(".poster__strengths .poster-more")).to_contain_text("flere")
    # The last "+N flere" of the areas is for the areas themselves (an area with many
    # measures, made by another test, has one of its own).
    expect(page.locator(".poster__areas .poster-more").last).to_contain_text("flere")
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = _pages(pdf)
    assert len(sizes) == 1, sizes
    width, height = sizes[0]
    assert abs(width - A3_LANDSCAPE[0]) <= TOLERANCE, sizes
    assert abs(height - A3_LANDSCAPE[1]) <= TOLERANCE, sizes
