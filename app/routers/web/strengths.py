"""Strengths ("Dette er vi gode på"): what the municipality is good at, named first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid, NotFound, PreconditionFailed
from app.models.pathway import StrengthCreate, StrengthRead, StrengthUpdate
from app.services import catalogue, strengths
from app.services.workspace import Workspace
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.workspaces import EditableWorkspaceDep, WorkspaceDep

router = APIRouter(include_in_schema=False)

TEMPLATE = "strengths/strengths.html"
#: The UI asks for this many strengths before the first improvement area.
STRENGTHS_FIRST = 3


@dataclass
class StrengthState:
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _form(strength: StrengthRead) -> Form:
    return Form(
        {
            "text": strength.text,
            "phase": strength.phase or "",
            "shared": "on" if strength.shared else "",
            "version": str(strength.version),
        }
    )


def _context(
    web: Web,
    ws: Workspace,
    items: list[StrengthRead],
    states: dict[int, StrengthState],
    new: Form,
    message: str | None = None,
) -> dict[str, Any]:
    phases = catalogue.list_phases(web.db, web.lang)
    return {
        "ws": ws,
        "items": items,
        "numbers": {s.id: i for i, s in enumerate(items, start=1)},
        "states": states,
        "new": new,
        "message": message,
        "wanted": STRENGTHS_FIRST,
        "phase_options": [("", web._(N_("Hele forløpet")))] + [(p.key, p.name) for p in phases],
        "phase_names": {p.key: p.name for p in phases},
        "page_title": web._(N_("Dette er vi gode på")),
        "active_tab": "styrker",
    }


def _list(web: Web, number: str) -> list[StrengthRead]:
    return list(strengths.list_strengths(web.db, web.principal, number).items)


def _render_list(
    web: Web,
    ws: Workspace,
    *,
    new: Form | None = None,
    states: dict[int, StrengthState] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    items = _list(web, ws.number)
    all_states = {s.id: StrengthState(form=_form(s)) for s in items}
    all_states.update(states or {})
    context = _context(web, ws, items, all_states, new or Form(), message)
    return web.render(TEMPLATE, context, block="strengths", status=status)


@router.get("/app/kommuner/{number}/styrker")
def strengths_page(ws: WorkspaceDep, web: SignedInDep) -> Response:
    return _render_list(web, ws)


@router.post("/app/kommuner/{number}/styrker")
def create_strength(
    number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    form = Form.posted(data)
    model, errors = validate(
        StrengthCreate,
        {
            "text": form.value("text"),
            "phase": form.value("phase") or None,
            "shared": form.checked("shared"),
        },
        web.lang,
    )
    if model is not None:
        try:
            created = strengths.create_strength(web.db, web.principal, number, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                anchor = f"styrke-{created.id}"
                return web.redirect(
                    f"/app/kommuner/{number}/styrker#{anchor}", flash="created", near=anchor
                )
            return _render_list(web, ws, message=web._(N_("Styrken er lagt til.")))
    form.errors = errors
    return _render_list(web, ws, new=form, status=422)


def _strength(web: Web, number: str, strength_id: int) -> StrengthRead:
    strength = strengths.get_strength(web.db, web.principal, strength_id)
    if strength.municipality != number:
        raise NotFound("No strength with that id.")
    return strength


@router.post("/app/kommuner/{number}/styrker/{strength_id:id}")
def update_strength(
    number: str, strength_id: int, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    current = _strength(web, number, strength_id)
    form = Form.posted(data)
    model, errors = validate(
        StrengthUpdate,
        {
            "text": form.value("text"),
            "phase": form.value("phase") or None,
            "shared": form.checked("shared"),
        },
        web.lang,
    )
    version = form_version(form)
    if model is not None:
        try:
            saved = strengths.update_strength(web.db, web.principal, strength_id, model, version)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            rows = [
                (web._(N_("Tekst")), form.value("text"), current.text),
                (web._(N_("Fase")), form.value("phase"), current.phase or ""),
            ]
            state = StrengthState(form=form, conflict_rows=[r for r in rows if r[1] != r[2]])
            return _render_item(web, ws, strength_id, state, status=409)
        else:
            if not web.is_fragment:
                anchor = f"styrke-{strength_id}"
                return web.redirect(
                    f"/app/kommuner/{number}/styrker#{anchor}", flash="saved", near=anchor
                )
            state = StrengthState(form=_form(saved), message=web._(N_("Lagret.")))
            return _render_item(web, ws, strength_id, state)
    form.errors = errors
    return _render_item(web, ws, strength_id, StrengthState(form=form), status=422)


def _render_item(
    web: Web, ws: Workspace, strength_id: int, state: StrengthState, *, status: int = 200
) -> Response:
    items = _list(web, ws.number)
    states = {s.id: StrengthState(form=_form(s)) for s in items}
    states[strength_id] = state
    context = _context(web, ws, items, states, Form())
    context["strength"] = next(s for s in items if s.id == strength_id)
    return web.render(TEMPLATE, context, block="strength_item", status=status)


@router.post("/app/kommuner/{number}/styrker/{strength_id:id}/slett")
def delete_strength(
    number: str, strength_id: int, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    _strength(web, number, strength_id)
    form = Form.posted(data)
    version = form_version(form)
    try:
        strengths.delete_strength(web.db, web.principal, strength_id, version)
    except PreconditionFailed:
        message = web._(
            N_("Styrken ble endret av noen andre og er ikke slettet. Se over og prøv igjen.")
        )
        return _render_list(web, ws, message=message, status=409)
    if not web.is_fragment:
        return web.redirect(
            f"/app/kommuner/{number}/styrker#strengths", flash="deleted", near="strengths"
        )
    return _render_list(web, ws, message=web._(N_("Styrken er slettet.")))
