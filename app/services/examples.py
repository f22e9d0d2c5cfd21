"""Pages that show many municipalities' content stay light whatever one municipality
writes: lists show a few items of each municipality and link to the rest, and the region's
good examples have a page of their own, paged by municipality.

What may be shown at all is decided where the content is read (`good_examples.good_examples`,
`overview.get_overview`); this module only decides how much of it a page shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from app.kit.collation import norwegian_key
from app.models.overview import (
    AreaGroup,
    GroupedStrength,
    MunicipalityRef,
    RegionGoodExamples,
    RegionRef,
    StrengthGroup,
)
from app.services import good_examples
from app.services.access import Principal

#: Items of one municipality a list on a page shows; the rest are a link away.
SHOWN_PER_MUNICIPALITY = 3
#: Municipalities per page of a region's good examples.
MUNICIPALITIES_PER_PAGE = 10
#: Tag groups the overview page shows (alphabetical); the filter reaches the others.
TAG_GROUPS_SHOWN = 50


@dataclass(frozen=True)
class More:
    """How many items of a municipality a list leaves out."""

    municipality: MunicipalityRef
    hidden: int


@dataclass(frozen=True)
class CappedExamples:
    """A region's good examples with at most `SHOWN_PER_MUNICIPALITY` of each municipality."""

    region: RegionRef
    groups: list[StrengthGroup]
    more: list[More]


def cap_strength_groups(
    groups: Sequence[StrengthGroup], per_municipality: int = SHOWN_PER_MUNICIPALITY
) -> tuple[list[StrengthGroup], list[More]]:
    """The first `per_municipality` strengths of each municipality (in phase order), and
    how many of each are left out (alphabetical)."""
    shown: Counter[str] = Counter()
    refs: dict[str, MunicipalityRef] = {}
    capped = []
    for group in groups:
        kept: list[GroupedStrength] = []
        for strength in group.strengths:
            refs.setdefault(
                strength.municipality,
                MunicipalityRef(number=strength.municipality, name=strength.municipality_name),
            )
            shown[strength.municipality] += 1
            if shown[strength.municipality] <= per_municipality:
                kept.append(strength)
        capped.append(group.model_copy(update={"strengths": kept}))
    return capped, _more(refs, shown, per_municipality)


def cap_area_group(
    group: AreaGroup, per_municipality: int = SHOWN_PER_MUNICIPALITY
) -> tuple[AreaGroup, list[More]]:
    """The group with the first `per_municipality` areas of each municipality, and how
    many of each are left out."""
    shown: Counter[str] = Counter()
    refs: dict[str, MunicipalityRef] = {}
    kept = []
    for area in group.areas:
        refs.setdefault(
            area.municipality,
            MunicipalityRef(number=area.municipality, name=area.municipality_name),
        )
        shown[area.municipality] += 1
        if shown[area.municipality] <= per_municipality:
            kept.append(area)
    return group.model_copy(update={"areas": kept}), _more(refs, shown, per_municipality)


def _more(refs: dict[str, MunicipalityRef], shown: Counter[str], limit: int) -> list[More]:
    return sorted(
        (More(refs[n], count - limit) for n, count in shown.items() if count > limit),
        key=lambda more: (norwegian_key(more.municipality.name), more.municipality.number),
    )


def cap_examples(examples: RegionGoodExamples) -> CappedExamples:
    groups, more = cap_strength_groups(examples.groups)
    return CappedExamples(region=examples.region, groups=groups, more=more)


# ---- the region's good examples, municipality by municipality ------------------------------


@dataclass(frozen=True)
class MunicipalityExamples:
    municipality: MunicipalityRef
    #: (phase name, strength), in phase order.
    strengths: list[tuple[str, GroupedStrength]]
    #: Strengths not shown on this page (see the municipality's own list).
    hidden: int


@dataclass(frozen=True)
class ExamplesPage:
    region: RegionRef
    municipalities: list[MunicipalityExamples]
    page: int
    pages: int
    #: The municipality asked for alone (all its strengths), or None.
    only: str | None


def examples_page(
    session: Session,
    principal: Principal,
    slug: str,
    *,
    municipality: str | None = None,
    page: int = 1,
    lang: str = "nb",
) -> ExamplesPage:
    """The region's good examples for its members (the rule of `good_examples.good_examples`):
    one municipality with all its strengths, or the municipalities in alphabetical order,
    `MUNICIPALITIES_PER_PAGE` to a page, each with its first strengths."""
    examples = good_examples.good_examples(session, principal, slug, lang)
    by_municipality: dict[str, list[tuple[str, GroupedStrength]]] = {}
    refs: dict[str, MunicipalityRef] = {}
    for group in examples.groups:
        for strength in group.strengths:
            refs.setdefault(
                strength.municipality,
                MunicipalityRef(number=strength.municipality, name=strength.municipality_name),
            )
            by_municipality.setdefault(strength.municipality, []).append((group.name, strength))
    numbers = sorted(refs, key=lambda n: (norwegian_key(refs[n].name), n))
    if municipality is not None:
        shown = [n for n in numbers if n == municipality]
        return ExamplesPage(
            region=examples.region,
            municipalities=[MunicipalityExamples(refs[n], by_municipality[n], 0) for n in shown],
            page=1,
            pages=1,
            only=municipality,
        )
    pages = max(1, -(-len(numbers) // MUNICIPALITIES_PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * MUNICIPALITIES_PER_PAGE
    return ExamplesPage(
        region=examples.region,
        municipalities=[
            MunicipalityExamples(
                refs[n],
                by_municipality[n][:SHOWN_PER_MUNICIPALITY],
                max(0, len(by_municipality[n]) - SHOWN_PER_MUNICIPALITY),
            )
            for n in numbers[start : start + MUNICIPALITIES_PER_PAGE]
        ],
        page=page,
        pages=pages,
        only=None,
    )
