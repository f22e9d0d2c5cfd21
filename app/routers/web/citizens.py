"""Citizens' messages to a municipality: the public form on its page (no sign-in) and the
list its coordinators read and mark handled.

The public form is protected like the sign-in form: a token signed with the secret key and
bound to a random value in a cookie (signed double submit), and Fetch Metadata refusing
other sites. A hidden field that people never fill (a honeypot) and a limit of messages per
municipality and hour (in the service) keep spam out.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Response

from app.errors import Invalid, TooManyRequests
from app.models.citizen import MESSAGE_MAX, CitizenMessageInput
from app.routers.web.public import PUBLIC_VARY, page_language
from app.security import constant_time_equals, new_session_token, sign
from app.services import citizen_messages
from app.services.workspace import open_workspace
from app.web.core import FormDep, SignedInDep, Web, WebDep
from app.web.forms import Form, service_errors, validate
from app.web.i18n import N_

#: The public form (outside the signed-in app's gate) and the municipality's list (inside).
public_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)

FORM_COOKIE = "dfl_message"
#: How long a form may be used: as long as its cookie lives.
FORM_SECONDS = 3 * 3600
_CLOCK_SKEW_SECONDS = 60
#: The honeypot: hidden from people (and from assistive technology), filled by bots.
HONEYPOT = "nettsted"
FIELDS = ("text", "sender_name", "reply_email")

STALE_FORM = N_("Skjemaet var utløpt. Send tilbakemeldingen på nytt.")
TOO_MANY = N_("Kommunen har fått mange tilbakemeldinger den siste timen. Prøv igjen senere.")


def _signed(web: Web, cookie: str, issued: int) -> str:
    secret: str = web.request.app.state.settings.secret_key
    return f"{issued}.{sign(secret, f'citizen message form|{cookie}|{issued}')}"


def _valid_token(web: Web, cookie: str | None, sent: str) -> bool:
    issued_text, _, _ = sent.partition(".")
    if not cookie or not issued_text.isascii() or not issued_text.isdigit():
        return False
    issued, now = int(issued_text[:12]), int(time.time())
    if not now - FORM_SECONDS <= issued <= now + _CLOCK_SKEW_SECONDS:
        return False
    return constant_time_equals(sent, _signed(web, cookie, issued))


def _lang_query(web: Web) -> str:
    return "" if web.lang == "nb" else f"?lang={web.lang}"


def _form_page(
    web: Web,
    number: str,
    name: str,
    form: Form,
    *,
    status: int = 200,
    message: str | None = None,
    new_token: bool = False,
) -> Response:
    cookie = web.cookie(FORM_COOKIE)
    if not cookie or new_token or len(cookie) > 100:
        cookie = new_session_token()
        web.set_cookie(FORM_COOKIE, cookie, FORM_SECONDS)
    context = {
        "name": name,
        "number": number,
        "form": form,
        "message": message,
        "message_max": MESSAGE_MAX,
        "form_token": _signed(web, cookie, int(time.time())),
        "lang_query": _lang_query(web),
    }
    headers = {"Cache-Control": "no-store", "Vary": PUBLIC_VARY}
    return web.render("public/feedback.html", context, status=status, headers=headers)


def _speak(web: Web, number: str) -> str:
    name, language_form = citizen_messages.recipient(web.db, number)
    web.lang = page_language(web, language_form)
    web.request.state.lang = web.lang
    return name


@public_router.get("/kommuner/{number}/tilbakemelding")
def message_form(number: str, web: WebDep) -> Response:
    name = _speak(web, number)
    return _form_page(web, number, name, Form())


@public_router.post("/kommuner/{number}/tilbakemelding")
def send_message(number: str, web: WebDep, data: FormDep) -> Response:
    name = _speak(web, number)
    form = Form.posted(data)
    form.values = {key: form.value(key) for key in FIELDS}
    sent_token = data.get("form_token")
    valid = _valid_token(
        web, web.cookie(FORM_COOKIE), sent_token if isinstance(sent_token, str) else ""
    )
    site = web.request.headers.get("sec-fetch-site", "same-origin")
    if not valid or site not in ("same-origin", "none"):
        return _form_page(
            web, number, name, form, status=403, message=web._(STALE_FORM), new_token=True
        )
    thanks = f"/kommuner/{number}/tilbakemelding/takk{_lang_query(web)}"
    if data.get(HONEYPOT):
        return web.redirect(thanks)  # a bot: it is told nothing
    model, errors = validate(CitizenMessageInput, form.values, web.lang)
    if model is not None:
        try:
            citizen_messages.send(web.db, number, model, site_url=_site_url(web))
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except TooManyRequests:
            return _form_page(web, number, name, form, status=429, message=web._(TOO_MANY))
        else:
            return web.redirect(thanks)
    form.errors = errors
    return _form_page(web, number, name, form, status=422)


def _site_url(web: Web) -> str:
    return str(web.request.base_url).rstrip("/")


@public_router.get("/kommuner/{number}/tilbakemelding/takk")
def message_sent(number: str, web: WebDep) -> Response:
    name = _speak(web, number)
    context = {"name": name, "number": number, "lang_query": _lang_query(web)}
    return web.render("public/feedback_sent.html", context, headers={"Vary": PUBLIC_VARY})


# ---- the municipality's list -------------------------------------------------------------


def _list_page(web: Web, number: str, status: int = 200) -> Response:
    ws = open_workspace(web.db, web.principal, number)
    messages = citizen_messages.list_messages(web.db, web.principal, number)
    context = {
        "ws": ws,
        "open_messages": [m for m in messages if m.handled_at is None],
        "handled_messages": [m for m in messages if m.handled_at is not None],
        "page_title": web._(N_("Tilbakemeldinger fra innbyggere")),
        "active_tab": "tilbakemeldinger",
    }
    return web.render("citizens/messages.html", context, status=status)


@router.get("/app/kommuner/{number}/tilbakemeldinger")
def messages_page(number: str, web: SignedInDep) -> Response:
    return _list_page(web, number)


@router.post("/app/kommuner/{number}/tilbakemeldinger/{message_id:id}")
def mark_message(number: str, message_id: int, web: SignedInDep, data: FormDep) -> Response:
    handled = data.get("handled") == "1"
    citizen_messages.mark_handled(web.db, web.principal, number, message_id, handled=handled)
    return web.redirect(
        f"/app/kommuner/{number}/tilbakemeldinger#melding-{message_id}",
        flash="saved",
        near=f"melding-{message_id}",
    )
