"""Who runs and who reads a network."""

from __future__ import annotations

from sqlmodel import Session

from app.services import network_access
from tests import factories
from tests.network_factories import network


def test_runs_and_reads(session: Session) -> None:
    network_id = network(session, ("5501",))
    (view,) = network_access.load_views(session, [network_id])
    admin = factories.admin(session)
    adviser = factories.adviser(session, "troms")
    other_adviser = factories.adviser(session, "oslo")
    member = factories.coordinator(session, "5501")
    outsider = factories.coordinator(session, "5540")

    assert network_access.runs(admin, view.network, view.facilitator_ids)
    assert network_access.runs(adviser, view.network, view.facilitator_ids)
    assert not network_access.runs(other_adviser, view.network, view.facilitator_ids)
    assert not network_access.runs(member, view.network, view.facilitator_ids)
    assert network_access.reads(member, view)
    assert not network_access.reads(outsider, view)
    assert not network_access.reads(other_adviser, view)
    assert [m.number for m in network_access.own_members(member, view)] == ["5501"]
    assert network_access.may_start_networks(adviser)
    assert not network_access.may_start_networks(member)
