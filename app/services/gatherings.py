"""Gatherings (samlinger) of a learning network, with how many came from each member
municipality — counts only, never names."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, NotFound
from app.kit.text import clean_markdown, clean_text
from app.models.base import utcnow
from app.models.municipality import Municipality
from app.models.network import (
    MAX_GATHERINGS,
    AttendanceEntry,
    AttendanceRead,
    Gathering,
    GatheringAttendance,
    GatheringCreate,
    GatheringRead,
    GatheringUpdate,
    NetworkTask,
)
from app.services.access import Principal
from app.services.common import Page, check_version, commit
from app.services.network_access import (
    NetworkView,
    lock_network,
    readable_view,
    running_view,
)
from app.services.networks import _audit


def _attendance(session: Session, gathering_ids: list[int]) -> dict[int, list[AttendanceRead]]:
    result: dict[int, list[AttendanceRead]] = {i: [] for i in gathering_ids}
    for row, municipality in session.exec(
        select(GatheringAttendance, Municipality)
        .join(Municipality, col(Municipality.id) == col(GatheringAttendance.municipality_id))
        .where(col(GatheringAttendance.gathering_id).in_(gathering_ids))
        .order_by(col(Municipality.name), col(Municipality.number))
    ).all():
        result[row.gathering_id].append(
            AttendanceRead(
                municipality=municipality.number,
                municipality_name=municipality.name,
                count=row.count,
            )
        )
    return result


def gathering_read(gathering: Gathering, attendance: list[AttendanceRead]) -> GatheringRead:
    return GatheringRead(
        id=gathering.id or 0,
        network_id=gathering.network_id,
        title=gathering.title,
        starts_on=gathering.starts_on,
        ends_on=gathering.ends_on,
        place=gathering.place,
        digital=gathering.digital,
        programme=gathering.programme,
        attendance=attendance,
        attendance_total=sum(a.count for a in attendance),
        version=gathering.version,
        updated_at=gathering.updated_at,
    )


def list_gatherings(session: Session, principal: Principal, network_id: int) -> Page[GatheringRead]:
    """In time order: the network's timeline."""
    readable_view(session, principal, network_id)
    rows = session.exec(
        select(Gathering)
        .where(col(Gathering.network_id) == network_id)
        .order_by(col(Gathering.starts_on), col(Gathering.id))
    ).all()
    attendance = _attendance(session, [g.id or 0 for g in rows])
    items = [gathering_read(g, attendance[g.id or 0]) for g in rows]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def _gathering(session: Session, principal: Principal, gathering_id: int) -> Gathering:
    gathering = session.get(Gathering, gathering_id)
    if gathering is None:
        raise NotFound("No gathering with that id.")
    try:
        readable_view(session, principal, gathering.network_id)
    except NotFound:
        raise NotFound("No gathering with that id.") from None
    return gathering


def gathering_network(session: Session, principal: Principal, gathering_id: int) -> NetworkView:
    """The network of a gathering the caller may plan (404 if they may not see it)."""
    gathering = _gathering(session, principal, gathering_id)
    return running_view(session, principal, gathering.network_id)


def get_gathering(session: Session, principal: Principal, gathering_id: int) -> GatheringRead:
    gathering = _gathering(session, principal, gathering_id)
    return gathering_read(gathering, _attendance(session, [gathering_id])[gathering_id])


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid(FieldError("ends_on", "cannot be before starts_on"))


def _attendance_rows(view: NetworkView, entries: list[AttendanceEntry]) -> list[tuple[int, int]]:
    """(municipality id, count) for each entry; each must name a member, once."""
    numbers = [e.municipality for e in entries]
    if len(set(numbers)) != len(numbers):
        raise Invalid(FieldError("attendance", "each member may be counted once"))
    members = {mun.number: mun.id or 0 for _, mun in view.members}
    for number in numbers:
        if number not in members:
            raise Invalid(FieldError("attendance", f"{number} is not a member of the network"))
    return [(members[e.municipality], e.count) for e in entries if e.count > 0]


def _replace_attendance(session: Session, gathering_id: int, rows: list[tuple[int, int]]) -> None:
    for old in session.exec(
        select(GatheringAttendance).where(col(GatheringAttendance.gathering_id) == gathering_id)
    ).all():
        session.delete(old)
    session.flush()
    for municipality_id, count in rows:
        session.add(
            GatheringAttendance(
                gathering_id=gathering_id, municipality_id=municipality_id, count=count
            )
        )


def create_gathering(
    session: Session, principal: Principal, network_id: int, data: GatheringCreate
) -> GatheringRead:
    view = running_view(session, principal, network_id)
    network = lock_network(session, network_id)
    ends_on = data.ends_on or data.starts_on
    _check_dates(data.starts_on, ends_on)
    rows = _attendance_rows(view, data.attendance)
    existing = session.exec(
        select(Gathering.id).where(col(Gathering.network_id) == network_id)
    ).all()
    if len(existing) >= MAX_GATHERINGS:
        raise Invalid(FieldError("title", f"a network has at most {MAX_GATHERINGS} gatherings"))
    now = utcnow()
    gathering = Gathering(
        network_id=network_id,
        title=clean_text(data.title),
        starts_on=data.starts_on,
        ends_on=ends_on,
        place=clean_text(data.place),
        digital=data.digital,
        programme=clean_markdown(data.programme),
        created_at=now,
        updated_at=now,
    )
    session.add(gathering)
    session.flush()
    _replace_attendance(session, gathering.id or 0, rows)
    network.updated_at = now
    session.flush()
    result = get_gathering(session, principal, gathering.id or 0)
    _audit(session, principal, "create", "gathering", gathering.id, None, result)
    commit(session)
    return result


def _locked(
    session: Session, principal: Principal, gathering_id: int, expected_version: int
) -> tuple[NetworkView, Gathering, GatheringRead]:
    view = gathering_network(session, principal, gathering_id)
    lock_network(session, view.network.id or 0)
    gathering = session.get(Gathering, gathering_id)
    if gathering is None:  # deleted while we waited for the lock
        raise NotFound("No gathering with that id.")
    session.refresh(gathering)
    before = get_gathering(session, principal, gathering_id)
    check_version(gathering.version, expected_version, before.model_dump(mode="json"))
    return view, gathering, before


def update_gathering(
    session: Session,
    principal: Principal,
    gathering_id: int,
    data: GatheringUpdate,
    expected_version: int,
) -> GatheringRead:
    view, gathering, before = _locked(session, principal, gathering_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    entries = data.attendance
    changes.pop("attendance", None)
    for key in ("title", "place"):
        if key in changes:
            changes[key] = clean_text(changes[key])
    if "programme" in changes:
        changes["programme"] = clean_markdown(changes["programme"])
    _check_dates(
        changes.get("starts_on", gathering.starts_on), changes.get("ends_on", gathering.ends_on)
    )
    rows = _attendance_rows(view, entries) if entries is not None else None
    same_attendance = rows is None or sorted(rows) == sorted(
        (a_id, a.count)
        for a in before.attendance
        for a_id in [next(m.id or 0 for _, m in view.members if m.number == a.municipality)]
    )
    if same_attendance and all(getattr(gathering, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    for key, value in changes.items():
        setattr(gathering, key, value)
    if rows is not None:
        _replace_attendance(session, gathering_id, rows)
    gathering.version += 1
    gathering.updated_at = utcnow()
    session.flush()
    after = get_gathering(session, principal, gathering_id)
    _audit(session, principal, "update", "gathering", gathering_id, before, after)
    commit(session)
    return after


def delete_gathering(
    session: Session, principal: Principal, gathering_id: int, expected_version: int
) -> None:
    """Tasks presented at the gathering stay, no longer tied to a gathering."""
    _, gathering, before = _locked(session, principal, gathering_id, expected_version)
    for task in session.exec(
        select(NetworkTask).where(col(NetworkTask.gathering_id) == gathering_id)
    ).all():
        task.gathering_id = None
        task.version += 1
    session.flush()
    session.delete(gathering)
    _audit(session, principal, "delete", "gathering", gathering_id, before, None)
    commit(session)
