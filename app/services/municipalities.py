"""Regions and municipalities: the basic facts any signed-in caller may read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.kit.collation import norwegian_key
from app.models.base import utcnow
from app.models.municipality import (
    LanguageForm,
    Municipality,
    MunicipalityCreate,
    MunicipalityRead,
    MunicipalityUpdate,
    Region,
    RegionDetail,
    RegionRead,
)
from app.models.pathway import PhaseSection
from app.services import audit
from app.services.access import Principal, require_admin, require_authenticated, require_edit
from app.services.catalogue import phase_keys
from app.services.common import (
    Page,
    check_version,
    clamp_paging,
    commit,
    count,
    get_municipality,
    lock_municipality,
    touch,
)


def municipality_read(municipality: Municipality, region_slug: str) -> MunicipalityRead:
    return MunicipalityRead(
        number=municipality.number,
        name=municipality.name,
        region=region_slug,
        population=municipality.population,
        persons_with_dementia=municipality.persons_with_dementia,
        figures_year=municipality.figures_year,
        website=municipality.website,
        language_form=LanguageForm(municipality.language_form),
        contact_name=municipality.contact_name,
        contact_phone=municipality.contact_phone,
        contact_email=municipality.contact_email,
        contact_url=municipality.contact_url,
        is_example=municipality.is_example,
        version=municipality.version,
        updated_at=municipality.updated_at,
    )


def get_region_row(session: Session, slug: str) -> Region:
    region = session.exec(select(Region).where(col(Region.slug) == slug)).one_or_none()
    if region is None:
        raise NotFound(f"No region with slug {slug!r}.")
    return region


def _region_read(region: Region, municipality_count: int) -> RegionRead:
    return RegionRead(
        slug=region.slug,
        name=region.name,
        centre=region.centre,
        county_number=region.county_number,
        municipality_count=municipality_count,
        version=region.version,
    )


def list_regions(session: Session, principal: Principal) -> Page[RegionRead]:
    require_authenticated(principal)
    rows = session.exec(
        select(Region, func.count(col(Municipality.id)))
        .outerjoin(Municipality, col(Municipality.region_id) == col(Region.id))
        .group_by(col(Region.id))
    ).all()
    items = sorted(
        (_region_read(region, n) for region, n in rows), key=lambda r: norwegian_key(r.name)
    )
    return Page(items=items, total=len(items), limit=len(items), offset=0)


def get_region(session: Session, principal: Principal, slug: str) -> RegionDetail:
    require_authenticated(principal)
    region = get_region_row(session, slug)
    municipalities = sorted(
        session.exec(select(Municipality).where(col(Municipality.region_id) == region.id)).all(),
        key=lambda m: norwegian_key(m.name),
    )
    base = _region_read(region, len(municipalities))
    return RegionDetail(
        **base.model_dump(),
        municipalities=[municipality_read(m, region.slug) for m in municipalities],
    )


def list_municipalities(
    session: Session,
    principal: Principal,
    *,
    region: str | None = None,
    updated_since: datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[MunicipalityRead]:
    """All municipalities, by number. `updated_since` lets integrators fetch only what changed."""
    require_authenticated(principal)
    limit, offset = clamp_paging(limit, offset)
    statement = select(Municipality, Region.slug).join(
        Region, col(Region.id) == col(Municipality.region_id)
    )
    if region is not None:
        statement = statement.where(col(Region.id) == get_region_row(session, region).id)
    if updated_since is not None:
        if updated_since.tzinfo is None:
            raise Invalid(
                FieldError("updated_since", "must include a time zone, e.g. 2024-01-31T00:00:00Z")
            )
        statement = statement.where(col(Municipality.updated_at) > updated_since)
    total = count(session, statement)
    rows = session.exec(
        statement.order_by(col(Municipality.number)).limit(limit).offset(offset)
    ).all()
    return Page(
        items=[municipality_read(m, slug) for m, slug in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def region_slug(session: Session, region_id: int) -> str:
    return session.exec(select(Region.slug).where(col(Region.id) == region_id)).one()


def get_municipality_read(session: Session, principal: Principal, number: str) -> MunicipalityRead:
    require_authenticated(principal)
    municipality = get_municipality(session, number)
    return municipality_read(municipality, region_slug(session, municipality.region_id))


def municipality_version(session: Session, principal: Principal, number: str) -> int:
    """The current version alone, for conditional requests that need not build a body."""
    require_authenticated(principal)
    return get_municipality(session, number).version


def create_sections(session: Session, municipality: Municipality) -> None:
    assert municipality.id is not None
    for key in phase_keys(session):
        session.add(
            PhaseSection(
                municipality_id=municipality.id,
                phase=key,
                created_at=municipality.created_at,
                updated_at=municipality.created_at,
            )
        )


def create_municipality(
    session: Session, principal: Principal, data: MunicipalityCreate
) -> MunicipalityRead:
    """Administrators only. The municipality starts with six empty phase sections."""
    require_admin(principal)
    if session.exec(select(Municipality.id).where(col(Municipality.number) == data.number)).first():
        raise Invalid(FieldError("number", f"municipality {data.number} already exists"))
    region_id, region_slug = _region_for_input(session, data.region)
    now = utcnow()
    municipality = Municipality(
        number=data.number,
        name=data.name,
        region_id=region_id,
        population=data.population,
        persons_with_dementia=data.persons_with_dementia,
        figures_year=data.figures_year,
        website=data.website,
        language_form=(data.language_form or LanguageForm.bokmaal).value,
        created_at=now,
        updated_at=now,
    )
    session.add(municipality)
    session.flush()
    create_sections(session, municipality)
    result = municipality_read(municipality, region_slug)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="municipality",
        entity_id=municipality.number,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def _region_for_input(session: Session, slug: str) -> tuple[int, str]:
    """The id and slug of the region an input names."""
    try:
        region = get_region_row(session, slug)
    except NotFound:
        raise Invalid(FieldError("region", f"no region with slug {slug!r}")) from None
    assert region.id is not None  # a stored row has its id
    return region.id, region.slug


def update_municipality(
    session: Session,
    principal: Principal,
    number: str,
    data: MunicipalityUpdate,
    expected_version: int,
) -> MunicipalityRead:
    """Editors may change the figures and the website; only administrators rename a
    municipality or move it to another region."""
    require_authenticated(principal)
    municipality = lock_municipality(session, get_municipality(session, number).id or 0)
    require_edit(principal, municipality)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if {"name", "region"} & changes.keys() and not principal.is_admin:
        raise Forbidden("Only an administrator may change a municipality's name or region.")
    slug = region_slug(session, municipality.region_id)
    before = municipality_read(municipality, slug)
    check_version(municipality.version, expected_version, before.model_dump(mode="json"))
    if "region" in changes:
        municipality.region_id, slug = _region_for_input(session, changes.pop("region"))
    for field, value in changes.items():
        if isinstance(value, LanguageForm):
            value = value.value
        elif value is None and field.startswith("contact_"):
            value = ""  # the contact's fields are "" when not given
        setattr(municipality, field, value)
    after = municipality_read(municipality, slug)
    if after.model_dump(exclude={"version", "updated_at"}) == before.model_dump(
        exclude={"version", "updated_at"}
    ):
        session.rollback()
        return before
    touch(municipality)
    after = municipality_read(municipality, slug)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="municipality",
        entity_id=municipality.number,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after
