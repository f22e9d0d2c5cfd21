"""The pathway: six phase sections per municipality, each with its offerings.

Reading a pathway takes a fixed number of queries whatever its size; writing a phase section
replaces that section alone and never touches another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, NotFound
from app.kit.text import clean_markdown, clean_text, render_markdown
from app.models.base import utcnow
from app.models.catalogue import OfferingType, Phase
from app.models.municipality import Municipality
from app.models.pathway import (
    ContactRead,
    Offering,
    OfferingInput,
    OfferingRead,
    PathwayRead,
    PhaseSection,
    PhaseSectionInput,
    PhaseSectionRead,
    PhaseSectionText,
)
from app.services import audit
from app.services.access import Principal, require_edit, require_read, require_read_ids
from app.services.common import (
    check_version,
    commit,
    get_municipality,
    lock_municipality,
    touch,
)


class Catalogue:
    """Phase and offering-type names (two small queries)."""

    def __init__(self, session: Session, lang: str = "nb") -> None:
        self.lang = lang
        self.phases = list(session.exec(select(Phase).order_by(col(Phase.position))).all())
        self.offering_types = {
            kind.key: kind
            for kind in session.exec(
                select(OfferingType).order_by(col(OfferingType.position), col(OfferingType.key))
            ).all()
        }
        self.phase_position = {p.key: p.position for p in self.phases}

    def phase_name(self, key: str) -> str:
        for phase in self.phases:
            if phase.key == key:
                return phase.name_en if self.lang == "en" else phase.name_nb
        return key

    def offering_name(self, offering: Offering) -> str:
        if offering.name:
            return offering.name
        kind = self.offering_types.get(offering.type or "")
        if kind is None:
            return ""
        return kind.name_en if self.lang == "en" else kind.name_nb


#: An offering's stored columns (all but its section and position).
OFFERING_COLUMNS = ("type", "name", "description", "status", "provider", "contact")


def offering_columns(offering: Offering) -> dict[str, Any]:
    """An offering's stored values; equal values mean an equal offering."""
    return {name: getattr(offering, name) for name in OFFERING_COLUMNS}


def offering_read(offering: Offering, catalogue: Catalogue) -> OfferingRead:
    return OfferingRead(
        type=offering.type,
        name=catalogue.offering_name(offering),
        description=offering.description,
        status=offering.status,
        provider=offering.provider,
        contact=offering.contact,
    )


def section_read(
    section: PhaseSection, offerings: Sequence[Offering], catalogue: Catalogue
) -> PhaseSectionRead:
    return PhaseSectionRead(
        phase=section.phase,
        phase_name=catalogue.phase_name(section.phase),
        description=section.description,
        description_html=render_markdown(section.description),
        responsible=section.responsible,
        contact=ContactRead(
            name=section.contact_name,
            phone=section.contact_phone,
            email=section.contact_email or None,
            hours=section.contact_hours,
        ),
        maturity=section.maturity,
        needs_knowledge=section.needs_knowledge,
        offerings=[offering_read(o, catalogue) for o in offerings],
        version=section.version,
        updated_at=section.updated_at,
    )


def audit_view(read: PhaseSectionRead) -> dict[str, object]:
    return read.model_dump(mode="json", exclude={"description_html", "phase_name"})


def load_sections(
    session: Session, municipality_ids: Iterable[int]
) -> dict[int, list[tuple[PhaseSection, list[Offering]]]]:
    """Sections with their offerings for many municipalities, in two queries."""
    ids = list(municipality_ids)
    sections = session.exec(
        select(PhaseSection).where(col(PhaseSection.municipality_id).in_(ids))
    ).all()
    by_section: dict[int, list[Offering]] = defaultdict(list)
    if sections:
        offerings = session.exec(
            select(Offering)
            .join(PhaseSection, col(PhaseSection.id) == col(Offering.phase_section_id))
            .where(col(PhaseSection.municipality_id).in_(ids))
            .order_by(col(Offering.phase_section_id), col(Offering.position))
        ).all()
        for offering in offerings:
            by_section[offering.phase_section_id].append(offering)
    result: dict[int, list[tuple[PhaseSection, list[Offering]]]] = defaultdict(list)
    for section in sections:
        assert section.id is not None
        result[section.municipality_id].append((section, by_section[section.id]))
    return result


def draft_sections(
    session: Session, municipality: Municipality
) -> list[tuple[PhaseSection, list[Offering]]]:
    """The sections of a municipality with their offerings, in two queries."""
    assert municipality.id is not None
    return load_sections(session, [municipality.id])[municipality.id]


def build_pathway(
    municipality: Municipality,
    sections: list[tuple[PhaseSection, list[Offering]]],
    catalogue: Catalogue,
) -> PathwayRead:
    ordered = sorted(sections, key=lambda pair: catalogue.phase_position.get(pair[0].phase, 99))
    return PathwayRead(
        municipality=municipality.number,
        name=municipality.name,
        version=municipality.version,
        updated_at=municipality.updated_at,
        sections=[section_read(s, o, catalogue) for s, o in ordered],
    )


def open_pathway(session: Session, principal: Principal, number: str) -> Municipality:
    """The municipality whose draft the caller may read; its version is the pathway's."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return municipality


@dataclass(frozen=True)
class DraftFacts:
    """What answers who may read a municipality's draft and its ETag, without loading it."""

    number: str
    id: int
    region_id: int
    name: str
    #: The municipality's aggregate version: the draft pathway's ETag.
    version: int


def draft_facts(session: Session, number: str) -> DraftFacts:
    """The draft's facts of the municipality `number` (404 for an unknown number)."""
    municipality = get_municipality(session, number)
    return DraftFacts(
        number=municipality.number,
        id=municipality.id or 0,
        region_id=municipality.region_id,
        name=municipality.name,
        version=municipality.version,
    )


def open_draft(principal: Principal, facts: DraftFacts) -> DraftFacts:
    """`open_pathway` on the facts: 403 for a caller who may not read the draft."""
    require_read_ids(principal, facts.id, facts.region_id, facts.name)
    return facts


def draft_of(session: Session, facts: DraftFacts) -> Municipality:
    """The municipality of `facts` (from the session's identity map when it read them)."""
    municipality = session.get(Municipality, facts.id)
    if municipality is None:
        raise NotFound(f"No municipality {facts.number}.")
    return municipality


def read_pathway(session: Session, municipality: Municipality, lang: str = "nb") -> PathwayRead:
    """The draft pathway of a municipality opened with `open_pathway`."""
    assert municipality.id is not None
    catalogue = Catalogue(session, lang)
    return build_pathway(municipality, draft_sections(session, municipality), catalogue)


def get_pathway(
    session: Session, principal: Principal, number: str, lang: str = "nb"
) -> PathwayRead:
    """The draft pathway, all six sections, for those who may read the municipality."""
    return read_pathway(session, open_pathway(session, principal, number), lang)


def text_values(data: PhaseSectionText) -> dict[str, Any]:
    """The stored columns of a section's text as the editor saves them: the description
    reduced to the safe Markdown subset, the other text cleaned."""
    return {
        "description": clean_markdown(data.description),
        "responsible": clean_text(data.responsible),
        "contact_name": clean_text(data.contact.name),
        "contact_phone": clean_text(data.contact.phone),
        "contact_email": (data.contact.email or "").lower(),
        "contact_hours": clean_text(data.contact.hours),
    }


def section_values(data: PhaseSectionInput) -> dict[str, Any]:
    """The stored columns of a phase section (offerings aside) from the API's input."""
    return {
        **text_values(data),
        "maturity": data.maturity.value,
        "needs_knowledge": data.needs_knowledge,
    }


def offering_values(data: OfferingInput) -> dict[str, Any]:
    """An offering's stored values (`offering_columns`), from the API's input."""
    return {
        "type": data.type or None,
        "name": clean_text(data.name),
        "description": clean_text(data.description),
        "status": data.status.value,
        "provider": data.provider.value,
        "contact": clean_text(data.contact),
    }


def _load_section(
    session: Session, municipality: Municipality, phase: str
) -> tuple[PhaseSection, list[Offering]]:
    """The section and its offerings as stored now (rows the session holds are read again)."""
    section = session.exec(
        select(PhaseSection)
        .where(col(PhaseSection.municipality_id) == municipality.id)
        .where(col(PhaseSection.phase) == phase)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if section is None:
        raise NotFound(f"No phase {phase!r}. The phases are listed at /api/v1/phases.")
    offerings = session.exec(
        select(Offering)
        .where(col(Offering.phase_section_id) == section.id)
        .order_by(col(Offering.position))
        .execution_options(populate_existing=True)
    ).all()
    return section, list(offerings)


def get_section(
    session: Session, principal: Principal, number: str, phase: str, lang: str = "nb"
) -> PhaseSectionRead:
    municipality = open_pathway(session, principal, number)
    section, offerings = _load_section(session, municipality, phase)
    return section_read(section, offerings, Catalogue(session, lang))


def section_version(session: Session, principal: Principal, number: str, phase: str) -> int:
    return _load_section(session, open_pathway(session, principal, number), phase)[0].version


def update_section(
    session: Session,
    principal: Principal,
    number: str,
    phase: str,
    data: PhaseSectionInput,
    expected_version: int,
    lang: str = "nb",
) -> PhaseSectionRead:
    """Replace one phase section (its offerings included) if the caller holds its current
    version. An identical body changes nothing and keeps the version."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    assert municipality.id is not None
    municipality = lock_municipality(session, municipality.id)
    return save_section(session, principal, municipality, phase, data, expected_version, lang)


def save_section(
    session: Session,
    principal: Principal,
    municipality: Municipality,
    phase: str,
    data: PhaseSectionInput,
    expected_version: int,
    lang: str = "nb",
    *,
    keep_offerings: bool = False,
    action: str = "update",
    audit_note: dict[str, object] | None = None,
) -> PhaseSectionRead:
    """Write a phase section of a municipality the caller has locked and may edit: re-read
    it, check the version, save, bump versions, audit, commit. `keep_offerings` leaves the
    section's offerings as they are; `audit_note` is added to the event's "after" (e.g.
    where restored text came from). An identical write changes nothing."""
    catalogue = Catalogue(session, lang)
    section, offerings = _load_section(session, municipality, phase)
    before = section_read(section, offerings, catalogue)
    check_version(section.version, expected_version, before.model_dump(mode="json"))

    errors = [
        FieldError(f"offerings.{i}.type", f"unknown offering type {o.type!r}")
        for i, o in enumerate(data.offerings)
        if o.type and o.type not in catalogue.offering_types
    ]
    if errors:
        raise Invalid(errors)

    new_values = section_values(data)
    wanted = [offering_values(o) for o in data.offerings]
    offerings_changed = not keep_offerings and wanted != [offering_columns(o) for o in offerings]
    if not offerings_changed and all(getattr(section, k) == v for k, v in new_values.items()):
        session.rollback()
        return before

    now = utcnow()
    if offerings_changed:
        # Replaced wholesale; the rows' ids are never shown.
        for offering in offerings:
            session.delete(offering)
        session.flush()
        offerings = [
            Offering(phase_section_id=section.id or 0, position=position, **values)
            for position, values in enumerate(wanted, start=1)
        ]
        session.add_all(offerings)
    for key, value in new_values.items():
        setattr(section, key, value)
    section.version += 1
    section.updated_at = now
    touch(municipality, now)
    after = section_read(section, offerings, catalogue)
    audit.record(
        session,
        principal,
        action=action,
        entity_type="phase_section",
        entity_id=f"{municipality.number}/{phase}",
        municipality=municipality,
        before=audit_view(before),
        after={**audit_view(after), **(audit_note or {})},
    )
    commit(session)
    return after
