"""The progress plan (framdriftsplan): every measure of every improvement area on one
timeline by start and due date, overdue ones marked, with the PDSA cycles of each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models.base import local_today
from app.models.improvement import ImprovementAreaRead, Measure, MeasureRead
from app.models.pdsa import PdsaCycle, PdsaCycleRead
from app.services.access import Principal
from app.services.improvement import list_areas, measure_read
from app.services.pdsa import cycle_read


@dataclass(frozen=True)
class PlanArea:
    area: ImprovementAreaRead
    measures: list[MeasureRead]


@dataclass(frozen=True)
class ProgressPlan:
    areas: list[PlanArea]
    #: The PDSA cycles of each measure (by measure id), in start order.
    cycles: dict[int, list[PdsaCycleRead]]
    #: The span of the timeline: whole months around every dated measure and today.
    start: date
    end: date
    today: date

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.areas for m in a.measures if m.overdue)

    @property
    def measures(self) -> int:
        return sum(len(a.measures) for a in self.areas)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def get_progress_plan(
    session: Session, principal: Principal, number: str, today: date | None = None
) -> ProgressPlan:
    """Areas in priority order, each with its measures in their own order. Readable by
    whoever may read the municipality's improvement work."""
    today = today or local_today()
    page, _ = list_areas(session, principal, number)
    area_ids = [a.id for a in page.items]
    by_area: dict[int, list[MeasureRead]] = defaultdict(list)
    if area_ids:
        for measure in session.exec(
            select(Measure)
            .where(col(Measure.improvement_area_id).in_(area_ids))
            .order_by(col(Measure.position), col(Measure.id))
        ).all():
            by_area[measure.improvement_area_id].append(measure_read(measure, today))
    areas = [PlanArea(area=a, measures=by_area[a.id]) for a in page.items]
    measure_ids = [m.id for a in areas for m in a.measures]
    cycles: dict[int, list[PdsaCycleRead]] = defaultdict(list)
    if measure_ids:
        for cycle in session.exec(
            select(PdsaCycle)
            .where(col(PdsaCycle.measure_id).in_(measure_ids))
            .order_by(
                col(PdsaCycle.starts_on).is_(None), col(PdsaCycle.starts_on), col(PdsaCycle.id)
            )
        ).all():
            cycles[cycle.measure_id].append(cycle_read(cycle))
    dates = [today]
    for plan_area in areas:
        for m in plan_area.measures:
            dates.extend(d for d in (m.start_date, m.due_date) if d is not None)
    dates.extend(c.starts_on for cs in cycles.values() for c in cs if c.starts_on is not None)
    return ProgressPlan(
        areas=areas,
        cycles=dict(cycles),
        start=_month_start(min(dates)),
        end=_next_month(max(dates)),
        today=today,
    )
