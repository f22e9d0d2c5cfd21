"""What a document must satisfy before an import changes anything. Every problem is
collected and named by its path in the document (`improvement_areas.2.measures.0.title`),
so one 422 lists them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlmodel import Session, select

from app.errors import FieldError, Invalid
from app.kit.text import clean_text
from app.models.catalogue import ChecklistItem, OfferingType, Phase
from app.models.improvement import MAX_NOTES
from app.models.measurement import Indicator
from app.models.pathway import OfferingInput
from app.models.transfer import (
    ExportedImprovementArea,
    ExportedNote,
    ExportedSnapshot,
    MunicipalityExport,
)
from app.services.measurement import validate_observations


@dataclass(frozen=True)
class Catalogue:
    """The keys this installation knows."""

    phases: frozenset[str]
    offering_types: frozenset[str]
    #: Checklist item ids by (checklist version, item key).
    items: dict[tuple[int, str], int]


def catalogue(session: Session) -> Catalogue:
    return Catalogue(
        phases=frozenset(session.exec(select(Phase.key)).all()),
        offering_types=frozenset(session.exec(select(OfferingType.key)).all()),
        items={
            (version, key): item_id
            for version, key, item_id in session.exec(
                select(ChecklistItem.checklist_version_id, ChecklistItem.key, ChecklistItem.id)
            ).all()
            if item_id is not None
        },
    )


def check_document(number: str, data: MunicipalityExport, known: Catalogue) -> None:
    """The document is for this municipality, names only keys this installation knows,
    names each object once, and has no text that cleaning leaves empty."""
    errors: list[FieldError] = []
    if data.municipality.number != number:
        errors.append(
            FieldError(
                "municipality.number",
                f"the document is for {data.municipality.number}, not {number}",
            )
        )
    errors += _catalogue_errors(data, known)
    errors += _duplicates(_ids(data))
    errors += _duplicates(
        (f"published_versions.{n}.number", v.number) for n, v in enumerate(data.published_versions)
    )
    errors += _empty_text(data)
    errors += _observation_errors(data.improvement_areas)
    if errors:
        raise Invalid(errors)


def _phase_errors(path: str, phases: Iterable[str | None], known: Catalogue) -> list[FieldError]:
    return [
        FieldError(path, f"unknown phase {phase!r}")
        for phase in phases
        if phase is not None and phase not in known.phases
    ]


def _offering_errors(
    path: str, offerings: list[OfferingInput], known: Catalogue
) -> list[FieldError]:
    return [
        FieldError(f"{path}.offerings.{m}.type", f"unknown offering type {o.type!r}")
        for m, o in enumerate(offerings)
        if o.type and o.type not in known.offering_types
    ]


def _catalogue_errors(data: MunicipalityExport, known: Catalogue) -> list[FieldError]:
    errors: list[FieldError] = []
    for n, section in enumerate(data.sections):
        errors += _phase_errors(f"sections.{n}.phase", [section.phase], known)
        errors += _offering_errors(f"sections.{n}", section.offerings, known)
    errors += _duplicates((f"sections.{n}.phase", s.phase) for n, s in enumerate(data.sections))
    for n, answer in enumerate(data.checklist_answers):
        if (answer.checklist_version, answer.item) not in known.items:
            errors.append(
                FieldError(
                    f"checklist_answers.{n}.item",
                    f"no item {answer.item!r} in checklist version {answer.checklist_version}",
                )
            )
    errors += _duplicates(
        (f"checklist_answers.{n}.item", (a.checklist_version, a.item))
        for n, a in enumerate(data.checklist_answers)
    )
    for n, strength in enumerate(data.strengths):
        errors += _phase_errors(f"strengths.{n}.phase", [strength.phase], known)
    for n, area in enumerate(data.improvement_areas):
        errors += _phase_errors(f"improvement_areas.{n}.phases", area.phases, known)
    for n, version in enumerate(data.published_versions):
        errors += _snapshot_errors(f"published_versions.{n}.pathway", version.pathway, known)
    return errors


def _snapshot_errors(path: str, snapshot: ExportedSnapshot, known: Catalogue) -> list[FieldError]:
    errors: list[FieldError] = []
    for m, phase in enumerate(snapshot.phases):
        errors += _phase_errors(f"{path}.phases.{m}.phase", [phase.phase], known)
        errors += _offering_errors(f"{path}.phases.{m}", phase.offerings, known)
    errors += _duplicates(
        (f"{path}.phases.{m}.phase", p.phase) for m, p in enumerate(snapshot.phases)
    )
    for m, strength in enumerate(snapshot.strengths):
        errors += _phase_errors(f"{path}.strengths.{m}.phase", [strength.phase], known)
    for m, area in enumerate(snapshot.improvement_areas):
        errors += _phase_errors(f"{path}.improvement_areas.{m}.phases", area.phases, known)
    return errors


def _duplicates(keyed: Iterable[tuple[str, object]]) -> list[FieldError]:
    """An error at every repetition of a key (None: no key, never a repetition)."""
    seen: set[object] = set()
    errors = []
    for path, key in keyed:
        if key is None:
            continue
        if key in seen:
            errors.append(FieldError(path, "appears more than once in the document"))
        seen.add(key)
    return errors


def _ids(data: MunicipalityExport) -> Iterator[tuple[str, object]]:
    """(path, (kind, id)) of every object that names an id."""
    for n, strength in enumerate(data.strengths):
        yield f"strengths.{n}.id", ("strength", strength.id) if strength.id else None
    for n, area in enumerate(data.improvement_areas):
        path = f"improvement_areas.{n}"
        yield f"{path}.id", ("area", area.id) if area.id else None
        yield from _note_ids(path, area.notes)
        for m, measure in enumerate(area.measures):
            yield f"{path}.measures.{m}.id", ("measure", measure.id) if measure.id else None
            yield from _note_ids(f"{path}.measures.{m}", measure.notes)
            for k, cycle in enumerate(measure.pdsa_cycles):
                key = ("pdsa_cycle", cycle.id) if cycle.id else None
                yield f"{path}.measures.{m}.pdsa_cycles.{k}.id", key
        for m, indicator in enumerate(area.indicators):
            yield f"{path}.indicators.{m}.id", ("indicator", indicator.id) if indicator.id else None


def _note_ids(path: str, notes: list[ExportedNote]) -> Iterator[tuple[str, object]]:
    for k, note in enumerate(notes):
        yield f"{path}.notes.{k}.id", ("note", note.id) if note.id else None


def _empty_text(data: MunicipalityExport) -> list[FieldError]:
    """Text the API requires stays required after cleaning (control characters, spaces)."""
    required: list[tuple[str, str]] = []
    required += [(f"strengths.{n}.text", s.text) for n, s in enumerate(data.strengths)]
    for n, area in enumerate(data.improvement_areas):
        path = f"improvement_areas.{n}"
        required.append((f"{path}.title", area.title))
        required += [(f"{path}.notes.{k}.text", note.text) for k, note in enumerate(area.notes)]
        for m, measure in enumerate(area.measures):
            required.append((f"{path}.measures.{m}.title", measure.title))
            required += [
                (f"{path}.measures.{m}.notes.{k}.text", note.text)
                for k, note in enumerate(measure.notes)
            ]
            required += [
                (f"{path}.measures.{m}.pdsa_cycles.{k}.title", cycle.title)
                for k, cycle in enumerate(measure.pdsa_cycles)
            ]
        required += [
            (f"{path}.indicators.{m}.name", indicator.name)
            for m, indicator in enumerate(area.indicators)
        ]
    for n, version in enumerate(data.published_versions):
        path = f"published_versions.{n}"
        required.append((f"{path}.summary", version.summary))
        required += [
            (f"{path}.pathway.strengths.{m}.text", s.text)
            for m, s in enumerate(version.pathway.strengths)
        ]
        required += [
            (f"{path}.pathway.improvement_areas.{m}.title", a.title)
            for m, a in enumerate(version.pathway.improvement_areas)
        ]
    return [FieldError(path, "cannot be empty") for path, text in required if not clean_text(text)]


def _observation_errors(areas: list[ExportedImprovementArea]) -> list[FieldError]:
    """Each indicator's observations as a PUT of them is checked: periods aligned to the
    frequency, one per period, the right kind of number."""
    errors: list[FieldError] = []
    for n, area in enumerate(areas):
        for m, item in enumerate(area.indicators):
            path = f"improvement_areas.{n}.indicators.{m}.observations."
            indicator = Indicator(
                improvement_area_id=0,
                name=item.name,
                kind=item.kind,
                frequency=item.frequency,
            )
            for error in validate_observations(indicator, item.observations):
                errors.append(FieldError(path + error.field.removeprefix("items."), error.message))
    return errors


def note_count_errors(path: str, kept: int, notes: list[ExportedNote]) -> list[FieldError]:
    """Notes are never removed by an import, so those it keeps count too."""
    if kept + len(notes) <= MAX_NOTES:
        return []
    return [
        FieldError(
            f"{path}.notes",
            f"at most {MAX_NOTES} progress notes; {kept} stay that the document leaves out",
        )
    ]
