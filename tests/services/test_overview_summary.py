"""The anonymous summary of an overview: small counts suppressed, rare tags left out."""

from __future__ import annotations

from sqlmodel import Session

from app.models.overview import OverviewFilters, OverviewSummary
from app.services import overview
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
