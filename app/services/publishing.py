"""Publishing: immutable, numbered snapshots of a municipality's pathway; what the public sees
of them; finding a municipality; restoring a phase section's text from an older version.

Nothing changes a published version once it is written. The public reads only the latest
one, cheaply enough for a CDN in front: a conditional request costs one small query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldError, Invalid, NotFound, NotPublished
from app.kit.collation import norwegian_key, search_key
from app.kit.text import clean_text, render_markdown
from app.models.base import utcnow
from app.models.municipality import Municipality, Region, WebAddress
from app.models.pathway import PhaseSectionInput, PhaseSectionRead
from app.models.publishing import (
    PathwaySnapshot,
    PublicMunicipalityRead,
    PublicPathwayRead,
    PublishedVersion,
    PublishedVersionRead,
    PublishedVersionSummary,
    PublishInput,
    RestoreInput,
    SnapshotContact,
    SnapshotContactPoint,
    SnapshotImprovementArea,
    SnapshotOffering,
    SnapshotPhase,
    SnapshotStrength,
)
from app.services import audit, improvement, pathway, strengths
from app.services.access import Principal, require_edit, require_read
from app.services.common import (
    Page,
    clamp_paging,
    commit,
    count,
    get_municipality,
    lock_municipality,
)

#: Short enough that a new publication shows within minutes, long enough to spare the
#: database under national traffic; a CDN may serve a stale copy while it revalidates.
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"

SEARCH_MAX = 100


# ---- the snapshot ------------------------------------------------------------------------


def build_snapshot(
    session: Session, principal: Principal, municipality: Municipality
) -> PathwaySnapshot:
    """The pathway as the public will read it: contact points first, the six phases with
    their offerings, strengths, and the improvement areas in summary. No measurements."""
    draft = pathway.read_pathway(session, municipality, "nb")
    areas, _ = improvement.list_areas(session, principal, municipality.number)
    strength_page = strengths.list_strengths(session, principal, municipality.number)
    phases = [_snapshot_phase(section) for section in draft.sections]
    return PathwaySnapshot(
        municipality=municipality.number,
        name=municipality.name,
        website=municipality.website,
        contacts=contact_points(phases),
        phases=phases,
        strengths=[SnapshotStrength(text=s.text, phase=s.phase) for s in strength_page.items],
        improvement_areas=[
            SnapshotImprovementArea(
                priority=a.priority,
                title=a.title,
                phases=a.phases,
                status=a.status.value,
                measure_counts=a.measure_counts,
            )
            for a in areas.items
        ],
    )


def _snapshot_phase(section: PhaseSectionRead) -> SnapshotPhase:
    return SnapshotPhase(
        phase=section.phase,
        phase_name=section.phase_name,
        description=section.description,
        description_html=section.description_html,
        responsible=section.responsible,
        contact=SnapshotContact(**section.contact.model_dump()),
        offerings=[
            SnapshotOffering(
                type=o.type,
                name=o.name,
                description=o.description,
                status=o.status.value,
                provider=o.provider.value,
                contact=o.contact,
            )
            for o in section.offerings
        ],
    )


def contact_points(phases: Sequence[SnapshotPhase]) -> list[SnapshotContactPoint]:
    """The distinct places to turn to, in phase order, each with the phases it serves."""
    points: dict[tuple[str, ...], SnapshotContactPoint] = {}
    for phase in phases:
        contact = phase.contact
        key = (phase.responsible, contact.name, contact.phone, contact.email or "", contact.hours)
        if not any(key):
            continue
        if key not in points:
            points[key] = SnapshotContactPoint(
                responsible=phase.responsible,
                name=contact.name,
                phone=contact.phone,
                email=contact.email,
                hours=contact.hours,
            )
        points[key].phases.append(phase.phase)
    return list(points.values())


_WEB_ADDRESS: TypeAdapter[str | None] = TypeAdapter(WebAddress)


def read_snapshot(data: dict[str, Any]) -> PathwaySnapshot:
    """A stored snapshot, made safe to show whatever was stored: each phase's HTML is
    rendered again from its Markdown by the editor's renderer and cleaner (the stored HTML is
    never served), and a website that is not an http(s) address is left out."""
    snapshot = PathwaySnapshot.model_validate(data)
    for phase in snapshot.phases:
        phase.description_html = render_markdown(phase.description)
    try:
        _WEB_ADDRESS.validate_python(snapshot.website)
    except ValidationError:
        snapshot.website = None
    return snapshot


# ---- publishing and reading versions -----------------------------------------------------


def version_read(row: PublishedVersion) -> PublishedVersionRead:
    return PublishedVersionRead(
        number=row.number,
        published_at=row.published_at,
        published_by=row.published_by,
        summary=row.summary,
        imported_by=row.imported_by,
        imported_at=row.imported_at,
        pathway=read_snapshot(row.snapshot),
    )


def _latest_source(session: Session, municipality_id: int) -> tuple[int, int] | None:
    """(number, source_version) of the latest version, without loading its snapshot."""
    row = session.exec(
        select(PublishedVersion.number, PublishedVersion.source_version)
        .where(col(PublishedVersion.municipality_id) == municipality_id)
        .order_by(col(PublishedVersion.number).desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def publish(
    session: Session, principal: Principal, number: str, data: PublishInput
) -> PublishedVersionRead:
    """Take an immutable, numbered snapshot of the draft. Only editors of the municipality
    publish (its coordinators, administrators, write-scoped API clients bound to it);
    advisers never do. A draft unchanged since the last publication is refused."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    assert municipality.id is not None
    municipality = lock_municipality(session, municipality.id)
    summary = clean_text(data.summary)
    if not summary:
        raise Invalid(FieldError("summary", "say in a few words what changed"))
    latest = _latest_source(session, municipality.id or 0)
    if latest is not None and latest[1] == municipality.version:
        raise Conflict(
            f"Nothing has changed since version {latest[0]} was published. Change the draft "
            "first, then publish."
        )
    snapshot = build_snapshot(session, principal, municipality)
    row = PublishedVersion(
        municipality_id=municipality.id or 0,
        number=(latest[0] if latest else 0) + 1,
        published_at=utcnow(),
        published_by=principal.label[:200],
        published_by_user_id=principal.user_id,
        summary=summary,
        source_version=municipality.version,
        snapshot=snapshot.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    result = version_read(row)
    audit.record(
        session,
        principal,
        action="publish",
        entity_type="published_version",
        entity_id=f"{municipality.number}/{row.number}",
        municipality=municipality,
        before=None,
        after={
            **PublishedVersionSummary.model_validate(result).model_dump(mode="json"),
            "source_version": row.source_version,
        },
    )
    commit(session)
    return result


def list_versions(
    session: Session,
    principal: Principal,
    number: str,
    *,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[PublishedVersionSummary]:
    """Published versions, newest first, without their snapshots."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    limit, offset = clamp_paging(limit, offset)
    statement = sa_select(
        *(col(getattr(PublishedVersion, name)) for name in PublishedVersionSummary.model_fields)
    ).where(col(PublishedVersion.municipality_id) == municipality.id)
    total = count(session, statement)
    rows = session.execute(
        statement.order_by(col(PublishedVersion.number).desc()).limit(limit).offset(offset)
    ).all()
    items = [PublishedVersionSummary.model_validate(row._mapping) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def _version_row(session: Session, municipality: Municipality, version: int) -> PublishedVersion:
    row = session.exec(
        select(PublishedVersion)
        .where(col(PublishedVersion.municipality_id) == municipality.id)
        .where(col(PublishedVersion.number) == version)
    ).first()
    if row is None:
        raise NotFound(f"{municipality.name} has no published version {version}.")
    return row


def version_number(session: Session, principal: Principal, number: str, version: int) -> int:
    """That the version exists and the caller may read it, without loading the snapshot:
    enough to answer a conditional request (a published version never changes)."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    found = session.exec(
        select(PublishedVersion.number)
        .where(col(PublishedVersion.municipality_id) == municipality.id)
        .where(col(PublishedVersion.number) == version)
    ).first()
    if found is None:
        raise NotFound(f"{municipality.name} has no published version {version}.")
    return found


def get_version(
    session: Session, principal: Principal, number: str, version: int
) -> PublishedVersionRead:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return version_read(_version_row(session, municipality, version))


def version_snapshot(session: Session, municipality: Municipality, version: int) -> PathwaySnapshot:
    """The snapshot of one version of a municipality the caller has been allowed to read."""
    return read_snapshot(_version_row(session, municipality, version).snapshot)


# ---- the public --------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedStamp:
    number: str
    version: int
    published_at: datetime
    #: The municipality's official language form: the page's language by default.
    language_form: str = "nb"
    #: The municipality's contact for citizens (name, phone, e-mail, web address): live,
    #: not part of the published version, so the page shows a change at once.
    contact: tuple[str, str, str, str] = ("", "", "", "")


def contact_of(municipality: Municipality) -> tuple[str, str, str, str]:
    return (
        municipality.contact_name,
        municipality.contact_phone,
        municipality.contact_email,
        municipality.contact_url,
    )


def latest_stamp(session: Session, number: str) -> PublishedStamp:
    """The number and time of the latest published version, in one small query: enough to
    answer a conditional request. Unpublished: `NotPublished`, naming the website."""

    def load() -> tuple[Any, ...] | None:
        found = session.exec(
            select(PublishedVersion.number, PublishedVersion.published_at, Municipality)
            .join(Municipality, col(Municipality.id) == col(PublishedVersion.municipality_id))
            .where(col(Municipality.number) == number)
            .order_by(col(PublishedVersion.number).desc())
            .limit(1)
        ).first()
        if found is None:
            return None
        number_, published_at, municipality = found
        return number_, published_at, municipality.language_form, contact_of(municipality)

    row = load()
    if row is None:
        municipality = get_municipality(session, number)  # an unknown number: plain 404
        raise NotPublished(
            municipality.name,
            municipality.website,
            municipality.language_form,
            contact_of(municipality),
        )
    return PublishedStamp(
        number=number,
        version=row[0],
        published_at=row[1],
        language_form=row[2],
        contact=row[3],
    )


def cache_headers(stamp: PublishedStamp) -> dict[str, str]:
    return {
        "ETag": f'"p{stamp.number}-{stamp.version}"',
        "Last-Modified": format_datetime(stamp.published_at, usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }


def get_public(session: Session, number: str) -> PublicPathwayRead:
    """The latest published version, for everyone: no sign-in, no drafts."""
    row = session.exec(
        select(PublishedVersion)
        .join(Municipality, col(Municipality.id) == col(PublishedVersion.municipality_id))
        .where(col(Municipality.number) == number)
        .order_by(col(PublishedVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        municipality = get_municipality(session, number)
        raise NotPublished(
            municipality.name, municipality.website, contact=contact_of(municipality)
        )
    return PublicPathwayRead(
        **read_snapshot(row.snapshot).model_dump(),
        version=row.number,
        published_at=row.published_at,
        summary=row.summary,
    )


def name_forms(name: str) -> list[str]:
    """The official name forms: "Gáivuotna - Kåfjord - Kaivuono" has three."""
    return [part.strip() for part in name.split(" - ") if part.strip()]


def _matches(terms: list[str], number: str, folded_name: str) -> bool:
    return all(number.startswith(term) if term.isdigit() else term in folded_name for term in terms)


def search_municipalities(
    session: Session,
    query: str | None = None,
    *,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[PublicMunicipalityRead]:
    """Find a municipality for the public start page: by any of its official names (Sami
    and Kven forms included) or by number, ignoring case and accents; in Norwegian
    alphabetical order; saying which have published. Two queries whatever the query."""
    limit, offset = clamp_paging(limit, offset)
    text = " ".join((query or "").split())
    if len(text) > SEARCH_MAX:
        raise Invalid(FieldError("q", f"at most {SEARCH_MAX} characters"))
    terms = search_key(text).split()
    rows = session.exec(
        select(Municipality, Region).join(Region, col(Region.id) == col(Municipality.region_id))
    ).all()
    matching = [
        (municipality, region)
        for municipality, region in rows
        if _matches(terms, municipality.number, search_key(municipality.name))
    ]
    matching.sort(key=lambda row: (norwegian_key(row[0].name), row[0].number))
    page = matching[offset : offset + limit]
    published: dict[int, tuple[int, datetime]] = {}
    if page:
        for municipality_id, last_number, last_at in session.exec(
            select(
                PublishedVersion.municipality_id,
                func.max(PublishedVersion.number),
                func.max(PublishedVersion.published_at),
            )
            .where(col(PublishedVersion.municipality_id).in_([m.id for m, _ in page]))
            .group_by(col(PublishedVersion.municipality_id))
        ).all():
            published[municipality_id] = (last_number, last_at)
    items = []
    for municipality, region in page:
        latest = published.get(municipality.id or 0)
        items.append(
            PublicMunicipalityRead(
                number=municipality.number,
                name=municipality.name,
                names=name_forms(municipality.name),
                region=region.slug,
                region_name=region.name,
                website=municipality.website,
                published=latest is not None,
                published_at=latest[1] if latest else None,
                version=latest[0] if latest else None,
            )
        )
    return Page(items=items, total=len(matching), limit=limit, offset=offset)


def page_etag(page: Page[PublicMunicipalityRead]) -> str:
    """A strong tag of a search result: the same answer always has the same tag."""
    digest = hashlib.sha256()
    digest.update(f"{page.total}/{page.limit}/{page.offset}".encode())
    for item in page.items:
        digest.update(item.model_dump_json().encode())
    return f'"s{digest.hexdigest()[:24]}"'


# ---- restoring ---------------------------------------------------------------------------


def restore_section(
    session: Session,
    principal: Principal,
    number: str,
    phase: str,
    data: RestoreInput,
    expected_version: int,
    lang: str = "nb",
) -> PhaseSectionRead:
    """Bring back a phase section's text (description, responsible, contact) from an older
    published version, and its offerings when asked, as a new change to the draft: the
    section's current version must be given, its version moves on, and the audit event
    (action "restore") names the version the text came from. Maturity stays as it is."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    assert municipality.id is not None
    municipality = lock_municipality(session, municipality.id)
    current = pathway.get_section(session, principal, number, phase, lang)
    try:
        snapshot = version_snapshot(session, municipality, data.from_version)
    except NotFound as exc:
        raise Invalid(FieldError("from_version", exc.detail)) from None
    old = next((p for p in snapshot.phases if p.phase == phase), None)
    if old is None:
        raise Invalid(
            FieldError("from_version", f"version {data.from_version} has no phase {phase!r}")
        )
    catalogue = pathway.Catalogue(session, lang)
    try:
        section_input = PhaseSectionInput.model_validate(
            {
                "description": old.description,
                "responsible": old.responsible,
                "contact": old.contact.model_dump(),
                "maturity": current.maturity,
                "needs_knowledge": current.needs_knowledge,
                "offerings": [_offering_input(o, catalogue) for o in old.offerings]
                if data.include_offerings
                else [],
            }
        )
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]) for e in exc.errors())
        raise Invalid(
            FieldError("from_version", f"version {data.from_version} cannot be restored: {reason}")
        ) from None
    return pathway.save_section(
        session,
        principal,
        municipality,
        phase,
        section_input,
        expected_version,
        lang,
        keep_offerings=not data.include_offerings,
        action="restore",
        audit_note={
            "restored_from_version": data.from_version,
            "include_offerings": data.include_offerings,
        },
    )


def _offering_input(offering: SnapshotOffering, catalogue: pathway.Catalogue) -> dict[str, Any]:
    """The snapshot shows the catalogue's name for typed offerings; a name that is only the
    catalogue's is not a custom name, so it is not restored as one."""
    kind = catalogue.offering_types.get(offering.type or "")
    is_catalogue_name = kind is not None and offering.name in (kind.name_nb, kind.name_en)
    return {
        "type": offering.type,
        "name": "" if is_catalogue_name else offering.name,
        "description": offering.description,
        "status": offering.status,
        "provider": offering.provider,
        "contact": offering.contact,
    }
