"""The guided start: the five steps a municipality takes to a first public pathway, each
done or not as the data says, and the next one to take.

1. describe the phases (done when every phase has a description),
2. pick strengths (at least one),
3. choose improvement areas (at least one),
4. add a measure to an improvement area (at least one),
5. publish (at least one published version).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models.improvement import ImprovementArea, Measure
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


def _count(session: Session, statement: object) -> int:
    return int(session.exec(statement).one())  # type: ignore[call-overload]


def guided_start(session: Session, principal: Principal, number: str) -> GuidedStart:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    mid = municipality.id
    phases = phase_keys(session)
    described_keys = set(
        session.exec(
            select(PhaseSection.phase)
            .where(col(PhaseSection.municipality_id) == mid)
            .where(func.length(func.trim(col(PhaseSection.description))) > 0)
        ).all()
    )
    described = sum(1 for key in phases if key in described_keys)
    first_missing = next((key for key in phases if key not in described_keys), None)
    strengths = _count(
        session,
        select(func.count()).select_from(Strength).where(col(Strength.municipality_id) == mid),
    )
    areas = _count(
        session,
        select(func.count())
        .select_from(ImprovementArea)
        .where(col(ImprovementArea.municipality_id) == mid),
    )
    measures = _count(
        session,
        select(func.count())
        .select_from(Measure)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .where(col(ImprovementArea.municipality_id) == mid),
    )
    published = _count(
        session,
        select(func.count())
        .select_from(PublishedVersion)
        .where(col(PublishedVersion.municipality_id) == mid),
    )
    return GuidedStart(
        number=number,
        steps=[
            Step(
                "phases",
                bool(phases) and first_missing is None,
                described,
                len(phases),
                first_missing,
            ),
            Step("strengths", strengths > 0),
            Step("improvement_areas", areas > 0),
            Step("measure", measures > 0),
            Step("publish", published > 0),
        ],
    )
