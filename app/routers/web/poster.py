"""The poster (one A3 landscape page per municipality, `services.poster`), the plan for
further work written for it, and a learning network's poster gallery."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.errors import PreconditionFailed
from app.models.poster import FurtherWorkPlanPut
from app.rendering.chart_svg import POSTER_SCALE
from app.services import further_work, poster, progress_plan
from app.services.workspace import Workspace, open_workspace
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, validate
from app.web.i18n import N_
from app.web.improvement_forms import common_context
from app.web.indicators import chart_view
from app.web.timeline import Timeline
from app.web.workspaces import EditableWorkspaceDep

router = APIRouter(include_in_schema=False)

PLAN = "improvement/plan.html"
MEASURE_STATUSES = ["not_started", "in_progress", "done", "stopped"]


@router.get("/app/kommuner/{number}/plakat")
def poster_page(number: str, web: SignedInDep) -> Response:
    view = poster.poster(web.db, web.principal, number, web.lang)
    context = {
        "ws": view.workspace,
        "poster": view,
        "charts": [
            chart_view(chart, web.lang, f"plakat-diagram-{chart.indicator.id}", scale=POSTER_SCALE)
            for chart in view.charts
        ],
        "measure_statuses": MEASURE_STATUSES,
        "page_title": web._(N_("Plakat")),
    }
    return web.render("poster/poster.html", context)


def plan_context(
    web: Web, ws: Workspace, *, form: Form | None = None, conflict: bool = False
) -> dict[str, Any]:
    """The progress plan page, with the plan for further work and its form."""
    plan = progress_plan.get_progress_plan(web.db, web.principal, ws.number)
    further = further_work.read_plan(web.db, ws.municipality)
    return {
        **common_context(web, ws, active_tab="framdriftsplan"),
        "plan": plan,
        "timeline": Timeline(plan.start, plan.end, plan.today, web.lang),
        "further": further,
        "further_form": form or Form({"plan": further.plan, "version": str(further.version)}),
        "further_conflict": conflict,
        "further_message": None,
        "page_title": web._(N_("Framdriftsplan")),
    }


@router.get("/app/kommuner/{number}/framdriftsplan")
def plan_page(number: str, web: SignedInDep) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    return web.render(PLAN, plan_context(web, ws))


@router.post("/app/kommuner/{number}/videre-arbeid")
def save_further_work(
    number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    form = Form.posted(data)
    model, errors = validate(FurtherWorkPlanPut, {"plan": form.value("plan")}, web.lang)
    if model is not None:
        try:
            further_work.put_plan(web.db, web.principal, number, model, form_version(form))
        except PreconditionFailed as exc:
            # Keep what the person wrote; the next save overwrites the colleague's version.
            form.values["version"] = str(exc.current_version)
            context = plan_context(web, ws, form=form, conflict=True)
            return web.render(PLAN, context, block="further_work", status=409)
        if not web.is_fragment:
            return web.redirect(
                f"/app/kommuner/{number}/framdriftsplan#videre-arbeid", flash="saved"
            )
        context = plan_context(web, ws)
        context["further_message"] = web._(N_("Planen for videre arbeid er lagret."))
        return web.render(PLAN, context, block="further_work")
    form.errors = errors
    return web.render(PLAN, plan_context(web, ws, form=form), block="further_work", status=422)


@router.get("/app/nettverk/{network_id:id}/plakater")
def gallery_page(network_id: int, web: SignedInDep) -> Response:
    view = poster.gallery(web.db, web.principal, network_id)
    context = {
        "gallery": view,
        "measure_statuses": MEASURE_STATUSES,
        "page_title": web._(N_("Plakater fra medlemmene")),
    }
    return web.render("poster/gallery.html", context)
