"""Good examples across the country: every strength and every completed measure with its
result that its municipality marked as shared, for everyone signed in and every API client.
Grouped by municipality size (under 5,000 / 5,000–20,000 / over 20,000 inhabitants, and
those without registered figures), each group in Norwegian alphabetical order of
municipality; nothing is ranked.

What was not marked is never shown here, drafts included: sharing is the municipality's
choice (finding 9). A measure is shown only while it is done and has a result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.kit.collation import norwegian_key
from app.kit.text import clean_text
from app.models.base import MeasureStatus
from app.models.catalogue import Phase
from app.models.improvement import ImprovementArea, ImprovementAreaPhase, Measure
from app.models.municipality import Municipality, SizeGroup, size_group
from app.models.pathway import Strength
from app.models.shared import (
    SharedExample,
    SharedExampleGroup,
    SharedExampleQuery,
    SharedExamples,
)
from app.rendering.labels import label
from app.services.access import Principal, require_authenticated


def _strengths(session: Session, phase: str | None) -> list[SharedExample]:
    statement = (
        select(Strength, Municipality)
        .join(Municipality, col(Municipality.id) == col(Strength.municipality_id))
        .where(col(Strength.shared).is_(True))
    )
    if phase is not None:
        statement = statement.where(col(Strength.phase) == phase)
    return [
        SharedExample(
            kind="strength",
            id=s.id or 0,
            municipality=m.number,
            municipality_name=m.name,
            population=m.population,
            title=s.text,
            result="",
            phases=[s.phase] if s.phase else [],
            improvement_area=None,
            tags=[],
        )
        for s, m in session.exec(statement).all()
    ]


def _area_phases(session: Session, area_ids: Iterable[int]) -> dict[int, list[str]]:
    phases: dict[int, list[str]] = defaultdict(list)
    for area_id, phase in session.exec(
        select(ImprovementAreaPhase.improvement_area_id, ImprovementAreaPhase.phase)
        .join(Phase, col(Phase.key) == col(ImprovementAreaPhase.phase))
        .where(col(ImprovementAreaPhase.improvement_area_id).in_(list(area_ids)))
        .order_by(col(Phase.position))
    ).all():
        phases[area_id].append(phase)
    return phases


def _measures(session: Session) -> list[SharedExample]:
    rows = session.exec(
        select(Measure, ImprovementArea, Municipality)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(Measure.shared).is_(True))
        .where(col(Measure.status) == MeasureStatus.done.value)
        .where(col(Measure.result) != "")
    ).all()
    phases = _area_phases(session, {a.id or 0 for _, a, _ in rows})
    return [
        SharedExample(
            kind="measure",
            id=measure.id or 0,
            municipality=m.number,
            municipality_name=m.name,
            population=m.population,
            title=measure.title,
            result=measure.result,
            phases=phases[area.id or 0],
            improvement_area=area.title,
            tags=list(area.tags or []),
        )
        for measure, area, m in rows
    ]


def _matches(example: SharedExample, query: SharedExampleQuery) -> bool:
    if query.phase is not None and query.phase not in example.phases:
        return False
    if query.tag is not None and query.tag not in example.tags:
        return False
    if query.q:
        haystack = " ".join(
            [example.title, example.result, example.improvement_area or "", *example.tags]
        ).casefold()
        return all(word in haystack for word in query.q.casefold().split())
    return True


def _normalise(session: Session, query: SharedExampleQuery) -> SharedExampleQuery:
    tag = clean_text(query.tag).lower() if query.tag else None
    q = clean_text(query.q) if query.q else None
    if query.phase is not None and session.get(Phase, query.phase) is None:
        raise Invalid(FieldError("phase", f"unknown phase {query.phase!r}"))
    return query.model_copy(update={"tag": tag or None, "q": q or None})


def search(
    session: Session, principal: Principal, query: SharedExampleQuery, lang: str = "nb"
) -> SharedExamples:
    """The shared good examples matching `query`, one page of each size group (or of the
    one group asked for). Three queries whatever the number of examples."""
    require_authenticated(principal)
    query = _normalise(session, query)
    found = [
        e for e in [*_strengths(session, query.phase), *_measures(session)] if _matches(e, query)
    ]
    found.sort(key=lambda e: (norwegian_key(e.municipality_name), e.kind != "strength", e.id))
    by_size: dict[SizeGroup, list[SharedExample]] = defaultdict(list)
    for example in found:
        by_size[size_group(example.population)].append(example)
    sizes = [query.size] if query.size is not None else list(SizeGroup)
    if query.size is None and not by_size[SizeGroup.unknown]:
        sizes.remove(SizeGroup.unknown)
    offset = query.offset if query.size is not None else 0
    return SharedExamples(
        query=query,
        groups=[
            SharedExampleGroup(
                size=size,
                name=label(f"size.{size.value}", lang),
                total=len(by_size[size]),
                items=by_size[size][offset : offset + query.limit],
            )
            for size in sizes
        ],
    )
