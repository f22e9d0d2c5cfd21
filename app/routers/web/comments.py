"""Comments and guidance conversations of a municipality: threads on the pathway, a phase
section or an improvement area, written by the region's advisers and the municipality's
editors.

GET  /app/kommuner/{number}/kommentarer                  threads, a new comment, conversations
     (`?gjelder=fase:<key>` or `?gjelder=omrade:<id>` preselects what a new comment is on)
POST /app/kommuner/{number}/kommentarer                  a new comment, or a reply (`parent_id`)
POST /app/kommuner/{number}/kommentarer/{id}/status      resolve or reopen a thread
POST /app/kommuner/{number}/gjennomgang                  record a guidance conversation

Plain forms that post and redirect back; every rule is in `services.feedback`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import ValidationError

from app.errors import Invalid, PreconditionFailed
from app.models.feedback import CommentCreate, CommentTarget, CommentUpdate, ReviewCreate
from app.services import catalogue, feedback, improvement
from app.services import review as review_service
from app.services.workspace import Workspace, open_workspace
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.workspaces import CommentableWorkspaceDep, ReviewableWorkspaceDep

router = APIRouter(include_in_schema=False)

TEMPLATE = "comments/comments.html"
#: Threads shown on the page (the service's largest page).
THREAD_LIMIT = 500


def _url(number: str, anchor: str = "") -> str:
    return f"/app/kommuner/{number}/kommentarer" + (f"#{anchor}" if anchor else "")


def _target_options(web: Web, ws: Workspace) -> list[tuple[str, str]]:
    """What a comment can be on: the pathway, a phase section, an improvement area."""
    phases = catalogue.list_phases(web.db, web.lang)
    areas = improvement.list_areas(web.db, web.principal, ws.number)[0].items
    return (
        [("forlop", web._(N_("Hele forløpet")))]
        + [(f"fase:{p.key}", web._(N_("Fase: %(name)s"), name=p.name)) for p in phases]
        + [
            (f"omrade:{a.id}", web._(N_("Forbedringsområde: %(title)s"), title=a.title))
            for a in areas
        ]
    )


def _target_fields(value: str) -> dict[str, Any] | None:
    """The service's target fields for a choice of the form (None: not a choice)."""
    if value == "forlop":
        return {"target": CommentTarget.pathway}
    kind, _, key = value.partition(":")
    if kind == "fase" and key:
        return {"target": CommentTarget.phase_section, "phase": key}
    if kind == "omrade" and key.isdigit() and len(key) <= 9:
        return {"target": CommentTarget.improvement_area, "improvement_area_id": int(key)}
    return None


def _render(
    web: Web,
    ws: Workspace,
    *,
    new: Form | None = None,
    replies: dict[int, Form] | None = None,
    review: Form | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    threads = feedback.list_threads(
        web.db, web.principal, municipality=ws.number, status="all", limit=THREAD_LIMIT
    ).items
    phase_names = {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)}
    reviews = review_service.list_reviews(web.db, web.principal, ws.number, limit=20)
    chosen = web.request.query_params.get("gjelder", "")
    target = _target_fields(chosen)
    if target is not None and chosen != "forlop":
        # Coming from a phase section or an improvement area: its threads only.
        threads = [
            t
            for t in threads
            if t.target == target["target"]
            and t.phase == target.get("phase")
            and t.improvement_area_id == target.get("improvement_area_id")
        ]
    options = _target_options(web, ws)
    new = new or Form({"gjelder": chosen if target else "forlop"})
    return web.render(
        TEMPLATE,
        {
            "ws": ws,
            "page_title": web._(N_("Kommentarer og veiledningssamtaler")),
            "active_tab": "kommentarer",
            "open_threads": [t for t in threads if not t.resolved],
            "resolved_threads": [t for t in threads if t.resolved],
            "phase_names": phase_names,
            "target_options": options,
            "narrowed_to": dict(options).get(chosen) if target and chosen != "forlop" else None,
            "new": new,
            "replies": replies or {},
            "empty_form": Form(),
            "review_form": review or Form(),
            "reviews": reviews,
            "can_review": web.principal.can_review(ws.municipality),
            "message": message,
        },
        status=status,
    )


@router.get("/app/kommuner/{number}/kommentarer")
def comments_page(number: str, web: SignedInDep) -> Response:
    return _render(web, open_workspace(web.db, web.principal, number))


@router.post("/app/kommuner/{number}/kommentarer")
def create_comment(
    number: str, ws: CommentableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    form = Form.posted(data)
    parent = form.value("parent_id")
    reply_to = int(parent) if parent.isdigit() and len(parent) <= 9 else None
    fields: dict[str, Any] | None = {} if reply_to else _target_fields(form.value("gjelder"))
    text = form.value("text").strip()
    if fields is None:
        form.errors["gjelder"] = web._(N_("Velg hva kommentaren gjelder."))
    if not text:
        form.errors["text"] = web._(N_("Skriv en kommentar."))
    elif len(text) > 4000:
        form.errors["text"] = web._(N_("En kommentar kan ha høyst 4000 tegn."))
    if not form.has_errors and fields is not None:
        try:
            model = CommentCreate(**fields, text=text, parent_id=reply_to)
            saved = feedback.create_comment(web.db, web.principal, number, model)
        except ValidationError:
            form.errors["gjelder"] = web._(N_("Velg hva kommentaren gjelder."))
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
            if "text" in errors:
                form.errors["text"] = errors["text"]
            if "parent_id" in errors:
                form.errors["text"] = web._(
                    N_("Tråden er løst eller finnes ikke. Gjenåpne den for å svare.")
                )
            if not form.has_errors:
                form.errors["gjelder"] = web._(N_("Velg hva kommentaren gjelder."))
        else:
            return web.redirect(_url(number, f"trad-{saved.thread_id}"), flash="created")
    if reply_to:
        return _render(web, ws, replies={reply_to: form}, status=422)
    return _render(web, ws, new=form, status=422)


@router.post("/app/kommuner/{number}/kommentarer/{comment_id:id}/status")
def change_status(
    number: str, comment_id: int, ws: CommentableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    comment = feedback.get_comment(web.db, web.principal, comment_id, number)
    form = Form.posted(data)
    resolved = form.value("resolved") == "1"
    try:
        feedback.update_comment(
            web.db,
            web.principal,
            comment_id,
            CommentUpdate(resolved=resolved),
            form_version(form),
        )
    except PreconditionFailed:
        message = web._(N_("Tråden ble endret av noen andre. Se over og prøv igjen."))
        return _render(web, ws, message=message, status=409)
    except Invalid:
        message = web._(N_("Bare den første kommentaren i en tråd kan løses eller gjenåpnes."))
        return _render(web, ws, message=message, status=422)
    return web.redirect(_url(number, f"trad-{comment.thread_id}"), flash="saved")


#: The fields of a guidance conversation, as the form posts them.
REVIEW_FIELDS = ("topics", "follow_up", "note")


@router.post("/app/kommuner/{number}/gjennomgang")
def create_review(
    number: str, ws: ReviewableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    form = Form.posted(data)
    fields = {name: form.value(name).strip() for name in REVIEW_FIELDS}
    model, form.errors = validate(ReviewCreate, fields, web.lang)
    if model is None:
        return _render(web, ws, review=form, status=422)
    review_service.create_review(web.db, web.principal, number, model)
    return web.redirect(_url(number, "gjennomganger"), flash="saved")
