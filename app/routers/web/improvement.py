"""Improvement work: improvement areas in priority order, their measures, progress notes,
and the progress plan (framdriftsplan)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid, PreconditionFailed
from app.kit.dates import format_day
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
from app.models.measurement import IndicatorCreate, IndicatorFromTemplate
from app.models.pdsa import Act
from app.services import (
    improvement,
    indicator_templates,
    measurement,
    pdsa,
    progress_notes,
    run_charts,
    strengths,
)
from app.services.workspace import Need, Workspace, open_workspace, workspace_of
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.improvement_forms import (
    FormState,
    area_form,
    area_input,
    collapse_errors,
    common_context,
    measure_form,
    measure_input,
    note_input,
    pdsa_form,
)
from app.web.indicators import (
    AGGREGATES_ONLY,
    chart_view,
    indicator_field_names,
    indicator_input,
    indicator_options,
    new_indicator_form,
)
from app.web.workspaces import EditableWorkspaceDep

router = APIRouter(include_in_schema=False)

AREAS = "improvement/areas.html"
AREA = "improvement/area.html"
MEASURE = "improvement/measure.html"
PLAN = "improvement/plan.html"
STRENGTHS_FIRST = 3


# ---- improvement areas -------------------------------------------------------------------


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
        **common_context(web, ws),
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
def create_area(number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    model, errors = validate(ImprovementAreaCreate, area_input(form), web.lang)
    if model is not None:
        try:
            created = improvement.create_area(web.db, web.principal, number, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(
                f"/app/forbedringsomrader/{created.id}#area-details",
                flash="created",
                near="area-details",
            )
    form.errors = collapse_errors(errors, "tags", "phases")
    return web.render(AREAS, _areas_context(web, ws, new=form), block="new_area", status=422)


@router.post("/app/forbedringsomrader/{area_id:id}/flytt")
def move_area(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    """Keyboard-friendly reordering: one step up or down per press."""
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    ws = workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    direction = form.value("direction")
    offset = -1 if direction == "up" else 1
    expected = form_version(form, "order_version")
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
            f"/app/kommuner/{ws.number}/forbedringsomrader#omrade-{area_id}",
            flash="moved",
            near=f"omrade-{area_id}",
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
    template_error: str | None = None,
    measures_message: str | None = None,
    notes_message: str | None = None,
) -> dict[str, Any]:
    area = improvement.get_area(web.db, web.principal, area_id)
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    ws = workspace_of(web.db, web.principal, municipality)
    measures = list(improvement.list_measures(web.db, web.principal, area_id).items)
    notes = list(progress_notes.list_notes(web.db, web.principal, area_id=area_id).items)
    charts = run_charts.area_charts(web.db, web.principal, area_id)
    return {
        **common_context(web, ws),
        "area": area,
        "state": state or FormState(form=area_form(area)),
        "measures": measures,
        "notes": notes,
        "charts": [
            chart_view(chart, web.lang, f"diagram-{chart.indicator.id}") for chart in charts
        ],
        "new_measure": new_measure or Form({"status": MeasureStatus.not_started.value}),
        "new_note": new_note or Form({"date": format_day(local_today())}),
        "new_indicator": new_indicator or new_indicator_form(),
        "indicator_field_names": indicator_field_names(web.lang),
        "indicator_options": indicator_options(web.lang),
        "indicator_templates": indicator_templates.list_templates(web.lang),
        "template_error": template_error,
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
    workspace_of(web.db, web.principal, municipality, Need.edit)
    current = improvement.get_area(web.db, web.principal, area_id)
    form = Form.posted(data)
    model, errors = validate(ImprovementAreaUpdate, area_input(form), web.lang)
    if model is not None:
        try:
            saved = improvement.update_area(
                web.db, web.principal, area_id, model, form_version(form)
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = FormState(form=form, conflict_rows=_area_conflict(web, form, current))
            context = _area_context(web, area_id, state=state)
            return web.render(AREA, context, block="area_form", status=409)
        else:
            if not web.is_fragment:
                return web.redirect(
                    f"/app/forbedringsomrader/{area_id}#area-details",
                    flash="saved",
                    near="area-details",
                )
            state = FormState(
                form=area_form(saved), message=web._(N_("Forbedringsområdet er lagret."))
            )
            return web.render(AREA, _area_context(web, area_id, state=state), block="area_form")
    form.errors = collapse_errors(errors, "tags", "phases")
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
            form.value("target_date"),
            format_day(current.target_date),
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
    ws = workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    try:
        improvement.delete_area(web.db, web.principal, area_id, form_version(form))
    except PreconditionFailed:
        message = web._(N_("Forbedringsområdet ble endret av noen andre og er ikke slettet."))
        state = FormState(form=area_form(improvement.get_area(web.db, web.principal, area_id)))
        state.message = message
        return web.render(
            AREA, _area_context(web, area_id, state=state), block="area_form", status=409
        )
    return web.redirect(
        f"/app/kommuner/{ws.number}/forbedringsomrader#areas", flash="deleted", near="areas"
    )


# ---- measures ----------------------------------------------------------------------------


MEASURE_RENAME = {"": "due_date"}


@router.post("/app/forbedringsomrader/{area_id:id}/tiltak")
def create_measure(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    model, errors = validate(MeasureCreate, measure_input(form), web.lang, rename=MEASURE_RENAME)
    if model is not None:
        try:
            created = improvement.create_measure(web.db, web.principal, area_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                anchor = f"tiltak-{created.id}"
                return web.redirect(
                    f"/app/forbedringsomrader/{area_id}#{anchor}", flash="created", near=anchor
                )
            message = web._(N_("Tiltaket «%(title)s» er lagt til."), title=model.title)
            context = _area_context(web, area_id, measures_message=message)
            return web.render(AREA, context, block="measures")
    form.errors = errors
    context = _area_context(web, area_id, new_measure=form)
    return web.render(AREA, context, block="measures", status=422)


def measure_context(
    web: Web,
    measure_id: int,
    *,
    state: FormState | None = None,
    new_note: Form | None = None,
    notes_message: str | None = None,
    new_cycle: Form | None = None,
    cycle_forms: dict[int, Form] | None = None,
    cycles_message: str | None = None,
) -> dict[str, Any]:
    measure = improvement.get_measure(web.db, web.principal, measure_id)
    cycles = list(pdsa.list_cycles(web.db, web.principal, measure_id).items)
    forms = {c.id: pdsa_form(c) for c in cycles} | (cycle_forms or {})
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    ws = workspace_of(web.db, web.principal, municipality)
    area = improvement.get_area(web.db, web.principal, measure.improvement_area_id)
    notes = list(progress_notes.list_notes(web.db, web.principal, measure_id=measure_id).items)
    return {
        **common_context(web, ws),
        "measure": measure,
        "area": area,
        "state": state or FormState(form=measure_form(measure)),
        "notes": notes,
        "new_note": new_note or Form({"date": format_day(local_today())}),
        "notes_message": notes_message,
        "cycles": cycles,
        "cycle_forms": forms,
        "new_cycle": new_cycle or Form({}),
        "cycles_message": cycles_message,
        "act_options": [("", web._(N_("Ikke bestemt ennå")))]
        + [(a.value, web._(labels.PDSA_ACT[a.value])) for a in Act],
        "page_title": measure.title,
    }


@router.get("/app/tiltak/{measure_id:id}")
def measure_page(measure_id: int, web: SignedInDep) -> Response:
    return web.render(MEASURE, measure_context(web, measure_id))


@router.post("/app/tiltak/{measure_id:id}")
def update_measure(measure_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)
    current = improvement.get_measure(web.db, web.principal, measure_id)
    form = Form.posted(data)
    model, errors = validate(MeasureUpdate, measure_input(form), web.lang, rename=MEASURE_RENAME)
    if model is not None:
        try:
            saved = improvement.update_measure(
                web.db, web.principal, measure_id, model, form_version(form)
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = FormState(form=form, conflict_rows=_measure_conflict(web, form, current))
            context = measure_context(web, measure_id, state=state)
            return web.render(MEASURE, context, block="measure_form", status=409)
        else:
            if not web.is_fragment:
                return web.redirect(
                    f"/app/tiltak/{measure_id}#measure-details",
                    flash="saved",
                    near="measure-details",
                )
            state = FormState(form=measure_form(saved), message=web._(N_("Tiltaket er lagret.")))
            context = measure_context(web, measure_id, state=state)
            return web.render(MEASURE, context, block="measure_form")
    form.errors = errors
    context = measure_context(web, measure_id, state=FormState(form=form))
    return web.render(MEASURE, context, block="measure_form", status=422)


def _measure_conflict(web: Web, form: Form, current: MeasureRead) -> list[tuple[str, str, str]]:
    mine = measure_input(form)

    def iso(value: date | None) -> str:
        return format_day(value)

    rows = [
        (N_("Tittel"), mine["title"], current.title),
        (N_("Beskrivelse"), mine["description"], current.description),
        (N_("Ansvarlig"), mine["responsible"], current.responsible),
        (N_("Startdato"), form.value("start_date"), iso(current.start_date)),
        (N_("Frist"), form.value("due_date"), iso(current.due_date)),
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
    workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    try:
        improvement.delete_measure(web.db, web.principal, measure_id, form_version(form))
    except PreconditionFailed:
        state = FormState(
            form=measure_form(improvement.get_measure(web.db, web.principal, measure_id)),
            message=web._(N_("Tiltaket ble endret av noen andre og er ikke slettet.")),
        )
        context = measure_context(web, measure_id, state=state)
        return web.render(MEASURE, context, block="measure_form", status=409)
    return web.redirect(
        f"/app/forbedringsomrader/{measure.improvement_area_id}#tiltak",
        flash="deleted",
        near="tiltak",
    )


# ---- indicators --------------------------------------------------------------------------


@router.post("/app/forbedringsomrader/{area_id:id}/malinger")
def create_indicator(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    """A new indicator; its page is where the numbers are entered."""
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)
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


@router.post("/app/forbedringsomrader/{area_id:id}/malinger/fra-mal")
def create_indicator_from_template(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    """One of the networks' measures added in one click."""
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    model, errors = validate(IndicatorFromTemplate, {"template": form.value("template")}, web.lang)
    if model is not None:
        try:
            created = indicator_templates.add_from_template(
                web.db, web.principal, area_id, model.template, web.lang
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/malinger/{created.id}", flash="created")
    message = errors.get("template") or web._(N_("Velg en av målingene fra nettverkene."))
    context = _area_context(web, area_id, template_error=message)
    return web.render(AREA, context, block="indicators", status=422)


# ---- progress notes ----------------------------------------------------------------------


@router.post("/app/forbedringsomrader/{area_id:id}/notater")
def create_area_note(area_id: int, web: SignedInDep, data: FormDep) -> Response:
    municipality = improvement.area_municipality(web.db, web.principal, area_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    model, errors = validate(ProgressNoteCreate, note_input(form), web.lang)
    if model is not None:
        try:
            progress_notes.create_note(web.db, web.principal, model, area_id=area_id)
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
    workspace_of(web.db, web.principal, municipality, Need.edit)
    form = Form.posted(data)
    model, errors = validate(ProgressNoteCreate, note_input(form), web.lang)
    if model is not None:
        try:
            progress_notes.create_note(web.db, web.principal, model, measure_id=measure_id)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            if not web.is_fragment:
                return web.redirect(f"/app/tiltak/{measure_id}#notater", flash="created")
            message = web._(N_("Notatet er lagret."))
            context = measure_context(web, measure_id, notes_message=message)
            return web.render(MEASURE, context, block="notes")
    form.errors = errors
    context = measure_context(web, measure_id, new_note=form)
    return web.render(MEASURE, context, block="notes", status=422)
