"""Learning networks in the browser: the networks one runs or belongs to, a network's page
(timeline, the next gathering's tasks, who needs help and who is ready), a gathering's page
(what each member brings; prints as a handout) and a task with every member's answer.
Facilitators plan gatherings and tasks here; coordinators answer their tasks here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from markupsafe import Markup

from app.errors import Invalid, PreconditionFailed
from app.kit.dates import format_day
from app.kit.text import render_markdown
from app.models.network import AnswerPut, EvaluationPut, GatheringCreate, TaskCreate
from app.services import (
    gatherings,
    network_evaluation,
    network_pages,
    network_tasks,
    networks,
)
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, date_value, form_version, service_errors, validate
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)


def markdown(source: str) -> Markup:
    return Markup(render_markdown(source))  # noqa: S704 - sanitised by nh3


def _statuses(web: Web) -> dict[str, str]:
    return {
        "not_started": web._(N_("Ikke startet")),
        "in_progress": web._(N_("I gang")),
        "done": web._(N_("Klart til samlingen")),
    }


def _member_statuses(web: Web) -> dict[str, str]:
    return {
        "invited": web._(N_("Invitert")),
        "taking_part": web._(N_("Deltar")),
        "withdrew": web._(N_("Trakk seg")),
        "completed": web._(N_("Fullført")),
    }


@router.get("/app/nettverk")
def networks_page(web: SignedInDep) -> Response:
    items = networks.list_networks(web.db, web.principal).items
    return web.render(
        "networks/list.html", {"networks": items, "page_title": web._(N_("Læringsnettverk"))}
    )


def _render_network(
    web: Web,
    network_id: int,
    *,
    gathering_form: Form | None = None,
    task_form: Form | None = None,
    evaluation_forms: dict[str, Form] | None = None,
    status: int = 200,
) -> Response:
    page = network_pages.network_page(web.db, web.principal, network_id)
    forms = {}
    for number in page.own:
        own = network_evaluation.get_evaluation(web.db, web.principal, network_id, number)
        forms[number] = Form(
            {
                "relevance": str(own.relevance or ""),
                "best": own.best,
                "next_steps": own.next_steps,
                "version": str(own.version),
            }
        )
    forms.update(evaluation_forms or {})
    names = {m.municipality: m.municipality_name for m in page.members}
    context: dict[str, Any] = {
        "page": page,
        "md": markdown,
        "statuses": _statuses(web),
        "member_statuses": _member_statuses(web),
        "gathering_form": gathering_form or Form({"digital": ""}),
        "evaluation": network_evaluation.summary(web.db, web.principal, network_id),
        "evaluation_forms": forms,
        "member_names": names,
        "relevance_options": [(str(n), str(n), None) for n in range(1, 6)],
        "task_form": task_form or Form(),
        "gathering_options": [("", web._(N_("Ingen samling valgt")))]
        + [(str(g.id), f"{g.title} ({format_day(g.starts_on)})") for g in page.gatherings],
    }
    return web.render("networks/network.html", context, status=status)


@router.get("/app/nettverk/{network_id:id}")
def network_page(network_id: int, web: SignedInDep) -> Response:
    return _render_network(web, network_id)


@router.post("/app/nettverk/{network_id:id}/samlinger")
def create_gathering(network_id: int, web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    values = {
        "title": form.value("title"),
        "starts_on": date_value(form.value("starts_on")),
        "ends_on": date_value(form.value("ends_on")),
        "place": form.value("place"),
        "digital": form.checked("digital"),
        "programme": form.value("programme"),
    }
    model, errors = validate(GatheringCreate, values, web.lang)
    if model is not None:
        try:
            created = gatherings.create_gathering(web.db, web.principal, network_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/samlinger/{created.id}", flash="created")
    form.errors = errors
    return _render_network(web, network_id, gathering_form=form, status=422)


@router.post("/app/nettverk/{network_id:id}/oppgaver")
def create_task(network_id: int, web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    gathering = form.value("gathering_id")
    values = {
        "title": form.value("title"),
        "description": form.value("description"),
        "due_on": date_value(form.value("due_on")),
        "gathering_id": int(gathering) if gathering.isdigit() else (gathering or None),
    }
    model, errors = validate(TaskCreate, values, web.lang)
    if model is not None:
        try:
            created = network_tasks.create_task(web.db, web.principal, network_id, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        else:
            return web.redirect(f"/app/oppgaver/{created.id}", flash="created")
    form.errors = errors
    return _render_network(web, network_id, task_form=form, status=422)


@router.get("/app/samlinger/{gathering_id:id}")
def gathering_page(gathering_id: int, web: SignedInDep) -> Response:
    page = network_pages.gathering_page(web.db, web.principal, gathering_id)
    context = {"page": page, "md": markdown, "statuses": _statuses(web)}
    return web.render("networks/gathering.html", context)


def _render_task(
    web: Web,
    task_id: int,
    forms: dict[str, Form] | None = None,
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    task = network_tasks.get_task(web.db, web.principal, task_id)
    page = network_pages.network_page(web.db, web.principal, task.network_id)
    answer_forms = {
        a.municipality: Form(
            {"status": a.status.value, "report": a.report, "version": str(a.version)}
        )
        for a in task.answers
        if a.municipality in page.own
    }
    answer_forms.update(forms or {})
    gathering = next((g for g in page.gatherings if g.id == task.gathering_id), None)
    statuses = _statuses(web)
    # Members read each other's reports; who has not answered is for the facilitators.
    shown = {m.municipality for m in page.members}  # without those who withdrew, for members
    answers = [
        a
        for a in task.answers
        if page.runs or (a.municipality in shown and (a.version or a.municipality in page.own))
    ]
    context = {
        "task": task,
        "answers": answers,
        "unanswered": len(task.answers) - len(answers),
        "network": page.network,
        "gathering": gathering,
        "md": markdown,
        "statuses": statuses,
        "status_options": [(key, label, None) for key, label in statuses.items()],
        "answer_forms": answer_forms,
        "message": message,
    }
    return web.render("networks/task.html", context, status=status)


@router.get("/app/oppgaver/{task_id:id}")
def task_page(task_id: int, web: SignedInDep) -> Response:
    return _render_task(web, task_id)


@router.post("/app/oppgaver/{task_id:id}/svar/{number}")
def answer_task(task_id: int, number: str, web: SignedInDep, data: FormDep) -> Response:
    network_tasks.answer_access(web.db, web.principal, task_id, number)
    form = Form.posted(data)
    model, errors = validate(
        AnswerPut, {"status": form.value("status"), "report": form.value("report")}, web.lang
    )
    version = form_version(form)
    if model is not None:
        try:
            network_tasks.put_answer(web.db, web.principal, task_id, number, model, version)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            message = web._(
                N_("Noen andre lagret et svar først. Se over svaret under og lagre på nytt.")
            )
            return _render_task(web, task_id, {number: form}, message=message, status=409)
        else:
            return web.redirect(f"/app/oppgaver/{task_id}", flash="saved")
    form.errors = errors
    return _render_task(web, task_id, {number: form}, status=422)


@router.post("/app/nettverk/{network_id:id}/evaluering/{number}")
def answer_evaluation(network_id: int, number: str, web: SignedInDep, data: FormDep) -> Response:
    network_evaluation.evaluation_access(web.db, web.principal, network_id, number)
    form = Form.posted(data)
    values = {
        "relevance": form.value("relevance") or None,
        "best": form.value("best"),
        "next_steps": form.value("next_steps"),
    }
    model, errors = validate(EvaluationPut, values, web.lang)
    version = form_version(form)
    if model is not None:
        try:
            network_evaluation.put_evaluation(
                web.db, web.principal, network_id, number, model, version
            )
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            errors = {"relevance": web._(N_("Noen andre lagret først. Se over og lagre på nytt."))}
        else:
            return web.redirect(f"/app/nettverk/{network_id}", flash="saved")
    form.errors = errors
    return _render_network(web, network_id, evaluation_forms={number: form}, status=422)
