"""The pathway: six phase sections per municipality, each with its offerings.

Reading a pathway takes a fixed number of queries whatever its size; writing a phase section
replaces that section alone and never touches another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Table, bindparam, delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.changes import WROTE_KEY, VersionCache, announce, session_feed, session_memo
from app.db import pipelined
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
from app.services.access import Principal, require_edit, require_read
from app.services.common import (
    bump_now,
    check_version,
    commit,
    get_municipality,
)

CatalogueRows = tuple[list[Phase], dict[str, OfferingType]]
#: What the catalogue memos read: a write elsewhere (a pathway, a token) keeps them.
CATALOGUE_TABLES = ("phase", "offering_type")
#: The detached copies by the catalogue's content (every column of every row): exact, and
#: built again only when the catalogue itself changed, not after every write elsewhere.
_CATALOGUE_COPIES: VersionCache[tuple[object, ...], CatalogueRows] = VersionCache(4)


def _catalogue_rows(session: Session) -> CatalogueRows:
    """Phases and offering types as detached read-only copies (never the session's own
    objects): read once per generation of the data as plain rows, and built into copies
    once per content of the catalogue."""

    def load() -> CatalogueRows:
        phase_table, kind_table = Phase.__table__, OfferingType.__table__  # type: ignore[attr-defined]
        phases = tuple(session.execute(sa_select(phase_table).order_by(phase_table.c.position)))
        kinds = tuple(
            session.execute(sa_select(kind_table).order_by(kind_table.c.position, kind_table.c.key))
        )
        key = (phases, kinds)
        built = _CATALOGUE_COPIES.get(key)
        if built is None:
            built = _CATALOGUE_COPIES.put(
                key,
                (
                    [Phase(**row._mapping) for row in phases],
                    {row.key: OfferingType(**row._mapping) for row in kinds},
                ),
            )
        return built

    return session_memo(session, ("catalogue-rows",), load, CATALOGUE_TABLES)


class Catalogue:
    """Phase and offering-type names (two small queries, or none while the data is unchanged).
    Read-only: the objects are shared by the requests of this process."""

    def __init__(self, session: Session, lang: str = "nb") -> None:
        self.lang = lang
        self.phases, self.offering_types = _catalogue_rows(session)
        self.phase_position = {p.key: p.position for p in self.phases}

    def phase_name(self, key: str) -> str:
        for phase in self.phases:
            if phase.key == key:
                return phase.name_en if self.lang == "en" else phase.name_nb
        return key

    def offering_name(self, offering: OfferingLike) -> str:
        if offering.name:
            return offering.name
        kind = self.offering_types.get(offering.type or "")
        if kind is None:
            return ""
        return kind.name_en if self.lang == "en" else kind.name_nb


class OfferingLike(Protocol):
    """What is shown of an offering: a stored `Offering` or `OfferingValues`."""

    @property
    def type(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def contact(self) -> str: ...


class SectionLike(Protocol):
    """What is shown of a phase section: a stored `PhaseSection` or `SectionState`."""

    @property
    def phase(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def responsible(self) -> str: ...
    @property
    def contact_name(self) -> str: ...
    @property
    def contact_phone(self) -> str: ...
    @property
    def contact_email(self) -> str: ...
    @property
    def contact_hours(self) -> str: ...
    @property
    def maturity(self) -> str: ...
    @property
    def needs_knowledge(self) -> bool: ...
    @property
    def version(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...


class OfferingValues(NamedTuple):
    """An offering's stored values, in the order of `OFFERING_COLUMNS`; equal values mean an
    equal offering."""

    type: str | None
    name: str
    description: str
    status: str
    provider: str
    contact: str


OFFERING_COLUMNS = OfferingValues._fields


@dataclass(frozen=True)
class SectionState:
    """A phase section's stored row, read without the unit of work (see `save_section`)."""

    id: int
    phase: str
    description: str
    responsible: str
    contact_name: str
    contact_phone: str
    contact_email: str
    contact_hours: str
    maturity: str
    needs_knowledge: bool
    version: int
    updated_at: datetime


SECTION_COLUMNS = tuple(SectionState.__dataclass_fields__)


def offering_read(offering: OfferingLike, catalogue: Catalogue) -> OfferingRead:
    return OfferingRead(
        type=offering.type,
        name=catalogue.offering_name(offering),
        description=offering.description,
        status=offering.status,  # type: ignore[arg-type]
        provider=offering.provider,  # type: ignore[arg-type]
        contact=offering.contact,
    )


def section_read(
    section: SectionLike, offerings: Sequence[OfferingLike], catalogue: Catalogue
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
        maturity=section.maturity,  # type: ignore[arg-type]
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


_SECTIONS: VersionCache[tuple[int, int], list[tuple[PhaseSection, list[Offering]]]] = VersionCache(
    256
)


def draft_sections(
    session: Session, municipality: Municipality
) -> list[tuple[PhaseSection, list[Offering]]]:
    """The sections of a municipality opened with `open_pathway`/`open_workspace`, as
    detached read-only copies shared by the requests of this process (never change them).

    Every content change bumps the municipality's version, so (id, version) names the
    sections exactly. A copy is kept only when the version read after loading is still the
    one asked for, so a write committed meanwhile can never be filed under the old version."""
    assert municipality.id is not None
    key = (municipality.id, municipality.version)
    hit = _SECTIONS.get(key)
    if hit is not None:
        return hit
    loaded = load_sections(session, [municipality.id])[municipality.id]
    if session.info.get(WROTE_KEY) or session.new or session.dirty:
        return loaded
    now = session.exec(
        select(Municipality.version).where(col(Municipality.id) == municipality.id)
    ).one_or_none()
    copies = [
        (PhaseSection(**s.model_dump()), [Offering(**o.model_dump()) for o in offerings])
        for s, offerings in loaded
    ]
    return _SECTIONS.put(key, copies) if now == municipality.version else copies


def sections_are_current(
    municipality: Municipality, sections: list[tuple[PhaseSection, list[Offering]]]
) -> bool:
    """Whether `sections` are the copies `draft_sections` filed under the municipality's
    version, so that what is built from them may be kept under that version too."""
    assert municipality.id is not None
    return _SECTIONS.get((municipality.id, municipality.version)) is sections


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
    """The municipality whose draft the caller may read; its version is the pathway's.

    Read-only: the object is shared by the requests of this process until the data changes
    (the change feed's generation), so a conditional GET needs no query at all."""
    municipality = cached_municipality(session, number)
    require_read(principal, municipality)
    return municipality


def cached_municipality(session: Session, number: str) -> Municipality:
    """A detached, read-only copy of the municipality, exact for the current generation."""

    def load() -> Municipality:
        found = get_municipality(session, number)
        session.expunge(found)
        return found

    feed = session_feed(session)
    return feed.memo(("municipality", number), load) if feed is not None else load()


def catalogue_stamp(session: Session) -> tuple[object, ...]:
    """Changes whenever a phase or offering-type name could have changed: part of the key of
    every cached rendering that shows those names."""

    def load() -> tuple[object, ...]:
        row = session.exec(
            select(func.count(), func.max(OfferingType.version), func.max(OfferingType.updated_at))
        ).one()
        return tuple(row)

    feed = session_feed(session)
    return feed.memo(("catalogue",), load, ("offering_type",)) if feed is not None else load()


_JSON_CACHE: VersionCache[tuple[object, ...], bytes] = VersionCache(512)


def pathway_json(session: Session, municipality: Municipality, lang: str = "nb") -> bytes:
    """The draft pathway as JSON bytes, rendered once per municipality version, language and
    catalogue state — a version never changes content, so the copy is exact."""
    key = (municipality.id, municipality.version, lang, catalogue_stamp(session))
    cached = _JSON_CACHE.get(key)
    if cached is not None:
        return cached
    body = read_pathway(session, municipality, lang).model_dump_json().encode("utf-8")
    return _JSON_CACHE.put(key, body)


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


_SECTION_TABLE: Table = PhaseSection.__table__  # type: ignore[attr-defined]
_OFFERING_TABLE: Table = Offering.__table__  # type: ignore[attr-defined]
_SECTION_COLUMNS = tuple(_SECTION_TABLE.c[name] for name in SECTION_COLUMNS)
_OFFERING_COLUMNS = (
    _OFFERING_TABLE.c.position.label("offering_position"),
    *(_OFFERING_TABLE.c[name].label(f"offering_{name}") for name in OFFERING_COLUMNS),
)
_OF_SECTION = _OFFERING_TABLE.c.phase_section_id == _SECTION_TABLE.c.id
#: A section and its offerings in one query (outer join: a section may have none).
_SECTION_QUERY = (
    sa_select(*_SECTION_COLUMNS, *_OFFERING_COLUMNS)
    .select_from(_SECTION_TABLE.outerjoin(_OFFERING_TABLE, _OF_SECTION))
    .where(
        _SECTION_TABLE.c.municipality_id == bindparam("municipality_id"),
        _SECTION_TABLE.c.phase == bindparam("phase"),
    )
    .order_by(_OFFERING_TABLE.c.position)
)
_MUNICIPALITY_TABLE: Table = Municipality.__table__  # type: ignore[attr-defined]
_AS_READ = _MUNICIPALITY_TABLE.alias("as_read")
#: A writer's first step in one query: the municipality locked (`lock_municipality`), its
#: version as the statement read it, and the section with its offerings (no section columns
#: when there is no such phase; no row when there is no such municipality).
#:
#: After waiting for the lock, PostgreSQL (READ COMMITTED) returns the locked row as the
#: previous writer committed it, but the rows joined to it as the statement read them
#: before. Every change of content bumps the municipality's version under this lock, so the
#: section read is current exactly when the version read equals the locked row's version;
#: otherwise the writer reads the section again (`update_section`).
_LOCK_WITH_SECTION = (
    select(
        Municipality,
        sa_select(_AS_READ.c.version)
        .where(_AS_READ.c.id == _MUNICIPALITY_TABLE.c.id)
        .scalar_subquery()
        .label("version_read"),
        *_SECTION_COLUMNS,
        *_OFFERING_COLUMNS,
    )
    .outerjoin(
        _SECTION_TABLE,
        (_SECTION_TABLE.c.municipality_id == _MUNICIPALITY_TABLE.c.id)
        & (_SECTION_TABLE.c.phase == bindparam("phase")),
    )
    .outerjoin(_OFFERING_TABLE, _OF_SECTION)
    .where(_MUNICIPALITY_TABLE.c.number == bindparam("number"))
    .order_by(_OFFERING_TABLE.c.position)
    .with_for_update(of=_MUNICIPALITY_TABLE)
    .execution_options(populate_existing=True)
)
# The writes, built once (their parameters name the columns set).
_DELETE_OFFERINGS = delete(_OFFERING_TABLE).where(
    _OFFERING_TABLE.c.phase_section_id == bindparam("section_id")
)
_INSERT_OFFERINGS = insert(_OFFERING_TABLE).inline()
_UPDATE_SECTION = update(_SECTION_TABLE).where(_SECTION_TABLE.c.id == bindparam("section_id"))

LoadedSection = tuple[SectionState, list[OfferingValues]]


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


def offering_values(data: OfferingInput) -> OfferingValues:
    """An offering as it is stored, from the API's input."""
    return OfferingValues(
        type=data.type or None,
        name=clean_text(data.name),
        description=clean_text(data.description),
        status=data.status.value,
        provider=data.provider.value,
        contact=clean_text(data.contact),
    )


def _load_section(session: Session, municipality: Municipality, phase: str) -> LoadedSection:
    """The stored section and its offerings in one query, as plain values."""
    rows = session.execute(
        _SECTION_QUERY, {"municipality_id": municipality.id, "phase": phase}
    ).all()
    return _section_of(rows, phase)


def _section_of(rows: Sequence[Any], phase: str, first_column: int = 0) -> LoadedSection:
    """The section and its offerings from rows whose columns from `first_column` on are
    those of `_SECTION_QUERY`."""
    if not rows or rows[0][first_column] is None:
        raise NotFound(f"No phase {phase!r}. The phases are listed at /api/v1/phases.")
    offering_at = first_column + len(SECTION_COLUMNS)
    section = SectionState(*rows[0][first_column:offering_at])
    offerings = [
        OfferingValues(*row[offering_at + 1 :]) for row in rows if row[offering_at] is not None
    ]
    return section, offerings


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
    version. An identical body changes nothing and keeps the version.

    The caller's rights are checked on the locked row; the transaction, and with it the
    lock, ends at once when they do not hold."""
    rows = session.execute(_LOCK_WITH_SECTION, {"number": number, "phase": phase}).all()
    if not rows:
        get_municipality(session, number)  # says why: no such number, or not in that form
        raise NotFound(f"No municipality with number {number}.")
    municipality, version_read = rows[0][0], rows[0][1]
    require_edit(principal, municipality)
    # Read again only if a writer committed while this one waited for the lock.
    current = (
        _section_of(rows, phase, first_column=2) if version_read == municipality.version else None
    )
    return save_section(
        session, principal, municipality, phase, data, expected_version, lang, current=current
    )


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
    current: LoadedSection | None = None,
) -> PhaseSectionRead:
    """Write a phase section of a municipality the caller has locked and may edit: check the
    version, save, bump versions, audit, commit. `keep_offerings` leaves the section's
    offerings as they are; `audit_note` is added to the event's "after" (e.g. where restored
    text came from). An identical write changes nothing.

    This is the most frequent write, so it is done in plain statements rather than through
    the unit of work: one query reads the section and its offerings (unless the caller read
    them, `current`, after taking the lock); the offerings are rewritten only when they
    changed; the section, the municipality's version, the audit event and the change
    notification are one statement each, sent together (`pipelined`)."""
    catalogue = Catalogue(session, lang)
    section, offerings = current or _load_section(session, municipality, phase)
    if section.version != expected_version:
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
    new_offerings = offerings if keep_offerings else [offering_values(o) for o in data.offerings]
    offerings_changed = new_offerings != offerings
    if not offerings_changed and all(getattr(section, k) == v for k, v in new_values.items()):
        session.rollback()
        return section_read(section, offerings, catalogue)

    now = utcnow()
    saved = replace(section, **new_values, version=section.version + 1, updated_at=now)
    after = section_read(saved, new_offerings, catalogue)
    before_view = audit_view(section_read(section, offerings, catalogue))
    # Nothing below is read back, so it goes to the database together, with the change
    # notification, and the commit follows.
    with pipelined(session) as batch:
        if offerings_changed:
            # Replaced wholesale in two statements; the rows' ids are never shown.
            batch.execute(_DELETE_OFFERINGS, {"section_id": section.id})
            if new_offerings:
                batch.execute(
                    _INSERT_OFFERINGS,
                    [
                        {"phase_section_id": section.id, "position": i, **o._asdict()}
                        for i, o in enumerate(new_offerings, start=1)
                    ],
                )
        batch.execute(
            _UPDATE_SECTION,
            {"section_id": section.id, **new_values, "version": saved.version, "updated_at": now},
        )
        bump_now(batch, municipality, now)
        audit.record(
            session,
            principal,
            action=action,
            entity_type="phase_section",
            entity_id=f"{municipality.number}/{phase}",
            municipality=municipality,
            before=before_view,
            after={**audit_view(after), **(audit_note or {})},
            batch=batch,
        )
        announce(session, batch.execute)
    commit(session)
    return after
