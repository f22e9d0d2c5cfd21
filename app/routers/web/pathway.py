"""The pathway editor: six phase sections, each shown and edited in place.

GET  /app/kommuner/{number}/forlop            the editor, every section in view mode
GET  /app/kommuner/{number}/forlop/{phase}    the edit form of one section (`?visning=1`: view)
POST /app/kommuner/{number}/forlop/{phase}    save (or add/move/remove an offering row)

With HTMX each request answers the `phase_section` block of the same template; without
JavaScript the form posts and the browser is redirected back to the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from markupsafe import Markup

from app import cache
from app.errors import Invalid, NotFound, PreconditionFailed
from app.models.base import Maturity, OfferingStatus, Provider
from app.models.pathway import Offering, PathwayRead, PhaseSection, PhaseSectionInput
from app.models.publishing import DraftStatus
from app.services import guided_start, pathway
from app.services.workspace import Need, Workspace, open_workspace
from app.web import labels, national_guide
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, service_errors, validate
from app.web.i18n import N_
from app.web.templating import render_block
from app.web.workspaces import EditableWorkspaceDep, WorkspaceDep

router = APIRouter(include_in_schema=False)

TEMPLATE = "pathway/editor.html"
BLOCK = "phase_section"
COMMENTS_PAGE = "/app/kommuner/{number}/kommentarer"
OFFERING_FIELDS = ("type", "name", "description", "status", "provider", "contact")
NOT_SAVED_YET = N_("Ikke lagret ennå. Trykk «Lagre» når du er ferdig.")
SAVED = N_("%(phase)s er lagret.")


@dataclass
class SectionState:
    mode: str = "view"  # view | edit | conflict
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    saved_at: datetime | None = None
    message: str | None = None
    #: The id of the element to focus after the swap (or on the page).
    focus: str | None = None


@dataclass
class Editor:
    ws: Workspace
    catalogue: pathway.Catalogue
    pathway: PathwayRead
    raw: dict[str, tuple[PhaseSection, list[Offering]]]


def _open(web: Web, ws: Workspace) -> Editor:
    catalogue = pathway.Catalogue(web.db, web.lang)
    sections = pathway.draft_sections(web.db, ws.municipality)
    return Editor(
        ws=ws,
        catalogue=catalogue,
        pathway=pathway.build_pathway(ws.municipality, sections, catalogue),
        raw={section.phase: (section, offerings) for section, offerings in sections},
    )


def _context(web: Web, editor: Editor, states: dict[str, SectionState]) -> dict[str, Any]:
    types = sorted(
        (t for t in editor.catalogue.offering_types.values() if t.active),
        key=lambda t: t.position,
    )
    return {
        "ws": editor.ws,
        "pathway": editor.pathway,
        "states": states,
        "page_title": web._(N_("Demensforløpet")),
        "active_tab": "forlop",
        "phase_positions": editor.catalogue.phase_position,
        "phase_summaries": {
            p.key: (p.summary_en if web.lang == "en" else p.summary_nb)
            for p in editor.catalogue.phases
        },
        "offering_types": [
            (t.key, t.name_en if web.lang == "en" else t.name_nb, t.default_phase) for t in types
        ],
        "maturity_options": [
            (m.value, web._(labels.MATURITY[m.value]), web._(labels.MATURITY_HINT[m.value]))
            for m in Maturity
        ],
        "status_options": [
            (s.value, web._(labels.OFFERING_STATUS[s.value])) for s in OfferingStatus
        ],
        "provider_options": [(p.value, web._(labels.PROVIDER[p.value])) for p in Provider],
        "field_names": _field_names(web, states),
        "comments_page": COMMENTS_PAGE,
        "phase_guide": national_guide.phase_guide,
    }


def _field_names(web: Web, states: dict[str, SectionState]) -> dict[str, str]:
    names = {
        "description": web._(N_("Beskrivelse")),
        "responsible": web._(N_("Ansvarlig")),
        "contact-name": web._(N_("Kontaktperson eller rolle")),
        "contact-phone": web._(N_("Telefon")),
        "contact-email": web._(N_("E-post")),
        "contact-hours": web._(N_("Åpningstider")),
        "maturity": web._(N_("Modenhet")),
    }
    rows = max((_row_count(s.form) for s in states.values()), default=0)
    for i in range(rows):
        for key, label in (
            ("type", N_("type")),
            ("name", N_("navn")),
            ("description", N_("beskrivelse")),
            ("status", N_("status")),
            ("provider", N_("tilbyder")),
            ("contact", N_("kontakt")),
        ):
            names[f"offerings-{i}-{key}"] = web._(
                N_("Tilbud %(n)s, %(field)s"), n=i + 1, field=web._(label)
            )
    return names


def _section(
    web: Web,
    editor: Editor,
    phase: str,
    state: SectionState,
    *,
    status: int = 200,
    draft: bool = False,
) -> Response:
    """The one section, as a fragment for HTMX or inside the whole editor otherwise.
    `draft`: after a save, the draft's status comes along (out of band with HTMX)."""
    section = next(s for s in editor.pathway.sections if s.phase == phase)
    states = {s.phase: SectionState() for s in editor.pathway.sections}
    states[phase] = state
    context = _context(web, editor, states)
    context["section"] = section
    if draft or not web.is_fragment:
        context["draft_status"] = cache.draft_status(
            web.request, web.db, web.principal, editor.ws.municipality
        )
    return web.render(TEMPLATE, context, block=BLOCK, status=status)


# ---- the form ----------------------------------------------------------------------------


def _row_count(form: Form) -> int:
    try:
        return max(0, min(int(form.value("offering_count") or 0), 200))
    except ValueError:
        return 0


def offering_rows(form: Form) -> list[dict[str, str]]:
    return [
        {key: form.value(f"offerings-{i}-{key}") for key in OFFERING_FIELDS}
        for i in range(_row_count(form))
    ]


def set_offering_rows(form: Form, rows: list[dict[str, str]]) -> None:
    for key in [k for k in form.values if k.startswith("offerings-")]:
        del form.values[key]
    for i, row in enumerate(rows):
        for key in OFFERING_FIELDS:
            form.values[f"offerings-{i}-{key}"] = row.get(key, "")
    form.values["offering_count"] = str(len(rows))


def _blank(row: dict[str, str]) -> bool:
    return not any(row.get(k, "").strip() for k in ("type", "name", "description", "contact"))


def section_form(section: PhaseSection, offerings: list[Offering]) -> Form:
    form = Form(
        {
            "description": section.description,
            "responsible": section.responsible,
            "contact-name": section.contact_name,
            "contact-phone": section.contact_phone,
            "contact-email": section.contact_email,
            "contact-hours": section.contact_hours,
            "maturity": section.maturity,
            "version": str(section.version),
        }
    )
    if section.needs_knowledge:
        form.values["needs_knowledge"] = "on"
    set_offering_rows(
        form,
        [
            {
                "type": o.type or "",
                "name": o.name,
                "description": o.description,
                "status": o.status,
                "provider": o.provider,
                "contact": o.contact,
            }
            for o in offerings
        ],
    )
    return form


def section_input(form: Form) -> dict[str, Any]:
    return {
        "description": form.value("description"),
        "responsible": form.value("responsible"),
        "contact": {
            "name": form.value("contact-name"),
            "phone": form.value("contact-phone"),
            "email": form.value("contact-email"),
            "hours": form.value("contact-hours"),
        },
        "maturity": form.value("maturity") or Maturity.unknown.value,
        "needs_knowledge": form.checked("needs_knowledge"),
        "offerings": [
            {
                "type": row["type"] or None,
                "name": row["name"],
                "description": row["description"],
                "status": row["status"] or OfferingStatus.available.value,
                "provider": row["provider"] or Provider.own.value,
                "contact": row["contact"],
            }
            for row in offering_rows(form)
        ],
    }


def _conflict_rows(
    web: Web, editor: Editor, form: Form, current: dict[str, Any]
) -> list[tuple[str, str, str]]:
    def offering_lines(rows: list[dict[str, Any]]) -> str:
        lines = []
        for row in rows:
            kind = editor.catalogue.offering_types.get(row.get("type") or "")
            name = row.get("name") or (
                (kind.name_en if web.lang == "en" else kind.name_nb) if kind else ""
            )
            status = labels.OFFERING_STATUS.get(row.get("status") or "", "")
            lines.append(f"{name} ({web._(status)})" if status else name)
        return "\n".join(lines)

    def yes_no(value: bool) -> str:
        return web._(N_("Ja")) if value else web._(N_("Nei"))

    contact = current.get("contact") or {}
    mine = section_input(form)
    pairs = [
        (N_("Beskrivelse"), mine["description"], current.get("description", "")),
        (N_("Ansvarlig"), mine["responsible"], current.get("responsible", "")),
        (N_("Kontaktperson eller rolle"), mine["contact"]["name"], contact.get("name", "")),
        (N_("Telefon"), mine["contact"]["phone"], contact.get("phone", "")),
        (N_("E-post"), mine["contact"]["email"], contact.get("email") or ""),
        (N_("Åpningstider"), mine["contact"]["hours"], contact.get("hours", "")),
        (
            N_("Modenhet"),
            web._(labels.MATURITY.get(mine["maturity"], mine["maturity"])),
            web._(labels.MATURITY.get(current.get("maturity", ""), "")),
        ),
        (
            N_("Trenger mer kunnskap"),
            yes_no(mine["needs_knowledge"]),
            yes_no(bool(current.get("needs_knowledge"))),
        ),
        (
            N_("Tilbud"),
            offering_lines(mine["offerings"]),
            offering_lines(current.get("offerings", [])),
        ),
    ]
    return [(web._(label), a, b) for label, a, b in pairs if a.strip() != str(b).strip()]


#: The guided start's steps: what to do, and where (relative to the municipality's pages).
# ---- routes ------------------------------------------------------------------------------


@router.get("/app/kommuner/{number}/forlop")
def editor_page(ws: WorkspaceDep, web: SignedInDep) -> Response:
    context: dict[str, Any] = {
        "ws": ws,
        "page_title": web._(N_("Demensforløpet")),
        "active_tab": "forlop",
        "draft_status": cache.draft_status(web.request, web.db, web.principal, ws.municipality),
    }
    if web.flash or web.is_fragment:  # a confirmation beside a section: for this view only
        context["page_html"] = _editor_body(web, ws, context["draft_status"])
    else:
        comments = web.has_page(COMMENTS_PAGE)
        context["page_html"] = cache.caches_of(web.request).editor_body.fetch(
            web.db,
            (
                "editor",
                ws.municipality.id,
                ws.municipality.version,
                web.lang,
                ws.can_edit,
                ws.can_comment,
                comments,
            ),
            lambda: _editor_body(web, ws),
            web.request,
        )
    return web.render(TEMPLATE, context)


def _editor_body(web: Web, ws: Workspace, draft_status: DraftStatus | None = None) -> Markup:
    """The editor's own part of the page (every section in view mode, and the guided start
    for those who edit): the same for everyone with the same rights, so it is kept. (A
    fragment, never kept, also updates the draft's badge out of band.)"""
    editor = _open(web, ws)
    context = _context(web, editor, {s.phase: SectionState() for s in editor.pathway.sections})
    if draft_status is not None:
        context["draft_status"] = draft_status
    if editor.ws.can_edit:
        described = {key for key, (section, _) in editor.raw.items() if section.description.strip()}
        phases = [p.key for p in editor.catalogue.phases]
        context["guide"] = guided_start.guided_start_of(
            web.db, editor.ws.municipality, phases, described
        )
        context["guide_steps"] = labels.GUIDE_STEPS
    full = {"request": web.request, "web": web, "lang": web.lang, **context}
    return Markup(render_block(TEMPLATE, "page", full))  # noqa: S704  # a rendered template


@router.get("/app/kommuner/{number}/forlop/{phase}")
def section_page(number: str, phase: str, web: SignedInDep, visning: str = "") -> Response:
    # Showing a section again is reading; its edit form is for those who may change it.
    ws = open_workspace(web.db, web.principal, number, Need.read if visning else Need.edit)
    editor = _open(web, ws)
    if phase not in editor.raw:
        raise NotFound(f"No phase {phase!r}.")
    if visning:
        if not web.is_fragment:
            return web.redirect(f"/app/kommuner/{number}/forlop#fase-{phase}")
        return _section(web, editor, phase, SectionState(focus="edit-link"))
    section, offerings = editor.raw[phase]
    state = SectionState(mode="edit", form=section_form(section, offerings), focus="description")
    return _section(web, editor, phase, state)


@router.post("/app/kommuner/{number}/forlop/{phase}")
def save_section(
    number: str, phase: str, ws: EditableWorkspaceDep, web: SignedInDep, data: FormDep
) -> Response:
    editor = _open(web, ws)
    if phase not in editor.raw:
        raise NotFound(f"No phase {phase!r}.")
    form = Form.posted(data)
    rows = offering_rows(form)
    action = form.value("action") or "save"

    if action != "save":
        focus = _rearrange(rows, action)
        set_offering_rows(form, rows)
        state = SectionState(mode="edit", form=form, message=web._(NOT_SAVED_YET), focus=focus)
        return _section(web, editor, phase, state)

    set_offering_rows(form, [row for row in rows if not _blank(row)])
    rename = {f"offerings-{i}": f"offerings-{i}-name" for i in range(_row_count(form))}
    data_in, errors = validate(PhaseSectionInput, section_input(form), web.lang, rename=rename)
    if data_in is None:
        form.errors = errors
        return _section(web, editor, phase, SectionState(mode="edit", form=form), status=422)
    try:
        saved = pathway.update_section(
            web.db, web.principal, number, phase, data_in, form_version(form), web.lang
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang, rename)
        return _section(web, editor, phase, SectionState(mode="edit", form=form), status=422)
    except PreconditionFailed as exc:
        current = exc.current if isinstance(exc.current, dict) else {}
        form.values["version"] = str(exc.current_version)
        state = SectionState(
            mode="conflict",
            form=form,
            conflict_rows=_conflict_rows(web, editor, form, current),
            saved_at=editor.raw[phase][0].updated_at,
        )
        return _section(web, editor, phase, state, status=409)
    if not web.is_fragment:
        return web.redirect(
            f"/app/kommuner/{number}/forlop#fase-{phase}", flash="saved", near=f"fase-{phase}"
        )
    # A new object: the pathway read may be shared through the cache.
    editor.pathway = editor.pathway.model_copy(
        update={"sections": [saved if s.phase == phase else s for s in editor.pathway.sections]}
    )
    message = web._(SAVED, phase=saved.phase_name)
    state = SectionState(message=message, focus="edit-link")
    return _section(web, editor, phase, state, draft=True)


def _rearrange(rows: list[dict[str, str]], action: str) -> str | None:
    """Add, remove or move an offering row without saving; returns what to focus."""
    if action == "add":
        rows.append({"status": OfferingStatus.available.value, "provider": Provider.own.value})
        return f"offerings-{len(rows) - 1}-type"
    verb, _, index_text = action.partition("-")
    if not index_text.isdigit() or int(index_text) >= len(rows):
        return None
    index = int(index_text)
    if verb == "remove":
        rows.pop(index)
        return "add-offering"
    if verb == "up" and index > 0:
        rows.insert(index - 1, rows.pop(index))
        return f"offerings-{index - 1}-up" if index - 1 > 0 else f"offerings-{index - 1}-down"
    if verb == "down" and index < len(rows) - 1:
        rows.insert(index + 1, rows.pop(index))
        last = len(rows) - 1
        return f"offerings-{index + 1}-down" if index + 1 < last else f"offerings-{index + 1}-up"
    return None
