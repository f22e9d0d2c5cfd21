"""The chart as the web pages use it: the SVG to inline, the table alternative, the rules in
words, translation and the batch loader for an area's page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models.measurement import IndicatorCreate, ObservationInput, ObservationList
from app.rendering import chart_svg, chart_text
from app.rendering.svg import fmt
from app.services import measurement, run_charts
from app.services.access import SYSTEM
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def _indicator(session: Session, area_id: int, values: list[int], **fields: Any) -> int:
    created = measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate.model_validate({"name": "Andel kartlagt", "kind": "count", **fields}),
    )
    items = [
        ObservationInput(period=date(2024 + i // 12, i % 12 + 1, 1), value=v)
        for i, v in enumerate(values)
    ]
    if items:
        measurement.upsert_observations(
            session, SYSTEM, created.id, ObservationList(items=items), 1
        )
    return created.id


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_the_rules_in_words(session: Session) -> None:
    area_id = factories.area(session, "5501")
    few = run_charts.get_chart(session, SYSTEM, _indicator(session, area_id, [5, 6, 7]))
    assert chart_text.rule_sentences(few.analysis) == [
        "Det er for få punkter til å bruke reglene: 2 punkter ligger utenfor midtlinjen, og "
        "det trengs minst 10."
    ]
    assert chart_text.signal_summary(few.analysis) == (
        "For få punkter til å bruke reglene (2 av minst 10)"
    )

    random = run_charts.get_chart(session, SYSTEM, _indicator(session, area_id, [1, 9] * 6))
    assert chart_text.rule_sentences(random.analysis) == [
        "Ingen uvanlig lange løp: det lengste løpet er 1 punkter, og grensen er 7.",
        "Linjen krysser midtlinjen 11 ganger, som ventet ved tilfeldig variasjon (minst 3).",
        "Ingen signal: variasjonen ser tilfeldig ut, og reglene viser ingen reell endring.",
    ]

    shift = _indicator(
        session, area_id, [3, 4, 3, 4, 3, 4, 9, 8, 9, 8, 9, 8, 9, 8], baseline_points=6
    )
    down = run_charts.get_chart(session, SYSTEM, shift)
    sentences = chart_text.rule_sentences(
        down.analysis, down.indicator.direction, down.indicator.frequency
    )
    assert sentences[0] == (
        "Et uvanlig langt løp over medianen tyder på en reell endring: 9 punkter på rad ligger "
        "over midtlinjen (juni 2024–februar 2025), og grensen er 7."
    )
    assert sentences[1] == "Løpet ligger på den ønskede siden av midtlinjen."
    assert sentences[2] == (
        "Linjen krysser midtlinjen 5 ganger, som ventet ved tilfeldig variasjon (minst 4)."
    )
    assert chart_text.signal_summary(down.analysis) == (
        "Signal: uvanlig langt løp (9 punkter, grensen er 7)"
    )
    assert any("langt løp" in s for s in chart_text.rule_explanations())


def test_the_table_alternative_has_every_point(session: Session) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, [2, 8, 5], unit="personer")
    table = chart_text.chart_table(run_charts.get_chart(session, SYSTEM, indicator_id))
    assert table.caption == "Målinger for Andel kartlagt"
    assert table.columns == (
        "Periode",
        "personer",
        "Mot midtlinjen",
        "I uvanlig langt løp",
        "Kommentar",
    )
    assert table.rows == (
        ("januar 2024", "2", "under", "", ""),
        ("februar 2024", "8", "over", "", ""),
        ("mars 2024", "5", "på midtlinjen", "", ""),
    )


def test_texts_go_through_the_translator(session: Session) -> None:
    area_id = factories.area(session, "5501")
    chart = run_charts.get_chart(session, SYSTEM, _indicator(session, area_id, [1, 2, 4]))
    english = {
        "Seriediagram: {name}": "Run chart: {name}",
        "Median {value}": "Median {value}",
        "Målinger": "Measurements",
    }

    def translate(message: str) -> str:
        return english.get(message, message)

    root = _parse(chart_svg.render_chart(chart, translate=translate, locale="en"))
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Run chart: Andel kartlagt"
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "Measurements" in texts
    assert "Jan 2024" in texts  # dates in the locale's words
    assert root.get("lang") == "en"

    def marked(message: str) -> str:
        return "‹" + message + "›"

    # Every sentence of the description is a translated message.
    description = chart_text.chart_description(chart, marked)
    assert description.startswith("‹Seriediagram for")
    assert description.endswith("›")


def test_several_charts_on_one_page_have_their_own_ids(session: Session) -> None:
    area_id = factories.area(session, "5501")
    first = run_charts.get_chart(session, SYSTEM, _indicator(session, area_id, [1, 2]))
    second = run_charts.get_chart(session, SYSTEM, _indicator(session, area_id, [3, 4]))
    ids = []
    for chart in (first, second):
        root = _parse(chart_svg.render_chart(chart, heading=False))
        ids += [e.get("id") for e in root.iter() if e.get("id")]
        assert root.find(f"{SVG}text[@class='rc-heading']") is None
    assert len(ids) == len(set(ids)) == 4
    document = chart_svg.svg_document(first)
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_an_area_page_loads_every_chart_in_a_fixed_number_of_queries(
    session: Session, queries: Any
) -> None:
    area_id = factories.area(session, "5501")
    factories.measure(session, area_id)
    counts = []
    for indicators in (1, 4):
        while len(run_charts.area_charts(session, SYSTEM, area_id)) < indicators:
            _indicator(session, area_id, list(range(indicators * 12)))
        with queries.counting():
            charts = run_charts.area_charts(session, SYSTEM, area_id)
        counts.append(queries.count)
        assert len(charts) == indicators
    assert counts[0] == counts[1]
    assert [c.analysis.n_points for c in charts] == [12, 48, 48, 48]


def test_the_poster_draws_the_same_chart_with_larger_texts_and_lines(session: Session) -> None:
    area_id = factories.area(session, "5501")
    chart = run_charts.get_chart(
        session, SYSTEM, _indicator(session, area_id, [3, 5, 4, 6, 8, 7, 9, 12, 11, 13, 12, 14])
    )
    screen = _parse(chart_svg.render_chart(chart, heading=False))
    poster = _parse(chart_svg.render_chart(chart, heading=False, scale=chart_svg.POSTER_SCALE))

    def sizes(root: ET.Element, name: str) -> list[float]:
        return [float(e.get(name) or 0) for e in root.iter() if e.get(name) is not None]

    # The same drawing: the same elements with the same texts.
    assert [e.tag for e in poster.iter()] == [e.tag for e in screen.iter()]
    assert [e.text for e in poster.iter()] == [e.text for e in screen.iter()]
    for name in ("font-size", "stroke-width", "r"):
        assert sizes(screen, name)
        assert sizes(poster, name) == [
            float(fmt(v * chart_svg.POSTER_SCALE)) for v in sizes(screen, name)
        ]
    # The legend rows are spaced for the larger text, so the poster's chart is taller.
    assert float(poster.get("height") or 0) > float(screen.get("height") or 0)
    axis = poster.find(f"{SVG}g[@class='rc-axis']")
    assert axis is not None
    assert float(axis.get("font-size") or 0) >= 16
