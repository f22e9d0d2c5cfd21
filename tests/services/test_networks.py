"""Networks and members: who starts and runs them, dates, members once each, the
facilitators' note for the facilitators only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from app.models.network import MemberPut, MemberStatus, NetworkCreate, NetworkUpdate
from app.services import networks
from app.services.access import SYSTEM
from tests import factories
from tests.network_factories import network


def test_who_starts_a_network(session: Session) -> None:
    data = NetworkCreate(
        name="N", region="troms", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    assert networks.create_network(session, factories.adviser(session, "troms"), data).id
    with pytest.raises(Forbidden):
        networks.create_network(session, factories.coordinator(session, "5501"), data)
    with pytest.raises(Forbidden):
        networks.create_network(session, factories.adviser(session, "oslo"), data)


def test_bad_networks_are_refused_with_the_field_named(session: Session) -> None:
    with pytest.raises(Invalid) as backwards:
        networks.create_network(
            session,
            SYSTEM,
            NetworkCreate(
                name="N", region="troms", starts_on=date(2025, 2, 1), ends_on=date(2025, 1, 1)
            ),
        )
    assert backwards.value.errors[0].field == "ends_on"
    with pytest.raises(Invalid) as twice:
        networks.create_network(
            session,
            SYSTEM,
            NetworkCreate(
                name="N",
                region="troms",
                starts_on=date(2025, 1, 1),
                ends_on=date(2025, 12, 31),
                members=["5501", "5501"],
            ),
        )
    assert twice.value.errors[0].field.startswith("members")


def test_updates_compare_versions(session: Session) -> None:
    network_id = network(session)
    current = networks.get_network(session, SYSTEM, network_id)
    renamed = networks.update_network(
        session, SYSTEM, network_id, NetworkUpdate(name="Nytt navn"), current.version
    )
    assert renamed.name == "Nytt navn"
    with pytest.raises(PreconditionFailed):
        networks.update_network(
            session, SYSTEM, network_id, NetworkUpdate(name="Gammelt"), current.version
        )


def test_members_see_each_other_but_never_the_note(session: Session) -> None:
    network_id = network(session)
    member = networks.get_member(session, SYSTEM, network_id, "5540")
    networks.put_member(
        session,
        SYSTEM,
        network_id,
        "5540",
        MemberPut(status=MemberStatus.withdrew, left_on=date(2025, 6, 1), note="Kapasitet"),
        member.version,
    )
    adviser = factories.adviser(session, "troms")
    assert networks.get_member(session, adviser, network_id, "5540").note == "Kapasitet"
    coordinator = factories.coordinator(session, "5501")
    assert all(
        m.note is None for m in networks.list_members(session, coordinator, network_id).items
    )
    with pytest.raises(NotFound):
        networks.get_network(session, factories.coordinator(session, "0301"), network_id)
    with pytest.raises(Forbidden):
        networks.put_member(
            session, coordinator, network_id, "5501", MemberPut(status=MemberStatus.completed), 1
        )
