"""The poster: one A3 landscape page per municipality, as presented at network gatherings —
the pathway with its key offerings, the strengths, the improvement areas with the status of
their measures, and up to two run charts. Long lists are cut with "+N more" so the page
never spills onto a second sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import APIRouter, Response

from app.services import improvement, pathway, run_charts, strengths
from app.services.workspace import open_workspace
from app.web.core import SignedInDep
from app.web.i18n import N_
from app.web.indicators import ChartView, chart_view

router = APIRouter(include_in_schema=False)

T = TypeVar("T")

OFFERINGS_PER_PHASE = 4
STRENGTHS_SHOWN = 5
AREAS_SHOWN = 4
CHARTS_SHOWN = 2
#: Characters of a phase description on the poster (the rest is on the public page).
DESCRIPTION_CHARS = 220


@dataclass(frozen=True)
class Cut(Generic[T]):
    """The first items of a list, and how many more there are."""

    shown: list[T]
    more: int


def cut(items: list[T], limit: int) -> Cut[T]:
    if len(items) <= limit:
        return Cut(items, 0)
    # The "+N more" line takes the place of the last item.
    return Cut(items[: limit - 1], len(items) - limit + 1)


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


@router.get("/app/kommuner/{number}/plakat")
def poster_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    draft = pathway.read_pathway(web.db, ws.municipality, web.lang)
    phases = []
    for section in draft.sections:
        # Available offerings first: they are what a family can use now.
        offerings = sorted(section.offerings, key=lambda o: o.status.value != "available")
        phases.append((section, shorten(section.description), cut(offerings, OFFERINGS_PER_PHASE)))
    strength_items = list(strengths.list_strengths(web.db, web.principal, number).items)
    areas, _ = improvement.list_areas(web.db, web.principal, number)
    charts: list[ChartView] = []
    for area in areas.items:
        if len(charts) >= CHARTS_SHOWN:
            break
        for chart in run_charts.area_charts(web.db, web.principal, area.id):
            if len(charts) < CHARTS_SHOWN and chart.observations:
                charts.append(chart_view(chart, web.lang, f"plakat-diagram-{chart.indicator.id}"))
    context = {
        "ws": ws,
        "phases": phases,
        "strengths": cut(strength_items, STRENGTHS_SHOWN),
        "areas": cut(list(areas.items), AREAS_SHOWN),
        "charts": charts,
        "measure_statuses": ["not_started", "in_progress", "done", "stopped"],
        "page_title": web._(N_("Plakat")),
    }
    return web.render("poster/poster.html", context)
