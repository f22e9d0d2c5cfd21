"""The checklist (the product's own, based on the national guideline): each item answered
yes / partly / no / not applicable, with a comment, one item at a time; progress shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from app.models.base import CROSS_CUTTING, Answer
from app.models.pathway import ChecklistAnswerInput, ChecklistAnswerRead, ChecklistAnswersRead
from app.services import catalogue, checklist
from app.services.workspace import Workspace, open_workspace
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, service_errors, validate
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)

TEMPLATE = "checklist/checklist.html"


@dataclass
class ItemState:
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _form(item: ChecklistAnswerRead) -> Form:
    return Form(
        {
            "answer": item.answer.value if item.answer else "",
            "comment": item.comment,
            "version": str(item.version),
        }
    )


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
    }


@router.get("/app/kommuner/{number}/sjekkliste")
def checklist_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    answers = checklist.get_answers(web.db, web.principal, number, web.lang)
    states = {item.item: ItemState(form=_form(item)) for item in answers.items}
    return web.render(TEMPLATE, _context(web, ws, answers, states))


@router.post("/app/kommuner/{number}/sjekkliste/{key}")
def answer_item(number: str, key: str, web: SignedInDep, data: FormDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    if not ws.can_edit:
        raise Forbidden(f"You may read but not change {ws.municipality.name}.")
    answers = checklist.get_answers(web.db, web.principal, number, web.lang)
    item = next((i for i in answers.items if i.item == key), None)
    if item is None:
        raise NotFound(f"No checklist item {key!r}.")
    form = Form.posted(data)
    states = {i.item: ItemState(form=_form(i)) for i in answers.items}
    status = 422
    model, errors = validate(
        ChecklistAnswerInput,
        {"answer": form.value("answer") or None, "comment": form.value("comment")},
        web.lang,
    )
    if model is None and "answer" in errors:
        errors["answer"] = web._(N_("Velg et svar."))
    try:
        version = int(form.value("version"))
    except ValueError:
        version = -1
    if model is not None:
        try:
            checklist.put_answer(web.db, web.principal, number, key, model, version, web.lang)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            current = exc.current if isinstance(exc.current, dict) else {}
            form.values["version"] = str(exc.current_version)
            states[key] = ItemState(form=form, conflict_rows=_conflict_rows(web, form, current))
            return _render(web, ws, answers, states, key, status=409)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/kommuner/{number}/sjekkliste#punkt-{key}", flash="saved")
            fresh = checklist.get_answers(web.db, web.principal, number, web.lang)
            saved = next(i for i in fresh.items if i.item == key)
            states[key] = ItemState(form=_form(saved), message=web._(N_("Svaret er lagret.")))
            return _render(web, ws, fresh, states, key, oob=True, status=200)
    form.errors = errors
    states[key] = ItemState(form=form)
    return _render(web, ws, answers, states, key, status=status)


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


def _conflict_rows(web: Web, form: Form, current: dict[str, Any]) -> list[tuple[str, str, str]]:
    def answer_text(value: str | None) -> str:
        return web._(labels.ANSWER[value]) if value in labels.ANSWER else "–"

    rows = [
        (
            web._(N_("Svar")),
            answer_text(form.value("answer")),
            answer_text(current.get("answer")),
        ),
        (web._(N_("Kommentar")), form.value("comment"), str(current.get("comment") or "")),
    ]
    return [row for row in rows if row[1] != row[2]]
