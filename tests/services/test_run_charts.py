"""The run-chart analysis of an indicator, as each reader may see it."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models.base import IndicatorKind
from app.models.measurement import IndicatorCreate, ObservationInput, ObservationList
from app.services import measurement, run_charts
from app.services.access import SYSTEM
from tests import factories


def _indicator(session: Session, area_id: int, values: list[int]) -> int:
    created = measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate.model_validate({"name": "Kartlagt", "kind": "count"}),
    )
    items = [ObservationInput(period=date(2024, i + 1, 1), value=v) for i, v in enumerate(values)]
    measurement.upsert_observations(session, SYSTEM, created.id, ObservationList(items=items), 1)
    return created.id


def test_small_counts_are_hidden_from_readers_who_may_not_see_them(session: Session) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, [2, 8, 9, 12])
    editor = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    seen = run_charts.get_analysis(session, editor, indicator_id)
    assert [p.value for p in seen.points] == [2, 8, 9, 12]
    hidden = run_charts.get_analysis(session, adviser, indicator_id)
    assert hidden.points[0].value is None
    assert hidden.points[0].suppressed == "<5"
    assert hidden.suppressed_points == 1
    assert run_charts.analysis_fingerprint(
        session, editor, indicator_id
    ) != run_charts.analysis_fingerprint(session, adviser, indicator_id)


def test_the_charts_of_an_area_come_in_indicator_order(session: Session) -> None:
    area_id = factories.area(session, "5501")
    first = _indicator(session, area_id, [5, 6, 7])
    second = _indicator(session, area_id, [8, 9, 10])
    charts = run_charts.area_charts(session, SYSTEM, area_id)
    assert [c.indicator.id for c in charts] == [first, second]
    assert run_charts.get_chart(session, SYSTEM, first).analysis.points[-1].value == 7


def test_municipality_charts_are_grouped_by_area_in_priority_order(session: Session) -> None:
    factories.area(session, "5501", "Første")
    second = factories.area(session, "5501", "Andre")
    indicator = measurement.create_indicator(
        session, SYSTEM, second, IndicatorCreate(name="Ventetid", kind=IndicatorKind.value)
    )
    groups = run_charts.municipality_charts(session, SYSTEM, "5501")
    titles = [(area.title, [c.indicator.id for c in charts]) for area, charts in groups]
    assert ("Første", []) in titles
    assert ("Andre", [indicator.id]) in titles
    assert [t for t, _ in titles].index("Første") < [t for t, _ in titles].index("Andre")
