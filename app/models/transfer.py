"""The whole-municipality export and import format (version 2).

Every object is the API's own input schema (`StrengthCreate`, `MeasureCreate`,
`PhaseSectionInput`, `PublishInput`, …) plus what identifies it, so each field has one
definition — its length, range and pattern — on every path in and out, and the collections
have the API's limits (`MAX_STRENGTHS`, `OFFERINGS_MAX`, …). The format carries only what an
import takes:

- content, with the ids of this installation (`id`; sections by `phase`, checklist answers by
  `item`, observations by `period`): an import matches objects by them. Annotations on data
  points are the observations' `comment`; PDSA cycles are under their measure, without
  their author and times;
- published versions as Markdown (`number`, `summary`, `pathway`), never rendered HTML, and
  never who published them or when: that is history, recorded by the installation itself.

Comments, reviews and the audit trail are not part of it (see `services.transfer`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, StringConstraints, model_validator
from sqlmodel import Field

from app.models.base import ImprovementStatus, MeasureStatus, StrictInput
from app.models.improvement import (
    MAX_AREAS,
    MAX_MEASURES,
    MAX_NOTES,
    MAX_PHASES,
    ImprovementAreaCreate,
    MeasureCreate,
    PhaseKey,
    ProgressNoteCreate,
    Title,
)
from app.models.measurement import (
    MAX_INDICATORS,
    MAX_OBSERVATIONS_PER_WRITE,
    IndicatorCreate,
    ObservationInput,
)
from app.models.municipality import MunicipalityFigures, MunicipalityNumber, WebAddress
from app.models.pathway import (
    MAX_CHECKLIST_ANSWERS,
    MAX_STRENGTHS,
    ChecklistAnswerInput,
    PhaseSectionInput,
    PhaseSectionText,
    StrengthCreate,
    StrengthText,
)
from app.models.pdsa import MAX_CYCLES, PdsaCycleCreate
from app.models.publishing import PublishInput

FORMAT: Literal["demensforlop.municipality"] = "demensforlop.municipality"
FORMAT_VERSION: Literal[2] = 2

#: Published versions one import may carry.
MAX_IMPORTED_VERSIONS = 1000
#: Ids are 32-bit on every backend.
MAX_ID = 2_147_483_647

RowId = Annotated[
    int,
    pydantic.Field(
        ge=1,
        le=MAX_ID,
        description="The object's id in this installation; leave out for a new object",
    ),
]


class ExportedMunicipality(MunicipalityFigures):
    """What the municipality's editors may change about it; the number says which it is."""

    number: MunicipalityNumber


class ExportedSection(PhaseSectionInput):
    phase: PhaseKey


class ExportedChecklistAnswer(ChecklistAnswerInput):
    checklist_version: int = Field(ge=1, le=MAX_ID)
    item: Annotated[str, StringConstraints(max_length=60)]


class ExportedStrength(StrengthCreate):
    id: RowId | None = None


class ExportedNote(ProgressNoteCreate):
    id: RowId | None = None


class ExportedPdsaCycle(PdsaCycleCreate):
    """A PDSA cycle of the measure. Who wrote it and when are the installation's own: an
    import writes a new cycle as the importer's, at the time of the import."""

    id: RowId | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> ExportedPdsaCycle:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on cannot be before starts_on")
        return self


class ExportedMeasure(MeasureCreate):
    id: RowId | None = None
    notes: list[ExportedNote] = Field(default_factory=list, max_length=MAX_NOTES)
    pdsa_cycles: list[ExportedPdsaCycle] = Field(default_factory=list, max_length=MAX_CYCLES)


class ExportedObservation(ObservationInput):
    #: Set in an export for a reader who may not see small numbers ("<5"); the numbers are
    #: then left out, and such a document cannot be imported.
    suppressed: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_hidden_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("suppressed") is not None:
            raise ValueError(
                "this number was hidden from the exporter (small numbers); export with "
                "write access to import it"
            )
        return data


class ExportedIndicator(IndicatorCreate):
    id: RowId | None = None
    observations: list[ExportedObservation] = Field(
        default_factory=list, max_length=MAX_OBSERVATIONS_PER_WRITE
    )


class ExportedImprovementArea(ImprovementAreaCreate):
    """An improvement area; the list's order is the priority order."""

    id: RowId | None = None
    notes: list[ExportedNote] = Field(default_factory=list, max_length=MAX_NOTES)
    measures: list[ExportedMeasure] = Field(default_factory=list, max_length=MAX_MEASURES)
    indicators: list[ExportedIndicator] = Field(default_factory=list, max_length=MAX_INDICATORS)


# ---- published versions ------------------------------------------------------------------


class ExportedSnapshotPhase(PhaseSectionText):
    """A phase as it was published: Markdown, rendered on import by the editor's renderer."""

    phase: PhaseKey


class ExportedSnapshotArea(StrictInput):
    """An improvement area in summary, as published; the list's order is the priority."""

    title: Title
    phases: list[PhaseKey] = Field(default_factory=list, max_length=MAX_PHASES)
    status: ImprovementStatus = ImprovementStatus.not_started
    measure_counts: dict[MeasureStatus, Annotated[int, pydantic.Field(ge=0, le=MAX_MEASURES)]] = (
        Field(default_factory=dict)
    )


class ExportedSnapshot(StrictInput):
    """What a published version showed. The municipality's name and number, the phase
    names, the contact points and the HTML are derived again on import."""

    website: WebAddress = None
    phases: list[ExportedSnapshotPhase] = Field(default_factory=list, max_length=MAX_PHASES)
    strengths: list[StrengthText] = Field(default_factory=list, max_length=MAX_STRENGTHS)
    improvement_areas: list[ExportedSnapshotArea] = Field(
        default_factory=list, max_length=MAX_AREAS
    )


class ExportedPublishedVersion(PublishInput):
    number: int = Field(ge=1, le=1_000_000)
    pathway: ExportedSnapshot


class MunicipalityExport(StrictInput):
    format: Literal["demensforlop.municipality"]
    format_version: Literal[2]
    municipality: ExportedMunicipality
    sections: list[ExportedSection] = Field(default_factory=list, max_length=MAX_PHASES)
    checklist_answers: list[ExportedChecklistAnswer] = Field(
        default_factory=list, max_length=MAX_CHECKLIST_ANSWERS
    )
    strengths: list[ExportedStrength] = Field(default_factory=list, max_length=MAX_STRENGTHS)
    improvement_areas: list[ExportedImprovementArea] = Field(
        default_factory=list, max_length=MAX_AREAS
    )
    published_versions: list[ExportedPublishedVersion] = Field(
        default_factory=list, max_length=MAX_IMPORTED_VERSIONS
    )


# ---- what an import did ------------------------------------------------------------------


class ChangedObject(BaseModel):
    #: The object's id here: a number, or a key ("5501/assessment", "<indicator>/<period>").
    #: Null for an object a dry run would create.
    id: int | str | None
    #: Where the object is in the document (null for removed objects).
    path: str | None = None


class Changes(BaseModel):
    created: list[ChangedObject] = pydantic.Field(default_factory=list)
    changed: list[ChangedObject] = pydantic.Field(default_factory=list)
    removed: list[ChangedObject] = pydantic.Field(default_factory=list)


class ImportChanges(BaseModel):
    municipality: Changes = pydantic.Field(default_factory=Changes)
    sections: Changes = pydantic.Field(default_factory=Changes)
    checklist_answers: Changes = pydantic.Field(default_factory=Changes)
    strengths: Changes = pydantic.Field(default_factory=Changes)
    improvement_areas: Changes = pydantic.Field(default_factory=Changes)
    measures: Changes = pydantic.Field(default_factory=Changes)
    progress_notes: Changes = pydantic.Field(default_factory=Changes)
    pdsa_cycles: Changes = pydantic.Field(default_factory=Changes)
    indicators: Changes = pydantic.Field(default_factory=Changes)
    observations: Changes = pydantic.Field(default_factory=Changes)
    published_versions: Changes = pydantic.Field(default_factory=Changes)
    #: Comment threads on improvement areas that the import removes go with them.
    comments: Changes = pydantic.Field(default_factory=Changes)


class ImportResult(BaseModel):
    number: str
    #: True: nothing was saved; `changes` says what the import would do.
    dry_run: bool
    #: Whether anything changed (or would change).
    changed: bool
    #: The pathway's version (its ETag) after the import; unchanged by a dry run.
    version: int
    changes: ImportChanges
