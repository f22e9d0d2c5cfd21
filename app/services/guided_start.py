"""The guided start: the five steps a municipality takes to a first public pathway, each
done or not as the data says, and the next one to take.

1. describe the phases (done when every phase has a description),
2. pick strengths (at least one),
3. choose improvement areas (at least one),
4. add a measure to an improvement area (at least one),
5. publish (at least one published version).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models.improvement import ImprovementArea, Measure
from app.models.municipality import Municipality
from app.models.pathway import PhaseSection, Strength
from app.models.publishing import PublishedVersion
from app.services.access import Principal, require_read
from app.services.catalogue import phase_keys
from app.services.common import get_municipality


@dataclass(frozen=True)
class Step:
    key: str
    done: bool
    #: For the phases: how many of how many are described (otherwise 0 of 0).
    count: int = 0
    of: int = 0
    #: For the phases: the first phase without a description.
    phase: str | None = None


@dataclass(frozen=True)
class GuidedStart:
    number: str
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def next_step(self) -> Step | None:
        """The first step not yet done; None when all are."""
        return next((s for s in self.steps if not s.done), None)


def guided_start(session: Session, principal: Principal, number: str) -> GuidedStart:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    described = session.exec(
        select(PhaseSection.phase)
        .where(col(PhaseSection.municipality_id) == municipality.id)
        .where(func.length(func.trim(col(PhaseSection.description))) > 0)
    ).all()
    return guided_start_of(session, municipality, phase_keys(session), set(described))


def guided_start_of(
    session: Session, municipality: Municipality, phases: list[str], described: Collection[str]
) -> GuidedStart:
    """The steps of a municipality the caller may read, when the caller has already read
    its phases and which of them have a description (the pathway editor has): one query."""
    mid = municipality.id

    def counted(statement: Any) -> Any:
        return statement.scalar_subquery()

    row: Any = session.exec(
        select(
            counted(select(func.count()).where(col(Strength.municipality_id) == mid)),
            counted(select(func.count()).where(col(ImprovementArea.municipality_id) == mid)),
            counted(
                select(func.count())
                .select_from(Measure)
                .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
                .where(col(ImprovementArea.municipality_id) == mid)
            ),
            counted(select(func.count()).where(col(PublishedVersion.municipality_id) == mid)),
        )
    ).one()
    strengths, areas, measures, published = row
    first_missing = next((key for key in phases if key not in described), None)
    return GuidedStart(
        number=municipality.number,
        steps=[
            Step(
                "phases",
                bool(phases) and first_missing is None,
                sum(1 for key in phases if key in described),
                len(phases),
                first_missing,
            ),
            Step("strengths", strengths > 0),
            Step("improvement_areas", areas > 0),
            Step("measure", measures > 0),
            Step("publish", published > 0),
        ],
    )
