"""Work between gatherings (mellomarbeid): the facilitators set a task, each member answers
it with a status and a report, and the members read each other's reports — sharing is the
point."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.kit.text import clean_markdown, clean_text
from app.models.base import utcnow
from app.models.municipality import Municipality
from app.models.network import (
    MAX_TASKS,
    AnswerPut,
    AnswerRead,
    AnswerStatus,
    Gathering,
    MemberStatus,
    NetworkTask,
    TaskAnswer,
    TaskCreate,
    TaskRead,
    TaskUpdate,
)
from app.services import audit
from app.services.access import Principal
from app.services.common import (
    Page,
    check_version,
    commit,
    get_municipality,
    lock_municipality,
)
from app.services.network_access import (
    NetworkView,
    lock_network,
    readable_view,
    running_view,
)
from app.services.networks import _audit

#: Members whose answers a task lists even before they answer.
ANSWERING = (MemberStatus.taking_part.value, MemberStatus.completed.value)


def _empty_answer(task_id: int, municipality: Municipality) -> AnswerRead:
    return AnswerRead(
        task_id=task_id,
        municipality=municipality.number,
        municipality_name=municipality.name,
        status=AnswerStatus.not_started,
        report="",
        answered_by="",
        version=0,
        updated_at=None,
    )


def answer_read(answer: TaskAnswer, municipality: Municipality) -> AnswerRead:
    return AnswerRead(
        task_id=answer.task_id,
        municipality=municipality.number,
        municipality_name=municipality.name,
        status=AnswerStatus(answer.status),
        report=answer.report,
        answered_by=answer.answered_by,
        version=answer.version,
        updated_at=answer.updated_at,
    )


def _answers(
    session: Session, view: NetworkView, tasks: list[NetworkTask]
) -> dict[int, list[AnswerRead]]:
    """Per task: every member taking part (or who answered), alphabetically."""
    ids = [t.id or 0 for t in tasks]
    stored: dict[tuple[int, int], TaskAnswer] = {
        (a.task_id, a.municipality_id): a
        for a in session.exec(select(TaskAnswer).where(col(TaskAnswer.task_id).in_(ids))).all()
    }
    result: dict[int, list[AnswerRead]] = {}
    for task_id in ids:
        rows = []
        for member, municipality in view.members:
            answer = stored.get((task_id, municipality.id or 0))
            if answer is not None:
                rows.append(answer_read(answer, municipality))
            elif member.status in ANSWERING:
                rows.append(_empty_answer(task_id, municipality))
        result[task_id] = rows
    return result


def task_read(task: NetworkTask, answers: list[AnswerRead]) -> TaskRead:
    return TaskRead(
        id=task.id or 0,
        network_id=task.network_id,
        gathering_id=task.gathering_id,
        title=task.title,
        description=task.description,
        due_on=task.due_on,
        answers=answers,
        version=task.version,
        updated_at=task.updated_at,
    )


def list_tasks(session: Session, principal: Principal, network_id: int) -> Page[TaskRead]:
    """By due date (tasks without one last), each with every member's answer."""
    view = readable_view(session, principal, network_id)
    due = col(NetworkTask.due_on)
    tasks = list(
        session.exec(
            select(NetworkTask)
            .where(col(NetworkTask.network_id) == network_id)
            .order_by(due.is_(None), due, col(NetworkTask.id))
        ).all()
    )
    answers = _answers(session, view, tasks)
    items = [task_read(t, answers[t.id or 0]) for t in tasks]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def _task(session: Session, principal: Principal, task_id: int) -> tuple[NetworkTask, NetworkView]:
    task = session.get(NetworkTask, task_id)
    if task is None:
        raise NotFound("No task with that id.")
    try:
        view = readable_view(session, principal, task.network_id)
    except NotFound:
        raise NotFound("No task with that id.") from None
    return task, view


def get_task(session: Session, principal: Principal, task_id: int) -> TaskRead:
    task, view = _task(session, principal, task_id)
    return task_read(task, _answers(session, view, [task])[task_id])


def task_network(session: Session, principal: Principal, task_id: int) -> NetworkView:
    """The network of a task the caller may plan (404 if they may not see it)."""
    task, _ = _task(session, principal, task_id)
    return running_view(session, principal, task.network_id)


def _check_gathering(session: Session, network_id: int, gathering_id: int | None) -> None:
    if gathering_id is None:
        return
    gathering = session.get(Gathering, gathering_id)
    if gathering is None or gathering.network_id != network_id:
        raise Invalid(FieldError("gathering_id", "no gathering with that id in this network"))


def create_task(
    session: Session, principal: Principal, network_id: int, data: TaskCreate
) -> TaskRead:
    running_view(session, principal, network_id)
    network = lock_network(session, network_id)
    _check_gathering(session, network_id, data.gathering_id)
    existing = session.exec(
        select(NetworkTask.id).where(col(NetworkTask.network_id) == network_id)
    ).all()
    if len(existing) >= MAX_TASKS:
        raise Invalid(FieldError("title", f"a network has at most {MAX_TASKS} tasks"))
    now = utcnow()
    task = NetworkTask(
        network_id=network_id,
        gathering_id=data.gathering_id,
        title=clean_text(data.title),
        description=clean_markdown(data.description),
        due_on=data.due_on,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    network.updated_at = now
    session.flush()
    result = get_task(session, principal, task.id or 0)
    _audit(session, principal, "create", "network_task", task.id, None, result)
    commit(session)
    return result


def _locked(
    session: Session, principal: Principal, task_id: int, expected_version: int
) -> tuple[NetworkTask, TaskRead]:
    view = task_network(session, principal, task_id)
    lock_network(session, view.network.id or 0)
    task = session.get(NetworkTask, task_id)
    if task is None:
        raise NotFound("No task with that id.")
    session.refresh(task)
    before = get_task(session, principal, task_id)
    check_version(task.version, expected_version, before.model_dump(mode="json"))
    return task, before


def update_task(
    session: Session,
    principal: Principal,
    task_id: int,
    data: TaskUpdate,
    expected_version: int,
) -> TaskRead:
    task, before = _locked(session, principal, task_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes:
        changes["title"] = clean_text(changes["title"])
    if "description" in changes:
        changes["description"] = clean_markdown(changes["description"])
    if "gathering_id" in changes:
        _check_gathering(session, task.network_id, changes["gathering_id"])
    if all(getattr(task, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    for key, value in changes.items():
        setattr(task, key, value)
    task.version += 1
    task.updated_at = utcnow()
    session.flush()
    after = get_task(session, principal, task_id)
    _audit(session, principal, "update", "network_task", task_id, before, after)
    commit(session)
    return after


def delete_task(
    session: Session, principal: Principal, task_id: int, expected_version: int
) -> None:
    task, before = _locked(session, principal, task_id, expected_version)
    session.delete(task)
    _audit(session, principal, "delete", "network_task", task_id, before, None)
    commit(session)


# ---- answers -----------------------------------------------------------------------------


def _answering_member(
    session: Session, principal: Principal, task_id: int, number: str
) -> tuple[NetworkTask, Municipality]:
    """The member answering: it must be a member, and the caller must speak for it."""
    task, view = _task(session, principal, task_id)
    municipality = get_municipality(session, number)
    if view.member(municipality.id or 0) is None:
        raise NotFound(f"{municipality.name} is not a member of this network.")
    if not principal.can_edit(municipality):
        raise Forbidden(f"Only {municipality.name} answers its own tasks.")
    return task, municipality


def answer_access(session: Session, principal: Principal, task_id: int, number: str) -> None:
    _answering_member(session, principal, task_id, number)


def get_answer(session: Session, principal: Principal, task_id: int, number: str) -> AnswerRead:
    _, view = _task(session, principal, task_id)
    municipality = get_municipality(session, number)
    if view.member(municipality.id or 0) is None:
        raise NotFound(f"{municipality.name} is not a member of this network.")
    answer = session.exec(
        select(TaskAnswer).where(
            col(TaskAnswer.task_id) == task_id,
            col(TaskAnswer.municipality_id) == municipality.id,
        )
    ).one_or_none()
    return answer_read(answer, municipality) if answer else _empty_answer(task_id, municipality)


def put_answer(
    session: Session,
    principal: Principal,
    task_id: int,
    number: str,
    data: AnswerPut,
    expected_version: int,
) -> AnswerRead:
    """A member's answer to a task (its editors only). Not answered yet: `If-Match: "0"`."""
    _, municipality = _answering_member(session, principal, task_id, number)
    municipality = lock_municipality(session, municipality.id or 0)
    before = get_answer(session, principal, task_id, number)
    check_version(before.version, expected_version, before.model_dump(mode="json"))
    report = clean_markdown(data.report)
    if before.version and before.status == data.status and before.report == report:
        session.rollback()
        return before
    answer = session.exec(
        select(TaskAnswer).where(
            col(TaskAnswer.task_id) == task_id,
            col(TaskAnswer.municipality_id) == municipality.id,
        )
    ).one_or_none()
    now = utcnow()
    if answer is None:
        answer = TaskAnswer(
            task_id=task_id, municipality_id=municipality.id or 0, version=0, updated_at=now
        )
    answer.status = data.status
    answer.report = report
    answer.answered_by = principal.label[:200]
    answer.version += 1
    answer.updated_at = now
    session.add(answer)
    session.flush()
    after = answer_read(answer, municipality)
    audit.record(
        session,
        principal,
        action="update" if before.version else "create",
        entity_type="task_answer",
        entity_id=f"{task_id}/{number}",
        municipality=municipality,
        before=before.model_dump(mode="json") if before.version else None,
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after
