"""Who runs a learning network and who reads it.

A network is run by administrators, the advisers of its region, its named facilitators and
API clients with write scope bound to its region; a national network (no region) by
administrators and its named facilitators. Its members — the coordinators of member
municipalities and API clients bound to them — read it, answer their own tasks and read each
other's reports, but never the facilitators' note on a member. Anyone else is told the
network does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.models.base import Scope
from app.models.identity import User
from app.models.municipality import Municipality, Region
from app.models.network import Network, NetworkFacilitator, NetworkMember
from app.services.access import Principal, require_authenticated


@dataclass(frozen=True)
class NetworkView:
    """A network with what deciding access needs, loaded in a fixed number of queries."""

    network: Network
    region: Region | None
    facilitators: list[User]
    members: list[tuple[NetworkMember, Municipality]]

    @property
    def facilitator_ids(self) -> frozenset[int]:
        return frozenset(u.id for u in self.facilitators if u.id is not None)

    def member(self, municipality_id: int) -> NetworkMember | None:
        return next((m for m, mun in self.members if mun.id == municipality_id), None)


def runs(principal: Principal, network: Network, facilitator_ids: frozenset[int]) -> bool:
    if principal.is_admin:
        return True
    in_region = network.region_id is not None and network.region_id in principal.region_ids
    if principal.is_adviser:
        return in_region or principal.user_id in facilitator_ids
    if principal.is_api_client:
        return principal.scope == Scope.write and in_region
    return False


def own_members(principal: Principal, view: NetworkView) -> list[Municipality]:
    """The member municipalities the caller speaks for (coordinators and tokens bound to
    them; administrators for all)."""
    if principal.is_admin:
        return [mun for _, mun in view.members]
    if principal.is_coordinator or principal.is_api_client:
        return [mun for _, mun in view.members if mun.id in principal.municipality_ids]
    return []


def reads(principal: Principal, view: NetworkView) -> bool:
    if runs(principal, view.network, view.facilitator_ids):
        return True
    region_id = view.network.region_id
    if principal.is_api_client and region_id is not None and region_id in principal.region_ids:
        return True
    return bool(own_members(principal, view))


def load_views(session: Session, network_ids: list[int] | None = None) -> list[NetworkView]:
    """Networks (all, or those named) with their region, facilitators and members: three
    queries whatever the number of networks."""
    statement = select(Network, Region).join(
        Region, col(Region.id) == col(Network.region_id), isouter=True
    )
    if network_ids is not None:
        statement = statement.where(col(Network.id).in_(network_ids))
    rows = session.exec(statement.order_by(col(Network.starts_on).desc(), col(Network.id))).all()
    ids = [n.id for n, _ in rows]
    facilitators: dict[int, list[User]] = {i: [] for i in ids if i is not None}
    for link, user in session.exec(
        select(NetworkFacilitator, User)
        .join(User, col(User.id) == col(NetworkFacilitator.user_id))
        .where(col(NetworkFacilitator.network_id).in_(ids))
        .order_by(col(User.name), col(User.id))
    ).all():
        facilitators[link.network_id].append(user)
    members: dict[int, list[tuple[NetworkMember, Municipality]]] = {
        i: [] for i in ids if i is not None
    }
    for member, municipality in session.exec(
        select(NetworkMember, Municipality)
        .join(Municipality, col(Municipality.id) == col(NetworkMember.municipality_id))
        .where(col(NetworkMember.network_id).in_(ids))
        .order_by(col(Municipality.name), col(Municipality.number))
    ).all():
        members[member.network_id].append((member, municipality))
    return [NetworkView(n, r, facilitators[n.id or 0], members[n.id or 0]) for n, r in rows if n.id]


def readable_view(session: Session, principal: Principal, network_id: int) -> NetworkView:
    require_authenticated(principal)
    views = load_views(session, [network_id])
    if not views or not reads(principal, views[0]):
        raise NotFound("No network with that id.")
    return views[0]


def running_view(session: Session, principal: Principal, network_id: int) -> NetworkView:
    """For planning: who may read but not run the network is refused; who may not read it
    is told it does not exist."""
    view = readable_view(session, principal, network_id)
    if not runs(principal, view.network, view.facilitator_ids):
        raise Forbidden("Only the network's facilitators may change this.")
    return view


def lock_network(session: Session, network_id: int) -> Network:
    """Take the network's row lock for the rest of the transaction, and reload it: every
    write to a network's plan queues here."""
    return session.exec(
        select(Network)
        .where(col(Network.id) == network_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def may_start_networks(principal: Principal) -> bool:
    if principal.is_admin or principal.is_adviser:
        return True
    return principal.is_api_client and principal.scope == Scope.write and bool(principal.region_ids)
