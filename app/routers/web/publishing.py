"""Publishing and history: publish the draft with a change summary, list the published
versions, read the municipality's audit trail, compare two versions (or a version and the
draft) phase by phase, and bring back a phase section's text from an older version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.errors import Conflict, Invalid, NotFound, PreconditionFailed
from app.models.municipality import Municipality, MunicipalityUpdate
from app.models.publishing import SUMMARY_MAX, DraftStatus, PathwayDiff, PublishInput, RestoreInput
from app.services import (
    audit,
    catalogue,
    diff,
    draft_status,
    municipalities,
    pathway,
    publishing,
)
from app.services.workspace import Workspace, open_workspace
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.workspaces import EditableWorkspaceDep

router = APIRouter(include_in_schema=False)

HISTORY_PAGE_SIZE = 25
#: The official language forms a municipality chooses between.
LANGUAGE_FORMS = (
    ("nb", N_("Bokmål")),
    ("nn", N_("Nynorsk")),
    ("neutral", N_("Nøytral (besøkendes nettleser avgjør)")),
)
#: The contact for citizens, as the form and `MunicipalityUpdate` name its fields.
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "contact_url")
#: In the compare form, the draft is chosen by this word instead of a version number.
DRAFT = "utkast"

FIELD_LABELS = {
    "description": N_("Beskrivelse"),
    "responsible": N_("Ansvarlig"),
    "contact.name": N_("Kontaktperson"),
    "contact.phone": N_("Telefon"),
    "contact.email": N_("E-post"),
    "contact.hours": N_("Åpningstider"),
    "name": N_("Navn"),
    "contact": N_("Kontakt"),
    "status": N_("Status"),
    "provider": N_("Tilbys av"),
}


def _versions(web: Web, number: str, limit: int = 100) -> Any:
    return publishing.list_versions(web.db, web.principal, number, limit=limit)


# ---- publishing --------------------------------------------------------------------------


def _render_publish(
    web: Web,
    ws: Workspace,
    form: Form | None = None,
    message: str | None = None,
    status: int = 200,
    language_form: Form | None = None,
    contact: Form | None = None,
) -> Response:
    versions = _versions(web, ws.number)
    review = draft_status.review_draft(web.db, web.principal, ws.number)
    context = {
        "ws": ws,
        "form": form or Form(),
        "language_form": language_form or Form({"language_form": ws.municipality.language_form}),
        "language_form_options": [(code, web._(name)) for code, name in LANGUAGE_FORMS],
        "contact": contact or Form(contact_values(ws.municipality)),
        "has_municipality_contact": has_municipality_contact(ws.municipality),
        "message": message,
        "versions": versions,
        "summary_max": SUMMARY_MAX,
        "draft_status": review.status,
        "warnings": _warnings(review.status),
        "result": review.changes,
        "phase_names": {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)},
        "field_labels": FIELD_LABELS,
        "page_title": web._(N_("Publiser")),
        "active_tab": "publiser",
    }
    return web.render("publishing/publish.html", context, status=status)


def contact_values(municipality: Municipality) -> dict[str, str]:
    return {name: getattr(municipality, name) for name in CONTACT_FIELDS}


def has_municipality_contact(municipality: Municipality) -> bool:
    return any(contact_values(municipality).values())


def _warnings(status: DraftStatus) -> dict[str, list[str]]:
    """What the public page would lack: empty phases, and phases with no one to contact
    (all of them when the page would show no contact at all)."""
    found: dict[str, list[str]] = {}
    if status.empty_phases:
        found["empty"] = status.empty_phases
    if status.phases_without_contact:
        found["contact"] = status.phases_without_contact
    return found


@router.get("/app/kommuner/{number}/publiser")
def publish_page(number: str, web: SignedInDep) -> Response:
    return _render_publish(web, open_workspace(web.db, web.principal, number))


@router.post("/app/kommuner/{number}/publiser")
def publish(number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    model, errors = validate(PublishInput, {"summary": form.value("summary").strip()}, web.lang)
    warned = _warnings(draft_status.draft_status(web.db, web.principal, number))
    if warned and not form.checked("confirm"):
        errors["confirm"] = web._(
            N_("Se over advarslene, og kryss av for at dere vil publisere likevel.")
        )
    if model is not None and not errors:
        try:
            publishing.publish(web.db, web.principal, number, model)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except Conflict:
            message = web._(
                N_("Ingenting er endret siden forrige publisering. Endre utkastet først.")
            )
            return _render_publish(web, ws, form, message, status=409)
        else:
            return web.redirect(
                f"/app/kommuner/{number}/publiser#publisert", flash="published", near="publisert"
            )
    form.errors = errors
    return _render_publish(web, ws, form, status=422)


@router.post("/app/kommuner/{number}/malform")
def set_language_form(
    number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    """The municipality's official language form, which its public page speaks."""
    form = Form.posted(data)
    model, errors = validate(
        MunicipalityUpdate, {"language_form": form.value("language_form")}, web.lang
    )
    if model is None:
        form.errors = errors
        return _render_publish(web, ws, language_form=form, status=422)
    municipalities.update_municipality(
        web.db, web.principal, number, model, ws.municipality.version
    )
    return web.redirect(f"/app/kommuner/{number}/publiser#malform", flash="saved")


@router.post("/app/kommuner/{number}/kontakt")
def set_contact(number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep) -> Response:
    """The municipality's contact for citizens, shown on its public page."""
    form = Form.posted(data)
    values = {name: form.value(name).strip() for name in CONTACT_FIELDS}
    model, errors = validate(MunicipalityUpdate, values, web.lang)
    if model is None:
        form.errors = errors
        return _render_publish(web, ws, contact=form, status=422)
    municipalities.update_municipality(
        web.db, web.principal, number, model, ws.municipality.version
    )
    return web.redirect(f"/app/kommuner/{number}/publiser#kontakt", flash="saved", near="kontakt")


@router.get("/app/kommuner/{number}/publiser/forhandsvisning")
def preview_page(number: str, web: SignedInDep) -> Response:
    """The draft as the public page would show it once published."""
    ws = open_workspace(web.db, web.principal, number)
    review = draft_status.review_draft(web.db, web.principal, number)
    phases = catalogue.list_phases(web.db, web.lang)
    offering_types = catalogue.list_offering_types(web.db, web.lang)
    context = {
        "pathway": review.draft,
        "preview_of": ws,
        "phase_names": {p.key: p.name for p in phases},
        "offering_names": {t.key: (t.name_nb, t.name) for t in offering_types},
        "provider_labels": labels.PROVIDER,
    }
    return web.render("public/pathway.html", context, headers={"X-Robots-Tag": "noindex"})


# ---- history -----------------------------------------------------------------------------


@router.get("/app/kommuner/{number}/historikk")
def history_page(
    number: str,
    web: SignedInDep,
    type: Annotated[str | None, Query(max_length=40)] = None,
    person: Annotated[str | None, Query(max_length=200)] = None,
    side: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    filters = audit.history_filters(web.db, web.principal, number)
    entity_type = type if type in filters.entity_types else None
    actor = person if person in filters.actors else None
    page_number = int(side) if side and side.isdigit() and 0 < int(side) < 100_000 else 1
    events = audit.list_events(
        web.db,
        web.principal,
        municipality_number=number,
        entity_type=entity_type,
        actor=actor,
        limit=HISTORY_PAGE_SIZE,
        offset=(page_number - 1) * HISTORY_PAGE_SIZE,
    )
    phase_names = {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)}
    pages = max(1, -(-events.total // HISTORY_PAGE_SIZE))
    query = {k: v for k, v in (("type", entity_type), ("person", actor)) if v}
    context = {
        "ws": ws,
        "events": [(e, labels.describe_event(e, web.lang, phase_names)) for e in events.items],
        "total": events.total,
        "page_number": page_number,
        "pages": pages,
        "query": query,
        "filter_form": Form({"type": entity_type or "", "person": actor or ""}),
        "type_options": [("", web._(N_("Alle typer")))]
        + [(t, labels.entity_label(t, web.lang)) for t in filters.entity_types],
        "person_options": [("", web._(N_("Alle personer")))] + [(a, a) for a in filters.actors],
        "versions": _versions(web, number),
        "compare_form": Form(),
        "page_title": web._(N_("Historikk")),
        "active_tab": "historikk",
    }
    return web.render("publishing/history.html", context)


# ---- comparing and restoring -------------------------------------------------------------


def _side(value: str, *, draft_allowed: bool) -> int | str | None:
    value = value.strip().lower()
    if draft_allowed and value in (DRAFT, "draft"):
        return "draft"
    if value.isdigit() and 1 <= int(value) <= 1_000_000:
        return int(value)
    return None


@router.get("/app/kommuner/{number}/historikk/sammenlign")
def compare_page(
    number: str,
    web: SignedInDep,
    fra: Annotated[str, Query(max_length=20)] = "",
    til: Annotated[str, Query(max_length=20)] = DRAFT,
) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    return _render_compare(web, ws, fra, til)


def _render_compare(
    web: Web,
    ws: Workspace,
    fra: str,
    til: str,
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    number = ws.number
    versions = _versions(web, number)
    form = Form({"fra": fra, "til": til})
    base = _side(fra, draft_allowed=False)
    against = _side(til, draft_allowed=True)
    result: PathwayDiff | None = None
    if base is None:
        form.errors["fra"] = web._(N_("Velg en publisert versjon."))
    if against is None:
        form.errors["til"] = web._(N_("Velg en publisert versjon eller utkastet."))
    if isinstance(base, int) and against is not None:
        try:
            result = diff.compare_versions(web.db, web.principal, number, base, str(against))
        except NotFound:
            form.errors["fra" if not _exists(versions, base) else "til"] = web._(
                N_("Denne versjonen finnes ikke.")
            )
    if form.has_errors and status == 200:
        status = 404 if versions.total and base is not None and against is not None else 422
    section_versions: dict[str, int] = {}
    if result is not None and ws.can_edit:
        draft = pathway.read_pathway(web.db, ws.municipality, web.lang)
        section_versions = {s.phase: s.version for s in draft.sections}
    phase_names = {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)}
    context = {
        "ws": ws,
        "versions": versions,
        "compare_form": form,
        "result": result,
        "base": base,
        "against": against,
        "phase_names": phase_names,
        "field_labels": FIELD_LABELS,
        "section_versions": section_versions,
        "message": message,
        "page_title": web._(N_("Sammenlign versjoner")),
        "active_tab": "historikk",
    }
    return web.render("publishing/compare.html", context, status=status)


def _exists(versions: Any, number: int) -> bool:
    return any(v.number == number for v in versions.items)


@router.post("/app/kommuner/{number}/historikk/gjenopprett")
def restore_section(
    number: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    form = Form.posted(data)
    phase = form.value("phase")
    fra, til = form.value("fra"), form.value("til", DRAFT)
    expected = form_version(form)
    model, _errors = validate(
        RestoreInput,
        {"from_version": form.value("fra"), "include_offerings": form.checked("include_offerings")},
        web.lang,
    )
    if model is None:
        message = web._(N_("Velg en publisert versjon."))
        return _render_compare(web, ws, fra, til, message=message, status=422)
    try:
        publishing.restore_section(web.db, web.principal, number, phase, model, expected, web.lang)
    except PreconditionFailed:
        message = web._(
            N_("Fasen ble endret av noen andre etter at du åpnet siden. Se over og prøv igjen.")
        )
        return _render_compare(web, ws, fra, til, message=message, status=409)
    except (Invalid, NotFound):
        message = web._(N_("Teksten kunne ikke hentes tilbake fra denne versjonen."))
        return _render_compare(web, ws, fra, til, message=message, status=422)
    return web.redirect(
        f"/app/kommuner/{number}/forlop#fase-{phase}", flash="restored", near=f"fase-{phase}"
    )
