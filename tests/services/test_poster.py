"""The poster and the network's poster gallery: status colours, the plan for further work,
who sees what, and a fixed number of queries for the gallery."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from app.errors import Forbidden, NotFound
from app.models.base import MeasureStatus, local_today
from app.models.improvement import Measure, MeasureLight, MeasureUpdate
from app.models.network import MemberPut, MemberStatus, NetworkCreate
from app.models.poster import FurtherWorkPlanPut
from app.services import further_work, improvement, networks, poster
from app.services.access import SYSTEM
from tests import factories
from tests.conftest import QueryCounter

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("status", "due", "light"),
    [
        (MeasureStatus.not_started, None, MeasureLight.green),
        (MeasureStatus.in_progress, TODAY, MeasureLight.green),
        (MeasureStatus.in_progress, TODAY - timedelta(days=1), MeasureLight.yellow),
        (MeasureStatus.not_started, TODAY - timedelta(days=30), MeasureLight.yellow),
        (MeasureStatus.done, TODAY - timedelta(days=30), MeasureLight.green),
        (MeasureStatus.stopped, None, MeasureLight.red),
        (MeasureStatus.stopped, TODAY - timedelta(days=30), MeasureLight.red),
    ],
)
def test_a_measure_is_green_on_track_yellow_delayed_red_stopped(
    status: MeasureStatus, due: date | None, light: MeasureLight
) -> None:
    measure = Measure(improvement_area_id=1, position=1, title="T", status=status, due_date=due)
    assert improvement.measure_light(measure, TODAY) == light


def _network(session: Session, members: list[str]) -> int:
    created = networks.create_network(
        session,
        factories.admin(session),
        NetworkCreate(
            name="Nettverk",
            region="troms",
            starts_on=date(2025, 1, 1),
            ends_on=date(2026, 12, 31),
            members=members,
        ),
    )
    for number in members:
        networks.put_member(
            session, SYSTEM, created.id, number, MemberPut(status=MemberStatus.taking_part), 1
        )
    return created.id


def test_the_poster_shows_measures_with_their_colour_and_the_plan(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    area = factories.area(session, "5501", "Bedre oppfølging")
    late = factories.measure(session, area, "Kartlegging")
    current = improvement.get_measure(session, coordinator, late)
    improvement.update_measure(
        session,
        coordinator,
        late,
        MeasureUpdate(due_date=local_today() - timedelta(days=3), status=MeasureStatus.in_progress),
        current.version,
    )
    further_work.put_plan(session, coordinator, "5501", FurtherWorkPlanPut(plan="Fortsette"), 0)

    view = poster.poster(session, coordinator, "5501", "nb")
    (entry,) = view.areas.shown
    (measure,) = entry.measures.shown
    assert (measure.title, measure.light, measure.overdue) == (
        "Kartlegging",
        MeasureLight.yellow,
        True,
    )
    assert view.plan.plan == "Fortsette"
    with pytest.raises(Forbidden):
        poster.poster(session, factories.coordinator(session, "5503"), "5501", "nb")


def test_the_gallery_shows_members_taking_part_to_everyone_in_the_network(
    session: Session,
) -> None:
    network_id = _network(session, ["5501", "5503"])
    networks.put_member(
        session,
        SYSTEM,
        network_id,
        "5503",
        MemberPut(status=MemberStatus.withdrew, left_on=date(2026, 1, 1)),
        2,
    )
    factories.area(session, "5501", "Bedre oppfølging")
    further_work.put_plan(session, SYSTEM, "5501", FurtherWorkPlanPut(plan="Plan"), 0)

    member = factories.coordinator(session, "5501")
    view = poster.gallery(session, member, network_id)
    assert [p.municipality.number for p in view.posters] == ["5501"], "the withdrawn are left out"
    (tromso,) = view.posters
    assert tromso.full
    assert tromso.plan.plan == "Plan"
    assert [a.area.title for a in tromso.areas.shown] == ["Bedre oppfølging"]

    with pytest.raises(NotFound):
        poster.gallery(session, factories.coordinator(session, "0301"), network_id)


def test_the_gallery_takes_the_same_number_of_queries_for_two_and_five_members(
    session: Session, queries: QueryCounter
) -> None:
    counts = []
    for members in (["5501", "5503"], ["5501", "5503", "5510", "5512", "5520"]):
        network_id = _network(session, members)
        for number in members:
            area = factories.area(session, number, f"Område {number}")
            factories.measure(session, area)
        admin = factories.admin(session)
        with queries.counting():
            view = poster.gallery(session, admin, network_id)
        assert len(view.posters) == len(members)
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
