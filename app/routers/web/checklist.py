"""The checklist (the product's own, based on the national guideline): one form with every
item answered yes / partly / no / not applicable, with a comment. With JavaScript each item
is saved in place as its answer changes; without, the whole form is saved with one button.
Progress is shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid, NotFound, PreconditionFailed
from app.models.base import CROSS_CUTTING, Answer
from app.models.pathway import ChecklistAnswerInput, ChecklistAnswerRead, ChecklistAnswersRead
from app.services import catalogue, checklist
from app.services.workspace import Workspace, open_workspace
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.workspaces import EditableWorkspaceDep

router = APIRouter(include_in_schema=False)

TEMPLATE = "checklist/checklist.html"


@dataclass
class ItemState:
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _fields(key: str) -> tuple[str, str, str]:
    """The names of one item's answer, comment and version in the checklist form."""
    return f"answer-{key}", f"comment-{key}", f"version-{key}"


def _form(item: ChecklistAnswerRead) -> Form:
    answer, comment, version = _fields(item.item)
    return Form(
        {
            answer: item.answer.value if item.answer else "",
            comment: item.comment,
            version: str(item.version),
        }
    )


def _posted(posted: Form, key: str) -> Form:
    """One item's fields as posted (the bare names answer/comment/version are understood
    too, as a single item's form sends them)."""
    values = {}
    for name, bare in zip(_fields(key), ("answer", "comment", "version"), strict=True):
        values[name] = posted.value(name) if name in posted.values else posted.value(bare)
    return Form(values)


def _version(form: Form, key: str) -> int:
    return form_version(form, _fields(key)[2])


def _context(
    web: Web,
    ws: Workspace,
    answers: ChecklistAnswersRead,
    states: dict[str, ItemState],
) -> dict[str, Any]:
    phases = catalogue.list_phases(web.db, web.lang)
    names = {p.key: p.name for p in phases}
    names[CROSS_CUTTING] = web._(labels.CROSS_CUTTING)
    order = [p.key for p in phases] + [CROSS_CUTTING]
    groups = [
        (key, names[key], [item for item in answers.items if item.phase == key]) for key in order
    ]
    counts = Counter(item.answer.value for item in answers.items if item.answer)
    return {
        "ws": ws,
        "answers": answers,
        "groups": [g for g in groups if g[2]],
        "counts": [(a.value, web._(labels.ANSWER[a.value]), counts[a.value]) for a in Answer],
        "states": states,
        "answer_options": [(a.value, web._(labels.ANSWER[a.value]), None) for a in Answer],
        "page_title": web._(N_("Sjekkliste")),
        "active_tab": "sjekkliste",
        "oob": False,
        "form_message": None,
    }


@router.get("/app/kommuner/{number}/sjekkliste")
def checklist_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    answers = checklist.get_answers(web.db, web.principal, number, web.lang)
    states = {item.item: ItemState(form=_form(item)) for item in answers.items}
    return web.render(TEMPLATE, _context(web, ws, answers, states))


def _validated(web: Web, form: Form, key: str) -> tuple[ChecklistAnswerInput | None, Form]:
    """The item's answer, or its form with the errors beside its fields."""
    answer, comment, _ = _fields(key)
    model, errors = validate(
        ChecklistAnswerInput,
        {"answer": form.value(answer) or None, "comment": form.value(comment)},
        web.lang,
        rename={"answer": answer, "comment": comment},
    )
    if model is None and answer in errors:
        errors[answer] = web._(N_("Velg et svar."))
    form.errors = errors
    return model, form


def _changed(item: ChecklistAnswerRead, form: Form) -> bool:
    answer, comment, _ = _fields(item.item)
    saved = (item.answer.value if item.answer else "", item.comment.strip())
    return (form.value(answer), form.value(comment).strip()) != saved


@router.post("/app/kommuner/{number}/sjekkliste")
def answer_all(number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep) -> Response:
    """The whole checklist form, as sent without JavaScript: every changed item is saved."""
    answers = checklist.get_answers(web.db, web.principal, number, web.lang)
    posted = Form.posted(data)
    states: dict[str, ItemState] = {}
    changes: list[checklist.AnswerChange] = []
    invalid = False
    for item in answers.items:
        form = _posted(posted, item.item)
        if not _changed(item, form):
            states[item.item] = ItemState(form=_form(item))
            continue
        model, form = _validated(web, form, item.item)
        states[item.item] = ItemState(form=form)
        if model is None:
            invalid = True
        else:
            changes.append(checklist.AnswerChange(item.item, model, _version(form, item.item)))
    if invalid:
        return _render_page(web, ws, answers, states, status=422)
    result = checklist.put_answers(web.db, web.principal, number, changes, web.lang)
    if result.conflicts:
        for key, current in result.conflicts.items():
            form = states[key].form
            form.values[_fields(key)[2]] = str(current.version)
            states[key] = ItemState(
                form=form, conflict_rows=_conflict_rows(web, form, key, current)
            )
        return _render_page(web, ws, answers, states, status=409)
    return web.redirect(
        f"/app/kommuner/{number}/sjekkliste#lagre-svarene", flash="saved", near="lagre-svarene"
    )


def _render_page(
    web: Web,
    ws: Workspace,
    answers: ChecklistAnswersRead,
    states: dict[str, ItemState],
    *,
    status: int,
) -> Response:
    context = _context(web, ws, answers, states)
    context["form_message"] = (
        web._(N_("Noen svar er ikke lagret. Se punktene som er merket."))
        if status == 422
        else web._(N_("Noen andre har endret noen av svarene. Ingenting er lagret ennå."))
    )
    return web.render(TEMPLATE, context, status=status)


@router.post("/app/kommuner/{number}/sjekkliste/{key}")
def answer_item(
    number: str, key: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    """One item, saved in place as its answer changes (or posted on its own)."""
    answers = checklist.get_answers(web.db, web.principal, number, web.lang)
    item = next((i for i in answers.items if i.item == key), None)
    if item is None:
        raise NotFound(f"No checklist item {key!r}.")
    states = {i.item: ItemState(form=_form(i)) for i in answers.items}
    model, form = _validated(web, _posted(Form.posted(data), key), key)
    if model is not None:
        try:
            checklist.put_answer(
                web.db, web.principal, number, key, model, _version(form, key), web.lang
            )
        except Invalid as exc:
            form.errors = service_errors(
                exc.errors, web.lang, rename={"answer": _fields(key)[0], "comment": _fields(key)[1]}
            )
        except PreconditionFailed as exc:
            current = ChecklistAnswerRead.model_validate(exc.current)
            form.values[_fields(key)[2]] = str(exc.current_version)
            states[key] = ItemState(
                form=form, conflict_rows=_conflict_rows(web, form, key, current)
            )
            return _render(web, ws, answers, states, key, status=409)
        else:
            if not web.is_fragment:
                anchor = f"punkt-{key}"
                return web.redirect(
                    f"/app/kommuner/{number}/sjekkliste#{anchor}", flash="saved", near=anchor
                )
            fresh = checklist.get_answers(web.db, web.principal, number, web.lang)
            saved = next(i for i in fresh.items if i.item == key)
            states[key] = ItemState(form=_form(saved), message=web._(N_("Svaret er lagret.")))
            return _render(web, ws, fresh, states, key, oob=True, status=200)
    states[key] = ItemState(form=form)
    return _render(web, ws, answers, states, key, status=422)


def _render(
    web: Web,
    ws: Workspace,
    answers: ChecklistAnswersRead,
    states: dict[str, ItemState],
    key: str,
    *,
    status: int,
    oob: bool = False,
) -> Response:
    context = _context(web, ws, answers, states)
    context["item"] = next(i for i in answers.items if i.item == key)
    context["oob"] = oob
    blocks = ["checklist_item", "progress"] if oob else ["checklist_item"]
    return web.render(TEMPLATE, context, block=blocks, status=status)


def _conflict_rows(
    web: Web, form: Form, key: str, current: ChecklistAnswerRead
) -> list[tuple[str, str, str]]:
    def answer_text(value: str | None) -> str:
        return web._(labels.ANSWER[value]) if value in labels.ANSWER else "–"

    answer, comment, _ = _fields(key)
    rows = [
        (
            web._(N_("Svar")),
            answer_text(form.value(answer)),
            answer_text(current.answer.value if current.answer else None),
        ),
        (web._(N_("Kommentar")), form.value(comment), current.comment),
    ]
    return [row for row in rows if row[1] != row[2]]
