"""What the network and gathering pages show, read in a fixed number of queries.

The pages follow the networks' values: members in alphabetical order, no scores and no
ranking; the grid answers "who needs help, who is ready for the gathering". Named detail
(the grid, who withdrew, who has not answered) is for those who run the network; the
members see counts, and each other's reports — sharing is the point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.models.base import local_today
from app.models.municipality import Municipality
from app.models.network import (
    AnswerRead,
    AnswerStatus,
    GatheringRead,
    MemberRead,
    MemberStatus,
    NetworkRead,
    TaskRead,
)
from app.services import gatherings, network_tasks, networks
from app.services.access import Principal
from app.services.network_access import NetworkView, own_members, readable_view, runs

#: Members whose work the grid and the gathering page follow.
FOLLOWED = (MemberStatus.taking_part, MemberStatus.completed)


@dataclass(frozen=True)
class GridRow:
    municipality: str
    municipality_name: str
    #: One per task of the grid, in the grid's order.
    answers: list[AnswerRead]


@dataclass(frozen=True)
class TaskCount:
    """How far the members have come with a task, counted: what members see."""

    task: TaskRead
    done: int
    in_progress: int
    not_started: int


@dataclass(frozen=True)
class NetworkPage:
    network: NetworkRead
    runs: bool
    gatherings: list[GatheringRead]
    next_gathering: GatheringRead | None
    tasks: list[TaskRead]
    #: The tasks the grid follows: those of the next gathering, else all.
    grid_tasks: list[TaskRead]
    #: Named rows: only for those who run the network (members see `counts`).
    grid: list[GridRow]
    counts: list[TaskCount]
    ready: int
    needs_help: list[str]
    members: list[MemberRead]
    #: Members who withdrew: named only to those who run the network.
    withdrawn_count: int
    #: Numbers of the member municipalities the caller answers for.
    own: list[str]
    today: date = field(default_factory=local_today)


def _view_members(principal: Principal, view: NetworkView) -> list[str]:
    """The members whose forms the caller is shown: their own (administrators answer for
    a member through the API, not with a form for every member on every page)."""
    if principal.is_admin:
        return []
    return [m.number for m in own_members(principal, view) if principal.can_edit(m)]


def _grid(members: list[MemberRead], tasks: list[TaskRead]) -> list[GridRow]:
    """One row per member followed, with its answer to each task."""
    return [
        GridRow(
            member.municipality,
            member.municipality_name,
            [next(a for a in t.answers if a.municipality == member.municipality) for t in tasks],
        )
        for member in members
        if member.status in FOLLOWED
    ]


def _count(grid: list[GridRow], index: int, status: AnswerStatus) -> int:
    return sum(row.answers[index].status == status for row in grid)


def _counts(grid: list[GridRow], tasks: list[TaskRead]) -> list[TaskCount]:
    return [
        TaskCount(
            task=t,
            done=_count(grid, i, AnswerStatus.done),
            in_progress=_count(grid, i, AnswerStatus.in_progress),
            not_started=_count(grid, i, AnswerStatus.not_started),
        )
        for i, t in enumerate(tasks)
    ]


def _needs_help(grid: list[GridRow]) -> list[str]:
    """Members that have not started any of the tasks: the ones to call before the gathering."""
    return [
        row.municipality_name
        for row in grid
        if row.answers and all(a.status == AnswerStatus.not_started for a in row.answers)
    ]


def _tasks_for(tasks: list[TaskRead], gathering: GatheringRead | None) -> list[TaskRead]:
    """The tasks presented at the next gathering, or every task when none is planned."""
    chosen = [t for t in tasks if gathering and t.gathering_id == gathering.id]
    return chosen or tasks


def network_page(session: Session, principal: Principal, network_id: int) -> NetworkPage:
    view = readable_view(session, principal, network_id)
    running = runs(principal, view.network, view.facilitator_ids)
    all_gatherings = list(gatherings.list_gatherings(session, principal, network_id).items)
    tasks = list(network_tasks.list_tasks(session, principal, network_id).items)
    today = local_today()
    upcoming = [g for g in all_gatherings if g.ends_on >= today]
    next_gathering = upcoming[0] if upcoming else None
    grid_tasks = _tasks_for(tasks, next_gathering)
    members = list(networks.list_members(session, principal, network_id).items)
    grid = _grid(members, grid_tasks)
    ready = sum(all(a.status == AnswerStatus.done for a in row.answers) for row in grid)
    withdrawn = [m for m in members if m.status == MemberStatus.withdrew]
    shown = members if running else [m for m in members if m.status != MemberStatus.withdrew]
    return NetworkPage(
        network=networks.network_read(view, principal),
        runs=running,
        gatherings=all_gatherings,
        next_gathering=next_gathering,
        tasks=tasks,
        grid_tasks=grid_tasks if grid else [],
        grid=grid if running else [],
        counts=_counts(grid, grid_tasks) if grid else [],
        ready=ready,
        needs_help=_needs_help(grid) if running else [],
        members=shown,
        withdrawn_count=len(withdrawn),
        own=_view_members(principal, view),
        today=today,
    )


@dataclass(frozen=True)
class MemberContribution:
    municipality: Municipality
    answers: list[tuple[TaskRead, AnswerRead]]
    attendance: int
    #: Whether the caller may open the member's poster.
    poster: bool


@dataclass(frozen=True)
class GatheringPage:
    network: NetworkRead
    gathering: GatheringRead
    tasks: list[TaskRead]
    members: list[MemberContribution]
    runs: bool


def gathering_page(session: Session, principal: Principal, gathering_id: int) -> GatheringPage:
    """What each member brings to the gathering: its reports on the tasks presented there,
    how many came, and its poster."""
    gathering = gatherings.get_gathering(session, principal, gathering_id)
    view = readable_view(session, principal, gathering.network_id)
    tasks = [
        t
        for t in network_tasks.list_tasks(session, principal, gathering.network_id).items
        if t.gathering_id == gathering_id
    ]
    counts = {a.municipality: a.count for a in gathering.attendance}
    running = runs(principal, view.network, view.facilitator_ids)
    contributions = []
    for member, municipality in view.members:
        came = running and municipality.number in counts
        if member.status not in FOLLOWED and not came:
            continue
        answers = [
            (t, a) for t in tasks for a in t.answers if a.municipality == municipality.number
        ]
        contributions.append(
            MemberContribution(
                municipality=municipality,
                answers=answers,
                attendance=counts.get(municipality.number, 0),
                poster=principal.can_read(municipality),
            )
        )
    return GatheringPage(
        network=networks.network_read(view, principal),
        gathering=gathering,
        tasks=tasks,
        members=[
            c
            for c in contributions
            if running or (c.answers and any(a.version for _, a in c.answers))
        ],
        runs=running,
    )
