"""The regional overview: order, totals, grid, groups, reviews, staleness, filters and a
fixed number of queries (the anonymous summary and good examples have files of their own)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.config import Settings
from app.errors import Forbidden, Invalid, Unauthenticated
from app.kit.collation import norwegian_key
from app.kit.dates import add_months, local_date
from app.models.base import local_today, utcnow
from app.models.feedback import ReviewCreate
from app.models.overview import Overview, OverviewFilters, ReviewStatus
from app.services import overview, review
from app.services.access import ANONYMOUS
from app.services.seed import SEED_DATA, seed
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase

DEMO_ADVISER = "radgiver.troms@demo.demensforlop.no"
DEMO = json.loads((SEED_DATA / "troms-learning-network.json").read_text(encoding="utf-8"))


def _full(session: Session, principal: Any, slug: str | None = "troms", **kwargs: Any) -> Overview:
    result = overview.get_overview(session, principal, slug, **kwargs)
    assert isinstance(result, Overview)
    return result


def _row(result: Overview, number: str) -> Any:
    return next(m for m in result.municipalities if m.number == number)


# ---- acceptance 1: the demo adviser opens the region ------------------------------------


def test_demo_adviser_sees_troms_alphabetically_with_totals_that_add_up(session: Session) -> None:
    seed(session, demo=True)
    adviser = factories.demo_user(session, DEMO_ADVISER)
    result = _full(session, adviser)

    names = [m.name for m in result.municipalities]
    assert len(names) == 21
    assert names == sorted(names, key=norwegian_key)
    # Norwegian order: the Sami á sorts as a, ø after z.
    assert names.index("Gáivuotna - Kåfjord - Kaivuono") < names.index("Gratangen")
    assert names.index("Storfjord - Omasvuotna - Omasvuono") < names.index("Sørreisa")
    assert names[-1] == "Tromsø"

    totals = result.totals
    rows = result.municipalities
    assert totals.municipalities == len(rows) == 21
    assert totals.inhabitants == sum(m.population or 0 for m in rows)
    assert totals.inhabitants == sum(m["population"] for m in DEMO["municipalities"])
    assert totals.persons_with_dementia == sum(m.persons_with_dementia or 0 for m in rows)
    assert totals.persons_with_dementia == sum(
        m["persons_with_dementia"] for m in DEMO["municipalities"]
    )
    assert totals.improvement_areas == sum(len(m.improvement_areas) for m in rows)
    assert totals.improvement_areas == sum(
        len(m["improvement_areas"]) for m in DEMO["municipalities"]
    )
    assert totals.published_pathways == sum(1 for m in rows if m.published_versions) == 0
    assert totals.reviews_due == sum(1 for m in rows if m.review.due)
    assert totals.stale == sum(1 for m in rows if m.stale)
    assert totals.strengths == sum(len(m.strengths) for m in rows)


def test_every_demo_improvement_area_is_in_one_group_per_phase_it_names(session: Session) -> None:
    seed(session, demo=True)
    result = _full(session, factories.demo_user(session, DEMO_ADVISER))
    groups = result.improvement_areas_by_phase
    assert [g.key for g in groups] == [p.key for p in result.phases] + [None]
    assert groups[-1].name == "Uten fase"
    checked = 0
    for entry in DEMO["municipalities"]:
        for area in entry["improvement_areas"]:
            named: list[str | None] = area["phases"] or [None]
            for group in groups:
                hits = [
                    a
                    for a in group.areas
                    if a.municipality == entry["number"] and a.title == area["title"]
                ]
                assert len(hits) == (1 if group.key in named else 0), (area, group.key)
                if hits:
                    assert entry["number"] in [m.number for m in group.municipalities]
            checked += 1
    assert checked == 47
    assert sum(len(g.areas) for g in groups) == sum(
        len(a["phases"]) or 1 for m in DEMO["municipalities"] for a in m["improvement_areas"]
    )
    for group in groups:
        names = [m.name for m in group.municipalities]
        assert names == sorted(names, key=norwegian_key)


# ---- the grid, checklist, measures, coverage ---------------------------------------------


def test_grid_checklist_measures_and_coverage(session: Session) -> None:
    factories.section(
        session,
        "5501",
        "assessment",
        needs_knowledge=True,
        offerings=[
            {"type": "memory_team", "status": "available"},
            {"type": "memory_team", "status": "available"},
            {"type": "respite", "status": "planned"},
            {"name": "Eget tilbud", "status": "available"},
            {"type": "carers_school", "status": "not_available"},
        ],
    )
    factories.section(
        session,
        "5540",
        "home_with_services",
        maturity="planned",
        offerings=[{"type": "respite", "status": "available"}],
    )
    for item, value in (
        ("website_information", "yes"),
        ("memory_team", "partly"),
        ("staff_training", "no"),
        ("user_involvement", "not_applicable"),
    ):
        factories.answer(session, "5501", item, value)
    area = factories.tagged_area(session, "5501", "Pårørendestøtte", ["home_with_services"])
    for status in ("not_started", "in_progress", "in_progress", "done"):
        factories.measure_with_status(session, area, status)
    result = _full(session, factories.adviser(session, "troms"))

    tromso = _row(result, "5501")
    cell = next(c for c in tromso.cells if c.phase == "assessment")
    assert (cell.maturity, cell.maturity_label) == ("established", "Etablert")
    assert cell.available_offerings == 3  # two memory teams and the custom offering
    assert cell.needs_knowledge is True
    untouched = next(c for c in tromso.cells if c.phase == "suspicion")
    assert (untouched.maturity_label, untouched.available_offerings) == ("Ikke vurdert", 0)
    assert [c.phase for c in tromso.cells] == [p.key for p in result.phases]
    checklist = tromso.checklist
    assert (checklist.yes, checklist.partly, checklist.no, checklist.not_applicable) == (1, 1, 1, 1)
    assert checklist.unanswered == 14
    assert tromso.measures.model_dump() == {
        "not_started": 1,
        "in_progress": 2,
        "done": 1,
        "stopped": 0,
    }

    coverage = {c.offering_type: c for c in result.coverage}
    assert (coverage["memory_team"].available, coverage["memory_team"].planned) == (1, 0)
    # Tromsø plans respite, Kåfjord has it: each municipality counts once.
    assert (coverage["respite"].available, coverage["respite"].planned) == (1, 1)
    assert (coverage["carers_school"].available, coverage["carers_school"].planned) == (0, 0)
    assert coverage["memory_team"].name == "Hukommelsesteam eller ressursperson"
    # What the region can help with: offerings missing, knowledge asked for, per phase.
    shown = result.totals.municipalities
    assert coverage["respite"].missing == shown - 2
    assert coverage["carers_school"].missing == shown
    for c in result.coverage:
        assert c.available + c.planned + c.missing == shown
    needs = {n.phase: [m.number for m in n.municipalities] for n in result.knowledge_needs}
    assert list(needs) == [p.key for p in result.phases]
    assert needs["assessment"] == ["5501"]
    assert needs["home_with_services"] == []


def test_review_due_counts_from_last_review_else_first_publication(session: Session) -> None:
    settings = Settings(environment="test", review_interval_months=12)
    factories.published_version(session, "5503", datetime(2024, 6, 1, 10, tzinfo=UTC))
    factories.published_version(session, "5503", datetime(2025, 5, 1, 10, tzinfo=UTC))
    factories.published_version(session, "5510", datetime(2024, 7, 1, 10, tzinfo=UTC))
    factories.published_version(session, "5512", datetime(2024, 12, 31, 10, tzinfo=UTC))
    adviser = factories.adviser(session, "troms")
    today = date(2025, 6, 15)
    result = _full(session, adviser, settings=settings, today=today)

    never = _row(result, "5501").review
    assert never.status == ReviewStatus.not_published
    assert (never.due_on, never.basis, never.due, never.overdue) == (None, None, False, False)
    assert never.label == "Ikke publisert ennå"

    # Published twice: the first publication counts, so publishing again postpones nothing.
    harstad = _row(result, "5503")
    assert harstad.published_versions == 2
    assert harstad.review.basis == "publication"
    assert harstad.review.due_on == date(2025, 6, 1)
    assert (harstad.review.status, harstad.review.overdue, harstad.review.due) == (
        ReviewStatus.overdue,
        True,
        True,
    )
    due_soon = _row(result, "5510").review
    assert (due_soon.due_on, due_soon.status) == (date(2025, 7, 1), ReviewStatus.due)
    assert (due_soon.due, due_soon.overdue) == (True, False)
    later = _row(result, "5512").review
    assert (later.due_on, later.status, later.due) == (date(2025, 12, 31), ReviewStatus.ok, False)
    assert result.totals.reviews_due == 2
    assert result.totals.reviews_overdue == 1
    # The words are about the next guidance conversation, never that something is overdue.
    assert harstad.review.label == "Tid for ny samtale"
    assert (due_soon.label, later.label) == ("Snart tid for ny samtale", "Ny samtale senere")
    english = _full(session, adviser, settings=settings, today=today, lang="en")
    assert _row(english, "5503").review.label == "Time for a new conversation"
    assert result.totals.published_pathways == 3

    # A review restarts the clock, from the day it was written.
    review.create_review(session, adviser, "5503", ReviewCreate(note="Gjennomgått på samling"))
    now = local_today()
    reviewed = _row(_full(session, adviser, settings=settings, today=now), "5503").review
    assert reviewed.basis == "review"
    assert reviewed.last_reviewed_at is not None
    assert reviewed.due_on == add_months(local_date(reviewed.last_reviewed_at), 12)
    assert reviewed.status == ReviewStatus.ok
    after = _full(session, adviser, settings=settings, today=reviewed.due_on + timedelta(days=1))
    assert _row(after, "5503").review.status == ReviewStatus.overdue

    shorter = Settings(environment="test", review_interval_months=6)
    assert _row(
        _full(session, adviser, settings=shorter, today=today), "5512"
    ).review.due_on == date(2025, 6, 30)


def test_a_municipality_without_change_for_long_is_stale(session: Session) -> None:
    municipality = factories.municipality(session, "5520")
    # Two hours more than 120 days: a daylight-saving change between then and now
    # must not make it 119 calendar days in Oslo.
    municipality.updated_at = utcnow() - timedelta(days=120, hours=2)
    session.add(municipality)
    session.commit()
    result = _full(session, factories.adviser(session, "troms"))
    bardu = _row(result, "5520")
    assert bardu.stale is True
    assert bardu.days_since_change >= 120
    assert _row(result, "5501").stale is False
    assert result.totals.stale == 1
    # A new strength is a change: no longer stale.
    factories.strength(session, "5520", "Godt samarbeid")
    assert _row(_full(session, factories.adviser(session, "troms")), "5520").stale is False


# ---- filters -----------------------------------------------------------------------------


def _filtered(session: Session, principal: Any, **filters: Any) -> Overview:
    return _full(session, principal, filters=OverviewFilters(**filters))


def test_filters_leave_municipalities_out_but_never_reorder(session: Session) -> None:
    factories.section(
        session,
        "5501",
        "assessment",
        needs_knowledge=True,
        offerings=[{"type": "respite", "status": "planned"}],
    )
    factories.section(
        session,
        "5540",
        "home_with_services",
        offerings=[{"type": "respite", "status": "available"}],
    )
    factories.section(
        session,
        "5520",
        "home_with_services",
        offerings=[{"type": "respite", "status": "not_available"}],
    )
    factories.section(session, "5503", "suspicion", maturity="planned", needs_knowledge=True)
    factories.tagged_area(session, "5546", "Pårørendeskole", ["home_with_services"], ["Pårørende"])
    factories.tagged_area(session, "5503", "Kurs", [], ["pårørende", "kompetanse"])
    factories.tagged_area(session, "5503", "Annet", ["suspicion"], ["kompetanse"])
    factories.strength_in(session, "5501", "Godt hukommelsesteam", "assessment")
    factories.strength_in(session, "5501", "Gode rutiner", None)
    adviser = factories.adviser(session, "troms")
    everyone = [m.number for m in _full(session, adviser).municipalities]

    def numbers(**filters: Any) -> list[str]:
        shown = [m.number for m in _filtered(session, adviser, **filters).municipalities]
        assert shown == [n for n in everyone if n in shown]  # same order as without filter
        return shown

    assert numbers(needs_knowledge=True) == ["5503", "5501"]  # Harstad, Tromsø
    assert numbers(needs_knowledge=True, phase="assessment") == ["5501"]
    assert len(numbers(needs_knowledge=False)) == 19
    assert numbers(offering_type="respite") == ["5540", "5501"]  # Gáivuotna (Kåfjord), Tromsø
    assert numbers(tag="PÅRØRENDE ") == ["5503", "5546"]  # tags are compared cleaned

    by_tag = _filtered(session, adviser, tag="pårørende")
    assert [g.key for g in by_tag.improvement_areas_by_tag] == ["pårørende"]
    assert [a.title for a in _row(by_tag, "5503").improvement_areas] == ["Kurs"]

    respite = _filtered(session, adviser, offering_type="respite")
    assert [(c.offering_type, c.available, c.planned) for c in respite.coverage] == [
        ("respite", 1, 1)
    ]
    assert respite.totals.municipalities == 2
    assert respite.totals.inhabitants == sum(m.population or 0 for m in respite.municipalities)

    phase = _filtered(session, adviser, phase="assessment")
    assert [p.key for p in phase.phases] == ["assessment"]
    assert len(phase.municipalities) == 21
    assert all([c.phase for c in m.cells] == ["assessment"] for m in phase.municipalities)
    assert [g.key for g in phase.improvement_areas_by_phase] == ["assessment"]
    assert [g.phase for g in phase.good_examples] == ["assessment"]
    assert [s.text for s in _row(phase, "5501").strengths] == ["Godt hukommelsesteam"]
    # Checklist counts follow the phase: four assessment items, none answered.
    assert _row(phase, "5501").checklist.unanswered == 4

    with pytest.raises(Invalid) as unknown:
        _filtered(session, adviser, phase="nowhere")
    assert unknown.value.errors[0].field == "phase"
    with pytest.raises(Invalid):
        _filtered(session, adviser, offering_type="nothing")


# ---- the anonymous summary ---------------------------------------------------------------


# ---- access and good examples ------------------------------------------------------------


def test_who_may_open_an_overview(session: Session) -> None:
    troms_adviser = factories.adviser(session, "troms")
    _full(session, troms_adviser)
    with pytest.raises(Forbidden):
        overview.get_overview(session, troms_adviser, "innlandet")
    with pytest.raises(Forbidden):
        overview.get_overview(session, factories.coordinator(session, "5501"), "troms")
    with pytest.raises(Forbidden):
        overview.get_overview(session, troms_adviser, None)
    with pytest.raises(Unauthenticated):
        overview.get_overview(session, ANONYMOUS, "troms")
    assert len(_full(session, factories.admin(session), None).municipalities) == 357


# ---- acceptance 6: queries do not grow with the municipalities ---------------------------


def test_overview_takes_the_same_number_of_queries_for_1_21_and_357(
    session: Session, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    seed(session, demo=True)
    factories.section(session, "5501", "assessment", offerings=[{"type": "respite"}])
    factories.strength_in(session, "5501", "Godt samarbeid", "assessment")
    factories.answer(session, "5540", "memory_team", "yes")
    factories.published_version(session, "5503", utcnow())
    adviser = factories.demo_user(session, DEMO_ADVISER)
    admin = factories.admin(session)
    review.create_review(session, adviser, "5540", ReviewCreate(note="Fint"))

    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for name, slug, principal, anonymous in (
        ("troms", "troms", adviser, False),
        ("oslo", "oslo", admin, False),
        ("national", None, admin, False),
        ("national-anonymous", None, admin, True),
    ):
        with queries.counting():
            result = overview.get_overview(session, principal, slug, anonymous=anonymous)
        counts[name] = queries.count
        if isinstance(result, Overview):
            sizes[name] = len(result.municipalities)
    assert sizes == {"troms": 21, "oslo": 1, "national": 357}
    assert len(set(counts.values())) == 1, counts
    assert counts["troms"] <= 20, queries.statements

    with queries.counting():
        overview.overview_etag(session, adviser, "troms")
    assert queries.count <= 2, queries.statements
