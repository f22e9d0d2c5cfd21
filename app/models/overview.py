"""The regional (and national) overview: what an adviser needs to follow the municipalities of
a region, and the anonymous summary of it that can be shared at network gatherings.

These are output schemas only; `services/overview.py` builds them, and the JSON API, the
exports and the web page all render the same objects.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from app.models.base import ApiOutput, ImprovementStatus, Maturity
from app.models.municipality import SizeGroup

#: A count in the anonymous summary: a number, or the suppression label (e.g. "<5").
Count = int | str


class ReviewStatus(StrEnum):
    """When the next guidance conversation is (the values keep their old names for
    integrators; the words say "Tid for ny samtale", never that something is overdue)."""

    #: No conversation and never published: nothing to talk about yet.
    not_published = "not_published"
    ok = "ok"
    #: Time for a new conversation within the next 30 days (today included).
    due = "due"
    #: Time for a new conversation now.
    overdue = "overdue"


class OverviewFilters(ApiOutput):
    """Filters narrow what is shown; they never change the (alphabetical) order.

    - `phase`: only that phase's column, and only strengths, improvement areas, checklist
      items, offerings and groups of that phase;
    - `offering_type`: only municipalities that have the type available or planned;
    - `tag`: only municipalities with an improvement area carrying the tag, and only those
      areas;
    - `needs_knowledge`: only municipalities that (do not) mark "needs knowledge" on a phase
      (on the filtered phase, if one is given).
    """

    phase: str | None = None
    offering_type: str | None = None
    tag: str | None = None
    needs_knowledge: bool | None = None

    @property
    def narrows_municipalities(self) -> bool:
        return bool(self.offering_type or self.tag) or self.needs_knowledge is not None


class RegionRef(ApiOutput):
    slug: str
    name: str


class PhaseColumn(ApiOutput):
    #: A phase key; None for the "no phase" group.
    key: str | None
    name: str


class MunicipalityRef(ApiOutput):
    number: str
    name: str


class GridCell(ApiOutput):
    phase: str
    maturity: Maturity
    maturity_label: str
    available_offerings: int
    needs_knowledge: bool


class AnswerCounts(ApiOutput):
    yes: int = 0
    partly: int = 0
    no: int = 0
    not_applicable: int = 0
    unanswered: int = 0


class MeasureCounts(ApiOutput):
    not_started: int = 0
    in_progress: int = 0
    done: int = 0
    stopped: int = 0


class StrengthItem(ApiOutput):
    id: int
    text: str
    phase: str | None


class AreaItem(ApiOutput):
    id: int
    priority: int
    title: str
    status: ImprovementStatus
    phases: list[str]
    tags: list[str]


class ReviewState(ApiOutput):
    status: ReviewStatus
    #: Words for the status, e.g. "Tid for ny samtale".
    label: str
    last_reviewed_at: datetime | None
    first_published_at: datetime | None
    #: What the due date counts from: the last review, else the first publication.
    basis: Literal["review", "publication"] | None
    due_on: date | None
    due: bool
    overdue: bool


class MunicipalityOverview(ApiOutput):
    number: str
    name: str
    region: str
    population: int | None
    persons_with_dementia: int | None
    figures_year: int | None
    is_example: bool
    cells: list[GridCell]
    checklist: AnswerCounts
    strengths: list[StrengthItem]
    improvement_areas: list[AreaItem]
    measures: MeasureCounts
    published_versions: int
    last_published_at: datetime | None
    last_change: datetime
    days_since_change: int
    stale: bool
    review: ReviewState
    open_comment_threads: int
    version: int


class Totals(ApiOutput):
    municipalities: int
    inhabitants: int
    persons_with_dementia: int
    published_pathways: int
    #: Reviews due within 30 days or overdue.
    reviews_due: int
    reviews_overdue: int
    stale: int
    improvement_areas: int
    strengths: int


class RegionTotals(ApiOutput):
    region: RegionRef
    totals: Totals


class OfferingCoverage(ApiOutput):
    offering_type: str
    name: str
    #: Municipalities with at least one offering of the type available.
    available: int
    #: Municipalities with one planned and none available.
    planned: int
    #: Municipalities with none available or planned: where the region can help.
    missing: int = 0


class KnowledgeNeed(ApiOutput):
    """A phase and the municipalities that ask for more knowledge in it."""

    phase: str
    name: str
    municipalities: list[MunicipalityRef]


class GroupedArea(ApiOutput):
    municipality: str
    municipality_name: str
    id: int
    title: str
    status: ImprovementStatus


class AreaGroup(ApiOutput):
    #: The phase key or the tag; None for "no phase".
    key: str | None
    name: str
    municipalities: list[MunicipalityRef]
    areas: list[GroupedArea]


class GroupedStrength(ApiOutput):
    municipality: str
    municipality_name: str
    #: Null for a strength shown as its municipality last published it (good examples
    #: outside the reader's own municipalities; it may have changed since).
    id: int | None
    text: str


class StrengthGroup(ApiOutput):
    phase: str | None
    name: str
    municipalities: list[MunicipalityRef]
    strengths: list[GroupedStrength]


class Overview(ApiOutput):
    """The overview of a region (scope `region`) or of the whole country (`national`).
    Municipalities are in Norwegian alphabetical order by name; nothing is ranked."""

    scope: Literal["region", "national"]
    region: RegionRef | None
    anonymous: Literal[False] = False
    as_of: date
    filters: OverviewFilters
    review_interval_months: int
    stale_after_days: int
    phases: list[PhaseColumn]
    totals: Totals
    #: National scope only: the totals of each region, regions in alphabetical order.
    regions: list[RegionTotals]
    municipalities: list[MunicipalityOverview]
    coverage: list[OfferingCoverage]
    #: What the region can help with: per shown phase, who asks for more knowledge.
    knowledge_needs: list[KnowledgeNeed] = Field(default_factory=list)
    improvement_areas_by_phase: list[AreaGroup]
    improvement_areas_by_tag: list[AreaGroup]
    good_examples: list[StrengthGroup]


class RegionGoodExamples(ApiOutput):
    region: RegionRef
    groups: list[StrengthGroup]


# ---- the anonymous summary ---------------------------------------------------------------


class SummaryTotals(ApiOutput):
    municipalities: Count
    #: None: withheld, because a filter left fewer than threshold municipalities.
    inhabitants: int | None
    persons_with_dementia: int | None
    published_pathways: Count
    reviews_due: Count
    reviews_overdue: Count
    stale: Count
    improvement_areas: Count
    strengths: Count


class PhaseSummary(ApiOutput):
    phase: str
    name: str
    #: Municipalities per maturity level (keys: the maturity values).
    maturity: dict[str, Count]
    needs_knowledge: Count
    available_offerings: Count


class SummaryAnswerCounts(ApiOutput):
    yes: Count
    partly: Count
    no: Count
    not_applicable: Count
    unanswered: Count


class SummaryMeasureCounts(ApiOutput):
    not_started: Count
    in_progress: Count
    done: Count
    stopped: Count


class CoverageSummary(ApiOutput):
    offering_type: str
    name: str
    available: Count
    planned: Count


class GroupSummary(ApiOutput):
    #: Phase key or tag; None for "no phase" and for "other tags".
    key: str | None
    name: str
    items: Count
    municipalities: Count


class SizeSummary(ApiOutput):
    """One size group: how many municipalities, how many of them ask for more knowledge
    (in any phase shown), and their improvement areas and strengths. When a group has fewer
    than threshold municipalities, its other counts are withheld: which municipalities
    they are can be read from public population figures."""

    size: SizeGroup
    name: str
    municipalities: Count
    needs_knowledge: Count
    improvement_areas: Count
    strengths: Count


class OverviewSummary(ApiOutput):
    """Counts and groups only, for sharing: no municipality names or numbers, and no text
    written by a municipality. Counts from 1 to `small_number_threshold - 1` read
    `suppressed_label`; counts withheld so that none of those can be worked out from the
    others and the totals (complementary suppression) read `withheld_label`."""

    scope: Literal["region", "national"]
    region: RegionRef | None
    anonymous: Literal[True] = True
    as_of: date
    filters: OverviewFilters
    small_number_threshold: int
    suppressed_label: str
    withheld_label: str
    phases: list[PhaseColumn]
    totals: SummaryTotals
    grid: list[PhaseSummary]
    checklist: SummaryAnswerCounts
    measures: SummaryMeasureCounts
    coverage: list[CoverageSummary]
    improvement_areas_by_phase: list[GroupSummary]
    improvement_areas_by_tag: list[GroupSummary]
    good_examples: list[GroupSummary]
    #: By municipality size: the three sizes, and "unknown" when a population is missing.
    by_size: list[SizeSummary] = Field(default_factory=list)
