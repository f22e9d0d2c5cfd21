"""The anonymous summary of an overview, for sharing at network gatherings: counts and
groups only — no municipality names or numbers and no text a municipality wrote.

- Any count from 1 to threshold − 1 reads "<threshold" (`suppressed_label`), whatever it
  counts, since a small count can be traced back to one or two municipalities; zero
  identifies nobody and stays 0.
- Complementary suppression (`kit.disclosure`): where counts add up — the maturity
  levels of each phase to the number of municipalities, the checklist answers to
  municipalities × checklist items, the good examples per phase to the strengths — more
  counts are withheld (`withheld_label`, ":" as in official statistics) until no hidden
  count can be worked out from the shown ones and the totals. The number of
  municipalities of a whole region (or the country) is public and always shown; narrowed by
  a filter, it is a count like any other.
- The size, inhabitants and persons with dementia of the whole region (or country) are
  public figures and are shown as they are unless a filter narrows the municipalities; then
  they are withheld when fewer than threshold municipalities remain.
- By municipality size (under 5,000, 5,000–20,000, over 20,000 inhabitants, and unknown):
  the municipalities add up to the total, their improvement areas and strengths to theirs.
  A group of 1 to threshold − 1 municipalities can be named from public population figures,
  so its other counts are sensitive: withheld whatever their value, and protected by the
  same complementary suppression.
- Tags are shown only when at least threshold municipalities use them; rarer tags are merged
  into one "other tags" line, since a rare tag is one municipality's own words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from app.kit.disclosure import Equation, Mark, protect
from app.kit.small_numbers import suppression_label
from app.models.base import Maturity
from app.models.municipality import SizeGroup, size_group
from app.models.overview import (
    AnswerCounts,
    AreaGroup,
    CoverageSummary,
    GroupSummary,
    MeasureCounts,
    Overview,
    OverviewSummary,
    PhaseSummary,
    SizeSummary,
    SummaryAnswerCounts,
    SummaryMeasureCounts,
    SummaryTotals,
)
from app.rendering.labels import label

#: How a count withheld by complementary suppression reads (Statistics Norway's sign for
#: "not shown, for confidentiality").
WITHHELD_LABEL = ":"

Key = tuple[Hashable, ...]

MUNICIPALITIES: Key = ("totals", "municipalities")
STRENGTHS: Key = ("totals", "strengths")
AREAS: Key = ("totals", "improvement_areas")
SIZE_FIELDS = ("needs_knowledge", "improvement_areas", "strengths")

TOTALS = (
    "published_pathways",
    "reviews_due",
    "reviews_overdue",
    "stale",
    "improvement_areas",
)


class _Counts:
    """The summary's counts by key, in the order they are shown, and the equations that
    tie them together."""

    def __init__(self) -> None:
        self.values: dict[Key, int] = {}
        self.equations: list[Equation[Key]] = []
        #: Counts to withhold whatever their value.
        self.sensitive: set[Key] = set()

    def add(self, key: Key, value: int) -> Key:
        self.values[key] = value
        return key

    def adds_up(self, members: list[Key], total: Key, factor: int = 1) -> None:
        """The members add up to `factor` × the total (kept only if it holds, so that a
        rule the data does not follow never misleads the protection)."""
        equation = Equation(terms=(*((k, 1) for k in members), (total, -factor)))
        if equation.holds(self.values):
            self.equations.append(equation)


def _tag_groups(overview: Overview, threshold: int) -> list[tuple[AreaGroup | None, int, int]]:
    """(group, areas, municipalities) per tag shown; None for the merged rare tags."""
    groups: list[tuple[AreaGroup | None, int, int]] = []
    rare_areas: set[int] = set()
    rare_municipalities: set[str] = set()
    for group in overview.improvement_areas_by_tag:
        if len(group.municipalities) >= threshold:
            groups.append((group, len(group.areas), len(group.municipalities)))
        else:
            rare_areas |= {a.id for a in group.areas}
            rare_municipalities |= {m.number for m in group.municipalities}
    if rare_areas:
        groups.append((None, len(rare_areas), len(rare_municipalities)))
    return groups


def _count(overview: Overview, threshold: int) -> _Counts:
    counts = _Counts()
    rows, totals = overview.municipalities, overview.totals
    counts.add(MUNICIPALITIES, totals.municipalities)
    for name in TOTALS:
        counts.add(("totals", name), getattr(totals, name))
    counts.add(STRENGTHS, totals.strengths)
    for index in range(len(overview.phases)):
        cells = [r.cells[index] for r in rows]
        levels = Counter(c.maturity.value for c in cells)
        counts.adds_up(
            [counts.add(("grid", index, m.value), levels[m.value]) for m in Maturity],
            MUNICIPALITIES,
        )
        counts.add(("grid", index, "needs"), sum(1 for c in cells if c.needs_knowledge))
        counts.add(("grid", index, "offerings"), sum(c.available_offerings for c in cells))
    answers = [
        counts.add(("checklist", name), sum(getattr(r.checklist, name) for r in rows))
        for name in AnswerCounts.model_fields
    ]
    per_municipality = {sum(r.checklist.model_dump().values()) for r in rows}
    if len(per_municipality) == 1:
        counts.adds_up(answers, MUNICIPALITIES, per_municipality.pop())
    for name in MeasureCounts.model_fields:
        counts.add(("measures", name), sum(getattr(r.measures, name) for r in rows))
    for index, c in enumerate(overview.coverage):
        counts.add(("coverage", index, "available"), c.available)
        counts.add(("coverage", index, "planned"), c.planned)
    for index, g in enumerate(overview.improvement_areas_by_phase):
        counts.add(("by_phase", index, "items"), len(g.areas))
        counts.add(("by_phase", index, "municipalities"), len(g.municipalities))
    for index, (_, areas, municipalities) in enumerate(_tag_groups(overview, threshold)):
        counts.add(("by_tag", index, "items"), areas)
        counts.add(("by_tag", index, "municipalities"), municipalities)
    examples = []
    for index, e in enumerate(overview.good_examples):
        examples.append(counts.add(("examples", index, "items"), len(e.strengths)))
        counts.add(("examples", index, "municipalities"), len(e.municipalities))
    counts.adds_up(examples, STRENGTHS)
    _count_sizes(counts, overview, threshold)
    return counts


def _sizes_of(overview: Overview) -> list[SizeGroup]:
    """The three sizes always (a lone group would equal the total, and an empty one tells
    nothing), and "unknown" when some municipality has no population figure."""
    unknown = any(r.population is None for r in overview.municipalities)
    return [s for s in SizeGroup if s != SizeGroup.unknown or unknown]


def _count_sizes(counts: _Counts, overview: Overview, threshold: int) -> None:
    members: dict[str, list[Key]] = {"municipalities": [], **{f: [] for f in SIZE_FIELDS}}
    for size in _sizes_of(overview):
        rows = [r for r in overview.municipalities if size_group(r.population) == size]
        values = {
            "municipalities": len(rows),
            "needs_knowledge": sum(1 for r in rows if any(c.needs_knowledge for c in r.cells)),
            "improvement_areas": sum(len(r.improvement_areas) for r in rows),
            "strengths": sum(len(r.strengths) for r in rows),
        }
        for name, value in values.items():
            members[name].append(counts.add(("size", size.value, name), value))
        if len(rows) < threshold:
            counts.sensitive |= {("size", size.value, f) for f in SIZE_FIELDS}
    counts.adds_up(members["municipalities"], MUNICIPALITIES)
    counts.adds_up(members["improvement_areas"], AREAS)
    counts.adds_up(members["strengths"], STRENGTHS)


def summarise(overview: Overview, *, threshold: int, lang: str = "nb") -> OverviewSummary:
    """The overview without names, numbers or municipalities' own words, small counts
    suppressed and protected (see the module's docstring for the rules)."""
    hidden = suppression_label(threshold)
    whole = not overview.filters.narrows_municipalities
    counts = _count(overview, threshold)
    marks = protect(
        counts.values,
        counts.equations,
        threshold,
        public={MUNICIPALITIES} if whole else set(),
        sensitive=counts.sensitive,
    )
    shown = {Mark.small: hidden, Mark.withheld: WITHHELD_LABEL}

    def n(*key: Hashable) -> int | str:
        return shown.get(marks[key], counts.values[key])

    totals = overview.totals
    too_few = not whole and 0 < totals.municipalities < threshold

    def public(value: int) -> int | None:
        return None if too_few else value

    def group(kind: str, index: int, key: str | None, name: str) -> GroupSummary:
        return GroupSummary(
            key=key,
            name=name,
            items=n(kind, index, "items"),
            municipalities=n(kind, index, "municipalities"),
        )

    return OverviewSummary(
        scope=overview.scope,
        region=overview.region,
        as_of=overview.as_of,
        filters=overview.filters,
        small_number_threshold=threshold,
        suppressed_label=hidden,
        withheld_label=WITHHELD_LABEL,
        phases=overview.phases,
        totals=SummaryTotals(
            municipalities=n(*MUNICIPALITIES),
            inhabitants=public(totals.inhabitants),
            persons_with_dementia=public(totals.persons_with_dementia),
            strengths=n(*STRENGTHS),
            **{name: n("totals", name) for name in TOTALS},
        ),
        grid=[
            PhaseSummary(
                phase=phase.key or "",
                name=phase.name,
                maturity={m.value: n("grid", index, m.value) for m in Maturity},
                needs_knowledge=n("grid", index, "needs"),
                available_offerings=n("grid", index, "offerings"),
            )
            for index, phase in enumerate(overview.phases)
        ],
        checklist=SummaryAnswerCounts(
            **{name: n("checklist", name) for name in AnswerCounts.model_fields}
        ),
        measures=SummaryMeasureCounts(
            **{name: n("measures", name) for name in MeasureCounts.model_fields}
        ),
        coverage=[
            CoverageSummary(
                offering_type=c.offering_type,
                name=c.name,
                available=n("coverage", index, "available"),
                planned=n("coverage", index, "planned"),
            )
            for index, c in enumerate(overview.coverage)
        ],
        improvement_areas_by_phase=[
            group("by_phase", index, g.key, g.name)
            for index, g in enumerate(overview.improvement_areas_by_phase)
        ],
        improvement_areas_by_tag=[
            group(
                "by_tag",
                index,
                g.key if g else None,
                g.name if g else label("other_tags", lang, n=threshold),
            )
            for index, (g, _, _) in enumerate(_tag_groups(overview, threshold))
        ],
        good_examples=[
            group("examples", index, e.phase, e.name)
            for index, e in enumerate(overview.good_examples)
        ],
        by_size=[
            SizeSummary(
                size=size,
                name=label(f"size.{size.value}", lang),
                municipalities=n("size", size.value, "municipalities"),
                **{f: n("size", size.value, f) for f in SIZE_FIELDS},
            )
            for size in _sizes_of(overview)
        ],
    )
