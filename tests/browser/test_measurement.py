"""Measurement in a real browser: the pages with run charts pass axe-core in both languages,
rows pasted from a spreadsheet update the chart without a page load, and the quick-entry
table works by keyboard alone (and without JavaScript)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from app.models.base import IndicatorKind, local_today
from app.models.improvement import ImprovementAreaCreate, MeasureCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.services import improvement, measurement
from app.services.access import SYSTEM
from tests.browser.conftest import ADVISER, TROMSO, LiveServer, axe_violations, describe, sign_in

pytestmark = pytest.mark.browser

SERIES = [4, 3, 3, 2, 2, 3, 3, 4, 4, 4, 4, 3, 3, 2, 2, 1, 2, 1, 0, 3, 3, 4, 5, 6, 7, 9, 8, 7, 6, 6]
MONTHS = "januar februar mars april mai juni juli august september oktober november desember"
#: Twelve rows as a spreadsheet puts them on the clipboard: tab-separated, decimal commas.
TWELVE_ROWS = "\n".join(
    f"{month} 2024\t{value}"
    for month, value in zip(
        MONTHS.split(),
        ["4,5", "5", "3,5", "6", "5,5", "4", "7,5", "6", "5", "8", "7,5", "9"],
        strict=True,
    )
)


@dataclass(frozen=True)
class Indicators:
    area: int
    #: A count with a signal and a small number (3) in it.
    chart: int
    #: Waiting time in weeks with two points, for the paste.
    paste: int
    #: An empty count, for the keyboard.
    keyboard: int
    #: An empty count, for the browser without JavaScript.
    plain: int


def _create(session: Session, area_id: int, name: str, kind: IndicatorKind, unit: str) -> int:
    return measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate(name=name, kind=kind, unit=unit, target=8),
    ).id


@pytest.fixture(scope="module")
def indicators(live_server: LiveServer) -> Indicators:
    database = live_server.database()
    with database.session(write=True) as session:
        area = improvement.create_area(
            session, SYSTEM, "5501", ImprovementAreaCreate(title="Målinger i nettleseren")
        )
        improvement.create_measure(
            session,
            SYSTEM,
            area.id,
            MeasureCreate(title="Fast kontaktperson", start_date=date(2024, 6, 15)),
        )
        chart = _create(
            session, area.id, "Samtaler etter diagnose", IndicatorKind.count, "samtaler"
        )
        items = [
            {
                "period": measurement.shift_period(date(2022, 7, 1), "month", i).isoformat(),
                "value": v,
            }
            for i, v in enumerate(SERIES)
        ]
        measurement.upsert_observations(
            session, SYSTEM, chart, ObservationList.model_validate({"items": items}), 1
        )
        paste = _create(session, area.id, "Ventetid", IndicatorKind.value, "uker")
        measurement.upsert_observations(
            session,
            SYSTEM,
            paste,
            ObservationList.model_validate(
                {
                    "items": [
                        {"period": "2023-11-01", "value": 6},
                        {"period": "2023-12-01", "value": 5.5},
                    ]
                }
            ),
            1,
        )
        keyboard = _create(session, area.id, "Nye brukere", IndicatorKind.count, "personer")
        plain = _create(session, area.id, "Kurs", IndicatorKind.count, "deltakere")
    database.dispose()
    return Indicators(area.id, chart, paste, keyboard, plain)


def _check(page: Page, name: str, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    violations = axe_violations(page)
    assert violations == [], f"{name} ({lang}): {describe(violations)}"


def _open_tables(page: Page) -> None:
    """Open every data table behind a disclosure, so that axe checks them too."""
    for summary in page.locator("details.disclosure > summary").all():
        summary.click()


@pytest.mark.markup
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_pages_with_charts_pass_axe(
    page: Page,
    live_server: LiveServer,
    indicators: Indicators,
    lang: str,
    console_errors: list[str],
) -> None:
    sign_in(page, live_server, TROMSO)
    page.goto(f"{live_server.url}/app/forbedringsomrader/{indicators.area}?lang={lang}")
    expect(
        page.locator(f"#maling-{indicators.chart} svg.run-chart:not(.spc-chart)")
    ).to_be_visible()
    _open_tables(page)
    _check(page, "improvement area with charts", lang)

    page.goto(f"{live_server.url}/app/malinger/{indicators.chart}?lang={lang}")
    expect(page.locator("#diagram-panel svg.run-chart:not(.spc-chart)")).to_be_visible()
    _open_tables(page)
    _check(page, "indicator page", lang)
    page.goto(f"{live_server.url}/app/malinger/{indicators.chart}/perioder/2022-07-01?lang={lang}")
    _check(page, "one observation", lang)

    # Error states, swapped in by htmx: a bad number in the table, bad pasted lines, and
    # an indicator form without a name.
    page.goto(f"{live_server.url}/app/malinger/{indicators.chart}?lang={lang}")
    page.locator("#registrer-items-0-value").fill("mange")
    page.locator("#registrer button[type=submit]").click()
    expect(page.locator("#registrer .error-summary")).to_be_focused()
    _check(page, "quick entry with an error", lang)
    page.locator("#lim-inn-text").fill("januar 2021\ttre\nfebruar 2021\t4")
    page.locator("#importer form").first.locator("button[type=submit]").click()
    expect(page.locator("#paste-errors")).to_be_focused()
    expect(page.locator("#lim-inn-text")).to_have_value("januar 2021\ttre\nfebruar 2021\t4")
    _check(page, "paste with a bad line", lang)
    page.goto(f"{live_server.url}/app/forbedringsomrader/{indicators.area}?lang={lang}")
    page.locator("#malinger form[action$='/malinger'] button[type=submit]").click()
    expect(page.locator("#malinger .error-summary")).to_be_focused()
    _check(page, "indicator form with errors", lang)
    statuses = "the server responded with a status of"
    assert [e for e in console_errors if statuses not in e] == []


def test_an_adviser_reads_the_charts_with_small_numbers_hidden(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, indicators: Indicators
) -> None:
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, live_server, ADVISER)
        page.goto(f"{live_server.url}/app/malinger/{indicators.chart}")
        expect(page.locator("#registrer")).to_have_count(0)
        # The month with 3 reads "<5", in the table and in the chart.
        row = page.locator("#alle tbody tr").nth(SERIES.index(3))
        expect(row.locator("td").first).to_have_text("<5")
        expect(page.locator("#diagram-panel svg .rc-suppressed text").first).to_have_text("<5")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
        )
        assert overflow <= 0, f"the indicator page scrolls sideways by {overflow}px: {wide}"
        _check(page, f"adviser's indicator page {viewport['width']}", "nb")
        page.goto(f"{live_server.url}/app/forbedringsomrader/{indicators.area}")
        _open_tables(page)
        _check(page, f"adviser's improvement area {viewport['width']}", "nb")


def test_pasted_spreadsheet_rows_update_the_chart_without_a_page_load(
    page: Page, live_server: LiveServer, indicators: Indicators, console_errors: list[str]
) -> None:
    url = f"{live_server.url}/app/malinger/{indicators.paste}"
    sign_in(page, live_server, TROMSO, f"/app/malinger/{indicators.paste}")
    page.evaluate("window.__sameDocument = true")
    chart = page.locator("#diagram-panel svg.run-chart:not(.spc-chart)")
    expect(chart.locator(".rc-point")).to_have_count(2)
    before = chart.locator("desc").text_content()

    page.get_by_label("Rader fra regnearket").fill(TWELVE_ROWS)
    page.get_by_role("button", name="Lagre de innlimte tallene").click()

    expect(page.locator("#paste-saved")).to_contain_text(
        "Rader lest: 12. Perioder lagt til eller endret: 12."
    )
    expect(page.locator("#paste-saved")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(
        "Rader lest: 12. Perioder lagt til eller endret: 12."
    )
    expect(chart.locator(".rc-point")).to_have_count(14)
    after = chart.locator("desc").text_content()
    assert after != before
    assert after is not None
    assert "Antall målinger: 14, fra november 2023 til desember 2024." in after
    # The decimal commas were read as decimals: the table shows them back.
    expect(page.locator("#alle tbody tr").nth(2).locator("td").first).to_have_text("4,5")
    expect(page.get_by_label("Rader fra regnearket")).to_have_value("")
    # No navigation: the same document, at the same address.
    assert page.evaluate("window.__sameDocument") is True
    assert page.url == url
    assert console_errors == []


def test_the_quick_entry_table_by_keyboard_alone(
    page: Page, live_server: LiveServer, indicators: Indicators, console_errors: list[str]
) -> None:
    sign_in(page, live_server, TROMSO, f"/app/malinger/{indicators.keyboard}")
    page.evaluate("window.__sameDocument = true")
    this_month = page.locator("#registrer-items-0-value")
    # From the top of the page, Tab reaches this period's field.
    for _presses in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "registrer-items-0-value":
            break
    else:
        pytest.fail("Tab never reached the field for this period")
    # One field and one button: type the number, Enter saves.
    page.keyboard.type("14")
    page.keyboard.press("Enter")
    expect(page.locator("#entry-saved")).to_be_focused()
    expect(this_month).to_have_value("14")
    expect(page.locator("#diagram-panel svg.run-chart:not(.spc-chart) .rc-point")).to_have_count(1)

    # Row by row: number, comment, then the next period's number.
    this_month.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "registrer-items-0-comment"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "registrer-items-1-value"
    # A mistake: the error summary takes the focus, and what was typed stays.
    page.keyboard.type("tolv")
    page.keyboard.press("Enter")
    summary = page.locator("#registrer .error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#registrer-items-1-value")).to_have_value("tolv")
    expect(page.locator("#registrer-items-1-value")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    previous = measurement.shift_period(local_today().replace(day=1), "month", -1)
    database = live_server.database()
    with database.session() as session:
        saved = {
            o.period for o in measurement.list_observations(session, SYSTEM, indicators.keyboard)[1]
        }
    database.dispose()
    assert saved == {local_today().replace(day=1)}
    assert previous not in saved
    statuses = "the server responded with a status of"
    assert [e for e in console_errors if statuses not in e] == []


def test_the_quick_entry_table_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, indicators: Indicators
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, TROMSO, f"/app/malinger/{indicators.plain}")
    page.locator("#registrer-items-0-value").fill("7")
    page.get_by_role("button", name="Lagre tallene").click()
    page.wait_for_url(f"{live_server.url}/app/malinger/{indicators.plain}#registrer")
    expect(page.locator("main > .notice--success")).to_have_text("Endringene er lagret.")
    expect(page.locator("#registrer-items-0-value")).to_have_value("7")
    expect(page.locator("#diagram-panel svg.run-chart:not(.spc-chart) .rc-point")).to_have_count(1)
