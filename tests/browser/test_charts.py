"""Charts people can act on, in a real browser: the verdict first, a note on a point and a
PDSA cycle shown on the chart, the control chart beside the run chart, the chart downloaded
as SVG and as PNG with the same points, and all the municipality's measurements on one page;
axe-core finds nothing in bokmål or English."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.models.base import Direction, IndicatorKind
from app.models.improvement import ImprovementAreaCreate, MeasureCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.pdsa import PdsaCycleCreate
from app.services import improvement, measurement, pdsa
from app.services.access import SYSTEM
from tests.browser.conftest import TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

WAITING = [31, 29, 30, 32, 28, 31, 30, 29, 33, 30, 28, 31, 30, 29]
WAITING += [19, 18, 17, 19, 18, 16, 18, 17, 19, 18]


@pytest.fixture(scope="module")
def indicator_id(live_server: LiveServer) -> int:
    database = live_server.database()
    with database.session(write=True) as session:
        area = improvement.create_area(
            session, SYSTEM, "5501", ImprovementAreaCreate(title="Raskere utredning")
        )
        created = measurement.create_indicator(
            session,
            SYSTEM,
            area.id,
            IndicatorCreate(
                name="Ventetid til utredning",
                kind=IndicatorKind.value,
                unit="dager",
                direction=Direction.down,
            ),
        )
        items = [
            {
                "period": date(2025 + i // 12, i % 12 + 1, 1).isoformat(),
                "value": value,
                "comment": "Ny rutine for henvisning" if i == 14 else "",
            }
            for i, value in enumerate(WAITING)
        ]
        measurement.upsert_observations(
            session, SYSTEM, created.id, ObservationList.model_validate({"items": items}), 1
        )
        measure = improvement.create_measure(
            session, SYSTEM, area.id, MeasureCreate(title="Ny henvisningsrutine")
        )
        pdsa.create_cycle(
            session,
            SYSTEM,
            measure.id,
            PdsaCycleCreate(title="Henvisning på skjema", starts_on=date(2026, 2, 1)),
        )
    database.dispose()
    return created.id


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_chart_says_what_happened_and_travels_as_svg_and_png(
    page: Page, live_server: LiveServer, indicator_id: int, lang: str
) -> None:
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/malinger/{indicator_id}?lang={lang}")
    summary = page.locator(".verdict__summary").first
    improvement_word = "Forbedring" if lang == "nb" else "Improvement"
    expect(summary).to_contain_text(improvement_word)
    # The note on March 2026 is on the chart, as A1, with its text in the legend.
    chart = page.locator("svg.run-chart:not(.spc-chart)").first
    expect(chart.locator("text", has_text=re.compile(r"^A1$"))).to_have_count(1)
    expect(chart.locator("text", has_text="Ny rutine for henvisning")).to_have_count(1)
    # The PDSA cycle of the area's measure is marked where it started, as P1.
    expect(chart.locator("text", has_text=re.compile(r"^P1$"))).to_have_count(1)
    expect(chart.locator("text", has_text="Henvisning på skjema")).to_have_count(1)
    # The control chart opens beside it.
    page.locator("details.spc summary").click()
    spc = page.locator("details.spc svg")
    expect(spc).to_be_visible()
    assert spc.locator("path[fill='#a63d00']").count() >= 10
    violations = axe_violations(page)
    assert violations == [], f"indicator page ({lang}): {describe(violations)}"

    # The downloads: the SVG has the same points as the chart on the page, the PNG opens.
    on_page = chart.locator("g.rc-series circle, g.rc-series path").count()
    assert on_page == len(WAITING)
    svg_link = page.locator("a[href$='chart.svg?lang=" + lang + "']")
    svg_text = page.evaluate(
        "async (url) => await (await fetch(url)).text()", svg_link.get_attribute("href")
    )
    downloaded = page.context.new_page()
    downloaded.set_content(svg_text.split("?>", 1)[1])
    assert downloaded.locator("g.rc-series circle, g.rc-series path").count() == on_page
    png_url = page.locator("a[href$='chart.png?lang=" + lang + "']").get_attribute("href")
    downloaded.goto(f"{live_server.url}{png_url}")
    size = downloaded.evaluate(
        "() => { const i = document.querySelector('img');"
        " return [i.naturalWidth, i.naturalHeight]; }"
    )
    assert size[0] == 1600
    assert size[1] > 400
    downloaded.close()

    page.goto(f"{live_server.url}/app/kommuner/5501/malinger?lang={lang}")
    expect(page.locator(f"#maling-{indicator_id}")).to_contain_text(improvement_word)
    violations = axe_violations(page)
    assert violations == [], f"all measurements ({lang}): {describe(violations)}"
