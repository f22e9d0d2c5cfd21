"""The regional overview for advisers, the national one for administrators, and the
anonymous summary of either.

One function, `get_overview`, builds everything the region page, the JSON API and the CSV/XLSX
exports show, in a fixed number of queries whatever the number of municipalities. The rules:

- Municipalities are always in Norwegian alphabetical order by name. Nothing is ranked or
  sorted by a value; filters only leave municipalities out.
- A review falls due `review_interval_months` after the last review or, for a pathway never
  reviewed, after its *first* publication (publishing again must not postpone a review that
  is owed). A pathway never reviewed nor published has no due date and says so.
- A municipality is stale when nothing in it changed for `stale_after_days` days.
- Dates (due, overdue, stale) are Norwegian dates; "today" is today in Oslo.
- The anonymous summary has counts and groups only, small counts suppressed and protected
  by complementary suppression (its rules: `services.overview_summary`).
"""

from __future__ import annotations

import calendar
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.errors import FieldError, Forbidden, Invalid
from app.kit.collation import norwegian_key
from app.kit.text import clean_text
from app.models.base import OSLO, Answer, Maturity, MeasureStatus, OfferingStatus, local_today
from app.models.catalogue import ChecklistItem, ChecklistVersion, OfferingType, Phase
from app.models.feedback import Comment, Review
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality, Region
from app.models.overview import (
    AnswerCounts,
    AreaGroup,
    AreaItem,
    GridCell,
    GroupedArea,
    GroupedStrength,
    MeasureCounts,
    MunicipalityOverview,
    MunicipalityRef,
    OfferingCoverage,
    Overview,
    OverviewFilters,
    OverviewSummary,
    PhaseColumn,
    RegionRef,
    RegionTotals,
    ReviewState,
    ReviewStatus,
    StrengthGroup,
    StrengthItem,
    Totals,
)
from app.models.pathway import ChecklistAnswer, Offering, PhaseSection, Strength
from app.models.publishing import PublishedVersion
from app.rendering.labels import label
from app.services.access import Principal, require_admin, require_authenticated
from app.services.catalogue import checklist_items, current_checklist_version, phase_keys
from app.services.improvement import load_area_details
from app.services.municipalities import get_region_row
from app.services.overview_summary import summarise
from app.services.pathway import Catalogue

#: A review is "due" (not yet overdue) from this many days before its due date.
DUE_SOON_DAYS = 30


# ---- access ------------------------------------------------------------------------------


def open_region(session: Session, principal: Principal, slug: str | None) -> Region | None:
    """The region whose overview the caller may see (None: the national overview).

    Advisers of the region, administrators and API clients bound to the region see it;
    coordinators and advisers of other regions get 403. The national overview is for
    administrators only."""
    if slug is None:
        require_admin(principal)
        return None
    require_authenticated(principal)
    region = get_region_row(session, slug)
    if not principal.can_read_region(region.id or 0):
        raise Forbidden(f"The overview of {region.name} is for the region's advisers.")
    return region


def normalise_filters(filters: OverviewFilters | None) -> OverviewFilters:
    """Tags are stored lower-cased and cleaned; a tag filter is read the same way."""
    if filters is None:
        return OverviewFilters()
    tag = clean_text(filters.tag).lower() if filters.tag else None
    return filters.model_copy(update={"tag": tag or None})


def _check_filters(
    filters: OverviewFilters, phase_keys: Iterable[str], offering_types: Iterable[str]
) -> None:
    errors = []
    if filters.phase is not None and filters.phase not in set(phase_keys):
        errors.append(FieldError("phase", f"unknown phase {filters.phase!r}"))
    if filters.offering_type is not None and filters.offering_type not in set(offering_types):
        errors.append(
            FieldError("offering_type", f"unknown offering type {filters.offering_type!r}")
        )
    if errors:
        raise Invalid(errors)


# ---- dates -------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_state(
    last_reviewed_at: datetime | None,
    first_published_at: datetime | None,
    *,
    interval_months: int,
    today: date,
    lang: str = "nb",
) -> ReviewState:
    """When the next review falls due, and whether it is due (within 30 days) or overdue."""
    if last_reviewed_at is not None:
        basis: str | None = "review"
        start: date | None = local_date(last_reviewed_at)
    elif first_published_at is not None:
        basis, start = "publication", local_date(first_published_at)
    else:
        basis, start = None, None
    if start is None:
        status = ReviewStatus.not_published
        due_on = None
    else:
        due_on = add_months(start, interval_months)
        if due_on < today:
            status = ReviewStatus.overdue
        elif due_on <= today + timedelta(days=DUE_SOON_DAYS):
            status = ReviewStatus.due
        else:
            status = ReviewStatus.ok
    return ReviewState(
        status=status,
        label=label(f"review.{status.value}", lang),
        last_reviewed_at=last_reviewed_at,
        first_published_at=first_published_at,
        basis=basis,  # type: ignore[arg-type]
        due_on=due_on,
        due=status in (ReviewStatus.due, ReviewStatus.overdue),
        overdue=status == ReviewStatus.overdue,
    )


# ---- loading -----------------------------------------------------------------------------


@dataclass
class _Loaded:
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


def _in_scope(column: Any, region: Region | None) -> Any:
    """`column` (a municipality id) belongs to the region; always true for the country."""
    if region is None:
        return col(column).is_not(None)
    return col(column).in_(select(Municipality.id).where(col(Municipality.region_id) == region.id))


def _load(session: Session, region: Region | None, lang: str) -> _Loaded:
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
        ).where(_in_scope(PhaseSection.municipality_id, region))
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
        .where(_in_scope(PhaseSection.municipality_id, region))
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
        .where(_in_scope(ChecklistAnswer.municipality_id, region))
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
        .where(_in_scope(Strength.municipality_id, region))
        .order_by(col(Strength.position), col(Strength.id))
    ).all():
        strengths[strength.municipality_id].append(strength)

    areas: dict[int, list[ImprovementArea]] = defaultdict(list)
    for area in session.exec(
        select(ImprovementArea)
        .where(_in_scope(ImprovementArea.municipality_id, region))
        .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
    ).all():
        areas[area.municipality_id].append(area)
    area_phases, measure_counts = load_area_details(
        session,
        select(ImprovementArea.id).where(_in_scope(ImprovementArea.municipality_id, region)),
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
            .where(_in_scope(PublishedVersion.municipality_id, region))
            .group_by(col(PublishedVersion.municipality_id))
        ).all()
    }
    last_review = dict(
        session.exec(
            select(Review.municipality_id, func.max(Review.reviewed_at))
            .where(_in_scope(Review.municipality_id, region))
            .group_by(col(Review.municipality_id))
        ).all()
    )
    open_threads = {
        mid: int(n)
        for mid, n in session.exec(
            select(Comment.municipality_id, func.count())
            .where(col(Comment.parent_id).is_(None))
            .where(col(Comment.resolved_at).is_(None))
            .where(_in_scope(Comment.municipality_id, region))
            .group_by(col(Comment.municipality_id))
        ).all()
    }
    return _Loaded(
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


# ---- building ----------------------------------------------------------------------------


def _alphabetical(municipalities: Iterable[Municipality]) -> list[Municipality]:
    return sorted(municipalities, key=lambda m: (norwegian_key(m.name), m.number))


def _phase_name(catalogue: Catalogue, key: str | None, lang: str) -> str:
    return label("no_phase", lang) if key is None else catalogue.phase_name(key)


def _offering_type_name(kind: OfferingType, lang: str) -> str:
    return kind.name_en if lang == "en" else kind.name_nb


@dataclass(frozen=True)
class _Row:
    overview: MunicipalityOverview
    #: Offering type → statuses in the shown phases.
    offering_types: dict[str, set[str]]


def _row(
    data: _Loaded,
    municipality: Municipality,
    filters: OverviewFilters,
    shown_phases: list[str],
    settings: Settings,
    today: date,
    lang: str,
) -> _Row | None:
    """One municipality's line, or None when a filter leaves it out."""
    mid = municipality.id or 0
    cells = []
    for phase in shown_phases:
        maturity, needs = data.cells[mid].get(phase, (Maturity.unknown.value, False))
        cells.append(
            GridCell(
                phase=phase,
                maturity=Maturity(maturity),
                maturity_label=label(f"maturity.{maturity}", lang),
                available_offerings=data.available[(mid, phase)],
                needs_knowledge=needs,
            )
        )
    types: dict[str, set[str]] = defaultdict(set)
    for phase, kind, status in data.offerings[mid]:
        if phase in shown_phases:
            types[kind].add(status)
    areas = [
        a
        for a in data.areas[mid]
        if (filters.phase is None or filters.phase in data.area_phases[a.id or 0])
        and (filters.tag is None or filters.tag in (a.tags or []))
    ]

    if filters.needs_knowledge is not None and filters.needs_knowledge != any(
        c.needs_knowledge for c in cells
    ):
        return None
    wanted = {OfferingStatus.available.value, OfferingStatus.planned.value}
    if filters.offering_type is not None and not (types[filters.offering_type] & wanted):
        return None
    if filters.tag is not None and not areas:
        return None

    strengths = [
        s for s in data.strengths[mid] if filters.phase is None or s.phase == filters.phase
    ]
    answer_counts: Counter[str] = Counter()
    for (phase, answer), n in data.answers[mid].items():
        if filters.phase is None or phase == filters.phase:
            answer_counts[answer] += n
    items = sum(
        1 for i in data.checklist_items if filters.phase is None or i.phase == filters.phase
    )
    measures: Counter[str] = Counter()
    for area in areas:
        measures.update(data.measure_counts.get(area.id or 0, {}))
    published = data.published.get(mid)
    days = (today - local_date(municipality.updated_at)).days
    overview = MunicipalityOverview(
        number=municipality.number,
        name=municipality.name,
        region=data.region_of[mid].slug,
        population=municipality.population,
        persons_with_dementia=municipality.persons_with_dementia,
        figures_year=municipality.figures_year,
        is_example=municipality.is_example,
        cells=cells,
        checklist=AnswerCounts(
            yes=answer_counts[Answer.yes.value],
            partly=answer_counts[Answer.partly.value],
            no=answer_counts[Answer.no.value],
            not_applicable=answer_counts[Answer.not_applicable.value],
            unanswered=max(items - sum(answer_counts.values()), 0),
        ),
        strengths=[StrengthItem(id=s.id or 0, text=s.text, phase=s.phase) for s in strengths],
        improvement_areas=[
            AreaItem(
                id=a.id or 0,
                priority=a.priority,
                title=a.title,
                status=a.status,  # type: ignore[arg-type]
                phases=data.area_phases[a.id or 0],
                tags=list(a.tags or []),
            )
            for a in areas
        ],
        measures=MeasureCounts(**{s.value: measures[s.value] for s in MeasureStatus}),
        published_versions=published[0] if published else 0,
        last_published_at=published[2] if published else None,
        last_change=municipality.updated_at,
        days_since_change=days,
        stale=days >= settings.stale_after_days,
        review=review_state(
            data.last_review.get(mid),
            published[1] if published else None,
            interval_months=settings.review_interval_months,
            today=today,
            lang=lang,
        ),
        open_comment_threads=data.open_threads.get(mid, 0),
        version=municipality.version,
    )
    return _Row(overview=overview, offering_types=dict(types))


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


def _refs(rows: Iterable[MunicipalityOverview]) -> list[MunicipalityRef]:
    seen: dict[str, MunicipalityRef] = {}
    for r in rows:
        seen.setdefault(r.number, MunicipalityRef(number=r.number, name=r.name))
    return list(seen.values())


def _area_groups(
    rows: Sequence[MunicipalityOverview],
    keys: list[str | None],
    belongs: Any,
    name_of: Any,
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


def build_overview(
    session: Session,
    principal: Principal,
    slug: str | None,
    filters: OverviewFilters | None = None,
    *,
    lang: str = "nb",
    settings: Settings | None = None,
    today: date | None = None,
) -> Overview:
    """The full overview of a region (`slug`) or, for administrators, of the country
    (`slug=None`)."""
    settings = settings or get_settings()
    today = today or local_today()
    filters = normalise_filters(filters)
    region = open_region(session, principal, slug)
    data = _load(session, region, lang)
    catalogue = data.catalogue
    all_phases = [p.key for p in catalogue.phases]
    _check_filters(filters, all_phases, catalogue.offering_types)
    shown_phases = [filters.phase] if filters.phase else all_phases

    rows = [
        row
        for m in _alphabetical(data.municipalities)
        if (row := _row(data, m, filters, shown_phases, settings, today, lang)) is not None
    ]
    overviews = [r.overview for r in rows]

    kinds = sorted(catalogue.offering_types.values(), key=lambda t: t.position)
    if filters.offering_type:
        kinds = [catalogue.offering_types[filters.offering_type]]
    coverage = []
    for kind in kinds:
        statuses = [r.offering_types.get(kind.key, set()) for r in rows]
        available = sum(1 for s in statuses if OfferingStatus.available.value in s)
        planned = sum(
            1
            for s in statuses
            if OfferingStatus.planned.value in s and OfferingStatus.available.value not in s
        )
        if kind.active or available or planned:
            coverage.append(
                OfferingCoverage(
                    offering_type=kind.key,
                    name=_offering_type_name(kind, lang),
                    available=available,
                    planned=planned,
                )
            )

    phase_keys: list[str | None] = list(shown_phases)
    if filters.phase is None:
        phase_keys.append(None)
    by_phase = _area_groups(
        overviews,
        phase_keys,
        lambda a, key: key in a.phases if key is not None else not a.phases,
        lambda key: _phase_name(catalogue, key, lang),
    )
    tags = sorted(
        {t for r in overviews for a in r.improvement_areas for t in a.tags}, key=norwegian_key
    )
    if filters.tag is not None:
        tags = [t for t in tags if t == filters.tag]
    by_tag = _area_groups(overviews, list(tags), lambda a, key: key in a.tags, lambda key: key)
    good_examples = strength_groups(
        [
            (MunicipalityRef(number=r.number, name=r.name), s)
            for r in overviews
            for s in r.strengths
        ],
        shown_phases,
        catalogue,
        lang,
        include_no_phase=filters.phase is None,
    )

    regions: list[RegionTotals] = []
    if region is None:
        by_region: dict[str, list[MunicipalityOverview]] = defaultdict(list)
        for r in overviews:
            by_region[r.region].append(r)
        for item in sorted(
            {r.slug: r for r in data.region_of.values()}.values(),
            key=lambda r: norwegian_key(r.name),
        ):
            regions.append(
                RegionTotals(
                    region=RegionRef(slug=item.slug, name=item.name),
                    totals=totals_of(by_region[item.slug]),
                )
            )

    return Overview(
        scope="national" if region is None else "region",
        region=RegionRef(slug=region.slug, name=region.name) if region else None,
        as_of=today,
        filters=filters,
        review_interval_months=settings.review_interval_months,
        stale_after_days=settings.stale_after_days,
        phases=[PhaseColumn(key=k, name=catalogue.phase_name(k)) for k in shown_phases],
        totals=totals_of(overviews),
        regions=regions,
        municipalities=overviews,
        coverage=coverage,
        improvement_areas_by_phase=by_phase,
        improvement_areas_by_tag=by_tag,
        good_examples=good_examples,
    )


def get_overview(
    session: Session,
    principal: Principal,
    slug: str | None,
    filters: OverviewFilters | None = None,
    *,
    anonymous: bool = False,
    lang: str = "nb",
    settings: Settings | None = None,
    today: date | None = None,
) -> Overview | OverviewSummary:
    """What the region page, the JSON API and the exports show: the overview of region
    `slug` (national for `None`), or its anonymous summary."""
    settings = settings or get_settings()
    overview = build_overview(
        session, principal, slug, filters, lang=lang, settings=settings, today=today
    )
    if anonymous:
        return summarise(overview, threshold=settings.small_number_threshold, lang=lang)
    return overview


def etag_content(tag: str) -> str:
    """The part of an `overview_etag` that names the content, whatever the representation."""
    return tag.strip('"').rsplit("-", 1)[-1]


# ---- conditional requests ----------------------------------------------------------------


def overview_etag(
    session: Session,
    principal: Principal,
    slug: str | None,
    filters: OverviewFilters | None = None,
    *,
    anonymous: bool = False,
    lang: str = "nb",
    settings: Settings | None = None,
    today: date | None = None,
    variant: str = "json",
) -> str:
    """A strong ETag for the overview, from one aggregate query over the versions involved
    (municipalities' aggregate versions, reviews, publications, comments, catalogues) and
    everything else the result depends on (today's date, settings, filters, language,
    and the representation: json, csv or xlsx)."""
    settings = settings or get_settings()
    today = today or local_today()
    filters = normalise_filters(filters)
    region = open_region(session, principal, slug)
    if filters.phase is not None or filters.offering_type is not None:
        _check_filters(filters, phase_keys(session), session.exec(select(OfferingType.key)).all())

    def scoped(statement: Any, column: Any) -> Any:
        return statement.where(_in_scope(column, region)).scalar_subquery()

    m, published = Municipality, PublishedVersion

    def stamp() -> tuple[object, ...]:
        return tuple(session.execute(statement).one())

    statement = sa_select(
        scoped(select(func.count()).select_from(m), m.id),
        scoped(select(func.coalesce(func.sum(m.version), 0)), m.id),
        scoped(select(func.max(m.updated_at)), m.id),
        scoped(select(func.count()).select_from(Review), Review.municipality_id),
        scoped(select(func.max(Review.id)), Review.municipality_id),
        scoped(select(func.count()).select_from(published), published.municipality_id),
        scoped(select(func.max(published.id)), published.municipality_id),
        scoped(select(func.count()).select_from(Comment), Comment.municipality_id),
        scoped(select(func.coalesce(func.sum(Comment.version), 0)), Comment.municipality_id),
        scoped(select(func.max(Comment.id)), Comment.municipality_id),
        select(func.coalesce(func.sum(OfferingType.version), 0)).scalar_subquery(),
        select(func.count()).select_from(OfferingType).scalar_subquery(),
        select(func.max(ChecklistVersion.id))
        .where(col(ChecklistVersion.is_current).is_(True))
        .scalar_subquery(),
        select(func.count()).select_from(Phase).scalar_subquery(),
        select(func.coalesce(func.sum(Region.version), 0)).scalar_subquery(),
    )
    parts = [
        "overview-2",
        slug or "*",
        repr(stamp()),
        today.isoformat(),
        lang,
        "anonymous" if anonymous else "named",
        filters.model_dump_json(),
        str(settings.review_interval_months),
        str(settings.stale_after_days),
        str(settings.small_number_threshold),
    ]
    # The representation leads, the content follows: one overview serves every variant.
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f'"o-{variant}-{digest}"'
