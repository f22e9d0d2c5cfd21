"""Importing the improvement areas (the document's order is the priority order) with their
measures, progress notes, PDSA cycles, indicators and observations (with their annotations,
the observations' comments).

Values go through the API's normalisers (`improvement.area_values`,
`measurement.indicator_values`, `measurement.observation_values`, …). Children are matched
within their parent, so an id from another area names a new object here. Removing an area
or a measure removes what hangs on it, as in the API, and lists each of those objects.

Progress notes are history. An import adds the notes that are new — written by the
importer, at the time of the import, as a note written through the API would be — and never
changes or removes one, except with its area or measure: a note that differs from the
stored note with its id is refused, and a stored note the document leaves out stays.

PDSA cycles are content, matched by id within their measure like measures are; the format
carries no author or times for them, so a new cycle is the importer's, written now, and a
changed cycle keeps its author."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from app.errors import FieldError, Invalid
from app.kit.text import clean_text
from app.models.base import OSLO
from app.models.improvement import (
    ImprovementArea,
    ImprovementAreaCreate,
    Measure,
    MeasureCreate,
    ProgressNote,
)
from app.models.measurement import Indicator, IndicatorCreate, Observation
from app.models.pdsa import PdsaCycle, PdsaCycleCreate
from app.models.transfer import (
    ExportedImprovementArea,
    ExportedIndicator,
    ExportedMeasure,
    ExportedNote,
    ExportedPdsaCycle,
    MunicipalityExport,
)
from app.services.improvement import area_values, measure_values, set_phases
from app.services.measurement import indicator_values, observation_values, raw_observation
from app.services.pdsa import cycle_values
from app.services.transfer.checks import note_count_errors
from app.services.transfer.state import (
    AreaState,
    IndicatorState,
    MeasureState,
    Stored,
    fields,
    jsonable,
    note_item,
)
from app.services.transfer.sync import (
    AREA,
    COMMENT,
    CYCLE,
    INDICATOR,
    MEASURE,
    NOTE,
    OBSERVATION,
    Collection,
    Run,
    Wanted,
    columns,
    sync,
)

# ---- progress notes ----------------------------------------------------------------------


def check_notes(stored: Stored, data: MunicipalityExport) -> None:
    """Notes the document names by id must be as stored; counting the notes the document
    leaves out (they stay), no area or measure may pass `MAX_NOTES`."""
    errors: list[FieldError] = []
    areas = {a.row.id: a for a in stored.areas}
    for n, item in enumerate(data.improvement_areas):
        area = areas.get(item.id) if item.id is not None else None
        path = f"improvement_areas.{n}"
        errors += _note_errors(path, area.notes if area else [], item.notes)
        measures = {m.row.id: m for m in area.measures} if area else {}
        for m, measure_item in enumerate(item.measures):
            measure = measures.get(measure_item.id) if measure_item.id is not None else None
            errors += _note_errors(
                f"{path}.measures.{m}", measure.notes if measure else [], measure_item.notes
            )
    if errors:
        raise Invalid(errors)


def _note_errors(
    path: str, stored: list[ProgressNote], notes: list[ExportedNote]
) -> list[FieldError]:
    by_id = {note.id: note for note in stored}
    errors = []
    for k, item in enumerate(notes):
        note = by_id.pop(item.id, None) if item.id is not None else None
        if note is None:
            continue
        if note.text != clean_text(item.text) or item.date not in (None, note.date):
            errors.append(
                FieldError(
                    f"{path}.notes.{k}",
                    "a progress note is history and an import does not change it; "
                    "write a new note instead",
                )
            )
    return errors + note_count_errors(path, len(by_id), notes)


def _add_notes(
    run: Run,
    stored: list[ProgressNote],
    notes: list[ExportedNote],
    path: str,
    *,
    area_id: int | None = None,
    measure_id: int | None = None,
) -> None:
    """The notes that are new, written by the importer now (`check_notes` has refused
    changes to the others)."""
    known = {note.id for note in stored}
    new = [
        (
            k,
            ProgressNote(
                improvement_area_id=area_id,
                measure_id=measure_id,
                date=item.date or run.now.astimezone(OSLO).date(),
                text=clean_text(item.text),
                author=run.principal.label[:200],
                author_user_id=run.principal.user_id,
                created_at=run.now,
                updated_at=run.now,
            ),
        )
        for k, item in enumerate(notes)
        if item.id is None or item.id not in known
    ]
    run.session.add_all([note for _, note in new])
    run.session.flush()
    for k, note in new:
        run.record(
            NOTE,
            "created",
            note.id or 0,
            path=f"{path}.notes.{k}",
            after=jsonable({**note_item(note), "author": note.author}),
        )


def _remove_notes(run: Run, notes: list[ProgressNote]) -> None:
    for note in notes:
        run.record(
            NOTE,
            "removed",
            note.id or 0,
            before=jsonable({**note_item(note), "author": note.author}),
        )


# ---- observations and indicators ---------------------------------------------------------


def _import_observations(
    run: Run,
    indicator: Indicator,
    stored: IndicatorState | None,
    item: ExportedIndicator,
    path: str,
) -> None:
    """Observations by period; a period the document leaves out is removed. Any change to
    an indicator's observations moves its data version (their ETag) on."""
    indicator_id = indicator.id or 0
    collection: Collection[Observation] = Collection(
        kind=OBSERVATION,
        key=lambda row: row.period,
        ident=lambda row: f"{indicator_id}/{row.period.isoformat()}",
        view=raw_observation,
        make=lambda wanted: Observation(
            indicator_id=indicator_id,
            period=_period(wanted),
            **wanted.values,
            created_at=run.now,
            updated_at=run.now,
        ),
    )
    wanted = [
        Wanted(o.period, f"{path}.observations.{k}", observation_values(o))
        for k, o in enumerate(item.observations)
    ]
    events = run.events
    sync(run, collection, stored.observations if stored else [], wanted)
    if run.events != events and stored is not None:
        indicator.data_version += 1


def _period(wanted: Wanted) -> date:
    assert isinstance(wanted.key, date)
    return wanted.key


def _remove_indicator(run: Run, state: IndicatorState) -> None:
    indicator_id = state.row.id or 0
    for observation in state.observations:
        run.record(
            OBSERVATION,
            "removed",
            f"{indicator_id}/{observation.period.isoformat()}",
            before=raw_observation(observation),
        )


def _indicator_view(row: Indicator) -> dict[str, Any]:
    return jsonable({"id": row.id, **fields(IndicatorCreate, row), "position": row.position})


def _import_indicators(
    run: Run, area_id: int, state: AreaState | None, items: list[ExportedIndicator], path: str
) -> None:
    states = {i.row.id: i for i in state.indicators} if state else {}

    def remove(row: Indicator) -> None:
        _remove_indicator(run, states[row.id])
        run.session.delete(row)

    collection: Collection[Indicator] = Collection(
        kind=INDICATOR,
        key=lambda row: row.id,
        ident=lambda row: row.id or 0,
        view=_indicator_view,
        make=lambda wanted: Indicator(
            improvement_area_id=area_id, **wanted.values, created_at=run.now, updated_at=run.now
        ),
        remove=remove,
    )
    wanted = [
        Wanted(item.id, f"{path}.indicators.{m}", {**indicator_values(item), "position": m + 1})
        for m, item in enumerate(items)
    ]
    pairs = sync(run, collection, [i.row for i in states.values()], wanted)
    for (wanted_item, row), item in zip(pairs, items, strict=True):
        _import_observations(run, row, states.get(row.id), item, str(wanted_item.path))


# ---- PDSA cycles --------------------------------------------------------------------------


def _cycle_view(row: PdsaCycle) -> dict[str, Any]:
    return jsonable({"id": row.id, **fields(PdsaCycleCreate, row), "author": row.author})


def _remove_cycles(run: Run, cycles: list[PdsaCycle]) -> None:
    for cycle in cycles:
        run.record(CYCLE, "removed", cycle.id or 0, before=_cycle_view(cycle))


def _import_cycles(
    run: Run,
    measure_id: int,
    stored: MeasureState | None,
    items: list[ExportedPdsaCycle],
    path: str,
) -> None:
    collection: Collection[PdsaCycle] = Collection(
        kind=CYCLE,
        key=lambda row: row.id,
        ident=lambda row: row.id or 0,
        view=_cycle_view,
        make=lambda wanted: PdsaCycle(
            measure_id=measure_id,
            author=run.principal.label,
            **wanted.values,
            created_at=run.now,
            updated_at=run.now,
        ),
    )
    wanted = [
        Wanted(item.id, f"{path}.pdsa_cycles.{k}", cycle_values(item))
        for k, item in enumerate(items)
    ]
    sync(run, collection, stored.cycles if stored else [], wanted)


# ---- measures ----------------------------------------------------------------------------


def _measure_view(row: Measure) -> dict[str, Any]:
    return jsonable({"id": row.id, **fields(MeasureCreate, row), "position": row.position})


def _import_measures(
    run: Run, area_id: int, state: AreaState | None, items: list[ExportedMeasure], path: str
) -> None:
    states = {m.row.id: m for m in state.measures} if state else {}

    def remove(row: Measure) -> None:
        _remove_notes(run, states[row.id].notes)
        _remove_cycles(run, states[row.id].cycles)
        run.session.delete(row)

    collection: Collection[Measure] = Collection(
        kind=MEASURE,
        key=lambda row: row.id,
        ident=lambda row: row.id or 0,
        view=_measure_view,
        make=lambda wanted: Measure(
            improvement_area_id=area_id, **wanted.values, created_at=run.now, updated_at=run.now
        ),
        remove=remove,
    )
    wanted = [
        Wanted(item.id, f"{path}.measures.{m}", {**measure_values(item), "position": m + 1})
        for m, item in enumerate(items)
    ]
    pairs = sync(run, collection, [m.row for m in states.values()], wanted)
    for (wanted_item, row), item in zip(pairs, items, strict=True):
        stored: MeasureState | None = states.get(row.id)
        _add_notes(
            run,
            stored.notes if stored else [],
            item.notes,
            str(wanted_item.path),
            measure_id=row.id,
        )
        _import_cycles(run, row.id or 0, stored, item.pdsa_cycles, str(wanted_item.path))


# ---- areas -------------------------------------------------------------------------------


class _Areas:
    """Improvement areas with their phases; removing one lists all that goes with it."""

    def __init__(self, run: Run, stored: Stored) -> None:
        self.run = run
        self.states = {a.row.id: a for a in stored.areas}
        self.phases = {a.row.id: list(a.phases) for a in stored.areas}

    def current(self, row: ImprovementArea, names: Sequence[str]) -> dict[str, Any]:
        values = columns(row, [n for n in names if n != "phases"])
        return {**values, "tags": list(row.tags or []), "phases": self.phases.get(row.id, [])}

    def assign(self, row: ImprovementArea, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name != "phases":
                setattr(row, name, value)
        if values["phases"] != self.phases.get(row.id, []):
            set_phases(self.run.session, row.id or 0, values["phases"])
            self.phases[row.id] = list(values["phases"])

    def make(self, wanted: Wanted) -> ImprovementArea:
        values = {k: v for k, v in wanted.values.items() if k != "phases"}
        return ImprovementArea(
            municipality_id=self.run.municipality.id or 0,
            **values,
            created_at=self.run.now,
            updated_at=self.run.now,
        )

    def created(self, row: ImprovementArea, wanted: Wanted) -> None:
        set_phases(self.run.session, row.id or 0, wanted.values["phases"])
        self.phases[row.id] = list(wanted.values["phases"])

    def view(self, row: ImprovementArea) -> dict[str, Any]:
        return jsonable(
            {
                "id": row.id,
                **fields(
                    ImprovementAreaCreate,
                    row,
                    phases=self.phases.get(row.id, []),
                    tags=list(row.tags or []),
                ),
                "priority": row.priority,
            }
        )

    def remove(self, row: ImprovementArea) -> None:
        state = self.states[row.id]
        _remove_notes(self.run, state.notes)
        for measure in state.measures:
            self.run.record(
                MEASURE, "removed", measure.row.id or 0, before=_measure_view(measure.row)
            )
            _remove_notes(self.run, measure.notes)
            _remove_cycles(self.run, measure.cycles)
        for indicator in state.indicators:
            self.run.record(
                INDICATOR, "removed", indicator.row.id or 0, before=_indicator_view(indicator.row)
            )
            _remove_indicator(self.run, indicator)
        for comment_id in state.comments:
            self.run.record(COMMENT, "removed", comment_id, before={"id": comment_id})
        self.run.session.delete(row)


def import_areas(run: Run, stored: Stored, items: list[ExportedImprovementArea]) -> bool:
    """The areas and all that hangs on them. Returns whether the priority order changed
    (areas added, removed or moved)."""
    handler = _Areas(run, stored)
    collection: Collection[ImprovementArea] = Collection(
        kind=AREA,
        key=lambda row: row.id,
        ident=lambda row: row.id or 0,
        view=handler.view,
        make=handler.make,
        current=handler.current,
        assign=handler.assign,
        created=handler.created,
        remove=handler.remove,
    )
    wanted = [
        Wanted(
            item.id,
            f"improvement_areas.{n}",
            {**area_values(item), "priority": n + 1, "phases": list(item.phases)},
        )
        for n, item in enumerate(items)
    ]
    pairs = sync(run, collection, [a.row for a in stored.areas], wanted)
    for (wanted_item, row), item in zip(pairs, items, strict=True):
        state = handler.states.get(row.id)
        area_id = row.id or 0
        path = str(wanted_item.path)
        _add_notes(run, state.notes if state else [], item.notes, path, area_id=area_id)
        _import_measures(run, area_id, state, item.measures, path)
        _import_indicators(run, area_id, state, item.indicators, path)
    return [row.id for _, row in pairs] != [a.row.id for a in stored.areas]
