"""What the improvement pages share: their forms (areas, measures, progress notes) read and
filled, their field names, and the context every improvement page has."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.kit.dates import format_day
from app.models.base import ImprovementStatus, MeasureStatus, local_today
from app.models.improvement import (
    ImprovementAreaRead,
    MeasureRead,
)
from app.models.pdsa import PdsaCycleRead
from app.services import (
    catalogue,
)
from app.services.workspace import Workspace
from app.web import labels
from app.web.core import Web
from app.web.forms import Form, date_value, tags_value
from app.web.i18n import N_


@dataclass
class FormState:
    form: Form = field(default_factory=Form)
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def collapse_errors(errors: dict[str, str], *names: str) -> dict[str, str]:
    """Errors of list items (`tags-2`) belong to the list's one field (`tags`)."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        target = next((n for n in names if key.startswith(n + "-")), key)
        result.setdefault(target, message)
    return result


def common_context(
    web: Web, ws: Workspace, active_tab: str = "forbedringsomrader"
) -> dict[str, Any]:
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
        "pdsa_field_names": pdsa_field_names(web),
    }


def area_form(area: ImprovementAreaRead) -> Form:
    return Form(
        {
            "title": area.title,
            "rationale": area.rationale,
            "phases": list(area.phases),
            "aim": area.aim,
            "target_date": format_day(area.target_date),
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


def pdsa_field_names(web: Web) -> dict[str, str]:
    return {
        "title": web._(N_("Hva prøver dere?")),
        "prediction": web._(N_("Hva tror dere skjer?")),
        "starts_on": web._(N_("Startdato")),
        "ends_on": web._(N_("Sluttdato")),
        "done": web._(N_("Hva gjorde dere?")),
        "studied": web._(N_("Hva skjedde, sammenlignet med det dere trodde?")),
        "act": web._(N_("Hva bestemte dere?")),
        "act_notes": web._(N_("Begrunnelse og neste steg")),
    }


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


def measure_form(measure: MeasureRead) -> Form:
    return Form(
        {
            "title": measure.title,
            "description": measure.description,
            "responsible": measure.responsible,
            "start_date": format_day(measure.start_date),
            "due_date": format_day(measure.due_date),
            "status": measure.status.value,
            "result": measure.result,
            "shared": "on" if measure.shared else "",
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
        "result": form.value("result"),
        "shared": form.checked("shared"),
    }


def note_input(form: Form) -> dict[str, Any]:
    return {"date": date_value(form.value("date")), "text": form.value("text")}


def pdsa_input(form: Form) -> dict[str, Any]:
    return {
        "title": form.value("title"),
        "prediction": form.value("prediction"),
        "starts_on": date_value(form.value("starts_on")),
        "done": form.value("done"),
        "studied": form.value("studied"),
        "act": form.value("act") or None,
        "act_notes": form.value("act_notes"),
        "ends_on": date_value(form.value("ends_on")),
    }


def pdsa_form(cycle: PdsaCycleRead) -> Form:
    return Form(
        {
            "title": cycle.title,
            "prediction": cycle.prediction,
            "starts_on": format_day(cycle.starts_on),
            "done": cycle.done,
            "studied": cycle.studied,
            "act": cycle.act.value if cycle.act else "",
            "act_notes": cycle.act_notes,
            "ends_on": format_day(cycle.ends_on),
            "version": str(cycle.version),
        }
    )
