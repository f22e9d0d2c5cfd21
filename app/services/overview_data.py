"""What the overview needs, loaded in a fixed number of queries whatever the number of
municipalities: the municipalities of a region (or of the country) and, per municipality, its
grid cells, offerings, checklist answers, strengths, improvement areas with their measures,
publications, last review and open comment threads."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.models.base import OfferingStatus
from app.models.catalogue import ChecklistItem
from app.models.feedback import Comment, Review
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality, Region
from app.models.pathway import ChecklistAnswer, Offering, PhaseSection, Strength
from app.models.publishing import PublishedVersion
from app.services.catalogue import checklist_items, current_checklist_version
from app.services.improvement import load_area_details
from app.services.pathway import Catalogue


@dataclass
class OverviewData:
    """Everything the overview needs, loaded in a fixed number of queries."""

    municipalities: list[Municipality]
    region_of: dict[int, Region]
    catalogue: Catalogue
    cells: dict[int, dict[str, tuple[str, bool]]]
    available: Counter[tuple[int, str]]
    #: municipality → (phase, offering type, status) of its catalogue offerings.
    offerings: dict[int, list[tuple[str, str, str]]]
    checklist_items: list[ChecklistItem]
    #: municipality → (item phase, answer) → count.
    answers: dict[int, Counter[tuple[str, str]]]
    strengths: dict[int, list[Strength]]
    areas: dict[int, list[ImprovementArea]]
    area_phases: dict[int, list[str]]
    measure_counts: dict[int, dict[str, int]]
    published: dict[int, tuple[int, datetime, datetime]]
    last_review: dict[int, datetime]
    open_threads: dict[int, int] = field(default_factory=dict)


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def in_scope(column: Any, region: HasId | None) -> Any:
    """`column` (a municipality id) belongs to the region; always true for the country."""
    if region is None:
        return col(column).is_not(None)
    return col(column).in_(select(Municipality.id).where(col(Municipality.region_id) == region.id))


def load_overview_data(session: Session, region: Region | None, lang: str) -> OverviewData:
    if region is None:
        regions = {r.id or 0: r for r in session.exec(select(Region)).all()}
        municipalities = list(session.exec(select(Municipality)).all())
    else:
        regions = {region.id or 0: region}
        municipalities = list(
            session.exec(select(Municipality).where(col(Municipality.region_id) == region.id)).all()
        )
    catalogue = Catalogue(session, lang)

    cells: dict[int, dict[str, tuple[str, bool]]] = defaultdict(dict)
    for mid, phase, maturity, needs in session.exec(
        select(
            PhaseSection.municipality_id,
            PhaseSection.phase,
            PhaseSection.maturity,
            PhaseSection.needs_knowledge,
        ).where(in_scope(PhaseSection.municipality_id, region))
    ).all():
        cells[mid][phase] = (maturity, needs)

    available: Counter[tuple[int, str]] = Counter()
    offerings: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for mid, phase, kind, status, n in session.execute(
        sa_select(
            col(PhaseSection.municipality_id),
            col(PhaseSection.phase),
            col(Offering.type),
            col(Offering.status),
            func.count(),
        )
        .select_from(Offering)
        .join(PhaseSection, col(PhaseSection.id) == col(Offering.phase_section_id))
        .where(in_scope(PhaseSection.municipality_id, region))
        .group_by(
            col(PhaseSection.municipality_id),
            col(PhaseSection.phase),
            col(Offering.type),
            col(Offering.status),
        )
    ).all():
        if status == OfferingStatus.available.value:
            available[(mid, phase)] += int(n)
        if kind is not None:
            offerings[mid].append((phase, kind, status))

    version = current_checklist_version(session)
    items = checklist_items(session, version.id)
    answers: dict[int, Counter[tuple[str, str]]] = defaultdict(Counter)
    for mid, phase, answer, n in session.exec(
        select(
            ChecklistAnswer.municipality_id,
            ChecklistItem.phase,
            ChecklistAnswer.answer,
            func.count(),
        )
        .join(ChecklistItem, col(ChecklistItem.id) == col(ChecklistAnswer.checklist_item_id))
        .where(col(ChecklistItem.checklist_version_id) == version.id)
        .where(in_scope(ChecklistAnswer.municipality_id, region))
        .group_by(
            col(ChecklistAnswer.municipality_id),
            col(ChecklistItem.phase),
            col(ChecklistAnswer.answer),
        )
    ).all():
        answers[mid][(phase, answer)] += int(n)

    strengths: dict[int, list[Strength]] = defaultdict(list)
    for strength in session.exec(
        select(Strength)
        .where(in_scope(Strength.municipality_id, region))
        .order_by(col(Strength.position), col(Strength.id))
    ).all():
        strengths[strength.municipality_id].append(strength)

    areas: dict[int, list[ImprovementArea]] = defaultdict(list)
    for area in session.exec(
        select(ImprovementArea)
        .where(in_scope(ImprovementArea.municipality_id, region))
        .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
    ).all():
        areas[area.municipality_id].append(area)
    area_phases, measure_counts = load_area_details(
        session,
        select(ImprovementArea.id).where(in_scope(ImprovementArea.municipality_id, region)),
    )

    published = {
        mid: (int(n), first, last)
        for mid, n, first, last in session.exec(
            select(
                PublishedVersion.municipality_id,
                func.count(),
                func.min(PublishedVersion.published_at),
                func.max(PublishedVersion.published_at),
            )
            .where(in_scope(PublishedVersion.municipality_id, region))
            .group_by(col(PublishedVersion.municipality_id))
        ).all()
    }
    last_review = dict(
        session.exec(
            select(Review.municipality_id, func.max(Review.reviewed_at))
            .where(in_scope(Review.municipality_id, region))
            .group_by(col(Review.municipality_id))
        ).all()
    )
    open_threads = {
        mid: int(n)
        for mid, n in session.exec(
            select(Comment.municipality_id, func.count())
            .where(col(Comment.parent_id).is_(None))
            .where(col(Comment.resolved_at).is_(None))
            .where(in_scope(Comment.municipality_id, region))
            .group_by(col(Comment.municipality_id))
        ).all()
    }
    return OverviewData(
        municipalities=municipalities,
        region_of={m.id or 0: regions[m.region_id] for m in municipalities},
        catalogue=catalogue,
        cells=cells,
        available=available,
        offerings=offerings,
        checklist_items=items,
        answers=answers,
        strengths=strengths,
        areas=areas,
        area_phases=area_phases,
        measure_counts=measure_counts,
        published=published,
        last_review=last_review,
        open_threads=open_threads,
    )
