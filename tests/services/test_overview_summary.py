"""The anonymous summary of an overview: small counts suppressed, rare tags left out."""

from __future__ import annotations

from sqlmodel import Session

from app.models.overview import OverviewFilters, OverviewSummary
from app.services import overview
from app.services.seed import seed
from tests import factories


def test_anonymous_summary_suppresses_small_counts_and_rare_tags(session: Session) -> None:
    factories.section(
        session,
        "5540",
        "home_with_services",
        offerings=[{"type": "respite", "status": "available"}],
    )
    shared = ("5501", "5503", "5510", "5512", "5516")
    for number in shared:
        factories.tagged_area(session, number, f"Samarbeid {number}", [], ["samarbeid"])
    factories.tagged_area(session, "5501", "Tromsø-modellen", ["suspicion"], ["tromsø-modellen"])
    factories.strength_in(session, "5501", "Tromsø kommune har et godt team", "assessment")
    adviser = factories.adviser(session, "troms")

    summary = overview.get_overview(session, adviser, "troms", anonymous=True)
    assert isinstance(summary, OverviewSummary)
    assert summary.suppressed_label == "<5"
    assert summary.totals.municipalities == 21  # the region's size is public
    assert summary.totals.inhabitants is not None
    coverage = {c.offering_type: c for c in summary.coverage}
    assert coverage["respite"].available == "<5"
    assert coverage["respite"].planned == 0  # zero identifies nobody
    tags = {g.key: g for g in summary.improvement_areas_by_tag}
    assert tags["samarbeid"].municipalities == 5
    assert tags["samarbeid"].items == 5
    assert "tromsø-modellen" not in tags
    assert tags[None].items == "<5"
    assert tags[None].name.startswith("Andre stikkord")
    home = next(p for p in summary.grid if p.phase == "home_with_services")
    # 21 − 20 would give the hidden count away: 20 is withheld too (finding 8).
    assert home.maturity == {
        "unknown": ":",
        "not_established": 0,
        "planned": 0,
        "established": "<5",
    }
    assert summary.withheld_label == ":"
    dumped = summary.model_dump_json()
    for text in ("Tromsø", "5501", "Samarbeid 5501", "godt team"):
        assert text not in dumped

    # A filter that leaves few municipalities withholds their figures too.
    narrowed = overview.get_overview(
        session,
        adviser,
        "troms",
        OverviewFilters(offering_type="respite"),
        anonymous=True,
    )
    assert isinstance(narrowed, OverviewSummary)
    assert narrowed.totals.municipalities == "<5"
    assert narrowed.totals.inhabitants is None
    assert narrowed.totals.persons_with_dementia is None


def test_the_summary_groups_municipalities_by_size_and_hides_small_groups(
    session: Session,
) -> None:
    """Under 5,000, 5,000–20,000 and over 20,000 inhabitants: the municipalities add up to
    the region; Troms has fewer than 5 over 20,000 (Tromsø, Harstad), so that group shows
    how many it has as "<5" and withholds the rest, and the other groups do not give its
    improvement areas away."""
    seed(session, demo=True)
    for number in ("5501", "5503"):
        factories.tagged_area(session, number, f"Område {number}", [], [])
    adviser = factories.adviser(session, "troms")
    region = overview.get_overview(session, adviser, "troms")
    assert not isinstance(region, OverviewSummary)
    summary = overview.get_overview(session, adviser, "troms", anonymous=True)
    assert isinstance(summary, OverviewSummary)
    sizes = {g.size.value: g for g in summary.by_size}
    unknown = [m.number for m in region.municipalities if m.population is None]
    assert list(sizes) == ["small", "medium", "large"] + (["unknown"] if unknown else [])
    assert sizes["small"].name == "Under 5 000 innbyggere"
    populations = {m.number: m.population for m in region.municipalities if m.population}
    large = [n for n, p in populations.items() if p > 20_000]
    assert 0 < len(large) < 5
    assert sizes["large"].municipalities == "<5"
    assert (sizes["large"].improvement_areas, sizes["large"].strengths) == (":", ":")
    assert sizes["large"].needs_knowledge == ":"
    shown = [g.municipalities for g in sizes.values()]
    counted = [
        sum(1 for p in populations.values() if p < 5_000),
        sum(1 for p in populations.values() if 5_000 <= p <= 20_000),
    ]
    for value, truth in zip(shown, counted, strict=False):
        assert value in (truth, "<5", ":")
    # The large group's improvement areas cannot be the total minus the others.
    areas = [summary.totals.improvement_areas] + [
        g.improvement_areas for g in sizes.values() if g.size.value != "large"
    ]
    assert sum(1 for g in sizes.values() if isinstance(g.municipalities, int)) >= 1
    assert any(isinstance(a, str) for a in areas)
    english = overview.get_overview(session, adviser, "troms", anonymous=True, lang="en")
    assert isinstance(english, OverviewSummary)
    assert english.by_size[2].name == "Over 20,000 inhabitants"
