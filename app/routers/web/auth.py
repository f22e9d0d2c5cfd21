"""Signing in and out, changing the password, choosing the language."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request, Response

from app.errors import Forbidden, Invalid, TooManyRequests
from app.routers.web import two_step as web_two_step
from app.security import PASSWORD_MIN_LENGTH, constant_time_equals, new_session_token, sign
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
    session_policy,
)
from app.web.forms import Form, service_errors
from app.web.i18n import N_, normalise_language
from app.web.redirects import safe_next

router = APIRouter(include_in_schema=False)

DEMO_REFUSED = N_("Demobrukere kan bare logge inn mens tjenesten kjører i demomodus.")
TOO_MANY = N_("For mange mislykkede forsøk. Vent %(minutes)s minutter og prøv igjen.")
STALE_FORM = N_("Skjemaet var utløpt. Prøv å logge inn på nytt.")

#: How long a sign-in form may be used: as long as its cookie lives.
SIGN_IN_FORM_SECONDS = 3600
#: A form shown this much "later" than now is still accepted (clocks of several instances).
_CLOCK_SKEW_SECONDS = 60


def _signed_token(web: Web, cookie: str, issued: int) -> str:
    secret: str = web.request.app.state.settings.secret_key
    return f"{issued}.{sign(secret, f'sign-in form|{cookie}|{issued}')}"


def _valid_sign_in_token(web: Web, cookie: str | None, sent: str) -> bool:
    """The form's token was made by this app, for this very cookie, within the hour."""
    issued_text, _, _ = sent.partition(".")
    if not cookie or not issued_text.isascii() or not issued_text.isdigit():
        return False
    issued, now = int(issued_text[:12]), int(time.time())
    if not now - SIGN_IN_FORM_SECONDS <= issued <= now + _CLOCK_SKEW_SECONDS:
        return False
    return constant_time_equals(sent, _signed_token(web, cookie, issued))


def _from_this_site(request: Request) -> bool:
    """Browsers say where a request comes from (Fetch Metadata); a sign-in posted by another
    site, or by a sibling subdomain, is refused. Clients that do not say are let through to
    the token check."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def sign_in_page_response(
    web: Web,
    form: Form,
    *,
    status: int = 200,
    message: str | None = None,
    new_token: bool = False,
) -> Response:
    """The form carries a token signed with the secret key and bound to a random value in a
    cookie (signed double submit): another site can neither read the pair nor make one, and
    a cookie planted by a sibling subdomain matches no token it could send (in production
    the `__Host-` prefix keeps it from planting one at all)."""
    cookie = web.cookie(SIGN_IN_COOKIE)
    if not cookie or new_token or len(cookie) > 100:
        cookie = new_session_token()
        web.set_cookie(SIGN_IN_COOKIE, cookie, SIGN_IN_FORM_SECONDS)
    return web.render(
        "auth/sign_in.html",
        {
            "form": form,
            "signin_token": _signed_token(web, cookie, int(time.time())),
            "message": message,
            "demo_users": DEMO_USERS if web.demo else (),
            "providers": web.request.app.state.settings.oidc_providers,
        },
        status=status,
    )


@router.get("/logg-inn")
def sign_in_page(web: WebDep, next: str = "/app") -> Response:
    """Also shown to someone already signed in (who may sign in as someone else; the
    current session then ends)."""
    return sign_in_page_response(web, Form({"next": safe_next(next)}))


@router.post("/logg-inn")
def sign_in(web: WebDep, data: FormDep) -> Response:
    form = Form.posted(data)
    form.values.pop("password", None)  # never sent back to the browser
    form.values["next"] = safe_next(form.value("next"))
    valid = _valid_sign_in_token(web, web.cookie(SIGN_IN_COOKIE), form.value("signin_token"))
    if not valid or not _from_this_site(web.request):
        return sign_in_page_response(
            web, form, status=403, message=web._(STALE_FORM), new_token=True
        )
    password = data.get("password")
    client = web.request.client
    try:
        signed = auth.sign_in(
            web.db,
            email=form.value("email"),
            password=password if isinstance(password, str) else "",
            address=client.host if client else None,
            policy=session_policy(web.request.app.state.settings),
            replaces=web.cookie(SESSION_COOKIE),
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return sign_in_page_response(web, form, status=422)
    except TooManyRequests as exc:
        minutes = max(1, round(exc.retry_after / 60))
        return sign_in_page_response(
            web,
            form,
            status=429,
            message=web._(TOO_MANY, minutes=minutes),
        )
    except Forbidden:
        return sign_in_page_response(web, form, status=403, message=web._(DEMO_REFUSED))
    if isinstance(signed, auth.PendingSignIn):
        web.delete_cookie(SIGN_IN_COOKIE)
        return web_two_step.start(web, signed, form.value("next"))
    settings = web.request.app.state.settings
    web.set_cookie(SESSION_COOKIE, signed.token, settings.session_absolute_hours * 3600)
    web.delete_cookie(SIGN_IN_COOKIE)
    return web.redirect(form.value("next"))


@router.post("/logg-ut")
def sign_out(web: WebDep) -> Response:
    """Destroys the session in the database, so the old cookie is worthless everywhere."""
    auth.sign_out(web.db, web.cookie(SESSION_COOKIE))
    web.delete_cookie(SESSION_COOKIE)
    return web.redirect("/logg-inn", flash="signed_out")


@router.get("/app/passord")
def password_page(web: SignedInDep) -> Response:
    return web.render(
        "auth/password.html",
        {"form": Form(), "message": None, "min_length": PASSWORD_MIN_LENGTH},
    )


@router.post("/app/passord")
def change_password(web: SignedInDep, data: FormDep) -> Response:
    def field(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    form = Form()
    message = None
    status = 422
    settings = web.request.app.state.settings
    client = web.request.client
    try:
        signed = auth.change_password(
            web.db,
            web.principal,
            current=field("current_password"),
            new=field("new_password"),
            repeated=field("repeat_password"),
            address=client.host if client else None,
            policy=session_policy(settings),
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
        # This browser goes on in a new session; every other one has ended.
        web.set_cookie(SESSION_COOKIE, signed.token, settings.session_absolute_hours * 3600)
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
    target = safe_next(data.get("next"), "/app" if web.signed_in else "/")
    # A stale ?lang= in the address would override the choice just made.
    return web.redirect(_without_lang(target), flash="language")


def _without_lang(path: str) -> str:
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))
