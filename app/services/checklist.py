"""A municipality's answers to the checklist (the product's own, based on the national
guideline on dementia)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.catalogue import ChecklistItem
from app.models.municipality import Municipality
from app.models.pathway import (
    ChecklistAnswer,
    ChecklistAnswerInput,
    ChecklistAnswerRead,
    ChecklistAnswersRead,
)
from app.services import audit
from app.services.access import Principal, require_edit, require_read
from app.services.catalogue import checklist_items, current_checklist_version
from app.services.common import check_version, commit, get_municipality, lock_municipality, touch


def _read(item: ChecklistItem, answer: ChecklistAnswer | None, lang: str) -> ChecklistAnswerRead:
    return ChecklistAnswerRead(
        item=item.key,
        phase=item.phase,
        text=item.text_en if lang == "en" else item.text_nb,
        answer=answer.answer if answer else None,
        comment=answer.comment if answer else "",
        checklist_version=item.checklist_version_id,
        version=answer.version if answer else 0,
        updated_at=answer.updated_at if answer else None,
    )


def get_answers(
    session: Session, principal: Principal, number: str, lang: str = "nb"
) -> ChecklistAnswersRead:
    """The current checklist with this municipality's answers (version 0: not answered)."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    version = current_checklist_version(session)
    items = checklist_items(session, version.id)
    answers = {
        a.checklist_item_id: a
        for a in session.exec(
            select(ChecklistAnswer)
            .where(col(ChecklistAnswer.municipality_id) == municipality.id)
            .where(col(ChecklistAnswer.checklist_item_id).in_([i.id for i in items]))
        ).all()
    }
    reads = [_read(item, answers.get(item.id or 0), lang) for item in items]
    return ChecklistAnswersRead(
        checklist_version=version.id,
        answered=sum(1 for r in reads if r.answer is not None),
        total=len(reads),
        items=reads,
    )


def _item(session: Session, key: str) -> ChecklistItem:
    version = current_checklist_version(session)
    item = session.exec(
        select(ChecklistItem)
        .where(col(ChecklistItem.checklist_version_id) == version.id)
        .where(col(ChecklistItem.key) == key)
    ).one_or_none()
    if item is None:
        raise NotFound(f"No checklist item {key!r} in checklist version {version.id}.")
    return item


def _answer(session: Session, municipality_id: int, item_id: int) -> ChecklistAnswer | None:
    return session.exec(
        select(ChecklistAnswer)
        .where(col(ChecklistAnswer.municipality_id) == municipality_id)
        .where(col(ChecklistAnswer.checklist_item_id) == item_id)
        .execution_options(populate_existing=True)
    ).one_or_none()


def get_answer(
    session: Session, principal: Principal, number: str, key: str, lang: str = "nb"
) -> ChecklistAnswerRead:
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    item = _item(session, key)
    return _read(item, _answer(session, municipality.id or 0, item.id or 0), lang)


def put_answer(
    session: Session,
    principal: Principal,
    number: str,
    key: str,
    data: ChecklistAnswerInput,
    expected_version: int,
    lang: str = "nb",
) -> ChecklistAnswerRead:
    """Answer one item. An unanswered item has version 0."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    item = _item(session, key)
    answer = _answer(session, municipality.id or 0, item.id or 0)
    before = _read(item, answer, lang)
    check_version(before.version, expected_version, before.model_dump(mode="json"))
    after = _write(session, principal, municipality, item, answer, data, lang)
    if after is None:
        session.rollback()
        return before
    commit(session)
    return after


@dataclass(frozen=True)
class AnswerChange:
    """One item's answer as the person left it, and the version their form was read at."""

    key: str
    data: ChecklistAnswerInput
    expected_version: int


@dataclass
class AnswersSaved:
    """What a save of the whole checklist did: the items saved, or (nothing saved) the items
    someone else changed since the form was read, each as it is saved now."""

    saved: list[str] = field(default_factory=list)
    conflicts: dict[str, ChecklistAnswerRead] = field(default_factory=dict)


def put_answers(
    session: Session,
    principal: Principal,
    number: str,
    changes: Sequence[AnswerChange],
    lang: str = "nb",
) -> AnswersSaved:
    """Answer several items at once, all or nothing: if any item was saved by someone else
    since the form was read, nothing is saved and those items are returned as they are now.
    An identical answer changes nothing."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    result = AnswersSaved()
    pending: list[tuple[ChecklistItem, ChecklistAnswer | None, AnswerChange]] = []
    for change in changes:
        item = _item(session, change.key)
        answer = _answer(session, municipality.id or 0, item.id or 0)
        current = _read(item, answer, lang)
        if current.version != change.expected_version:
            result.conflicts[change.key] = current
        pending.append((item, answer, change))
    if result.conflicts:
        session.rollback()
        return result
    for item, answer, change in pending:
        if _write(session, principal, municipality, item, answer, change.data, lang) is not None:
            result.saved.append(change.key)
    if result.saved:
        commit(session)
    else:
        session.rollback()
    return result


def _write(
    session: Session,
    principal: Principal,
    municipality: Municipality,
    item: ChecklistItem,
    answer: ChecklistAnswer | None,
    data: ChecklistAnswerInput,
    lang: str,
) -> ChecklistAnswerRead | None:
    """Stage one answer with its audit event (no commit); None when nothing changes."""
    before = _read(item, answer, lang)
    comment = clean_text(data.comment)
    if answer is not None and answer.answer == data.answer and answer.comment == comment:
        return None
    now = utcnow()
    if answer is None:
        answer = ChecklistAnswer(
            municipality_id=municipality.id or 0,
            checklist_item_id=item.id or 0,
            answer=data.answer,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
        session.add(answer)
    else:
        answer.answer = data.answer
        answer.comment = comment
        answer.version += 1
        answer.updated_at = now
    touch(municipality, now)
    after = _read(item, answer, lang)
    audit.record(
        session,
        principal,
        action="update" if before.version else "create",
        entity_type="checklist_answer",
        entity_id=f"{municipality.number}/{item.key}",
        municipality=municipality,
        before=before.model_dump(mode="json") if before.version else None,
        after=after.model_dump(mode="json"),
    )
    return after
