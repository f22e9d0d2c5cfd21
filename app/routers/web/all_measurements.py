"""One view of all a municipality's measurements (`/app/kommuner/{number}/malinger`): every
indicator with its latest value, its verdict in words and a thumbnail of its chart, grouped
by improvement area or by kind (process, outcome, balancing measures)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Response
from markupsafe import Markup

from app.models.base import IndicatorRole
from app.models.improvement import ImprovementArea
from app.rendering import chart_text
from app.rendering.chart_text import ChartInput
from app.rendering.sparkline import sparkline
from app.services import run_charts
from app.services.workspace import open_workspace
from app.web import labels
from app.web.core import SignedInDep, Web
from app.web.i18n import N_
from app.web.improvement_forms import common_context
from app.web.indicators import chart_locale, chart_translator

router = APIRouter(include_in_schema=False)
PAGE = "measurement/all.html"
GROUPINGS = ("omrade", "type")


@dataclass(frozen=True)
class Row:
    indicator_id: int
    name: str
    area: ImprovementArea
    role: str
    latest: str
    latest_period: str
    verdict: str
    verdict_direction: str
    thumbnail: Markup | None


def _row(web: Web, area: ImprovementArea, chart: ChartInput) -> Row:
    _ = chart_translator(web.lang)
    locale = chart_locale(web.lang)
    indicator, analysis = chart.indicator, chart.analysis
    last = analysis.points[-1] if analysis.points else None
    if last is None:
        latest, period = web._(N_("Ingen tall ennå")), ""
    elif last.value is None:
        latest = last.suppressed or ""
        period = chart_text.format_period(last.period, indicator.frequency, _, locale)
    else:
        latest = chart_text.format_value(last.value, indicator.kind, indicator.unit, locale)
        period = chart_text.format_period(last.period, indicator.frequency, _, locale)
    picture = sparkline(chart)
    return Row(
        indicator_id=indicator.id,
        name=indicator.name,
        area=area,
        role=indicator.role.value,
        latest=latest,
        latest_period=period,
        verdict=chart_text.verdict_text(analysis.verdict, indicator.frequency, _, locale),
        verdict_direction=analysis.verdict.direction,
        # Built with ElementTree, which escapes every text.
        thumbnail=None if picture is None else Markup(picture),  # noqa: S704
    )


@router.get("/app/kommuner/{number}/malinger")
def all_measurements(number: str, web: SignedInDep, gruppering: str = "omrade") -> Response:
    ws = open_workspace(web.db, web.principal, number)
    grouping = gruppering if gruppering in GROUPINGS else "omrade"
    rows = [
        _row(web, area, chart)
        for area, charts in run_charts.municipality_charts(web.db, web.principal, ws.number)
        for chart in charts
    ]
    if grouping == "type":
        groups = [
            (web._(labels.INDICATOR_ROLE[role.value]), [r for r in rows if r.role == role.value])
            for role in IndicatorRole
        ]
    else:
        areas = {r.area.id: r.area for r in rows}
        groups = [(a.title, [r for r in rows if r.area.id == a.id]) for a in areas.values()]
    return web.render(
        PAGE,
        {
            **common_context(web, ws),
            "groups": [(title, items) for title, items in groups if items],
            "grouping": grouping,
            "count": len(rows),
            "page_title": web._(N_("Alle målinger")),
        },
    )
