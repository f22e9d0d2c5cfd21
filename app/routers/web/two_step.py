"""Two-step verification in the browser: the code asked for after the password, setting it
up (at sign-in for whom it is required, or in one's own settings at /app/totp), and turning
it off. The rules are `services.two_step` and `services.auth`."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Response
from markupsafe import Markup

from app.errors import Forbidden, Invalid, TooManyRequests
from app.rendering.qr import qr_svg
from app.security import constant_time_equals, sign
from app.services import auth, two_step
from app.web.core import SESSION_COOKIE, FormDep, SignedInDep, Web, WebDep, session_policy
from app.web.forms import Form, service_errors
from app.web.i18n import N_
from app.web.redirects import safe_next

router = APIRouter(include_in_schema=False)

#: Proof that the password step succeeded, for this long.
PENDING_COOKIE = "dfl_twostep"
PENDING_SECONDS = 600
TEMPLATE = "auth/two_step.html"
TOO_MANY = N_("For mange mislykkede forsøk. Vent %(minutes)s minutter og prøv igjen.")


def _proof(web: Web, user_id: int, issued: int) -> str:
    secret: str = web.request.app.state.settings.secret_key
    return f"{user_id}.{issued}.{sign(secret, f'two-step|{user_id}|{issued}')}"


def start(web: Web, pending: auth.PendingSignIn, next_path: str) -> Response:
    """After a right password: a signed, short-lived cookie names the person, and the
    browser goes on to the code (or to setting two-step verification up)."""
    web.set_cookie(PENDING_COOKIE, _proof(web, pending.user_id, int(time.time())), PENDING_SECONDS)
    target = "/logg-inn/totp-oppsett" if pending.setup else "/logg-inn/kode"
    return web.redirect(f"{target}?next={safe_next(next_path)}")


def _pending_user(web: Web) -> int | None:
    value = web.cookie(PENDING_COOKIE) or ""
    parts = value.split(".", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    user_id, issued = int(parts[0][:12]), int(parts[1][:12])
    if not 0 <= time.time() - issued <= PENDING_SECONDS:
        return None
    return user_id if constant_time_equals(value, _proof(web, user_id, issued)) else None


def _from_this_site(web: Web) -> bool:
    return web.request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _ended(web: Web) -> Response:
    web.delete_cookie(PENDING_COOKIE)
    return web.redirect("/logg-inn", flash="sign_in_ended")


def _setup_context(setup: two_step.Setup) -> dict[str, Any]:
    return {"setup": setup, "qr": Markup(qr_svg(setup.uri))}  # noqa: S704 - our own SVG


def _code(data: Any) -> str:
    value = data.get("code")
    return value if isinstance(value, str) else ""


def _signed_in(web: Web, signed: auth.SignedIn) -> None:
    hours: int = web.request.app.state.settings.session_absolute_hours
    web.set_cookie(SESSION_COOKIE, signed.token, hours * 3600)
    web.delete_cookie(PENDING_COOKIE)


@router.get("/logg-inn/kode")
def code_page(web: WebDep, next: str = "/app") -> Response:
    if _pending_user(web) is None:
        return _ended(web)
    form = Form({"next": safe_next(next)})
    return web.render(TEMPLATE, {"mode": "code", "form": form, "message": None})


@router.post("/logg-inn/kode")
def enter_code(web: WebDep, data: FormDep) -> Response:
    user_id = _pending_user(web)
    if user_id is None or not _from_this_site(web):
        return _ended(web)
    form = Form({"next": safe_next(data.get("next"))})
    client = web.request.client
    try:
        signed = auth.sign_in_with_code(
            web.db,
            user_id=user_id,
            code=_code(data),
            address=client.host if client else None,
            policy=session_policy(web.request.app.state.settings),
            replaces=web.cookie(SESSION_COOKIE),
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return web.render(TEMPLATE, {"mode": "code", "form": form, "message": None}, status=422)
    except TooManyRequests as exc:
        message = web._(TOO_MANY, minutes=max(1, round(exc.retry_after / 60)))
        return web.render(TEMPLATE, {"mode": "code", "form": form, "message": message}, status=429)
    except Forbidden:
        return _ended(web)
    _signed_in(web, signed)
    return web.redirect(form.value("next"))


@router.get("/logg-inn/totp-oppsett")
def sign_in_setup_page(web: WebDep, next: str = "/app") -> Response:
    user_id = _pending_user(web)
    if user_id is None:
        return _ended(web)
    try:
        setup = auth.two_step_setup(web.db, user_id)
    except (Forbidden, Invalid):
        return _ended(web)
    form = Form({"next": safe_next(next)})
    context = {"mode": "setup", "action": "/logg-inn/totp-oppsett", "form": form}
    return web.render(TEMPLATE, {**context, **_setup_context(setup), "message": None})


@router.post("/logg-inn/totp-oppsett")
def sign_in_setup(web: WebDep, data: FormDep) -> Response:
    user_id = _pending_user(web)
    if user_id is None or not _from_this_site(web):
        return _ended(web)
    form = Form({"next": safe_next(data.get("next"))})
    client = web.request.client
    context: dict[str, Any] = {"action": "/logg-inn/totp-oppsett", "form": form, "message": None}
    try:
        signed, codes = auth.sign_in_with_new_two_step(
            web.db,
            user_id=user_id,
            code=_code(data),
            address=client.host if client else None,
            policy=session_policy(web.request.app.state.settings),
            replaces=web.cookie(SESSION_COOKIE),
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        setup = auth.two_step_setup(web.db, user_id)
        return web.render(
            TEMPLATE, {**context, "mode": "setup", **_setup_context(setup)}, status=422
        )
    except TooManyRequests as exc:
        setup = auth.two_step_setup(web.db, user_id)
        context["message"] = web._(TOO_MANY, minutes=max(1, round(exc.retry_after / 60)))
        return web.render(
            TEMPLATE, {**context, "mode": "setup", **_setup_context(setup)}, status=429
        )
    except Forbidden:
        return _ended(web)
    _signed_in(web, signed)
    return web.render(TEMPLATE, {**context, "mode": "codes", "codes": codes})


# ---- one's own settings --------------------------------------------------------------------


def _settings_page(web: Web, form: Form, status: int = 200) -> Response:
    settings = web.request.app.state.settings
    if two_step.status(web.db, web.principal):
        required = web.principal.is_admin and settings.admin_two_step
        context = {"mode": "on", "required": required, "form": form, "message": None}
        return web.render(TEMPLATE, context, status=status)
    setup = two_step.begin_for(web.db, web.principal)
    context = {"mode": "setup", "action": "/app/totp", "form": form, "message": None}
    return web.render(TEMPLATE, {**context, **_setup_context(setup)}, status=status)


@router.get("/app/totp")
def totp_page(web: SignedInDep) -> Response:
    return _settings_page(web, Form({"next": "/app/totp"}))


@router.post("/app/totp")
def turn_on(web: SignedInDep, data: FormDep) -> Response:
    form = Form({"next": "/app/totp"})
    try:
        codes = two_step.confirm_for(web.db, web.principal, _code(data))
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _settings_page(web, form, status=422)
    context = {"mode": "codes", "codes": codes, "form": form, "message": None}
    return web.render(TEMPLATE, context)


@router.post("/app/totp/av")
def turn_off(web: SignedInDep, data: FormDep) -> Response:
    settings = web.request.app.state.settings
    form = Form()
    try:
        two_step.turn_off(
            web.db,
            web.principal,
            _code(data),
            admins_required=settings.admin_two_step,
            demo_allowed=settings.demo,
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _settings_page(web, form, status=422)
    return web.redirect("/app/totp", flash="two_step_off")
