"""The overview built from its loaded data (`services.overview_data`), without queries.

- Municipalities are always in Norwegian alphabetical order by name. Nothing is ranked or
  sorted by a value; filters only leave municipalities out.
- A review falls due `review_interval_months` after the last review or, for a pathway never
  reviewed, after its *first* publication (publishing again must not postpone a review that
  is owed). A pathway never reviewed nor published has no due date and says so.
- A municipality is stale when nothing in it changed for `stale_after_days` days.
- Dates (due, overdue, stale) are Norwegian dates; "today" is today in Oslo.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from app.config import Settings
from app.kit.collation import norwegian_key
from app.kit.dates import add_months, local_date
from app.models.base import Answer, Maturity, MeasureStatus, OfferingStatus
from app.models.catalogue import OfferingType
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality, Region
from app.models.overview import (
    AnswerCounts,
    AreaGroup,
    AreaItem,
    GridCell,
    GroupedArea,
    GroupedStrength,
    KnowledgeNeed,
    MeasureCounts,
    MunicipalityOverview,
    MunicipalityRef,
    OfferingCoverage,
    Overview,
    OverviewFilters,
    PhaseColumn,
    RegionRef,
    RegionTotals,
    ReviewState,
    ReviewStatus,
    StrengthGroup,
    StrengthItem,
    Totals,
)
from app.rendering.labels import label
from app.services.overview_data import OverviewData
from app.services.pathway import Catalogue

#: A review is "due" (not yet overdue) from this many days before its due date.
DUE_SOON_DAYS = 30

#: Offering statuses that count for the offering-type filter and the coverage.
_OFFERED = {OfferingStatus.available.value, OfferingStatus.planned.value}


@dataclass(frozen=True)
class Scope:
    """What one build shows: the region (None: the country), the filters, the phases."""

    region: Region | None
    filters: OverviewFilters
    shown_phases: list[str]
    settings: Settings
    today: date
    lang: str


# ---- reviews -----------------------------------------------------------------------------


def _review_status(due_on: date | None, today: date) -> ReviewStatus:
    if due_on is None:
        return ReviewStatus.not_published
    if due_on < today:
        return ReviewStatus.overdue
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ReviewStatus.due
    return ReviewStatus.ok


def review_state(
    last_reviewed_at: datetime | None,
    first_published_at: datetime | None,
    *,
    interval_months: int,
    today: date,
    lang: str = "nb",
) -> ReviewState:
    """When the next review falls due, and whether it is due (within 30 days) or overdue."""
    basis: Literal["review", "publication"] | None = None
    due_on: date | None = None
    if last_reviewed_at is not None:
        basis, due_on = "review", add_months(local_date(last_reviewed_at), interval_months)
    elif first_published_at is not None:
        basis = "publication"
        due_on = add_months(local_date(first_published_at), interval_months)
    status = _review_status(due_on, today)
    return ReviewState(
        status=status,
        label=label(f"review.{status.value}", lang),
        last_reviewed_at=last_reviewed_at,
        first_published_at=first_published_at,
        basis=basis,
        due_on=due_on,
        due=status in (ReviewStatus.due, ReviewStatus.overdue),
        overdue=status == ReviewStatus.overdue,
    )


# ---- one municipality --------------------------------------------------------------------


def _cells(data: OverviewData, mid: int, scope: Scope) -> list[GridCell]:
    cells = []
    for phase in scope.shown_phases:
        maturity, needs = data.cells[mid].get(phase, (Maturity.unknown.value, False))
        cells.append(
            GridCell(
                phase=phase,
                maturity=Maturity(maturity),
                maturity_label=label(f"maturity.{maturity}", scope.lang),
                available_offerings=data.available[(mid, phase)],
                needs_knowledge=needs,
            )
        )
    return cells


def _offering_types(data: OverviewData, mid: int, scope: Scope) -> dict[str, set[str]]:
    """Offering type → its statuses in the shown phases."""
    types: dict[str, set[str]] = defaultdict(set)
    for phase, kind, status in data.offerings[mid]:
        if phase in scope.shown_phases:
            types[kind].add(status)
    return dict(types)


def _areas(data: OverviewData, mid: int, filters: OverviewFilters) -> list[ImprovementArea]:
    def shown(area: ImprovementArea) -> bool:
        in_phase = filters.phase is None or filters.phase in data.area_phases[area.id or 0]
        return in_phase and (filters.tag is None or filters.tag in (area.tags or []))

    return [a for a in data.areas[mid] if shown(a)]


def _left_out(
    filters: OverviewFilters,
    cells: list[GridCell],
    types: dict[str, set[str]],
    areas: list[ImprovementArea],
) -> bool:
    """True when a filter leaves the municipality out of the overview."""
    needs = any(c.needs_knowledge for c in cells)
    if filters.needs_knowledge is not None and filters.needs_knowledge != needs:
        return True
    kind = filters.offering_type
    if kind is not None and not types.get(kind, set()) & _OFFERED:
        return True
    return filters.tag is not None and not areas


def _checklist(data: OverviewData, mid: int, phase: str | None) -> AnswerCounts:
    counts: Counter[str] = Counter()
    for (item_phase, answer), n in data.answers[mid].items():
        if phase is None or item_phase == phase:
            counts[answer] += n
    items = sum(1 for i in data.checklist_items if phase is None or i.phase == phase)
    return AnswerCounts(
        yes=counts[Answer.yes.value],
        partly=counts[Answer.partly.value],
        no=counts[Answer.no.value],
        not_applicable=counts[Answer.not_applicable.value],
        unanswered=max(items - sum(counts.values()), 0),
    )


def _area_items(data: OverviewData, areas: list[ImprovementArea]) -> list[AreaItem]:
    return [
        AreaItem(
            id=a.id or 0,
            priority=a.priority,
            title=a.title,
            status=a.status,
            phases=data.area_phases[a.id or 0],
            tags=list(a.tags or []),
        )
        for a in areas
    ]


def _measures(data: OverviewData, areas: list[ImprovementArea]) -> MeasureCounts:
    counts: Counter[str] = Counter()
    for area in areas:
        counts.update(data.measure_counts.get(area.id or 0, {}))
    return MeasureCounts(**{s.value: counts[s.value] for s in MeasureStatus})


@dataclass(frozen=True)
class Row:
    overview: MunicipalityOverview
    #: Offering type → statuses in the shown phases.
    offering_types: dict[str, set[str]]


def municipality_row(data: OverviewData, municipality: Municipality, scope: Scope) -> Row | None:
    """One municipality's line, or None when a filter leaves it out."""
    mid, filters = municipality.id or 0, scope.filters
    cells = _cells(data, mid, scope)
    types = _offering_types(data, mid, scope)
    areas = _areas(data, mid, filters)
    if _left_out(filters, cells, types, areas):
        return None
    strengths = [s for s in data.strengths[mid] if filters.phase in (None, s.phase)]
    published = data.published.get(mid)
    days = (scope.today - local_date(municipality.updated_at)).days
    overview = MunicipalityOverview(
        number=municipality.number,
        name=municipality.name,
        region=data.region_of[mid].slug,
        population=municipality.population,
        persons_with_dementia=municipality.persons_with_dementia,
        figures_year=municipality.figures_year,
        is_example=municipality.is_example,
        cells=cells,
        checklist=_checklist(data, mid, filters.phase),
        strengths=[StrengthItem(id=s.id or 0, text=s.text, phase=s.phase) for s in strengths],
        improvement_areas=_area_items(data, areas),
        measures=_measures(data, areas),
        published_versions=published[0] if published else 0,
        last_published_at=published[2] if published else None,
        last_change=municipality.updated_at,
        days_since_change=days,
        stale=days >= scope.settings.stale_after_days,
        review=review_state(
            data.last_review.get(mid),
            published[1] if published else None,
            interval_months=scope.settings.review_interval_months,
            today=scope.today,
            lang=scope.lang,
        ),
        open_comment_threads=data.open_threads.get(mid, 0),
        version=municipality.version,
    )
    return Row(overview=overview, offering_types=types)


# ---- sums and groups ---------------------------------------------------------------------


def totals_of(rows: Sequence[MunicipalityOverview]) -> Totals:
    """Totals are the sums of the municipalities shown, so they always add up."""
    return Totals(
        municipalities=len(rows),
        inhabitants=sum(r.population or 0 for r in rows),
        persons_with_dementia=sum(r.persons_with_dementia or 0 for r in rows),
        published_pathways=sum(1 for r in rows if r.published_versions),
        reviews_due=sum(1 for r in rows if r.review.due),
        reviews_overdue=sum(1 for r in rows if r.review.overdue),
        stale=sum(1 for r in rows if r.stale),
        improvement_areas=sum(len(r.improvement_areas) for r in rows),
        strengths=sum(len(r.strengths) for r in rows),
    )


def _phase_name(catalogue: Catalogue, key: str | None, lang: str) -> str:
    return label("no_phase", lang) if key is None else catalogue.phase_name(key)


def _refs(rows: Iterable[MunicipalityOverview]) -> list[MunicipalityRef]:
    seen: dict[str, MunicipalityRef] = {}
    for r in rows:
        seen.setdefault(r.number, MunicipalityRef(number=r.number, name=r.name))
    return list(seen.values())


def _area_groups(
    rows: Sequence[MunicipalityOverview],
    keys: Sequence[str | None],
    belongs: Callable[[AreaItem, str | None], bool],
    name_of: Callable[[str | None], str],
) -> list[AreaGroup]:
    """One group per key, naming the municipalities (alphabetical, as `rows` are) and their
    areas (in each municipality's own priority order). `belongs(area, key)` decides."""
    groups = []
    for key in keys:
        members = [(r, a) for r in rows for a in r.improvement_areas if belongs(a, key)]
        groups.append(
            AreaGroup(
                key=key,
                name=name_of(key),
                municipalities=_refs(r for r, _ in members),
                areas=[
                    GroupedArea(
                        municipality=r.number,
                        municipality_name=r.name,
                        id=a.id,
                        title=a.title,
                        status=a.status,
                    )
                    for r, a in members
                ],
            )
        )
    return groups


def _in_phase(area: AreaItem, key: str | None) -> bool:
    return key in area.phases if key is not None else not area.phases


def _has_tag(area: AreaItem, key: str | None) -> bool:
    return key in area.tags


def _by_phase(
    rows: list[MunicipalityOverview], catalogue: Catalogue, scope: Scope
) -> list[AreaGroup]:
    keys: list[str | None] = list(scope.shown_phases)
    if scope.filters.phase is None:
        keys.append(None)
    return _area_groups(rows, keys, _in_phase, lambda key: _phase_name(catalogue, key, scope.lang))


def _by_tag(rows: list[MunicipalityOverview], filters: OverviewFilters) -> list[AreaGroup]:
    tags = sorted({t for r in rows for a in r.improvement_areas for t in a.tags}, key=norwegian_key)
    if filters.tag is not None:
        tags = [t for t in tags if t == filters.tag]
    return _area_groups(rows, tags, _has_tag, lambda key: key or "")


class _Strength(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def phase(self) -> str | None: ...


def strength_groups(
    members: Sequence[tuple[MunicipalityRef, _Strength]],
    phases: list[str],
    catalogue: Catalogue,
    lang: str,
    *,
    include_no_phase: bool = True,
) -> list[StrengthGroup]:
    """Good examples: strengths grouped by phase (phase order, "no phase" last), each group
    naming its municipalities. `members` come in alphabetical order of municipality."""
    keys: list[str | None] = [*phases, None] if include_no_phase else list(phases)
    groups = []
    for key in keys:
        inside = [(m, s) for m, s in members if s.phase == key]
        groups.append(
            StrengthGroup(
                phase=key,
                name=_phase_name(catalogue, key, lang),
                municipalities=list({m.number: m for m, _ in inside}.values()),
                strengths=[
                    GroupedStrength(
                        municipality=m.number, municipality_name=m.name, id=s.id, text=s.text
                    )
                    for m, s in inside
                ],
            )
        )
    return groups


def _offering_type_name(kind: OfferingType, lang: str) -> str:
    return kind.name_en if lang == "en" else kind.name_nb


def _coverage(rows: list[Row], catalogue: Catalogue, scope: Scope) -> list[OfferingCoverage]:
    """Per offering type, how many of the shown municipalities have it available, and how
    many only planned."""
    kinds = sorted(catalogue.offering_types.values(), key=lambda t: t.position)
    if scope.filters.offering_type:
        kinds = [catalogue.offering_types[scope.filters.offering_type]]
    available_value, planned_value = OfferingStatus.available.value, OfferingStatus.planned.value
    coverage = []
    for kind in kinds:
        statuses = [r.offering_types.get(kind.key, set()) for r in rows]
        available = sum(1 for s in statuses if available_value in s)
        planned = sum(1 for s in statuses if planned_value in s and available_value not in s)
        if kind.active or available or planned:
            coverage.append(
                OfferingCoverage(
                    offering_type=kind.key,
                    name=_offering_type_name(kind, scope.lang),
                    available=available,
                    planned=planned,
                    missing=len(rows) - available - planned,
                )
            )
    return coverage


def _knowledge_needs(
    rows: list[MunicipalityOverview], catalogue: Catalogue, scope: Scope
) -> list[KnowledgeNeed]:
    """Per shown phase (in phase order), the municipalities that mark it as needing more
    knowledge, alphabetical as `rows` are."""
    return [
        KnowledgeNeed(
            phase=phase,
            name=catalogue.phase_name(phase),
            municipalities=[
                MunicipalityRef(number=r.number, name=r.name)
                for r in rows
                if r.cells[index].needs_knowledge
            ],
        )
        for index, phase in enumerate(scope.shown_phases)
    ]


def _region_totals(data: OverviewData, rows: list[MunicipalityOverview]) -> list[RegionTotals]:
    """The national overview's totals per region (regions in alphabetical order)."""
    by_region: dict[str, list[MunicipalityOverview]] = defaultdict(list)
    for r in rows:
        by_region[r.region].append(r)
    regions = {r.slug: r for r in data.region_of.values()}.values()
    return [
        RegionTotals(
            region=RegionRef(slug=item.slug, name=item.name),
            totals=totals_of(by_region[item.slug]),
        )
        for item in sorted(regions, key=lambda r: norwegian_key(r.name))
    ]


# ---- the whole overview ------------------------------------------------------------------


def _alphabetical(municipalities: Iterable[Municipality]) -> list[Municipality]:
    return sorted(municipalities, key=lambda m: (norwegian_key(m.name), m.number))


def build(data: OverviewData, scope: Scope) -> Overview:
    """The overview of `scope` from `data`."""
    catalogue, region = data.catalogue, scope.region
    rows = [
        row
        for m in _alphabetical(data.municipalities)
        if (row := municipality_row(data, m, scope)) is not None
    ]
    overviews = [r.overview for r in rows]
    members = [
        (MunicipalityRef(number=r.number, name=r.name), s) for r in overviews for s in r.strengths
    ]
    return Overview(
        scope="national" if region is None else "region",
        region=RegionRef(slug=region.slug, name=region.name) if region else None,
        as_of=scope.today,
        filters=scope.filters,
        review_interval_months=scope.settings.review_interval_months,
        stale_after_days=scope.settings.stale_after_days,
        phases=[PhaseColumn(key=k, name=catalogue.phase_name(k)) for k in scope.shown_phases],
        totals=totals_of(overviews),
        regions=_region_totals(data, overviews) if region is None else [],
        municipalities=overviews,
        coverage=_coverage(rows, catalogue, scope),
        knowledge_needs=_knowledge_needs(overviews, catalogue, scope),
        improvement_areas_by_phase=_by_phase(overviews, catalogue, scope),
        improvement_areas_by_tag=_by_tag(overviews, scope.filters),
        good_examples=strength_groups(
            members,
            scope.shown_phases,
            catalogue,
            scope.lang,
            include_no_phase=scope.filters.phase is None,
        ),
    )
