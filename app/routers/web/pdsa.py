"""PDSA cycles on the measure's page (`/app/tiltak/{id}#pdsa`): plan a cycle, then write
what was done, what happened and what was decided. Plain form posts: every step works
without JavaScript; what the person typed is kept when it is refused."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.errors import Invalid, PreconditionFailed
from app.models.pdsa import PdsaCycleCreate, PdsaCycleUpdate
from app.routers.web.improvement import MEASURE, measure_context
from app.services import improvement, pdsa
from app.services.workspace import Need, workspace_of
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.improvement_forms import pdsa_input

router = APIRouter(include_in_schema=False)


def _require_edit_measure(web: Web, measure_id: int) -> None:
    municipality = improvement.measure_municipality(web.db, web.principal, measure_id)
    workspace_of(web.db, web.principal, municipality, Need.edit)


@router.post("/app/tiltak/{measure_id:id}/pdsa")
def create_cycle(measure_id: int, web: SignedInDep, data: FormDep) -> Response:
    _require_edit_measure(web, measure_id)
    form = Form.posted(data)
    model, errors = validate(PdsaCycleCreate, pdsa_input(form), web.lang)
    if model is not None:
        try:
            created = pdsa.create_cycle(web.db, web.principal, measure_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/tiltak/{measure_id}#pdsa-{created.id}", flash="created")
    form.errors = errors
    return web.render(MEASURE, measure_context(web, measure_id, new_cycle=form), status=422)


@router.post("/app/pdsa/{cycle_id:id}")
def update_cycle(cycle_id: int, web: SignedInDep, data: FormDep) -> Response:
    cycle = pdsa.get_cycle(web.db, web.principal, cycle_id)
    _require_edit_measure(web, cycle.measure_id)
    form = Form.posted(data)
    model, errors = validate(PdsaCycleUpdate, pdsa_input(form), web.lang)
    status = 422
    if model is not None:
        try:
            pdsa.update_cycle(web.db, web.principal, cycle_id, model, form_version(form))
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            errors = {
                "title": web._(N_("Sirkelen ble endret av noen andre. Se over og lagre igjen."))
            }
            status = 409
        else:
            return web.redirect(f"/app/tiltak/{cycle.measure_id}#pdsa-{cycle_id}", flash="saved")
    form.errors = errors
    context = measure_context(web, cycle.measure_id, cycle_forms={cycle_id: form})
    return web.render(MEASURE, context, status=status)


@router.post("/app/pdsa/{cycle_id:id}/slett")
def delete_cycle(cycle_id: int, web: SignedInDep, data: FormDep) -> Response:
    cycle = pdsa.get_cycle(web.db, web.principal, cycle_id)
    _require_edit_measure(web, cycle.measure_id)
    try:
        pdsa.delete_cycle(web.db, web.principal, cycle_id, form_version(Form.posted(data)))
    except PreconditionFailed:
        message = web._(N_("Sirkelen ble endret av noen andre og er ikke slettet."))
        context = measure_context(web, cycle.measure_id, cycles_message=message)
        return web.render(MEASURE, context, status=409)
    return web.redirect(f"/app/tiltak/{cycle.measure_id}#pdsa", flash="deleted")
