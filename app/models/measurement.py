"""Indicators on an improvement area and their observations (aggregated numbers only)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

import pydantic
from pydantic import StringConstraints, model_validator
from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import (
    ApiOutput,
    ControlChart,
    Direction,
    EnumText,
    Frequency,
    IndicatorKind,
    IndicatorRole,
    PatchInput,
    StrictInput,
    created_at_field,
    updated_at_field,
    version_field,
)
from app.models.improvement import SaneDate, Title

FiniteFloat = Annotated[float, pydantic.Field(allow_inf_nan=False, ge=-1e12, le=1e12)]

#: Most observations one PUT or import may carry (and one indicator in a whole-municipality
#: import, which writes each indicator's list at once).
MAX_OBSERVATIONS_PER_WRITE = 1000
#: Indicators of an improvement area.
MAX_INDICATORS = 20


class Indicator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    improvement_area_id: int = Field(
        foreign_key="improvement_area.id", index=True, ondelete="CASCADE"
    )
    position: int = 1
    name: str = Field(max_length=200)
    definition: str = Field(default="", sa_type=Text)
    kind: IndicatorKind = Field(sa_type=EnumText(IndicatorKind, 20))
    #: Process, outcome or balancing measure. Indicators saved before the field existed
    #: are process measures (migration `catalogue_v2`).
    role: IndicatorRole = Field(
        default=IndicatorRole.process,
        sa_type=EnumText(IndicatorRole, 20),
        sa_column_kwargs={"server_default": IndicatorRole.process.value},
    )
    unit: str = Field(default="", max_length=50)
    direction: Direction = Field(default=Direction.up, sa_type=EnumText(Direction, 10))
    target: float | None = None
    frequency: Frequency = Field(default=Frequency.month, sa_type=EnumText(Frequency, 10))
    #: The control chart asked for; None: chosen from the data (`services.run_charts`).
    control_chart: ControlChart | None = Field(default=None, sa_type=EnumText(ControlChart, 10))
    #: How many points (from the start, or from `baseline_restart`) form the baseline.
    #: None: all points.
    baseline_points: int | None = None
    #: The centre line restarts at this period: points from here get a new baseline.
    baseline_restart: date | None = None
    version: int = version_field()
    #: Bumped whenever the observations change; the ETag of the observation list.
    data_version: int = version_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class Observation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    period: date
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    comment: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


# ---- API schemas -------------------------------------------------------------------------


class IndicatorCreate(StrictInput):
    name: Title
    definition: Annotated[str, StringConstraints(max_length=2000)] = ""
    kind: IndicatorKind
    role: IndicatorRole = IndicatorRole.process
    unit: Annotated[str, StringConstraints(max_length=50)] = ""
    direction: Direction = Direction.up
    target: FiniteFloat | None = None
    frequency: Frequency = Frequency.month
    #: The control chart to draw; null chooses it from the data (XmR for values and counts,
    #: P or P′ for proportions, U for counts with a denominator). A chart the data cannot
    #: have (P for a count) falls back to the chosen one.
    control_chart: ControlChart | None = None
    baseline_points: int | None = Field(default=None, ge=1, le=1000)
    baseline_restart: SaneDate | None = None


class IndicatorUpdate(PatchInput):
    not_null = frozenset({"name", "definition", "kind", "role", "unit", "direction", "frequency"})

    name: Title | None = None
    definition: Annotated[str, StringConstraints(max_length=2000)] | None = None
    kind: IndicatorKind | None = None
    role: IndicatorRole | None = None
    unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    direction: Direction | None = None
    target: FiniteFloat | None = None
    frequency: Frequency | None = None
    control_chart: ControlChart | None = None
    baseline_points: int | None = Field(default=None, ge=1, le=1000)
    baseline_restart: SaneDate | None = None


class IndicatorRead(ApiOutput):
    id: int
    improvement_area_id: int
    name: str
    definition: str
    kind: IndicatorKind
    role: IndicatorRole
    unit: str
    direction: Direction
    target: float | None
    frequency: Frequency
    control_chart: ControlChart | None = None
    baseline_points: int | None
    baseline_restart: date | None
    version: int
    data_version: int
    updated_at: datetime


class IndicatorTemplateKey(StrEnum):
    """The measures the learning networks used, ready to add to an improvement area."""

    pathway_checklist = "pathway_checklist"
    what_matters_asked = "what_matters_asked"
    psfs_measured_twice = "psfs_measured_twice"
    psfs_mean_change = "psfs_mean_change"
    referral_to_diagnosis = "referral_to_diagnosis"
    readmissions = "readmissions"


class IndicatorTemplateRead(ApiOutput):
    key: IndicatorTemplateKey
    name: str
    definition: str
    kind: IndicatorKind
    role: IndicatorRole
    unit: str
    direction: Direction
    frequency: Frequency
    #: Where the measure comes from (the network report it was used in).
    source: str


class IndicatorFromTemplate(StrictInput):
    template: IndicatorTemplateKey


class ObservationInput(StrictInput):
    period: SaneDate
    value: FiniteFloat | None = None
    numerator: int | None = Field(default=None, ge=0, le=1_000_000_000)
    denominator: int | None = Field(default=None, ge=0, le=1_000_000_000)
    comment: Annotated[str, StringConstraints(max_length=500)] = ""

    @model_validator(mode="after")
    def _one_kind_of_number(self) -> ObservationInput:
        has_ratio = self.numerator is not None or self.denominator is not None
        if has_ratio and self.value is not None:
            raise ValueError("give either value or numerator and denominator, not both")
        if has_ratio:
            if self.numerator is None or self.denominator is None:
                raise ValueError("numerator and denominator go together")
            if self.denominator == 0:
                raise ValueError("denominator must be greater than 0")
            if self.numerator > self.denominator:
                raise ValueError("numerator cannot be greater than denominator")
        elif self.value is None:
            raise ValueError("an observation needs a value, or a numerator and a denominator")
        return self


class ObservationList(StrictInput):
    """Observations to insert or replace, by period. Periods not listed are left alone."""

    items: list[ObservationInput] = Field(max_length=MAX_OBSERVATIONS_PER_WRITE)


class ObservationRead(ApiOutput):
    period: date
    #: A count or value; for proportions the percentage. Null when suppressed.
    value: float | None
    numerator: int | None
    denominator: int | None
    #: Set (e.g. "<5") when the number is hidden to protect small groups.
    suppressed: str | None = None
    comment: str


class ObservationsRead(ApiOutput):
    indicator_id: int
    data_version: int
    items: list[ObservationRead]
    total: int


class ObservationImportRead(ObservationsRead):
    """The observations after an import, with what the import did."""

    #: Data rows read from the text.
    rows: int
    #: Periods added or changed (0 when the import repeated what was saved).
    changed: int


#: The longest annotation on a data point: a short label for the chart, never a record.
MAX_ANNOTATION_LENGTH = 200


class AnnotationInput(StrictInput):
    """A short note on one data point ("ny rutine for henvisning", "ferieavvikling"). Plain
    text on one line, never about a person."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ANNOTATION_LENGTH)]


class AnnotationRead(ApiOutput):
    #: The period of the observation the note is on (its first day, as observations name it).
    period: date
    text: str
    #: When the observation (and so its note) last changed.
    updated: datetime


class AnnotationsRead(ApiOutput):
    indicator_id: int
    #: The indicator's data version: the ETag of its observations and their annotations.
    data_version: int
    items: list[AnnotationRead]
    total: int


# ---- run-chart analysis ------------------------------------------------------------------

Side = Literal["above", "below", "on_line"]


class RunRead(ApiOutput):
    """Consecutive useful points on one side of the centre line."""

    side: Literal["above", "below"]
    first_period: date
    last_period: date
    #: Useful points in the run (points on the centre line inside it are not counted).
    length: int


class SignalsRead(ApiOutput):
    #: The longest run is longer than `longest_run_max`.
    long_run: bool
    #: The crossings are fewer than `crossings_min`.
    few_crossings: bool


class RunAnalysisRead(ApiOutput):
    """The Anhøj rules for one stretch of points with one centre line."""

    #: The median of the baseline. Null with no points, or when it would reveal a small
    #: number to this caller (then `centre_line_suppressed` says so).
    centre_line: float | None
    centre_line_suppressed: str | None = None
    n_points: int
    #: Points of the baseline (the first `baseline_points`, or all).
    n_baseline: int
    #: Points not on the centre line.
    n_useful: int
    longest_run: int
    #: round(log2(n_useful) + 3); null without useful points.
    longest_run_max: int | None
    crossings: int
    #: Smallest k with P(X ≤ k) ≥ 0.05, X ~ Binomial(n_useful − 1, 0.5); null without
    #: useful points.
    crossings_min: int | None
    #: Both false until `enough_points`.
    signals: SignalsRead
    #: At least 10 useful points: only then are signals reported.
    enough_points: bool
    #: The runs longer than `longest_run_max` (empty unless `signals.long_run`).
    signalling_runs: list[RunRead]


class RunChartSegmentRead(RunAnalysisRead):
    """A stretch with its own centre line: before and from `baseline_restart`."""

    first_period: date
    last_period: date
    #: The last period of the baseline the centre line is the median of.
    baseline_last_period: date


class AnalysisPointRead(ApiOutput):
    period: date
    #: As in the observation list: a count or value, for proportions the percentage; null
    #: when suppressed.
    value: float | None
    suppressed: str | None = None
    #: Where the point lies against its segment's centre line; null when suppressed.
    side: Side | None
    #: Index into `segments`.
    segment: int
    #: Part of a signalling run.
    in_signalling_run: bool


class VerdictRead(ApiOutput):
    """What the data say, in plain words, judged by the indicator's `direction`."""

    #: `improving` or `worsening` (the values moved the way `direction` calls better, or the
    #: other way), `changed` (they moved, and `direction` is `neither`), `no_change`, or
    #: `too_few_points` (fewer useful points than `needed`).
    direction: Literal["improving", "worsening", "changed", "no_change", "too_few_points"]
    #: The verdict as a sentence in the caller's language.
    text: str
    #: Which way the values moved; null unless they did.
    moved: Literal["up", "down"] | None
    #: The first period at the new level; null unless the values moved.
    since: date | None
    #: Points of the current segment, and how many it takes before the rules can say
    #: anything (10, or more when points lie on the centre line).
    n_points: int
    needed: int


class SpcPointRead(ApiOutput):
    period: date
    #: As in `points` (percent for proportions).
    value: float
    lower_limit: float
    upper_limit: float
    #: Part of a special-cause signal.
    signal: bool


class SpcSignalRead(ApiOutput):
    """A special-cause rule that fired (NHS Making Data Count): `outside_limits`, `shift`
    (7 on one side), `trend` (6 rising or falling) or `near_limit` (2 of 3 near a limit)."""

    rule: Literal["outside_limits", "shift", "trend", "near_limit"]
    first_period: date
    last_period: date
    #: `high`: above the centre line or rising; `low`: below it or falling.
    side: Literal["high", "low"]


class SpcRead(ApiOutput):
    """The control chart of the current segment: XmR for values and counts, P for
    proportions (Laney's P′ when they are over-dispersed), U for counts with a
    denominator. Centre line and limits come from the segment's baseline."""

    chart: Literal["xmr", "p", "p_prime", "u"]
    centre_line: float
    #: Laney's σz (1 for other charts than P′).
    sigma_z: float
    points: list[SpcPointRead]
    signals: list[SpcSignalRead]
    #: Making Data Count's variation icon, from the latest point.
    variation: Literal[
        "common_cause",
        "improving_high",
        "improving_low",
        "concerning_high",
        "concerning_low",
        "neither_high",
        "neither_low",
    ]
    #: Making Data Count's assurance icon (null without a target, or when neither direction
    #: is better): the target inside the latest limits (`hit_and_miss`), or the whole band
    #: on its good (`pass`) or bad (`fail`) side.
    assurance: Literal["hit_and_miss", "pass", "fail"] | None


class IndicatorAnalysisRead(RunAnalysisRead):
    """The run-chart analysis of an indicator. The top-level numbers describe the current
    segment: all points, or the points from `baseline_restart` when the centre line was
    restarted; `segments` has each segment and `points` every point."""

    indicator_id: int
    version: int
    data_version: int
    baseline_points: int | None
    baseline_restart: date | None
    #: Useful points needed before signals are reported.
    min_useful_points: int
    #: Points whose numbers are hidden from this caller (small numbers).
    suppressed_points: int
    segments: list[RunChartSegmentRead]
    points: list[AnalysisPointRead]
    verdict: VerdictRead
    #: Null with fewer than two points in the current segment, or when a number of it is
    #: hidden from this caller (small numbers).
    spc: SpcRead | None
