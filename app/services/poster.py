"""The poster: one A3 landscape page per municipality, as presented at network gatherings —
the pathway with its key offerings, the strengths, the improvement areas with each measure's
status colour, up to two run charts and the plan for further work. Phase descriptions are
shown whole (their lists kept as lists); long lists of items are cut with "+N more" so the
page never spills onto a second sheet.

The network's poster gallery shows, for the final gathering's poster walk, every member's
improvement work: its areas with their measures and status colours, and its plan for
further work. That is what the members share with each other; the pathway's drafts and the
strengths stay on the full poster, for those who may read the municipality."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import Session, col, select

from app.models.base import local_today
from app.models.improvement import ImprovementArea, ImprovementAreaRead, Measure, MeasureRead
from app.models.municipality import Municipality
from app.models.network import NetworkRead
from app.models.pathway import OfferingRead, PathwayRead, PhaseSectionRead, StrengthRead
from app.models.poster import FurtherWorkPlan, FurtherWorkPlanRead
from app.rendering.chart_text import ChartInput
from app.services import improvement, networks, pathway, run_charts, strengths
from app.services.access import Principal
from app.services.further_work import plan_read, read_plan
from app.services.network_access import readable_view
from app.services.network_pages import FOLLOWED
from app.services.workspace import Workspace, open_workspace

T = TypeVar("T")

OFFERINGS_PER_PHASE = 4
STRENGTHS_SHOWN = 5
AREAS_SHOWN = 4
MEASURES_PER_AREA = 4
CHARTS_SHOWN = 2


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


@dataclass(frozen=True)
class PosterPhase:
    section: PhaseSectionRead
    description: str
    offerings: Cut[OfferingRead]


@dataclass(frozen=True)
class PosterArea:
    area: ImprovementAreaRead
    measures: Cut[MeasureRead]


@dataclass(frozen=True)
class Poster:
    workspace: Workspace
    phases: list[PosterPhase]
    strengths: Cut[StrengthRead]
    areas: Cut[PosterArea]
    charts: list[ChartInput]
    plan: FurtherWorkPlanRead


def _phases(draft: PathwayRead) -> list[PosterPhase]:
    phases = []
    for section in draft.sections:
        # Available offerings first: they are what a family can use now.
        offerings = sorted(section.offerings, key=lambda o: o.status.value != "available")
        phases.append(
            PosterPhase(section, section.description, cut(offerings, OFFERINGS_PER_PHASE))
        )
    return phases


def _charts(
    session: Session, principal: Principal, areas: list[ImprovementAreaRead]
) -> list[ChartInput]:
    charts: list[ChartInput] = []
    for area in areas:
        for chart in run_charts.area_charts(session, principal, area.id):
            if len(charts) < CHARTS_SHOWN and chart.observations:
                charts.append(chart)
        if len(charts) >= CHARTS_SHOWN:
            break
    return charts


def poster(session: Session, principal: Principal, number: str, lang: str) -> Poster:
    """A municipality's poster, for those who may read the municipality."""
    ws = open_workspace(session, principal, number)
    draft = pathway.read_pathway(session, ws.municipality, lang)
    areas, _ = improvement.list_areas(session, principal, number)
    shown = cut(list(areas.items), AREAS_SHOWN)
    return Poster(
        workspace=ws,
        phases=_phases(draft),
        strengths=cut(
            list(strengths.list_strengths(session, principal, number).items), STRENGTHS_SHOWN
        ),
        areas=Cut(
            [
                PosterArea(
                    a,
                    cut(
                        list(improvement.list_measures(session, principal, a.id).items),
                        MEASURES_PER_AREA,
                    ),
                )
                for a in shown.shown
            ],
            shown.more,
        ),
        charts=_charts(session, principal, list(areas.items)),
        plan=read_plan(session, ws.municipality),
    )


# ---- the network's gallery ---------------------------------------------------------------


@dataclass(frozen=True)
class GalleryPoster:
    municipality: Municipality
    areas: Cut[PosterArea]
    plan: FurtherWorkPlanRead
    #: Whether the caller may open the municipality's full poster.
    full: bool


@dataclass(frozen=True)
class Gallery:
    network: NetworkRead
    posters: list[GalleryPoster]


def _improvement_work(
    session: Session, municipality_ids: list[int]
) -> tuple[dict[int, list[ImprovementArea]], dict[int, list[Measure]], dict[int, FurtherWorkPlan]]:
    """Every member's areas, measures and plan: three queries however many members."""
    areas: dict[int, list[ImprovementArea]] = defaultdict(list)
    for area in session.exec(
        select(ImprovementArea)
        .where(col(ImprovementArea.municipality_id).in_(municipality_ids))
        .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
    ).all():
        areas[area.municipality_id].append(area)
    area_ids = [a.id for rows in areas.values() for a in rows]
    measures: dict[int, list[Measure]] = defaultdict(list)
    for measure in session.exec(
        select(Measure)
        .where(col(Measure.improvement_area_id).in_(area_ids))
        .order_by(col(Measure.position), col(Measure.id))
    ).all():
        measures[measure.improvement_area_id].append(measure)
    plans = {
        p.municipality_id: p
        for p in session.exec(
            select(FurtherWorkPlan).where(
                col(FurtherWorkPlan.municipality_id).in_(municipality_ids)
            )
        ).all()
    }
    return areas, measures, plans


def gallery(session: Session, principal: Principal, network_id: int) -> Gallery:
    """The posters of the members taking part or completed, in alphabetical order, for
    everyone who reads the network (facilitators and members)."""
    view = readable_view(session, principal, network_id)
    members = [mun for member, mun in view.members if member.status in FOLLOWED]
    areas, measures, plans = _improvement_work(session, [m.id or 0 for m in members])
    phases, counts = improvement.load_area_details(
        session, [a.id or 0 for rows in areas.values() for a in rows]
    )
    today = local_today()
    posters = []
    for municipality in members:
        mid = municipality.id or 0
        shown = cut(areas[mid], AREAS_SHOWN)
        posters.append(
            GalleryPoster(
                municipality=municipality,
                areas=Cut(
                    [
                        PosterArea(
                            improvement.area_read(
                                a, municipality.number, phases[a.id or 0], counts[a.id or 0]
                            ),
                            cut(
                                [improvement.measure_read(m, today) for m in measures[a.id or 0]],
                                MEASURES_PER_AREA,
                            ),
                        )
                        for a in shown.shown
                    ],
                    shown.more,
                ),
                plan=plan_read(municipality.number, plans.get(mid)),
                full=principal.can_read(municipality),
            )
        )
    return Gallery(network=networks.network_read(view, principal), posters=posters)
