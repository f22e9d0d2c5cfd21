"""The notifications page: each signed-in person chooses, per kind of event, off, an e-mail
at once or the weekly digest. Every rule is in `services.notifications`.

GET  /app/varsler                 the choices
POST /app/varsler                 save them
GET  /varsler/avmeld/{token}      confirm turning one topic off (the link in every e-mail)
POST /varsler/avmeld/{token}      turn it off: RFC 8058 one-click, no sign-in, no CSRF token
                                  (the signed token in the URL is what allows it)
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.errors import Invalid, NotFound
from app.services import notifications
from app.services.notifications import WEEKLY, Kind, Mode
from app.web.core import FormDep, SignedInDep, TokenWebDep, Web
from app.web.forms import Form, service_errors
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)
#: Outside the signed-in gate: the e-mailed token is what allows these.
unsubscribe_router = APIRouter(include_in_schema=False)

PATH = "/app/varsler"
KIND_LABELS = {
    Kind.overdue: N_("Et tiltak har passert fristen"),
    Kind.comment: N_("En ny kommentar eller et svar i kommunen min"),
    Kind.missing_number: N_("En ny måned uten tall på en aktiv indikator"),
    Kind.upcoming: N_("En veiledningssamtale eller en samling i læringsnettverket nærmer seg"),
}
TOPIC_LABELS = {kind.value: label for kind, label in KIND_LABELS.items()} | {
    WEEKLY: N_("Den ukentlige oppsummeringen"),
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


UNSUBSCRIBE_PATH = "/varsler/avmeld/{token}"


def _unsubscribe_page(web: Web, token: str, *, done: bool) -> Response:
    try:
        if done:
            topic = notifications.unsubscribe(web.db, token)
        else:
            topic = notifications.unsubscribe_topic(web.db, token)[1]
    except NotFound:
        # Gone, like the other e-mailed links that cannot be used (the page explains it).
        context = {"known": False, "done": False, "topic": "", "token": token}
        return web.render("notifications/unsubscribe.html", context, status=410)
    context = {"known": True, "done": done, "topic": web._(TOPIC_LABELS[topic]), "token": token}
    return web.render("notifications/unsubscribe.html", context)


@unsubscribe_router.get(UNSUBSCRIBE_PATH)
def confirm_unsubscribe(token: str, web: TokenWebDep) -> Response:
    return _unsubscribe_page(web, token, done=False)


@unsubscribe_router.post(UNSUBSCRIBE_PATH)
def unsubscribe(token: str, web: TokenWebDep) -> Response:
    """A mail program posts `List-Unsubscribe=One-Click`; the confirm page's button posts
    nothing more. Either way the topic is off and the answer says so."""
    return _unsubscribe_page(web, token, done=True)
