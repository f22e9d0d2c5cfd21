"""Improvement work: improvement areas in priority order, their measures, progress notes,
and the progress plan (framdriftsplan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Forbidden, Invalid, PreconditionFailed
from app.models.base import ImprovementStatus, MeasureStatus, local_today
from app.models.improvement import (
    ImprovementAreaCreate,
    ImprovementAreaRead,
    ImprovementAreaUpdate,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    ProgressNoteCreate,
)
from app.models.measurement import IndicatorCreate
from app.services import catalogue, improvement, measurement, progress_plan, strengths
from app.services.workspace import Workspace, open_workspace, workspace_of
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, date_value, service_errors, tags_value, validate
from app.web.i18n import N_
from app.web.indicators import (
    AGGREGATES_ONLY,
    chart_view,
    indicator_field_names,
    indicator_input,
    indicator_options,
    new_indicator_form,
)
from app.web.timeline import Timeline

router = APIRouter(include_in_schema=False)

AREAS = "improvement/areas.html"
AREA = "improvement/area.html"
MEASURE = "improvement/measure.html"
PLAN = "improvement/plan.html"
STRENGTHS_FIRST = 3


@dataclass
class FormState:
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _version(form: Form) -> int:
    try:
        return int(form.value("version"))
    except ValueError:
        return -1


def _collapse(errors: dict[str, str], *names: str) -> dict[str, str]:
    """Errors of list items (`tags-2`) belong to the list's one field (`tags`)."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        target = next((n for n in names if key.startswith(n + "-")), key)
        result.setdefault(target, message)
    return result


def _require_edit(ws: Workspace) -> None:
    if not ws.can_edit:
        raise Forbidden(f"You may read but not change {ws.municipality.name}.")


def _common(web: Web, ws: Workspace, active_tab: str = "forbedringsomrader") -> dict[str, Any]:
    phases = catalogue.list_phases(web.db, web.lang)
    return {
        "ws": ws,
        "active_tab": active_tab,
        "phase_names": {p.key: p.name for p in phases},
        "phase_options": [(p.key, p.name) for p in phases],
        "area_status_options": [
            (s.value, web._(labels.IMPROVEMENT_STATUS[s.value])) for s in ImprovementStatus
        ],
        "measure_status_options": [
            (s.value, web._(labels.MEASURE_STATUS[s.value])) for s in MeasureStatus
        ],
        "today": local_today(),
        "area_field_names": area_field_names(web),
        "measure_field_names": measure_field_names(web),
        "note_field_names": note_field_names(web),
    }


# ---- improvement areas -------------------------------------------------------------------


def area_form(area: ImprovementAreaRead) -> Form:
    return Form(
        {
            "title": area.title,
            "rationale": area.rationale,
            "phases": list(area.phases),
            "aim": area.aim,
            "target_date": area.target_date.isoformat() if area.target_date else "",
            "status": area.status.value,
            "tags": ", ".join(area.tags),
            "version": str(area.version),
        }
    )


def area_field_names(web: Web) -> dict[str, str]:
    return {
        "title": web._(N_("Tittel")),
        "rationale": web._(N_("Hvorfor dette er viktig")),
        "phases": web._(N_("Faser det gjelder")),
        "aim": web._(N_("Mål")),
        "target_date": web._(N_("Måldato")),
        "status": web._(N_("Status")),
        "tags": web._(N_("Stikkord")),
    }


def measure_field_names(web: Web) -> dict[str, str]:
    return {
        "title": web._(N_("Tittel")),
        "description": web._(N_("Beskrivelse")),
        "responsible": web._(N_("Ansvarlig")),
        "start_date": web._(N_("Startdato")),
        "due_date": web._(N_("Frist")),
        "status": web._(N_("Status")),
    }


def note_field_names(web: Web) -> dict[str, str]:
    return {"date": web._(N_("Dato")), "text": web._(N_("Notat"))}


def area_input(form: Form) -> dict[str, Any]:
    return {
        "title": form.value("title"),
        "rationale": form.value("rationale"),
        "phases": form.values_of("phases"),
        "aim": form.value("aim"),
        "target_date": date_value(form.value("target_date")),
        "status": form.value("status") or ImprovementStatus.not_started.value,
        "tags": tags_value(form.value("tags")),
    }


def _areas_context(
    web: Web,
    ws: Workspace,
    *,
    new: Form | None = None,
    message: str | None = None,
    moved: tuple[int, str] | None = None,
) -> dict[str, Any]:
    page, order_version = improvement.list_areas(web.db, web.principal, ws.number)
    strength_count = strengths.list_strengths(web.db, web.principal, ws.number).total
    focus = None
    if moved is not None:
        # Keep the keyboard on the moved area: on the same button, or on the other one when
        # the area reached the top or the bottom.
        area_id, direction = moved
        priority = next((a.priority for a in page.items if a.id == area_id), 0)
        if direction == "up" and priority == 1:
            direction = "down"
        elif direction == "down" and priority == len(page.items):
            direction = "up"
        focus = f"omrade-{area_id}-{direction}"
    return {
        **_common(web, ws),
        "areas": list(page.items),
        "order_version": order_version,
        "strength_count": strength_count,
        "strengths_first": STRENGTHS_FIRST,
        "new": new or Form({"status": ImprovementStatus.not_started.value}),
        "message": message,
        "focus": focus,
        "page_title": web._(N_("Forbedringsområder")),
    }


@router.get("/app/kommuner/{number}/forbedringsomrader")
def areas_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    return web.render(AREAS, _areas_context(web, ws))


@router.post("/app/kommuner/{number}/forbedringsomrader")
def create_area(number: str, web: SignedInDep, data: FormDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    _require_edit(ws)
    form = Form.posted(data)
    model, errors = validate(ImprovementAreaCreate, area_input(form), web.lang)
    if model is not None:
        try:
            created = improvement.create_area(web.db, web.principal, number, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/forbedringsomrader/{created.id}", flash="created")
    form.errors = _collapse(errors, "tags", "phases")
    return web.render(AREAS, _areas_context(web, ws, new=form), block="new_area", status=422)


@router.post("/app/forbedringsomrader/{area_id:id}/flytt")
def move_area(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    """Keyboard-friendly reordering: one step up or down per press."""
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    ws = workspace_of(web.db, web.principal, municipality)
    _require_edit(ws)
    form = Form.posted(data)
    direction = form.value("direction")
    offset = -1 if direction == "up" else 1
    try:
        expected = int(form.value("order_version"))
    except ValueError:
        expected = -1
    try:
        improvement.move_area(web.db, web.principal, area_id, offset, expected)
    except PreconditionFailed:
        message = web._(
            N_("Rekkefølgen ble endret av noen andre. Her er den nye rekkefølgen; prøv igjen.")
        )
        context = _areas_context(web, ws, message=message)
        return web.render(AREAS, context, block="areas", status=409)
    if not web.is_fragment:
        return web.redirect(
            f"/app/kommuner/{ws.number}/forbedringsomrader#omrade-{area_id}", flash="moved"
        )
    context = _areas_context(
        web,
        ws,
        message=web._(N_("Rekkefølgen er lagret.")),
        moved=(area_id, "up" if offset < 0 else "down"),
    )
    return web.render(AREAS, context, block="areas")


def _area_context(
    web: Web,
    area_id: int,
    *,
    state: FormState | None = None,
    new_measure: Form | None = None,
    new_note: Form | None = None,
    new_indicator: Form | None = None,
    measures_message: str | None = None,
    notes_message: str | None = None,
) -> dict[str, Any]:
    area = improvement.get_area(web.db, web.principal, area_id)
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    ws = workspace_of(web.db, web.principal, municipality)
    measures = list(improvement.list_measures(web.db, web.principal, area_id).items)
    notes = list(improvement.list_notes(web.db, web.principal, area_id=area_id).items)
    charts = measurement.area_charts(web.db, web.principal, area_id)
    return {
        **_common(web, ws),
        "area": area,
        "state": state or FormState(form=area_form(area)),
        "measures": measures,
        "notes": notes,
        "charts": [
            chart_view(chart, web.lang, f"diagram-{chart.indicator.id}") for chart in charts
        ],
        "new_measure": new_measure or Form({"status": MeasureStatus.not_started.value}),
        "new_note": new_note or Form({"date": local_today().isoformat()}),
        "new_indicator": new_indicator or new_indicator_form(),
        "indicator_field_names": indicator_field_names(web.lang),
        "indicator_options": indicator_options(web.lang),
        "aggregates_only": web._(AGGREGATES_ONLY),
        "measures_message": measures_message,
        "notes_message": notes_message,
        "page_title": area.title,
    }


@router.get("/app/forbedringsomrader/{area_id:id}")
def area_page(area_id: int, web: SignedInDep) -> Response:
    return web.render(AREA, _area_context(web, area_id))


@router.post("/app/forbedringsomrader/{area_id:id}")
def update_area(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    current = improvement.get_area(web.db, web.principal, area_id)
    form = Form.posted(data)
    model, errors = validate(ImprovementAreaUpdate, area_input(form), web.lang)
    if model is not None:
        try:
            saved = improvement.update_area(web.db, web.principal, area_id, model, _version(form))
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = FormState(form=form, conflict_rows=_area_conflict(web, form, current))
            context = _area_context(web, area_id, state=state)
            return web.render(AREA, context, block="area_form", status=409)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/forbedringsomrader/{area_id}", flash="saved")
            state = FormState(
                form=area_form(saved), message=web._(N_("Forbedringsområdet er lagret."))
            )
            return web.render(AREA, _area_context(web, area_id, state=state), block="area_form")
    form.errors = _collapse(errors, "tags", "phases")
    context = _area_context(web, area_id, state=FormState(form=form))
    return web.render(AREA, context, block="area_form", status=422)


def _area_conflict(
    web: Web, form: Form, current: ImprovementAreaRead
) -> list[tuple[str, str, str]]:
    mine = area_input(form)
    rows = [
        (N_("Tittel"), mine["title"], current.title),
        (N_("Hvorfor dette er viktig"), mine["rationale"], current.rationale),
        (N_("Faser"), ", ".join(mine["phases"]), ", ".join(current.phases)),
        (N_("Mål"), mine["aim"], current.aim),
        (
            N_("Måldato"),
            mine["target_date"] or "",
            current.target_date.isoformat() if current.target_date else "",
        ),
        (
            N_("Status"),
            web._(labels.IMPROVEMENT_STATUS.get(mine["status"], mine["status"])),
            web._(labels.IMPROVEMENT_STATUS[current.status.value]),
        ),
        (N_("Stikkord"), ", ".join(mine["tags"]), ", ".join(current.tags)),
    ]
    return [(web._(label), a, b) for label, a, b in rows if a != b]


@router.post("/app/forbedringsomrader/{area_id:id}/slett")
def delete_area(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    ws = workspace_of(web.db, web.principal, municipality)
    _require_edit(ws)
    form = Form.posted(data)
    try:
        improvement.delete_area(web.db, web.principal, area_id, _version(form))
    except PreconditionFailed:
        message = web._(N_("Forbedringsområdet ble endret av noen andre og er ikke slettet."))
        state = FormState(form=area_form(improvement.get_area(web.db, web.principal, area_id)))
        state.message = message
        return web.render(
            AREA, _area_context(web, area_id, state=state), block="area_form", status=409
        )
    return web.redirect(f"/app/kommuner/{ws.number}/forbedringsomrader", flash="deleted")


# ---- measures ----------------------------------------------------------------------------


def measure_form(measure: MeasureRead) -> Form:
    return Form(
        {
            "title": measure.title,
            "description": measure.description,
            "responsible": measure.responsible,
            "start_date": measure.start_date.isoformat() if measure.start_date else "",
            "due_date": measure.due_date.isoformat() if measure.due_date else "",
            "status": measure.status.value,
            "version": str(measure.version),
        }
    )


def measure_input(form: Form) -> dict[str, Any]:
    return {
        "title": form.value("title"),
        "description": form.value("description"),
        "responsible": form.value("responsible"),
        "start_date": date_value(form.value("start_date")),
        "due_date": date_value(form.value("due_date")),
        "status": form.value("status") or MeasureStatus.not_started.value,
    }


MEASURE_RENAME = {"": "due_date"}


@router.post("/app/forbedringsomrader/{area_id:id}/tiltak")
def create_measure(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    form = Form.posted(data)
    model, errors = validate(MeasureCreate, measure_input(form), web.lang, rename=MEASURE_RENAME)
    if model is not None:
        try:
            improvement.create_measure(web.db, web.principal, area_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/forbedringsomrader/{area_id}#tiltak", flash="created")
            message = web._(N_("Tiltaket «%(title)s» er lagt til."), title=model.title)
            context = _area_context(web, area_id, measures_message=message)
            return web.render(AREA, context, block="measures")
    form.errors = errors
    context = _area_context(web, area_id, new_measure=form)
    return web.render(AREA, context, block="measures", status=422)


def _measure_context(
    web: Web,
    measure_id: int,
    *,
    state: FormState | None = None,
    new_note: Form | None = None,
    notes_message: str | None = None,
) -> dict[str, Any]:
    measure = improvement.get_measure(web.db, web.principal, measure_id)
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    ws = workspace_of(web.db, web.principal, municipality)
    area = improvement.get_area(web.db, web.principal, measure.improvement_area_id)
    notes = list(improvement.list_notes(web.db, web.principal, measure_id=measure_id).items)
    return {
        **_common(web, ws),
        "measure": measure,
        "area": area,
        "state": state or FormState(form=measure_form(measure)),
        "notes": notes,
        "new_note": new_note or Form({"date": local_today().isoformat()}),
        "notes_message": notes_message,
        "page_title": measure.title,
    }


@router.get("/app/tiltak/{measure_id:id}")
def measure_page(measure_id: int, web: SignedInDep) -> Response:
    return web.render(MEASURE, _measure_context(web, measure_id))


@router.post("/app/tiltak/{measure_id:id}")
def update_measure(measure_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    current = improvement.get_measure(web.db, web.principal, measure_id)
    form = Form.posted(data)
    model, errors = validate(MeasureUpdate, measure_input(form), web.lang, rename=MEASURE_RENAME)
    if model is not None:
        try:
            saved = improvement.update_measure(
                web.db, web.principal, measure_id, model, _version(form)
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = FormState(form=form, conflict_rows=_measure_conflict(web, form, current))
            context = _measure_context(web, measure_id, state=state)
            return web.render(MEASURE, context, block="measure_form", status=409)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/tiltak/{measure_id}", flash="saved")
            state = FormState(form=measure_form(saved), message=web._(N_("Tiltaket er lagret.")))
            context = _measure_context(web, measure_id, state=state)
            return web.render(MEASURE, context, block="measure_form")
    form.errors = errors
    context = _measure_context(web, measure_id, state=FormState(form=form))
    return web.render(MEASURE, context, block="measure_form", status=422)


def _measure_conflict(web: Web, form: Form, current: MeasureRead) -> list[tuple[str, str, str]]:
    mine = measure_input(form)

    def iso(value: date | None) -> str:
        return value.isoformat() if value else ""

    rows = [
        (N_("Tittel"), mine["title"], current.title),
        (N_("Beskrivelse"), mine["description"], current.description),
        (N_("Ansvarlig"), mine["responsible"], current.responsible),
        (N_("Startdato"), mine["start_date"] or "", iso(current.start_date)),
        (N_("Frist"), mine["due_date"] or "", iso(current.due_date)),
        (
            N_("Status"),
            web._(labels.MEASURE_STATUS.get(mine["status"], mine["status"])),
            web._(labels.MEASURE_STATUS[current.status.value]),
        ),
    ]
    return [(web._(label), a, b) for label, a, b in rows if a != b]


@router.post("/app/tiltak/{measure_id:id}/slett")
def delete_measure(measure_id: int, web: SignedInDep, data: FormDep) -> Response:
    measure = improvement.get_measure(web.db, web.principal, measure_id)
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    form = Form.posted(data)
    try:
        improvement.delete_measure(web.db, web.principal, measure_id, _version(form))
    except PreconditionFailed:
        state = FormState(
            form=measure_form(improvement.get_measure(web.db, web.principal, measure_id)),
            message=web._(N_("Tiltaket ble endret av noen andre og er ikke slettet.")),
        )
        context = _measure_context(web, measure_id, state=state)
        return web.render(MEASURE, context, block="measure_form", status=409)
    return web.redirect(
        f"/app/forbedringsomrader/{measure.improvement_area_id}#tiltak", flash="deleted"
    )


# ---- indicators --------------------------------------------------------------------------


@router.post("/app/forbedringsomrader/{area_id:id}/malinger")
def create_indicator(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    """A new indicator; its page is where the numbers are entered."""
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    form = Form.posted(data)
    model, errors = validate(IndicatorCreate, indicator_input(form), web.lang)
    if model is not None:
        try:
            created = measurement.create_indicator(web.db, web.principal, area_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/malinger/{created.id}", flash="created")
    form.errors = errors
    context = _area_context(web, area_id, new_indicator=form)
    return web.render(AREA, context, block="indicators", status=422)


# ---- progress notes ----------------------------------------------------------------------


def _note_input(form: Form) -> dict[str, Any]:
    return {"date": date_value(form.value("date")), "text": form.value("text")}


@router.post("/app/forbedringsomrader/{area_id:id}/notater")
def create_area_note(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    form = Form.posted(data)
    model, errors = validate(ProgressNoteCreate, _note_input(form), web.lang)
    if model is not None:
        try:
            improvement.create_note(web.db, web.principal, model, area_id=area_id)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/forbedringsomrader/{area_id}#notater", flash="created")
            message = web._(N_("Notatet er lagret."))
            context = _area_context(web, area_id, notes_message=message)
            return web.render(AREA, context, block="notes")
    form.errors = errors
    context = _area_context(web, area_id, new_note=form)
    return web.render(AREA, context, block="notes", status=422)


@router.post("/app/tiltak/{measure_id:id}/notater")
def create_measure_note(measure_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    _require_edit(workspace_of(web.db, web.principal, municipality))
    form = Form.posted(data)
    model, errors = validate(ProgressNoteCreate, _note_input(form), web.lang)
    if model is not None:
        try:
            improvement.create_note(web.db, web.principal, model, measure_id=measure_id)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/tiltak/{measure_id}#notater", flash="created")
            message = web._(N_("Notatet er lagret."))
            context = _measure_context(web, measure_id, notes_message=message)
            return web.render(MEASURE, context, block="notes")
    form.errors = errors
    context = _measure_context(web, measure_id, new_note=form)
    return web.render(MEASURE, context, block="notes", status=422)


# ---- the progress plan -------------------------------------------------------------------


@router.get("/app/kommuner/{number}/framdriftsplan")
def plan_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    plan = progress_plan.get_progress_plan(web.db, web.principal, number)
    return web.render(
        PLAN,
        {
            **_common(web, ws, active_tab="framdriftsplan"),
            "plan": plan,
            "timeline": Timeline(plan.start, plan.end, plan.today, web.lang),
            "page_title": web._(N_("Framdriftsplan")),
        },
    )
