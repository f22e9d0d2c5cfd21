"""The notifications page: each signed-in person chooses, per kind of event, off, an e-mail
at once or the weekly digest. Every rule is in `services.notifications`.

GET  /app/varsler   the choices
POST /app/varsler   save them
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.errors import Invalid
from app.services import notifications
from app.services.notifications import Kind, Mode
from app.web.core import FormDep, SignedInDep
from app.web.forms import Form, service_errors
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)

PATH = "/app/varsler"
KIND_LABELS = {
    Kind.overdue: N_("Et tiltak har passert fristen"),
    Kind.comment: N_("En ny kommentar eller et svar i kommunen min"),
    Kind.missing_number: N_("En ny måned uten tall på en aktiv indikator"),
    Kind.upcoming: N_("En veiledningssamtale eller en samling i læringsnettverket nærmer seg"),
}
MODE_LABELS = {
    Mode.off: N_("Ingen e-post"),
    Mode.immediate: N_("E-post med en gang"),
    Mode.weekly: N_("I den ukentlige oppsummeringen"),
}


def _page(web: SignedInDep, form: Form, status: int = 200) -> Response:
    options = [(mode.value, web._(label), None) for mode, label in MODE_LABELS.items()]
    kinds = [(kind.value, web._(label)) for kind, label in KIND_LABELS.items()]
    context = {"form": form, "kinds": kinds, "options": options}
    return web.render("notifications/preferences.html", context, status=status)


@router.get(PATH)
def show(web: SignedInDep) -> Response:
    chosen = notifications.preferences(web.db, web.principal)
    return _page(web, Form({kind.value: mode.value for kind, mode in chosen.items()}))


@router.post(PATH)
def save(web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    choices = {kind.value: form.value(kind.value) for kind in Kind if form.value(kind.value)}
    try:
        notifications.set_preferences(web.db, web.principal, choices)
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _page(web, form, status=422)
    return web.redirect(PATH, flash="saved")
