"""What a municipality holds, loaded in a fixed number of queries, and each object as the
export format shows it.

The format's objects are the API's input schemas (`app.models.transfer`); `fields` reads a
schema's fields from a row by name, so the export cannot drift from the schema: a field
added to `StrengthCreate` appears in the export, or fails loudly when no row has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlmodel import Session, col, select

from app.models.catalogue import ChecklistItem, Phase
from app.models.feedback import Comment
from app.models.improvement import ImprovementArea, ImprovementAreaPhase, Measure, ProgressNote
from app.models.measurement import Indicator, Observation
from app.models.municipality import Municipality
from app.models.pathway import (
    ChecklistAnswer,
    Contact,
    Offering,
    OfferingInput,
    PhaseSection,
    Strength,
    StrengthText,
)
from app.models.pdsa import PdsaCycle
from app.models.publishing import PathwaySnapshot, PublishedVersion
from app.models.transfer import (
    ExportedChecklistAnswer,
    ExportedImprovementArea,
    ExportedIndicator,
    ExportedMeasure,
    ExportedMunicipality,
    ExportedNote,
    ExportedObservation,
    ExportedPdsaCycle,
    ExportedPublishedVersion,
    ExportedSection,
    ExportedSnapshot,
    ExportedSnapshotArea,
    ExportedSnapshotPhase,
    ExportedStrength,
)
from app.services.measurement import observation_read
from app.services.pathway import load_sections
from app.services.publishing import read_snapshot


def fields(schema: type[BaseModel], source: object, **given: Any) -> dict[str, Any]:
    """The schema's fields, each taken from `given` or else from the attribute of that name."""
    return {
        name: given[name] if name in given else getattr(source, name)
        for name in schema.model_fields
    }


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """The value with dates and times as ISO text, ready for JSON."""
    result: dict[str, Any] = to_jsonable_python(value)
    return result


# ---- loading -----------------------------------------------------------------------------


@dataclass
class MeasureState:
    row: Measure
    notes: list[ProgressNote] = field(default_factory=list)
    cycles: list[PdsaCycle] = field(default_factory=list)


@dataclass
class IndicatorState:
    row: Indicator
    observations: list[Observation] = field(default_factory=list)


@dataclass
class AreaState:
    row: ImprovementArea
    phases: list[str] = field(default_factory=list)
    notes: list[ProgressNote] = field(default_factory=list)
    measures: list[MeasureState] = field(default_factory=list)
    indicators: list[IndicatorState] = field(default_factory=list)
    #: Ids of the comments on the area (they go when the area goes).
    comments: list[int] = field(default_factory=list)


@dataclass
class SectionState:
    row: PhaseSection
    offerings: list[Offering]


@dataclass
class Stored:
    municipality: Municipality
    #: In phase order.
    sections: list[SectionState]
    answers: list[tuple[ChecklistAnswer, ChecklistItem]]
    strengths: list[Strength]
    #: In priority order.
    areas: list[AreaState]
    versions: list[PublishedVersion]
    #: Phase keys in their order.
    phase_order: dict[str, int]


def load(session: Session, municipality: Municipality) -> Stored:
    """Everything the format holds about the municipality, in a fixed number of queries."""
    mid = municipality.id
    assert mid is not None
    phase_order = {p.key: p.position for p in session.exec(select(Phase)).all()}
    sections = sorted(
        (SectionState(s, o) for s, o in load_sections(session, [mid]).get(mid, [])),
        key=lambda s: phase_order.get(s.row.phase, 99),
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
    versions = session.exec(
        select(PublishedVersion)
        .where(col(PublishedVersion.municipality_id) == mid)
        .order_by(col(PublishedVersion.number))
    ).all()
    return Stored(
        municipality=municipality,
        sections=sections,
        answers=[(a, i) for a, i in answers],
        strengths=list(strengths),
        areas=_load_areas(session, mid, phase_order),
        versions=list(versions),
        phase_order=phase_order,
    )


def _load_areas(session: Session, mid: int, phase_order: dict[str, int]) -> list[AreaState]:
    areas = [
        AreaState(row)
        for row in session.exec(
            select(ImprovementArea)
            .where(col(ImprovementArea.municipality_id) == mid)
            .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
        ).all()
    ]
    by_id = {a.row.id: a for a in areas}
    in_municipality = select(ImprovementArea.id).where(col(ImprovementArea.municipality_id) == mid)
    for link in session.exec(
        select(ImprovementAreaPhase).where(
            col(ImprovementAreaPhase.improvement_area_id).in_(in_municipality)
        )
    ).all():
        by_id[link.improvement_area_id].phases.append(link.phase)
    for area in areas:
        area.phases.sort(key=lambda k: phase_order.get(k, 99))
    measures: dict[int | None, MeasureState] = {}
    for measure in session.exec(
        select(Measure)
        .where(col(Measure.improvement_area_id).in_(in_municipality))
        .order_by(col(Measure.position), col(Measure.id))
    ).all():
        measures[measure.id] = MeasureState(measure)
        by_id[measure.improvement_area_id].measures.append(measures[measure.id])
    indicators: dict[int | None, IndicatorState] = {}
    for indicator in session.exec(
        select(Indicator)
        .where(col(Indicator.improvement_area_id).in_(in_municipality))
        .order_by(col(Indicator.position), col(Indicator.id))
    ).all():
        indicators[indicator.id] = IndicatorState(indicator)
        by_id[indicator.improvement_area_id].indicators.append(indicators[indicator.id])
    _load_area_children(session, in_municipality, by_id, measures, indicators)
    return areas


def _load_area_children(
    session: Session,
    in_municipality: Any,
    areas: dict[int | None, AreaState],
    measures: dict[int | None, MeasureState],
    indicators: dict[int | None, IndicatorState],
) -> None:
    measure_ids = select(Measure.id).where(col(Measure.improvement_area_id).in_(in_municipality))
    for note in session.exec(
        select(ProgressNote)
        .where(
            col(ProgressNote.improvement_area_id).in_(in_municipality)
            | col(ProgressNote.measure_id).in_(measure_ids)
        )
        .order_by(col(ProgressNote.date), col(ProgressNote.created_at), col(ProgressNote.id))
    ).all():
        if note.measure_id is not None:
            measures[note.measure_id].notes.append(note)
        else:
            areas[note.improvement_area_id].notes.append(note)
    for cycle in session.exec(
        select(PdsaCycle)
        .where(col(PdsaCycle.measure_id).in_(measure_ids))
        .order_by(col(PdsaCycle.starts_on).is_(None), col(PdsaCycle.starts_on), col(PdsaCycle.id))
    ).all():
        measures[cycle.measure_id].cycles.append(cycle)
    indicator_ids = select(Indicator.id).where(
        col(Indicator.improvement_area_id).in_(in_municipality)
    )
    for observation in session.exec(
        select(Observation)
        .where(col(Observation.indicator_id).in_(indicator_ids))
        .order_by(col(Observation.period))
    ).all():
        indicators[observation.indicator_id].observations.append(observation)
    for comment_id, area_id in session.exec(
        select(Comment.id, Comment.improvement_area_id).where(
            col(Comment.improvement_area_id).in_(in_municipality)
        )
    ).all():
        areas[area_id].comments.append(comment_id or 0)


# ---- objects as the format shows them -----------------------------------------------------


def municipality_item(municipality: Municipality) -> dict[str, Any]:
    return fields(ExportedMunicipality, municipality)


def contact_of(section: PhaseSection) -> dict[str, Any]:
    contact = {name: getattr(section, f"contact_{name}") for name in Contact.model_fields}
    contact["email"] = contact["email"] or None
    return contact


def offering_item(offering: object) -> dict[str, Any]:
    return fields(OfferingInput, offering)


def section_item(section: SectionState) -> dict[str, Any]:
    return fields(
        ExportedSection,
        section.row,
        contact=contact_of(section.row),
        offerings=[offering_item(o) for o in section.offerings],
    )


def answer_item(answer: ChecklistAnswer, item: ChecklistItem) -> dict[str, Any]:
    return fields(
        ExportedChecklistAnswer, answer, checklist_version=item.checklist_version_id, item=item.key
    )


def strength_item(strength: Strength) -> dict[str, Any]:
    return fields(ExportedStrength, strength)


def note_item(note: ProgressNote) -> dict[str, Any]:
    return fields(ExportedNote, note)


def cycle_item(cycle: PdsaCycle) -> dict[str, Any]:
    return fields(ExportedPdsaCycle, cycle)


def measure_item(measure: MeasureState) -> dict[str, Any]:
    return fields(
        ExportedMeasure,
        measure.row,
        notes=[note_item(n) for n in measure.notes],
        pdsa_cycles=[cycle_item(c) for c in measure.cycles],
    )


@dataclass(frozen=True)
class SmallNumbers:
    """Whether the reader sees small numbers, and below which count they are hidden."""

    shown: bool
    threshold: int


def observation_item(
    observation: Observation, kind: str, small: SmallNumbers | None = None
) -> dict[str, Any]:
    """The observation's numbers, or — for a reader who may not see small numbers — "<5"
    without them, by the same rule as the observation list (`observation_read`)."""
    if small is not None:
        read = observation_read(observation, kind, small.shown, small.threshold)
        if read.suppressed is not None:
            return fields(
                ExportedObservation,
                observation,
                value=None,
                numerator=None,
                denominator=None,
                suppressed=read.suppressed,
            )
    return fields(ExportedObservation, observation, suppressed=None)


def indicator_item(indicator: IndicatorState, small: SmallNumbers | None = None) -> dict[str, Any]:
    kind = indicator.row.kind
    return fields(
        ExportedIndicator,
        indicator.row,
        observations=[observation_item(o, kind, small) for o in indicator.observations],
    )


def area_item(area: AreaState, small: SmallNumbers | None = None) -> dict[str, Any]:
    return fields(
        ExportedImprovementArea,
        area.row,
        phases=list(area.phases),
        tags=list(area.row.tags or []),
        notes=[note_item(n) for n in area.notes],
        measures=[measure_item(m) for m in area.measures],
        indicators=[indicator_item(i, small) for i in area.indicators],
    )


def snapshot_item(snapshot: PathwaySnapshot) -> dict[str, Any]:
    return fields(
        ExportedSnapshot,
        snapshot,
        phases=[
            fields(
                ExportedSnapshotPhase,
                phase,
                contact=phase.contact.model_dump(),
                offerings=[offering_item(o) for o in phase.offerings],
            )
            for phase in snapshot.phases
        ],
        strengths=[fields(StrengthText, s) for s in snapshot.strengths],
        improvement_areas=[
            fields(
                ExportedSnapshotArea,
                a,
                phases=list(a.phases),
                measure_counts=dict(a.measure_counts),
            )
            for a in snapshot.improvement_areas
        ],
    )


def version_item(version: PublishedVersion) -> dict[str, Any]:
    return fields(
        ExportedPublishedVersion, version, pathway=snapshot_item(read_snapshot(version.snapshot))
    )
