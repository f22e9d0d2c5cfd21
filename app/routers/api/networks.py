"""Learning networks: members, gatherings, work between gatherings and members' answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.deps import (
    CREATE,
    READ,
    WRITE,
    Id,
    IfMatchDep,
    PageOut,
    PrincipalDep,
    SessionDep,
    page_out,
    set_etag,
)
from app.models.network import (
    AnswerPut,
    AnswerRead,
    EvaluationPut,
    EvaluationRead,
    EvaluationSummary,
    GatheringCreate,
    GatheringRead,
    GatheringUpdate,
    MemberPut,
    MemberRead,
    NetworkCreate,
    NetworkRead,
    NetworkUpdate,
    TaskCreate,
    TaskRead,
    TaskUpdate,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import (
    gatherings,
    network_evaluation,
    network_tasks,
    networks,
    write_access,
)

router = APIRouter(route_class=AccessFirstRoute, tags=["networks"])


def _created(request: Request, response: Response, name: str, version: int, **ids: Any) -> None:
    response.headers["Location"] = str(request.url_for(name, **ids).path)
    set_etag(response, version)


# ---- networks ----------------------------------------------------------------------------


@router.get("/networks", response_model=PageOut[NetworkRead], responses=READ)
def list_networks(session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """The networks the caller runs or whose member they speak for."""
    return page_out(networks.list_networks(session, principal))


@router.post("/networks", response_model=NetworkRead, status_code=201, responses=CREATE)
@access(write_access.start_network)
def create_network(
    data: NetworkCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> NetworkRead:
    created = networks.create_network(session, principal, data)
    _created(request, response, "get_network", created.version, network_id=created.id)
    return created


@router.get("/networks/{network_id}", response_model=NetworkRead, responses=READ)
def get_network(
    network_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> NetworkRead:
    result = networks.get_network(session, principal, network_id)
    set_etag(response, result.version)
    return result


@router.patch("/networks/{network_id}", response_model=NetworkRead, responses=WRITE)
@access(write_access.run_network)
def update_network(
    network_id: Id,
    data: NetworkUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> NetworkRead:
    result = networks.update_network(session, principal, network_id, data, expected)
    set_etag(response, result.version)
    return result


# ---- members -----------------------------------------------------------------------------


@router.get("/networks/{network_id}/members", response_model=PageOut[MemberRead], responses=READ)
def list_members(network_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """Every member; `note` is null except for those who run the network."""
    return page_out(networks.list_members(session, principal, network_id))


@router.get("/networks/{network_id}/members/{number}", response_model=MemberRead, responses=READ)
def get_member(
    network_id: Id, number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> MemberRead:
    result = networks.get_member(session, principal, network_id, number)
    set_etag(response, result.version)
    return result


@router.put("/networks/{network_id}/members/{number}", response_model=MemberRead, responses=WRITE)
@access(write_access.run_network)
def put_member(
    network_id: Id,
    number: str,
    data: MemberPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> MemberRead:
    """Add a member (`If-Match: "0"`) or change its status, dates and note."""
    result = networks.put_member(session, principal, network_id, number, data, expected)
    set_etag(response, result.version)
    return result


# ---- gatherings --------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/gatherings", response_model=PageOut[GatheringRead], responses=READ
)
def list_gatherings(network_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(gatherings.list_gatherings(session, principal, network_id))


@router.post(
    "/networks/{network_id}/gatherings",
    response_model=GatheringRead,
    status_code=201,
    responses=CREATE,
)
@access(write_access.run_network)
def create_gathering(
    network_id: Id,
    data: GatheringCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> GatheringRead:
    created = gatherings.create_gathering(session, principal, network_id, data)
    _created(request, response, "get_gathering", created.version, gathering_id=created.id)
    return created


@router.get("/gatherings/{gathering_id}", response_model=GatheringRead, responses=READ)
def get_gathering(
    gathering_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> GatheringRead:
    result = gatherings.get_gathering(session, principal, gathering_id)
    set_etag(response, result.version)
    return result


@router.patch("/gatherings/{gathering_id}", response_model=GatheringRead, responses=WRITE)
@access(write_access.plan_gathering)
def update_gathering(
    gathering_id: Id,
    data: GatheringUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> GatheringRead:
    result = gatherings.update_gathering(session, principal, gathering_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/gatherings/{gathering_id}", status_code=204, responses=WRITE)
@access(write_access.plan_gathering)
def delete_gathering(
    gathering_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    gatherings.delete_gathering(session, principal, gathering_id, expected)
    return Response(status_code=204)


# ---- tasks and answers -------------------------------------------------------------------


@router.get("/networks/{network_id}/tasks", response_model=PageOut[TaskRead], responses=READ)
def list_tasks(network_id: Id, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return page_out(network_tasks.list_tasks(session, principal, network_id))


@router.post(
    "/networks/{network_id}/tasks", response_model=TaskRead, status_code=201, responses=CREATE
)
@access(write_access.run_network)
def create_task(
    network_id: Id,
    data: TaskCreate,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> TaskRead:
    created = network_tasks.create_task(session, principal, network_id, data)
    _created(request, response, "get_task", created.version, task_id=created.id)
    return created


@router.get("/tasks/{task_id}", response_model=TaskRead, responses=READ)
def get_task(
    task_id: Id, session: SessionDep, principal: PrincipalDep, response: Response
) -> TaskRead:
    """The task with every member's answer: members read each other's reports."""
    result = network_tasks.get_task(session, principal, task_id)
    set_etag(response, result.version)
    return result


@router.patch("/tasks/{task_id}", response_model=TaskRead, responses=WRITE)
@access(write_access.plan_task)
def update_task(
    task_id: Id,
    data: TaskUpdate,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> TaskRead:
    result = network_tasks.update_task(session, principal, task_id, data, expected)
    set_etag(response, result.version)
    return result


@router.delete("/tasks/{task_id}", status_code=204, responses=WRITE)
@access(write_access.plan_task)
def delete_task(
    task_id: Id, expected: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    network_tasks.delete_task(session, principal, task_id, expected)
    return Response(status_code=204)


@router.get("/tasks/{task_id}/answers/{number}", response_model=AnswerRead, responses=READ)
def get_task_answer(
    task_id: Id, number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> AnswerRead:
    result = network_tasks.get_answer(session, principal, task_id, number)
    set_etag(response, result.version)
    return result


@router.put("/tasks/{task_id}/answers/{number}", response_model=AnswerRead, responses=WRITE)
@access(write_access.answer_task)
def put_task_answer(
    task_id: Id,
    number: str,
    data: AnswerPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> AnswerRead:
    """A member's answer (its coordinators and tokens bound to it). Not answered yet:
    `If-Match: "0"`."""
    result = network_tasks.put_answer(session, principal, task_id, number, data, expected)
    set_etag(response, result.version)
    return result


# ---- the end-of-network evaluation -------------------------------------------------------


@router.get("/networks/{network_id}/evaluation", response_model=EvaluationSummary, responses=READ)
def evaluation_summary(
    network_id: Id, session: SessionDep, principal: PrincipalDep
) -> EvaluationSummary:
    """The members' answers together (never by member; nothing until three have answered)."""
    return network_evaluation.summary(session, principal, network_id)


@router.get(
    "/networks/{network_id}/evaluations/{number}", response_model=EvaluationRead, responses=READ
)
def get_evaluation(
    network_id: Id, number: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> EvaluationRead:
    """A member's own answer: for the member and those who run the network."""
    result = network_evaluation.get_evaluation(session, principal, network_id, number)
    set_etag(response, result.version)
    return result


@router.put(
    "/networks/{network_id}/evaluations/{number}", response_model=EvaluationRead, responses=WRITE
)
@access(write_access.answer_evaluation)
def put_evaluation(
    network_id: Id,
    number: str,
    data: EvaluationPut,
    expected: IfMatchDep,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
) -> EvaluationRead:
    """The member's answer (its coordinators and tokens bound to it): relevance 1–5, what
    was best, the plan for further work. Not answered yet: `If-Match: "0"`."""
    result = network_evaluation.put_evaluation(
        session, principal, network_id, number, data, expected
    )
    set_etag(response, result.version)
    return result
