"""The demo's Troms learning network and example content: what the report describes, loaded
once, labelled as example data, and never naming the members that did not finish to the
other members."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.models.feedback import Comment
from app.models.improvement import Measure, ProgressNote
from app.models.measurement import Indicator, Observation
from app.models.network import Network
from app.models.pathway import Strength
from app.models.publishing import PublishedVersion
from app.services import network_evaluation, network_pages, networks, poster
from app.services.seed import seed
from app.services.seed_content import EXAMPLES
from tests import factories

TROMSO = "koordinator.tromso@demo.demensforlop.no"
ADVISER = "radgiver.troms@demo.demensforlop.no"


def _count(session: Session, statement: object) -> int:
    return int(session.exec(statement).one())  # type: ignore[call-overload]


def test_the_troms_network_and_the_example_content(session: Session) -> None:
    report = seed(session, demo=True, examples=True)
    assert report.demo_networks == 1
    assert report.demo_content == len(EXAMPLES) >= 5
    network = session.exec(select(Network).where(col(Network.is_example))).one()
    assert (network.starts_on.isoformat(), network.ends_on.isoformat()) == (
        "2022-03-01",
        "2023-11-30",
    )
    adviser = factories.demo_user(session, ADVISER)
    page = network_pages.network_page(session, adviser, network.id or 0)
    assert page.runs
    assert len(page.gatherings) == 6
    assert len(page.tasks) == 6
    assert all(len([t for t in page.tasks if t.gathering_id == g.id]) == 1 for g in page.gatherings)
    statuses = {m.municipality_name: (m.status.value, m.note) for m in page.members}
    assert len(statuses) == 18
    assert statuses["Gratangen"][0] == statuses["Senja"][0] == "withdrew"
    assert "kapasitet" in (statuses["Senja"][1] or "")
    assert "Varierende deltakelse" in (statuses["Bardu"][1] or "")
    assert sum(s == "completed" for s, _ in statuses.values()) == 16

    # Tromsø's coordinator: the members who withdrew are counted, not named; no notes.
    coordinator = factories.demo_user(session, TROMSO)
    member_page = network_pages.network_page(session, coordinator, network.id or 0)
    assert member_page.withdrawn_count == 2
    names = {m.municipality_name for m in member_page.members}
    assert not names & {"Gratangen", "Senja"}
    assert all(m.note is None for m in member_page.members)
    assert member_page.grid == []
    listed = networks.list_members(session, coordinator, network.id or 0).items
    assert all(m.note is None for m in listed)
    for gathering in member_page.gatherings:
        handout = network_pages.gathering_page(session, coordinator, gathering.id)
        shown = {c.municipality.name for c in handout.members}
        assert not shown & {"Gratangen", "Senja", "Bardu"}

    # The final gathering's poster walk: every member that completed shows its plan.
    gallery = poster.gallery(session, coordinator, network.id or 0)
    assert len(gallery.posters) == 16
    assert all("fagnettverk demens" in p.plan.plan for p in gallery.posters)

    evaluation = network_evaluation.summary(session, coordinator, network.id or 0)
    assert evaluation.answered == 15
    assert evaluation.mean_relevance is not None
    assert 4.5 <= evaluation.mean_relevance <= 5

    for example in EXAMPLES:
        municipality = factories.municipality(session, example.number)
        mid = municipality.id
        assert municipality.is_example
        assert (
            _count(session, select(func.count()).where(col(Strength.municipality_id) == mid)) == 3
        )
        assert _count(session, select(func.count()).where(
            col(PublishedVersion.municipality_id) == mid)) == 1  # fmt: skip
    observations = _count(
        session,
        select(func.count())
        .select_from(Observation)
        .join(Indicator, col(Indicator.id) == col(Observation.indicator_id)),
    )
    assert observations == 22 * len(EXAMPLES)
    assert _count(session, select(func.count()).select_from(Measure)) >= 10
    assert _count(session, select(func.count()).select_from(ProgressNote)) >= 20
    assert _count(session, select(func.count()).select_from(Comment)) >= 4

    again = seed(session, demo=True, examples=True)
    assert not again.changed
    assert _count(session, select(func.count()).select_from(Network)) == 1
