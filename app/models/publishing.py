"""Published versions: immutable, numbered snapshots of a municipality's pathway, and the
shapes the public, the history and the diff are served in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ApiOutput, JSONType, StrictInput, UTCDateTime, created_at_field

SUMMARY_MAX = 500


class PublishedVersion(SQLModel, table=True):
    __tablename__ = "published_version"
    __table_args__ = (UniqueConstraint("municipality_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    number: int
    published_at: datetime = created_at_field()
    published_by: str = Field(max_length=200)
    published_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )
    summary: str = Field(default="", max_length=500)
    #: The municipality version that was published (0: imported, taken from no draft here).
    source_version: int = 0
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    #: Set when the version came with a whole-municipality import: who imported it, and
    #: when. Such a version was published elsewhere; `published_by`/`published_at` then
    #: repeat the importer and the time of the import, never a claim from the file.
    imported_by: str | None = Field(default=None, max_length=200)
    imported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---- the snapshot ------------------------------------------------------------------------
# Every field has a default, so a snapshot written by an older release (or imported from
# another installation) still reads.


class SnapshotContact(ApiOutput):
    name: str = ""
    phone: str = ""
    email: str | None = None
    hours: str = ""


class SnapshotOffering(ApiOutput):
    type: str | None = None
    name: str = ""
    description: str = ""
    status: str = "available"
    provider: str = "own"
    contact: str = ""


class SnapshotPhase(ApiOutput):
    phase: str
    phase_name: str = ""
    description: str = ""
    description_html: str = ""
    responsible: str = ""
    contact: SnapshotContact = Field(default_factory=SnapshotContact)
    offerings: list[SnapshotOffering] = Field(default_factory=list)


class SnapshotContactPoint(ApiOutput):
    """One place to turn to, with the phases it serves: the public page shows these first."""

    responsible: str = ""
    name: str = ""
    phone: str = ""
    email: str | None = None
    hours: str = ""
    phases: list[str] = Field(default_factory=list)


class SnapshotStrength(ApiOutput):
    text: str
    phase: str | None = None


class SnapshotImprovementArea(ApiOutput):
    priority: int
    title: str
    phases: list[str] = Field(default_factory=list)
    status: str = "not_started"
    measure_counts: dict[str, int] = Field(default_factory=dict)


class PathwaySnapshot(ApiOutput):
    """What a published version holds: the pathway as the public reads it. It holds no
    measurements, so small-number suppression has nothing to hide here."""

    municipality: str
    name: str = ""
    website: str | None = None
    contacts: list[SnapshotContactPoint] = Field(default_factory=list)
    phases: list[SnapshotPhase] = Field(default_factory=list)
    strengths: list[SnapshotStrength] = Field(default_factory=list)
    improvement_areas: list[SnapshotImprovementArea] = Field(default_factory=list)


# ---- API schemas -------------------------------------------------------------------------


class PublishInput(StrictInput):
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_MAX)]


class PublishedVersionSummary(ApiOutput):
    number: int
    published_at: datetime
    published_by: str
    summary: str
    #: Set when the version came with an import ("importert av <imported_by>
    #: <imported_at>"): it was published in another installation.
    imported_by: str | None = None
    imported_at: datetime | None = None


class PublishedVersionRead(PublishedVersionSummary):
    pathway: PathwaySnapshot


class PublicPathwayRead(PathwaySnapshot):
    """The latest published version for everyone: the snapshot, its number, date and change
    summary. Who published it is not shown to the public."""

    version: int
    published_at: datetime
    summary: str


class PublicMunicipalityRead(ApiOutput):
    number: str
    name: str
    #: The official name forms (Norwegian, Sami, Kven), as they appear in `name`.
    names: list[str]
    region: str
    region_name: str
    website: str | None
    published: bool
    published_at: datetime | None
    version: int | None


class RestoreInput(StrictInput):
    """Take a phase section's text (description, responsible, contact) from an older
    published version; its offerings too when asked."""

    from_version: int = Field(ge=1, le=1_000_000)
    include_offerings: bool = False


# ---- diffs -------------------------------------------------------------------------------


class DiffSegment(ApiOutput):
    op: Literal["equal", "insert", "delete"]
    text: str


class FieldChange(ApiOutput):
    field: str
    before: Any
    after: Any
    #: For text: a word-level diff, to be shown with <ins>/<del> and visible markers.
    segments: list[DiffSegment] | None = None


class OfferingChange(ApiOutput):
    name: str
    type: str | None
    changes: list[FieldChange]


class OfferingsDiff(ApiOutput):
    added: list[SnapshotOffering]
    removed: list[SnapshotOffering]
    changed: list[OfferingChange]


class PhaseDiff(ApiOutput):
    phase: str
    phase_name: str
    changed: bool
    fields: list[FieldChange]
    offerings: OfferingsDiff


class ImprovementAreaChange(ApiOutput):
    title: str
    changes: list[FieldChange]


class StrengthsDiff(ApiOutput):
    added: list[SnapshotStrength]
    removed: list[SnapshotStrength]


class ImprovementAreasDiff(ApiOutput):
    added: list[SnapshotImprovementArea]
    removed: list[SnapshotImprovementArea]
    changed: list[ImprovementAreaChange]


class PathwayDiff(ApiOutput):
    municipality: str
    #: A version number, or "draft".
    base: int | Literal["draft"]
    against: int | Literal["draft"]
    changed_phases: list[str]
    municipality_fields: list[FieldChange]
    phases: list[PhaseDiff]
    strengths: StrengthsDiff
    improvement_areas: ImprovementAreasDiff


class DraftStatus(ApiOutput):
    """How the draft stands against the latest published version, and what a reader of the
    public page would miss if it were published now."""

    municipality: str
    #: The latest published version (None before the first publication).
    published_version: int | None
    published_at: datetime | None
    #: The draft differs from what the public page shows (always true before the first
    #: publication). Measurements, checklist answers and notes are never public, so changing
    #: them changes nothing here.
    has_unpublished_changes: bool
    #: Phases whose public content differs from the latest published version.
    changed_phases: list[str] = Field(default_factory=list)
    #: Phases with no description: the public page says the municipality has not described them.
    empty_phases: list[str] = Field(default_factory=list)
    #: Phases with no one to contact (no responsible, contact person, phone or e-mail).
    phases_without_contact: list[str] = Field(default_factory=list)
    #: Whether the public page would show anyone to contact at all.
    has_contact: bool = False
