"""The start page of a signed-in person: their municipalities, what changed recently,
overdue measures, open comment threads and, for coordinators, the good examples of
their region. A fixed number of queries, whatever the data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.kit.collation import norwegian_key
from app.models.audit import AuditEventRead
from app.models.base import local_today
from app.models.feedback import Comment, CommentThreadRead
from app.models.improvement import ImprovementArea, Measure
from app.models.municipality import Municipality, Region
from app.services import audit, feedback
from app.services import good_examples as examples
from app.services.access import Principal, require_authenticated
from app.services.common import Page
from app.services.examples import CappedExamples, cap_examples
from app.services.improvement import overdue_condition

RECENT_LIMIT = 10
LIST_LIMIT = 20


@dataclass(frozen=True)
class MunicipalityCard:
    number: str
    name: str
    region_name: str
    is_example: bool
    updated_at: datetime
    can_edit: bool
    improvement_areas: int
    overdue_measures: int
    open_comments: int


@dataclass(frozen=True)
class RegionLink:
    slug: str
    name: str


@dataclass(frozen=True)
class OverdueMeasure:
    id: int
    title: str
    due_date: date
    status: str
    area_id: int
    area_title: str
    municipality_number: str
    municipality_name: str


@dataclass(frozen=True)
class Dashboard:
    municipalities: list[MunicipalityCard]
    regions: list[RegionLink]
    recent: list[AuditEventRead]
    recent_total: int
    overdue: list[OverdueMeasure]
    overdue_total: int
    #: Coordinators: the open threads on their municipalities; advisers: the open threads
    #: of their regions awaiting an adviser's answer.
    threads: list[CommentThreadRead]
    threads_total: int
    #: Coordinators: the good examples of their region(s), a few of each municipality.
    good_examples: list[CappedExamples]

    def municipality_name(self, number: str | None) -> str:
        for card in self.municipalities:
            if card.number == number:
                return card.name
        return number or ""


def _counts(session: Session, statement: Any) -> Counter[int]:
    """A count per municipality from a `select(municipality_id, count)` grouped by it."""
    counts: Counter[int] = Counter()
    for municipality_id, n in session.exec(statement).all():
        counts[municipality_id] = int(n)
    return counts


def _overdue(
    session: Session, ids: list[int], by_id: dict[int | None, Municipality], today: date
) -> list[OverdueMeasure]:
    overdue_rows = session.exec(
        select(Measure, ImprovementArea)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .where(col(ImprovementArea.municipality_id).in_(ids))
        .where(overdue_condition(today))
        .order_by(col(Measure.due_date), col(Measure.id))
        .limit(LIST_LIMIT)
    ).all()
    return [
        OverdueMeasure(
            id=measure.id or 0,
            title=measure.title,
            due_date=measure.due_date or today,
            status=measure.status,
            area_id=area.id or 0,
            area_title=area.title,
            municipality_number=by_id[area.municipality_id].number,
            municipality_name=by_id[area.municipality_id].name,
        )
        for measure, area in overdue_rows
    ]


def _threads(session: Session, principal: Principal) -> Page[CommentThreadRead] | None:
    """Coordinators follow the open threads on their municipalities; advisers the threads
    waiting for their answer. Both lists come from the feedback service."""
    if principal.is_coordinator:
        return feedback.open_threads_for_dashboard(session, principal, limit=LIST_LIMIT)
    if principal.is_adviser:
        return feedback.unanswered_threads(session, principal, limit=LIST_LIMIT)
    return None


def _regions(principal: Principal, visible: list[tuple[Municipality, Region]]) -> list[RegionLink]:
    return sorted(
        {
            RegionLink(slug=r.slug, name=r.name)
            for _, r in visible
            if r.id is not None and principal.can_read_region(r.id)
        },
        key=lambda link: norwegian_key(link.name),
    )


def get_dashboard(
    session: Session, principal: Principal, today: date | None = None, lang: str = "nb"
) -> Dashboard:
    """Coordinators see their municipalities; advisers every municipality of their regions
    (read-only); administrators the recent changes everywhere. Lists are alphabetical or
    by date, never ranked."""
    require_authenticated(principal)
    today = today or local_today()
    rows = session.exec(
        select(Municipality, Region)
        .join(Region, col(Region.id) == col(Municipality.region_id))
        .where(
            col(Municipality.id).in_(principal.municipality_ids)
            | col(Municipality.region_id).in_(principal.region_ids)
        )
    ).all()
    visible = [(m, r) for m, r in rows if principal.can_read(m)]
    ids = [m.id for m, _ in visible if m.id is not None]
    by_id = {m.id: m for m, _ in visible}

    area_counts = _counts(
        session,
        select(ImprovementArea.municipality_id, func.count())
        .where(col(ImprovementArea.municipality_id).in_(ids))
        .group_by(col(ImprovementArea.municipality_id)),
    )
    overdue_counts = _counts(
        session,
        select(ImprovementArea.municipality_id, func.count())
        .join(Measure, col(Measure.improvement_area_id) == col(ImprovementArea.id))
        .where(col(ImprovementArea.municipality_id).in_(ids))
        .where(overdue_condition(today))
        .group_by(col(ImprovementArea.municipality_id)),
    )
    overdue = _overdue(session, ids, by_id, today)

    # Open threads, counted by their first comment (replies never carry the resolution).
    open_threads = (
        col(Comment.municipality_id).in_(ids)
        & col(Comment.parent_id).is_(None)
        & col(Comment.resolved_at).is_(None)
    )
    comment_counts = _counts(
        session,
        select(Comment.municipality_id, func.count())
        .where(open_threads)
        .group_by(col(Comment.municipality_id)),
    )
    threads = _threads(session, principal)
    good_examples = (
        [cap_examples(e) for e in examples.my_good_examples(session, principal, lang)]
        if principal.is_coordinator
        else []
    )

    cards = sorted(
        (
            MunicipalityCard(
                number=m.number,
                name=m.name,
                region_name=r.name,
                is_example=m.is_example,
                updated_at=m.updated_at,
                can_edit=principal.can_edit(m),
                improvement_areas=area_counts[m.id or 0],
                overdue_measures=overdue_counts[m.id or 0],
                open_comments=comment_counts[m.id or 0],
            )
            for m, r in visible
        ),
        key=lambda card: norwegian_key(card.name),
    )
    recent = (
        audit.list_events(session, principal, limit=RECENT_LIMIT)
        if ids or principal.is_admin
        else None
    )
    return Dashboard(
        municipalities=cards,
        regions=_regions(principal, visible),
        recent=list(recent.items) if recent else [],
        recent_total=recent.total if recent else 0,
        overdue=overdue,
        overdue_total=sum(overdue_counts.values()),
        threads=list(threads.items) if threads else [],
        threads_total=threads.total if threads else 0,
        good_examples=good_examples,
    )
