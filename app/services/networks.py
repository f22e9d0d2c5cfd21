"""Learning networks and their members: who takes part, from when, and why someone left."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.kit.text import clean_markdown, clean_text
from app.models.base import Role, local_today, utcnow
from app.models.identity import User
from app.models.municipality import Municipality, Region
from app.models.network import (
    FacilitatorRead,
    MemberChangeRead,
    MemberPut,
    MemberRead,
    MemberStatus,
    Network,
    NetworkCreate,
    NetworkFacilitator,
    NetworkMember,
    NetworkMemberChange,
    NetworkRead,
    NetworkUpdate,
)
from app.services import audit
from app.services.access import Principal, require_authenticated
from app.services.common import Page, check_version, commit, get_municipality
from app.services.network_access import (
    NetworkView,
    load_views,
    lock_network,
    may_start_networks,
    readable_view,
    reads,
    running_view,
    runs,
)


def network_read(view: NetworkView, principal: Principal) -> NetworkRead:
    network = view.network
    return NetworkRead(
        id=network.id or 0,
        name=network.name,
        region=view.region.slug if view.region else None,
        region_name=view.region.name if view.region else None,
        starts_on=network.starts_on,
        ends_on=network.ends_on,
        goal=network.goal,
        facilitators=[FacilitatorRead(email=u.email, name=u.name) for u in view.facilitators],
        member_count=len(view.members),
        is_example=network.is_example,
        runs=runs(principal, network, view.facilitator_ids),
        version=network.version,
        updated_at=network.updated_at,
    )


def list_networks(session: Session, principal: Principal) -> Page[NetworkRead]:
    """The networks the caller runs or belongs to, newest first."""
    require_authenticated(principal)
    items = [network_read(v, principal) for v in load_views(session) if reads(principal, v)]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def get_network(session: Session, principal: Principal, network_id: int) -> NetworkRead:
    return network_read(readable_view(session, principal, network_id), principal)


def _check_dates(starts_on: date, ends_on: date, field: str = "ends_on") -> None:
    if ends_on < starts_on:
        raise Invalid(FieldError(field, "cannot be before the start"))


def _facilitators(session: Session, emails: list[str]) -> list[User]:
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails))
    users = session.exec(select(User).where(col(User.email).in_(wanted))).all()
    found = {u.email: u for u in users if u.role in (Role.adviser.value, Role.admin.value)}
    missing = [e for e in wanted if e not in found]
    if missing:
        raise Invalid(FieldError("facilitators", f"no adviser with e-mail {missing[0]!r}"))
    return [found[e] for e in wanted]


def _region(session: Session, slug: str | None) -> Region | None:
    if slug is None:
        return None
    region = session.exec(select(Region).where(col(Region.slug) == slug)).one_or_none()
    if region is None:
        raise Invalid(FieldError("region", f"unknown region {slug!r}"))
    return region


def _may_run_new(principal: Principal, region: Region | None, facilitators: list[User]) -> bool:
    probe = Network(name="", region_id=region.id if region else None, starts_on=date.min,
                    ends_on=date.min)  # fmt: skip
    return runs(principal, probe, frozenset(u.id for u in facilitators if u.id))


def _initial_members(session: Session, numbers: list[str]) -> list[Municipality]:
    if len(set(numbers)) != len(numbers):
        raise Invalid(FieldError("members", "each municipality may be a member once"))
    rows = session.exec(select(Municipality).where(col(Municipality.number).in_(numbers))).all()
    by_number = {m.number: m for m in rows}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise Invalid(FieldError("members", f"no municipality with number {missing[0]}"))
    return [by_number[n] for n in numbers]


def create_network(session: Session, principal: Principal, data: NetworkCreate) -> NetworkRead:
    """Admins anywhere; advisers and write-scoped API clients for their own region (a
    national network: administrators, or an adviser who names themself a facilitator)."""
    require_authenticated(principal)
    if not may_start_networks(principal):
        raise Forbidden("Only administrators and regional advisers start networks.")
    region = _region(session, data.region)
    facilitators = _facilitators(session, data.facilitators)
    if not _may_run_new(principal, region, facilitators):
        raise Forbidden("You may start networks only in your own region.")
    _check_dates(data.starts_on, data.ends_on)
    members = _initial_members(session, data.members)
    now = utcnow()
    network = Network(
        name=clean_text(data.name),
        region_id=region.id if region else None,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        goal=clean_markdown(data.goal),
        created_at=now,
        updated_at=now,
    )
    session.add(network)
    session.flush()
    network_id = network.id or 0
    for user in facilitators:
        session.add(NetworkFacilitator(network_id=network_id, user_id=user.id or 0))
    for municipality in members:
        member = NetworkMember(
            network_id=network_id, municipality_id=municipality.id or 0, updated_at=now
        )
        session.add(member)
        session.flush()
        session.add(
            NetworkMemberChange(
                member_id=member.id or 0, status=member.status, changed_on=local_today()
            )
        )
    session.flush()
    result = get_network(session, principal, network_id)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="network",
        entity_id=network_id,
        municipality=None,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def update_network(
    session: Session,
    principal: Principal,
    network_id: int,
    data: NetworkUpdate,
    expected_version: int,
) -> NetworkRead:
    view = running_view(session, principal, network_id)
    network = lock_network(session, network_id)
    view = readable_view(session, principal, network_id)
    before = network_read(view, principal)
    check_version(network.version, expected_version, before.model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    emails = changes.pop("facilitators", None)
    facilitators = _facilitators(session, emails) if emails is not None else view.facilitators
    if "name" in changes:
        changes["name"] = clean_text(changes["name"])
    if "goal" in changes:
        changes["goal"] = clean_markdown(changes["goal"])
    _check_dates(
        changes.get("starts_on", network.starts_on), changes.get("ends_on", network.ends_on)
    )
    same_people = [u.id for u in facilitators] == [u.id for u in view.facilitators]
    if same_people and all(getattr(network, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    for key, value in changes.items():
        setattr(network, key, value)
    if not same_people:
        for link in session.exec(
            select(NetworkFacilitator).where(col(NetworkFacilitator.network_id) == network_id)
        ).all():
            session.delete(link)
        session.flush()
        for user in facilitators:
            session.add(NetworkFacilitator(network_id=network_id, user_id=user.id or 0))
    network.version += 1
    network.updated_at = utcnow()
    session.flush()
    after = network_read(readable_view(session, principal, network_id), principal)
    _audit(session, principal, "update", "network", network_id, before, after)
    commit(session)
    return after


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: object,
    before: Any,
    after: Any,
) -> None:
    # Network events carry no municipality: notes on members are for the facilitators, so
    # they never appear in a municipality's own history.
    audit.record(
        session,
        principal,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        municipality=None,
        before=before.model_dump(mode="json") if before is not None else None,
        after=after.model_dump(mode="json") if after is not None else None,
    )


# ---- members -----------------------------------------------------------------------------


def _changes(session: Session, member_ids: list[int]) -> dict[int, list[MemberChangeRead]]:
    result: dict[int, list[MemberChangeRead]] = {i: [] for i in member_ids}
    for change in session.exec(
        select(NetworkMemberChange)
        .where(col(NetworkMemberChange.member_id).in_(member_ids))
        .order_by(col(NetworkMemberChange.changed_on), col(NetworkMemberChange.id))
    ).all():
        result[change.member_id].append(
            MemberChangeRead(status=MemberStatus(change.status), changed_on=change.changed_on)
        )
    return result


def member_read(
    member: NetworkMember,
    municipality: Municipality,
    changes: list[MemberChangeRead],
    shows_note: bool,
) -> MemberRead:
    return MemberRead(
        network_id=member.network_id,
        municipality=municipality.number,
        municipality_name=municipality.name,
        status=MemberStatus(member.status),
        joined_on=member.joined_on,
        left_on=member.left_on,
        note=member.note if shows_note else None,
        changes=changes,
        version=member.version,
    )


def list_members(session: Session, principal: Principal, network_id: int) -> Page[MemberRead]:
    """Every member in alphabetical order; the note only for those who run the network."""
    view = readable_view(session, principal, network_id)
    shows_note = runs(principal, view.network, view.facilitator_ids)
    changes = _changes(session, [m.id or 0 for m, _ in view.members])
    items = [member_read(m, mun, changes[m.id or 0], shows_note) for m, mun in view.members]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def get_member(session: Session, principal: Principal, network_id: int, number: str) -> MemberRead:
    view = readable_view(session, principal, network_id)
    municipality = get_municipality(session, number)
    member = view.member(municipality.id or 0)
    if member is None:
        raise NotFound(f"{municipality.name} is not a member of this network.")
    shows_note = runs(principal, view.network, view.facilitator_ids)
    changes = _changes(session, [member.id or 0])[member.id or 0]
    return member_read(member, municipality, changes, shows_note)


def _check_member_dates(data: MemberPut) -> None:
    if data.joined_on and data.left_on and data.left_on < data.joined_on:
        raise Invalid(FieldError("left_on", "cannot be before joined_on"))
    if data.status == MemberStatus.withdrew and data.left_on is None:
        raise Invalid(FieldError("left_on", "say when the member withdrew"))


def _status_date(data: MemberPut) -> date:
    if data.status in (MemberStatus.withdrew, MemberStatus.completed) and data.left_on:
        return data.left_on
    if data.status == MemberStatus.taking_part and data.joined_on:
        return data.joined_on
    return local_today()


def _member_of(session: Session, network_id: int, municipality_id: int) -> NetworkMember | None:
    return session.exec(
        select(NetworkMember).where(
            col(NetworkMember.network_id) == network_id,
            col(NetworkMember.municipality_id) == municipality_id,
        )
    ).one_or_none()


def _member_before(
    session: Session, member: NetworkMember | None, municipality: Municipality
) -> MemberRead | None:
    if member is None:
        return None
    changes = _changes(session, [member.id or 0])[member.id or 0]
    return member_read(member, municipality, changes, True)


def _unchanged(member: NetworkMember | None, values: dict[str, object]) -> bool:
    return member is not None and all(getattr(member, k) == v for k, v in values.items())


def _new_member(session: Session, network_id: int, municipality_id: int) -> NetworkMember:
    if len(load_views(session, [network_id])[0].members) >= 400:
        raise Invalid(FieldError("municipality", "a network has at most 400 members"))
    member = NetworkMember(network_id=network_id, municipality_id=municipality_id)
    member.version = 0
    return member


def put_member(
    session: Session,
    principal: Principal,
    network_id: int,
    number: str,
    data: MemberPut,
    expected_version: int,
) -> MemberRead:
    """Add a member (`If-Match: "0"`) or change its status, dates and note. Any
    municipality of any region may join. A status change is kept with its date."""
    running_view(session, principal, network_id)
    municipality = get_municipality(session, number)
    lock_network(session, network_id)
    member = _member_of(session, network_id, municipality.id or 0)
    before = _member_before(session, member, municipality)
    check_version(
        member.version if member else 0,
        expected_version,
        before.model_dump(mode="json") if before else None,
    )
    _check_member_dates(data)
    values = {**data.model_dump(), "status": data.status.value, "note": clean_text(data.note)}
    if before is not None and _unchanged(member, values):
        session.rollback()
        return before
    now = utcnow()
    member = member or _new_member(session, network_id, municipality.id or 0)
    status_changed = before is None or before.status != data.status
    for key, value in values.items():
        setattr(member, key, value)
    member.version += 1
    member.updated_at = now
    session.add(member)
    session.flush()
    if status_changed:
        session.add(
            NetworkMemberChange(
                member_id=member.id or 0, status=member.status, changed_on=_status_date(data)
            )
        )
    network = session.get(Network, network_id)
    assert network is not None
    network.updated_at = now
    session.flush()
    after = member_read(
        member, municipality, _changes(session, [member.id or 0])[member.id or 0], True
    )
    _audit(session, principal, "update" if before else "create", "network_member",
           member.id, before, after)  # fmt: skip
    commit(session)
    return after
