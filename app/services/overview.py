"""The regional overview for advisers, the national one for administrators, and the
anonymous summary of either: the use cases.

`get_overview` answers what the region page, the JSON API and the CSV/XLSX exports show, in a
fixed number of queries whatever the number of municipalities: the data are loaded by
`services.overview_data` and built by `services.overview_builder` (its rules are there); the
anonymous summary has counts and groups only, small counts suppressed and protected by
complementary suppression (`services.overview_summary`). `overview_etag` names the content
from one aggregate query, for conditional requests and the caches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.errors import FieldError, Forbidden, Invalid
from app.kit.text import clean_text
from app.models.base import local_today
from app.models.catalogue import ChecklistVersion, OfferingType, Phase
from app.models.feedback import Comment, Review
from app.models.municipality import Municipality, Region
from app.models.overview import Overview, OverviewFilters, OverviewSummary
from app.models.publishing import PublishedVersion
from app.services.access import Principal, require_admin, require_authenticated
from app.services.catalogue import phase_keys
from app.services.municipalities import get_region_row
from app.services.overview_builder import Scope, build
from app.services.overview_data import in_scope, load_overview_data
from app.services.overview_summary import summarise

# ---- access and filters ------------------------------------------------------------------


class RegionLike(Protocol):
    """What the access check and the overview's versions need of a region."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class RegionRef:
    """A region as `app.cache` keeps it for the overview's ETag."""

    id: int
    name: str


R = TypeVar("R", bound=RegionLike)


def region_in_reach(principal: Principal, slug: str | None, find: Callable[[str], R]) -> R | None:
    """The region `slug`, found by `find`, if the caller may see its overview; None for the
    national overview.

    Advisers of the region, administrators and API clients bound to the region see it;
    coordinators and advisers of other regions get 403. The national overview is for
    administrators only."""
    if slug is None:
        require_admin(principal)
        return None
    require_authenticated(principal)
    region = find(slug)
    if not principal.can_read_region(region.id or 0):
        raise Forbidden(f"The overview of {region.name} is for the region's advisers.")
    return region


def open_region(session: Session, principal: Principal, slug: str | None) -> Region | None:
    """`region_in_reach` with the region's row."""
    return region_in_reach(principal, slug, lambda found: get_region_row(session, found))


def region_ref(session: Session, slug: str) -> RegionRef:
    region = get_region_row(session, slug)
    return RegionRef(id=region.id or 0, name=region.name)


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


# ---- the overview ------------------------------------------------------------------------


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
    filters = normalise_filters(filters)
    region = open_region(session, principal, slug)
    data = load_overview_data(session, region, lang)
    all_phases = [p.key for p in data.catalogue.phases]
    _check_filters(filters, all_phases, data.catalogue.offering_types)
    scope = Scope(
        region=region,
        filters=filters,
        shown_phases=[filters.phase] if filters.phase else all_phases,
        settings=settings or get_settings(),
        today=today or local_today(),
        lang=lang,
    )
    return build(data, scope)


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


class KeptSources(Protocol):
    """Where `overview_etag` finds the region and its versions when they are kept."""

    def region(self, slug: str) -> RegionRef: ...

    def versions(self, region: RegionLike | None) -> tuple[object, ...]: ...


def overview_versions(session: Session, region: RegionLike | None) -> tuple[object, ...]:
    """What the overview of `region` (national for None) is built from, in one aggregate
    query: its municipalities' aggregate versions, reviews, publications and comments, and
    the catalogues. Every table it reads is content-stamped, so it may be kept under the
    content stamp (`app.cache.overview_etag`)."""

    def scoped(statement: Any, column: Any) -> Any:
        return statement.where(in_scope(column, region)).scalar_subquery()

    m, published = Municipality, PublishedVersion
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
    return tuple(session.execute(statement).one())


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
    kept: KeptSources | None = None,
) -> str:
    """A strong ETag for the overview, from `overview_versions` and everything else the
    result depends on (today's date, settings, filters, language, and the representation:
    json, csv or xlsx). Checks access first. With `kept`, the region and the versions are
    the ones `app.cache` keeps."""
    settings = settings or get_settings()
    today = today or local_today()
    filters = normalise_filters(filters)
    region: RegionLike | None
    if kept is None:
        region = open_region(session, principal, slug)
        found = overview_versions(session, region)
    else:
        region = region_in_reach(principal, slug, kept.region)
        found = kept.versions(region)
    if filters.phase is not None or filters.offering_type is not None:
        _check_filters(filters, phase_keys(session), session.exec(select(OfferingType.key)).all())
    parts = [
        "overview-3",
        slug or "*",
        repr(found),
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
