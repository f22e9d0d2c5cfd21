"""Whole-municipality export and import (moving between installations).

The format holds no database ids: records refer to each other by stable keys (phase keys,
checklist item keys, improvement-area priorities, comment refs), so an export imports into
any installation, and exporting again gives the same document.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, NotFound
from app.models.base import utcnow
from app.models.catalogue import ChecklistItem, OfferingType, Phase
from app.models.feedback import Comment, Review
from app.models.improvement import ImprovementArea, ImprovementAreaPhase, Measure, ProgressNote
from app.models.measurement import Indicator, Observation
from app.models.municipality import Municipality, Region
from app.models.pathway import ChecklistAnswer, Offering, PhaseSection, Strength
from app.models.publishing import PublishedVersion
from app.models.transfer import (
    FORMAT,
    FORMAT_VERSION,
    ChecklistAnswerOut,
    CommentOut,
    ImportResult,
    ImprovementAreaOut,
    IndicatorOut,
    MeasureOut,
    MunicipalityExport,
    MunicipalityOut,
    NoteOut,
    ObservationOut,
    OfferingOut,
    PublishedVersionOut,
    ReviewOut,
    SectionOut,
    StrengthOut,
)
from app.services import audit
from app.services.access import Principal, require_edit, require_read
from app.services.common import commit, get_municipality, lock_municipality
from app.services.pathway import load_sections


def _note_out(note: ProgressNote) -> NoteOut:
    return NoteOut(
        date=note.date,
        text=note.text,
        author=note.author,
        version=note.version,
        created_at=note.created_at,
        updated_at=note.updated_at,
    )


def export_municipality(session: Session, principal: Principal, number: str) -> MunicipalityExport:
    """Everything about one municipality, in a fixed number of queries."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    mid = municipality.id
    assert mid is not None
    region = session.get(Region, municipality.region_id)
    assert region is not None
    phase_order = {p.key: p.position for p in session.exec(select(Phase)).all()}

    sections = sorted(
        load_sections(session, [mid]).get(mid, []), key=lambda p: phase_order[p[0].phase]
    )
    answers = session.exec(
        select(ChecklistAnswer, ChecklistItem)
        .join(ChecklistItem, col(ChecklistItem.id) == col(ChecklistAnswer.checklist_item_id))
        .where(col(ChecklistAnswer.municipality_id) == mid)
        .order_by(col(ChecklistItem.checklist_version_id), col(ChecklistItem.position))
    ).all()
    strengths = session.exec(
        select(Strength)
        .where(col(Strength.municipality_id) == mid)
        .order_by(col(Strength.position), col(Strength.id))
    ).all()
    areas = session.exec(
        select(ImprovementArea)
        .where(col(ImprovementArea.municipality_id) == mid)
        .order_by(col(ImprovementArea.priority))
    ).all()
    area_ids = [a.id for a in areas]
    area_phases: dict[int, list[str]] = defaultdict(list)
    for link in session.exec(
        select(ImprovementAreaPhase).where(
            col(ImprovementAreaPhase.improvement_area_id).in_(area_ids)
        )
    ).all():
        area_phases[link.improvement_area_id].append(link.phase)
    measures = session.exec(
        select(Measure)
        .where(col(Measure.improvement_area_id).in_(area_ids))
        .order_by(col(Measure.position), col(Measure.id))
    ).all()
    measure_ids = [m.id for m in measures]
    notes = session.exec(
        select(ProgressNote)
        .where(
            col(ProgressNote.improvement_area_id).in_(area_ids)
            | col(ProgressNote.measure_id).in_(measure_ids)
        )
        .order_by(col(ProgressNote.date), col(ProgressNote.created_at), col(ProgressNote.id))
    ).all()
    indicators = session.exec(
        select(Indicator)
        .where(col(Indicator.improvement_area_id).in_(area_ids))
        .order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    observations = session.exec(
        select(Observation)
        .where(col(Observation.indicator_id).in_([i.id for i in indicators]))
        .order_by(col(Observation.period))
    ).all()
    comments = session.exec(
        select(Comment)
        .where(col(Comment.municipality_id) == mid)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    reviews = session.exec(
        select(Review)
        .where(col(Review.municipality_id) == mid)
        .order_by(col(Review.reviewed_at), col(Review.id))
    ).all()
    versions = session.exec(
        select(PublishedVersion)
        .where(col(PublishedVersion.municipality_id) == mid)
        .order_by(col(PublishedVersion.number))
    ).all()

    notes_by_area: dict[int, list[NoteOut]] = defaultdict(list)
    notes_by_measure: dict[int, list[NoteOut]] = defaultdict(list)
    for note in notes:
        if note.measure_id is not None:
            notes_by_measure[note.measure_id].append(_note_out(note))
        elif note.improvement_area_id is not None:
            notes_by_area[note.improvement_area_id].append(_note_out(note))
    measures_by_area: dict[int, list[MeasureOut]] = defaultdict(list)
    for m in measures:
        measures_by_area[m.improvement_area_id].append(
            MeasureOut(
                position=m.position,
                title=m.title,
                description=m.description,
                responsible=m.responsible,
                start_date=m.start_date,
                due_date=m.due_date,
                status=m.status,  # type: ignore[arg-type]
                version=m.version,
                created_at=m.created_at,
                updated_at=m.updated_at,
                notes=notes_by_measure[m.id or 0],
            )
        )
    observations_by_indicator: dict[int, list[ObservationOut]] = defaultdict(list)
    for o in observations:
        observations_by_indicator[o.indicator_id].append(
            ObservationOut(
                period=o.period,
                value=o.value,
                numerator=o.numerator,
                denominator=o.denominator,
                comment=o.comment,
                created_at=o.created_at,
                updated_at=o.updated_at,
            )
        )
    indicators_by_area: dict[int, list[IndicatorOut]] = defaultdict(list)
    for i in indicators:
        indicators_by_area[i.improvement_area_id].append(
            IndicatorOut(
                position=i.position,
                name=i.name,
                definition=i.definition,
                kind=i.kind,  # type: ignore[arg-type]
                unit=i.unit,
                direction=i.direction,  # type: ignore[arg-type]
                target=i.target,
                frequency=i.frequency,  # type: ignore[arg-type]
                baseline_points=i.baseline_points,
                baseline_restart=i.baseline_restart,
                version=i.version,
                data_version=i.data_version,
                created_at=i.created_at,
                updated_at=i.updated_at,
                observations=observations_by_indicator[i.id or 0],
            )
        )
    priority_of_area = {a.id: a.priority for a in areas}
    comment_ref = {c.id: n for n, c in enumerate(comments, start=1)}

    return MunicipalityExport(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        municipality=MunicipalityOut(
            number=municipality.number,
            name=municipality.name,
            region=region.slug,
            population=municipality.population,
            persons_with_dementia=municipality.persons_with_dementia,
            figures_year=municipality.figures_year,
            website=municipality.website,
            is_example=municipality.is_example,
            version=municipality.version,
            priority_version=municipality.priority_version,
            created_at=municipality.created_at,
            updated_at=municipality.updated_at,
        ),
        sections=[
            SectionOut(
                phase=s.phase,
                description=s.description,
                responsible=s.responsible,
                contact_name=s.contact_name,
                contact_phone=s.contact_phone,
                contact_email=s.contact_email,
                contact_hours=s.contact_hours,
                maturity=s.maturity,  # type: ignore[arg-type]
                needs_knowledge=s.needs_knowledge,
                version=s.version,
                created_at=s.created_at,
                updated_at=s.updated_at,
                offerings=[
                    OfferingOut(
                        type=o.type,
                        name=o.name,
                        description=o.description,
                        status=o.status,  # type: ignore[arg-type]
                        provider=o.provider,  # type: ignore[arg-type]
                        contact=o.contact,
                    )
                    for o in offerings
                ],
            )
            for s, offerings in sections
        ],
        checklist_answers=[
            ChecklistAnswerOut(
                checklist_version=item.checklist_version_id,
                item=item.key,
                answer=a.answer,  # type: ignore[arg-type]
                comment=a.comment,
                version=a.version,
                created_at=a.created_at,
                updated_at=a.updated_at,
            )
            for a, item in answers
        ],
        strengths=[
            StrengthOut(
                position=s.position,
                text=s.text,
                phase=s.phase,
                version=s.version,
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
            for s in strengths
        ],
        improvement_areas=[
            ImprovementAreaOut(
                priority=a.priority,
                title=a.title,
                rationale=a.rationale,
                aim=a.aim,
                target_date=a.target_date,
                status=a.status,  # type: ignore[arg-type]
                tags=list(a.tags or []),
                phases=sorted(area_phases[a.id or 0], key=lambda k: phase_order.get(k, 99)),
                version=a.version,
                created_at=a.created_at,
                updated_at=a.updated_at,
                notes=notes_by_area[a.id or 0],
                measures=measures_by_area[a.id or 0],
                indicators=indicators_by_area[a.id or 0],
            )
            for a in areas
        ],
        comments=[
            CommentOut(
                ref=comment_ref[c.id],
                parent_ref=comment_ref.get(c.parent_id) if c.parent_id else None,
                target=c.target,  # type: ignore[arg-type]
                phase=c.phase,
                improvement_area_priority=priority_of_area.get(c.improvement_area_id)
                if c.improvement_area_id
                else None,
                text=c.text,
                author=c.author,
                author_role=c.author_role,
                resolved_at=c.resolved_at,
                resolved_by=c.resolved_by,
                version=c.version,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c in comments
        ],
        reviews=[
            ReviewOut(reviewed_at=r.reviewed_at, reviewer=r.reviewer, note=r.note) for r in reviews
        ],
        published_versions=[
            PublishedVersionOut(
                number=v.number,
                published_at=v.published_at,
                published_by=v.published_by,
                summary=v.summary,
                source_version=v.source_version,
                snapshot=v.snapshot,
            )
            for v in versions
        ],
    )


def _check_references(session: Session, data: MunicipalityExport) -> dict[tuple[int, str], int]:
    """Every key the document uses must exist in this installation's catalogues."""
    phases = set(session.exec(select(Phase.key)).all())
    offering_types = set(session.exec(select(OfferingType.key)).all())
    items = {
        (v, k): i
        for v, k, i in session.exec(
            select(ChecklistItem.checklist_version_id, ChecklistItem.key, ChecklistItem.id)
        ).all()
        if i is not None
    }
    errors: list[FieldError] = []
    seen_phases: set[str] = set()
    for n, s in enumerate(data.sections):
        if s.phase not in phases:
            errors.append(FieldError(f"sections.{n}.phase", f"unknown phase {s.phase!r}"))
        if s.phase in seen_phases:
            errors.append(FieldError(f"sections.{n}.phase", f"phase {s.phase!r} twice"))
        seen_phases.add(s.phase)
        for m, o in enumerate(s.offerings):
            if o.type is not None and o.type not in offering_types:
                errors.append(
                    FieldError(f"sections.{n}.offerings.{m}.type", f"unknown type {o.type!r}")
                )
    for n, a in enumerate(data.checklist_answers):
        if (a.checklist_version, a.item) not in items:
            errors.append(
                FieldError(
                    f"checklist_answers.{n}.item",
                    f"no item {a.item!r} in checklist version {a.checklist_version}",
                )
            )
    for n, st in enumerate(data.strengths):
        if st.phase is not None and st.phase not in phases:
            errors.append(FieldError(f"strengths.{n}.phase", f"unknown phase {st.phase!r}"))
    priorities = [a.priority for a in data.improvement_areas]
    if sorted(priorities) != list(range(1, len(priorities) + 1)):
        errors.append(FieldError("improvement_areas", "priorities must be 1..n without gaps"))
    for n, area in enumerate(data.improvement_areas):
        for p in area.phases:
            if p not in phases:
                errors.append(FieldError(f"improvement_areas.{n}.phases", f"unknown phase {p!r}"))
    refs = {c.ref for c in data.comments}
    for n, c in enumerate(data.comments):
        if c.parent_ref is not None and c.parent_ref not in refs:
            errors.append(FieldError(f"comments.{n}.parent_ref", "refers to no comment"))
        if c.improvement_area_priority is not None and c.improvement_area_priority not in set(
            priorities
        ):
            errors.append(
                FieldError(f"comments.{n}.improvement_area_priority", "refers to no area")
            )
    numbers = [v.number for v in data.published_versions]
    if len(set(numbers)) != len(numbers):
        errors.append(FieldError("published_versions", "version numbers must be unique"))
    if errors:
        raise Invalid(errors)
    return items


def _next_version(existing: int, exported: int, pristine: bool) -> int:
    """Restore the exported version into a municipality never edited here; otherwise move
    every version forward, so an ETag from before the import can never match again."""
    if pristine:
        return exported
    return max(existing + 1, exported)


def import_municipality(
    session: Session, principal: Principal, number: str, data: MunicipalityExport
) -> ImportResult:
    """Replace all content of the municipality with the document, in one transaction."""
    if data.municipality.number != number:
        raise Invalid(
            FieldError(
                "municipality.number",
                f"the document is for {data.municipality.number}, not {number}",
            )
        )
    try:
        municipality = get_municipality(session, number)
    except NotFound:
        municipality = _create_for_import(session, principal, data)
    require_edit(principal, municipality)
    mid = municipality.id
    assert mid is not None
    municipality = lock_municipality(session, mid)
    items = _check_references(session, data)
    pristine = municipality.version == 1
    now = utcnow()
    before = {"version": municipality.version}

    old_sections = {
        s.phase: s
        for s in session.exec(
            select(PhaseSection).where(col(PhaseSection.municipality_id) == mid)
        ).all()
    }
    old_answer_versions = dict(
        session.exec(
            select(ChecklistAnswer.checklist_item_id, ChecklistAnswer.version).where(
                col(ChecklistAnswer.municipality_id) == mid
            )
        ).all()
    )
    _delete_content(session, mid)

    m = data.municipality
    municipality.population = m.population
    municipality.persons_with_dementia = m.persons_with_dementia
    municipality.figures_year = m.figures_year
    municipality.website = m.website
    municipality.is_example = m.is_example
    municipality.version = _next_version(municipality.version, m.version, pristine)
    municipality.priority_version = _next_version(
        municipality.priority_version, m.priority_version, pristine
    )
    municipality.updated_at = m.updated_at if pristine else now
    if pristine:
        municipality.created_at = m.created_at

    exported_sections = {s.phase: s for s in data.sections}
    for phase, section in old_sections.items():
        source = exported_sections.get(phase)
        if source is None:
            # A phase the document does not mention is emptied.
            for key in ("description", "responsible", "contact_name", "contact_phone"):
                setattr(section, key, "")
            section.contact_email = ""
            section.contact_hours = ""
            section.maturity = "unknown"
            section.needs_knowledge = False
            section.version += 1
            section.updated_at = now
            continue
        _fill_section(section, source, pristine)
    for phase, source in exported_sections.items():
        if phase not in old_sections:
            section = PhaseSection(municipality_id=mid, phase=phase)
            section.version = 1
            _fill_section(section, source, True)
            session.add(section)
            old_sections[phase] = section
    session.flush()
    for phase, source in exported_sections.items():
        section_id = old_sections[phase].id
        assert section_id is not None
        for pos, o in enumerate(source.offerings, start=1):
            session.add(
                Offering(
                    phase_section_id=section_id,
                    position=pos,
                    type=o.type,
                    name=o.name,
                    description=o.description,
                    status=o.status.value,
                    provider=o.provider.value,
                    contact=o.contact,
                )
            )

    for a in data.checklist_answers:
        item_id = items[(a.checklist_version, a.item)]
        session.add(
            ChecklistAnswer(
                municipality_id=mid,
                checklist_item_id=item_id,
                answer=a.answer.value,
                comment=a.comment,
                version=_next_version(old_answer_versions.get(item_id, 0), a.version, pristine),
                created_at=a.created_at,
                updated_at=a.updated_at,
            )
        )
    for st in data.strengths:
        session.add(
            Strength(
                municipality_id=mid,
                position=st.position,
                text=st.text,
                phase=st.phase,
                version=st.version,
                created_at=st.created_at,
                updated_at=st.updated_at,
            )
        )

    counts = {"measures": 0, "indicators": 0, "observations": 0}
    area_id_by_priority: dict[int, int] = {}
    for area in data.improvement_areas:
        row = ImprovementArea(
            municipality_id=mid,
            priority=area.priority,
            title=area.title,
            rationale=area.rationale,
            aim=area.aim,
            target_date=area.target_date,
            status=area.status.value,
            tags=list(area.tags),
            version=area.version,
            created_at=area.created_at,
            updated_at=area.updated_at,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        area_id_by_priority[area.priority] = row.id
        for phase in area.phases:
            session.add(ImprovementAreaPhase(improvement_area_id=row.id, phase=phase))
        for note in area.notes:
            session.add(_note_row(note, area_id=row.id))
        for measure in area.measures:
            mrow = Measure(
                improvement_area_id=row.id,
                position=measure.position,
                title=measure.title,
                description=measure.description,
                responsible=measure.responsible,
                start_date=measure.start_date,
                due_date=measure.due_date,
                status=measure.status.value,
                version=measure.version,
                created_at=measure.created_at,
                updated_at=measure.updated_at,
            )
            session.add(mrow)
            session.flush()
            counts["measures"] += 1
            for note in measure.notes:
                session.add(_note_row(note, measure_id=mrow.id))
        for indicator in area.indicators:
            irow = Indicator(
                improvement_area_id=row.id,
                position=indicator.position,
                name=indicator.name,
                definition=indicator.definition,
                kind=indicator.kind.value,
                unit=indicator.unit,
                direction=indicator.direction.value,
                target=indicator.target,
                frequency=indicator.frequency.value,
                baseline_points=indicator.baseline_points,
                baseline_restart=indicator.baseline_restart,
                version=indicator.version,
                data_version=indicator.data_version,
                created_at=indicator.created_at,
                updated_at=indicator.updated_at,
            )
            session.add(irow)
            session.flush()
            counts["indicators"] += 1
            for obs in indicator.observations:
                session.add(
                    Observation(
                        indicator_id=irow.id or 0,
                        period=obs.period,
                        value=obs.value,
                        numerator=obs.numerator,
                        denominator=obs.denominator,
                        comment=obs.comment,
                        created_at=obs.created_at,
                        updated_at=obs.updated_at,
                    )
                )
                counts["observations"] += 1

    comment_id_by_ref: dict[int, int] = {}
    for c in sorted(data.comments, key=lambda c: c.ref):
        crow = Comment(
            municipality_id=mid,
            target=c.target,
            phase=c.phase,
            improvement_area_id=area_id_by_priority.get(c.improvement_area_priority or 0),
            parent_id=comment_id_by_ref.get(c.parent_ref or 0),
            text=c.text,
            author=c.author,
            author_role=c.author_role,
            resolved_at=c.resolved_at,
            resolved_by=c.resolved_by,
            version=c.version,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        session.add(crow)
        session.flush()
        comment_id_by_ref[c.ref] = crow.id or 0
    for r in data.reviews:
        session.add(
            Review(municipality_id=mid, reviewed_at=r.reviewed_at, reviewer=r.reviewer, note=r.note)
        )
    for v in data.published_versions:
        session.add(
            PublishedVersion(
                municipality_id=mid,
                number=v.number,
                published_at=v.published_at,
                published_by=v.published_by,
                summary=v.summary,
                source_version=v.source_version,
                snapshot=v.snapshot,
            )
        )
    result = ImportResult(
        number=number,
        version=municipality.version,
        sections=len(data.sections),
        strengths=len(data.strengths),
        improvement_areas=len(data.improvement_areas),
        published_versions=len(data.published_versions),
        **counts,
    )
    audit.record(
        session,
        principal,
        action="import",
        entity_type="municipality",
        entity_id=number,
        municipality=municipality,
        before=before,
        after=result.model_dump(mode="json"),
        occurred_at=now,
    )
    commit(session)
    return result


def _fill_section(section: PhaseSection, source: SectionOut, pristine: bool) -> None:
    section.description = source.description
    section.responsible = source.responsible
    section.contact_name = source.contact_name
    section.contact_phone = source.contact_phone
    section.contact_email = source.contact_email
    section.contact_hours = source.contact_hours
    section.maturity = source.maturity.value
    section.needs_knowledge = source.needs_knowledge
    section.version = _next_version(section.version, source.version, pristine)
    section.created_at = source.created_at
    section.updated_at = source.updated_at


def _note_row(
    note: NoteOut, *, area_id: int | None = None, measure_id: int | None = None
) -> ProgressNote:
    return ProgressNote(
        improvement_area_id=area_id,
        measure_id=measure_id,
        date=note.date,
        text=note.text,
        author=note.author,
        version=note.version,
        created_at=note.created_at,
        updated_at=note.updated_at,
    )


def _delete_content(session: Session, mid: int) -> None:
    area_ids = select(ImprovementArea.id).where(col(ImprovementArea.municipality_id) == mid)
    measure_ids = select(Measure.id).where(col(Measure.improvement_area_id).in_(area_ids))
    indicator_ids = select(Indicator.id).where(col(Indicator.improvement_area_id).in_(area_ids))
    section_ids = select(PhaseSection.id).where(col(PhaseSection.municipality_id) == mid)
    for statement in (
        delete(Comment).where(col(Comment.municipality_id) == mid),
        delete(Review).where(col(Review.municipality_id) == mid),
        delete(PublishedVersion).where(col(PublishedVersion.municipality_id) == mid),
        delete(Observation).where(col(Observation.indicator_id).in_(indicator_ids)),
        delete(Indicator).where(col(Indicator.improvement_area_id).in_(area_ids)),
        delete(ProgressNote).where(col(ProgressNote.measure_id).in_(measure_ids)),
        delete(ProgressNote).where(col(ProgressNote.improvement_area_id).in_(area_ids)),
        delete(Measure).where(col(Measure.improvement_area_id).in_(area_ids)),
        delete(ImprovementAreaPhase).where(
            col(ImprovementAreaPhase.improvement_area_id).in_(area_ids)
        ),
        delete(ImprovementArea).where(col(ImprovementArea.municipality_id) == mid),
        delete(Strength).where(col(Strength.municipality_id) == mid),
        delete(ChecklistAnswer).where(col(ChecklistAnswer.municipality_id) == mid),
        delete(Offering).where(col(Offering.phase_section_id).in_(section_ids)),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()


def _create_for_import(
    session: Session, principal: Principal, data: MunicipalityExport
) -> Municipality:
    """A municipality unknown here is created by an administrator's import."""
    from app.services.access import require_admin
    from app.services.municipalities import create_sections, get_region_row

    require_admin(principal)
    try:
        region = get_region_row(session, data.municipality.region)
    except NotFound:
        raise Invalid(
            FieldError("municipality.region", f"no region {data.municipality.region!r} here")
        ) from None
    now: datetime = utcnow()
    municipality = Municipality(
        number=data.municipality.number,
        name=data.municipality.name,
        region_id=region.id or 0,
        created_at=data.municipality.created_at,
        updated_at=now,
    )
    session.add(municipality)
    session.flush()
    create_sections(session, municipality)
    session.flush()
    return municipality
