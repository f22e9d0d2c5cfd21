"""Signing in and out, changing the password, choosing the language."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Response

from app.errors import Forbidden, Invalid, TooManyRequests
from app.security import PASSWORD_MIN_LENGTH, constant_time_equals, new_session_token
from app.services import auth
from app.services.seed import DEMO_USERS
from app.web.core import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    FormDep,
    SignedInDep,
    Web,
    WebDep,
    local_path,
    session_policy,
)
from app.web.forms import Form, service_errors
from app.web.i18n import N_, normalise_language

router = APIRouter(include_in_schema=False)

DEMO_REFUSED = N_("Demobrukere kan bare logge inn mens tjenesten kjører i demomodus.")
TOO_MANY = N_("For mange mislykkede forsøk. Vent %(minutes)s minutter og prøv igjen.")
STALE_FORM = N_("Skjemaet var utløpt. Prøv å logge inn på nytt.")


def _sign_in_page(
    web: Web,
    form: Form,
    *,
    status: int = 200,
    message: str | None = None,
    new_token: bool = False,
) -> Response:
    """The form carries the same random token as a cookie (double submit), so a sign-in
    cannot be posted from another site."""
    token = web.request.cookies.get(SIGN_IN_COOKIE)
    if not token or new_token:
        token = new_session_token()
        web.set_cookie(SIGN_IN_COOKIE, token, 3600)
    return web.render(
        "auth/sign_in.html",
        {
            "form": form,
            "signin_token": token,
            "message": message,
            "demo_users": DEMO_USERS if web.demo else (),
        },
        status=status,
    )


@router.get("/logg-inn")
def sign_in_page(web: WebDep, next: str = "/app") -> Response:
    """Also shown to someone already signed in (who may sign in as someone else; the
    current session then ends)."""
    return _sign_in_page(web, Form({"next": local_path(next)}))


@router.post("/logg-inn")
def sign_in(web: WebDep, data: FormDep) -> Response:
    form = Form.posted(data)
    form.values.pop("password", None)  # never sent back to the browser
    cookie = web.request.cookies.get(SIGN_IN_COOKIE, "")
    sent = form.value("signin_token")
    if not cookie or not sent or not constant_time_equals(cookie, sent):
        return _sign_in_page(web, form, status=403, message=web._(STALE_FORM), new_token=True)
    password = data.get("password")
    client = web.request.client
    try:
        signed = auth.sign_in(
            web.db,
            email=form.value("email"),
            password=password if isinstance(password, str) else "",
            address=client.host if client else None,
            policy=session_policy(web.request.app.state.settings),
            replaces=web.request.cookies.get(SESSION_COOKIE),
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _sign_in_page(web, form, status=422)
    except TooManyRequests as exc:
        minutes = max(1, round(exc.retry_after / 60))
        return _sign_in_page(
            web,
            form,
            status=429,
            message=web._(TOO_MANY, minutes=minutes),
        )
    except Forbidden:
        return _sign_in_page(web, form, status=403, message=web._(DEMO_REFUSED))
    settings = web.request.app.state.settings
    web.set_cookie(SESSION_COOKIE, signed.token, settings.session_absolute_hours * 3600)
    response = web.redirect(local_path(form.value("next")))
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


@router.post("/logg-ut")
def sign_out(web: WebDep) -> Response:
    """Destroys the session in the database, so the old cookie is worthless everywhere."""
    auth.sign_out(web.db, web.request.cookies.get(SESSION_COOKIE))
    response = web.redirect("/logg-inn", flash="signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/app/passord")
def password_page(web: SignedInDep) -> Response:
    return web.render(
        "auth/password.html",
        {"form": Form(), "message": None, "min_length": PASSWORD_MIN_LENGTH},
    )


@router.post("/app/passord")
def change_password(web: SignedInDep, data: FormDep) -> Response:
    assert web.active is not None  # SignedInDep

    def field(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    form = Form()
    message = None
    status = 422
    try:
        auth.change_password(
            web.db,
            web.principal,
            current=field("current_password"),
            new=field("new_password"),
            repeated=field("repeat_password"),
            keep_session_id=web.active.session_id,
            policy=session_policy(web.request.app.state.settings),
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
    except TooManyRequests as exc:
        status = 429
        message = web._(TOO_MANY, minutes=max(1, round(exc.retry_after / 60)))
    except Forbidden:
        status = 403
        message = web._(N_("Passordet til demobrukere kan ikke endres."))
    else:
        return web.redirect("/app", flash="password_changed")
    return web.render(
        "auth/password.html",
        {"form": form, "message": message, "min_length": PASSWORD_MIN_LENGTH},
        status=status,
    )


@router.post("/sprak")
def choose_language(web: WebDep, data: FormDep) -> Response:
    """The language switch: remembered in a cookie, and for signed-in people in their
    user settings, so it follows them to other devices."""
    raw = data.get("lang")
    language = normalise_language(raw if isinstance(raw, str) else None) or web.lang
    if web.signed_in:
        auth.set_language(web.db, web.principal, language)
    web.set_cookie(LANGUAGE_COOKIE, language, 365 * 24 * 3600)
    web.lang = language
    next_raw = data.get("next")
    target = local_path(next_raw if isinstance(next_raw, str) else None, "/app")
    # A stale ?lang= in the address would override the choice just made.
    target = _without_lang(target)
    return web.redirect(target, flash="language")


def _without_lang(path: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))
