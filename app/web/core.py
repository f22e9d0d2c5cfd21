"""What every HTML page shares: the browser session (cookie → database row), CSRF
protection, the person's language, rendering a page or one of its fragments, redirects
after a post, and the one-time confirmation shown after a redirect.

Routers depend on `WebDep` (anyone) or `SignedInDep` (signed in; otherwise the error
handler redirects to the sign-in page) and on `FormDep` for posted forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import quote

import structlog
from fastapi import Depends, FastAPI, Request, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app import cache
from app.db import Database
from app.deps import CSRF_HEADER as CSRF_HEADER
from app.deps import SAFE_METHODS, SessionDep, check_csrf, read_cookie, resolve_session
from app.deps import SESSION_COOKIE as SESSION_COOKIE
from app.deps import cookie_name as cookie_name
from app.deps import mask_csrf as mask_csrf
from app.deps import session_policy as session_policy
from app.deps import settings_of as _settings
from app.deps import unmask_csrf as unmask_csrf
from app.services import auth
from app.services.access import ANONYMOUS, Principal, require_authenticated
from app.services.workspace import MunicipalityLink
from app.web import nav
from app.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    from_accept_language,
    normalise_language,
    translate,
)
from app.web.redirects import safe_next
from app.web.templating import templates

log = structlog.get_logger("demensforlop.web")

SIGN_IN_COOKIE = "dfl_signin"  # the sign-in form's CSRF token (double submit)
LANGUAGE_COOKIE = "dfl_lang"
FLASH_COOKIE = "dfl_flash"
FLASH_NEAR_SEPARATOR = "|"
FLASH_NEAR_ID = re.compile(r"[a-z][a-z0-9_-]{0,80}")
CSRF_FIELD = "csrf_token"

#: One-time confirmations shown after a redirect (keys travel in a short-lived cookie).
FLASH_MESSAGES = {
    "saved": N_("Endringene er lagret."),
    "created": N_("Lagt til."),
    "deleted": N_("Slettet."),
    "moved": N_("Rekkefølgen er lagret."),
    "signed_out": N_("Du er logget ut."),
    "password_changed": N_("Passordet er endret. Andre økter er logget ut."),
    "language": N_("Språket er endret."),
    "password_set": N_("Passordet er lagret. Nå kan du logge inn."),
    "invited": N_("Invitasjonen er sendt."),
    "deactivated": N_("Brukeren er deaktivert og logget ut."),
    "reactivated": N_("Brukeren er aktivert igjen og kan logge inn."),
    "published": N_("Forløpet er publisert."),
    "restored": N_("Teksten er hentet tilbake. Endringen er lagret i historikken."),
    "sign_in_ended": N_("Innloggingen er utløpt. Logg inn på nytt."),
    "two_step_off": N_("Totrinnsbekreftelse er slått av."),
    "revoked": N_("Nøkkelen er trukket tilbake. Den virker ikke lenger."),
}


def _is_public(response: Response) -> bool:
    directives = response.headers.get("Cache-Control", "").lower().split(",")
    return any(d.strip().split("=")[0] == "public" for d in directives)


def request_language(request: Request, active: auth.ActiveSession | None) -> str:
    """?lang= first, then the language switch's cookie, the person's own setting,
    Accept-Language, and bokmål."""
    return (
        normalise_language(request.query_params.get("lang"))
        or normalise_language(read_cookie(request, LANGUAGE_COOKIE))
        or (active.language if active and active.language in LANGUAGES else None)
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANGUAGE
    )


def is_fragment_request(request: Request) -> bool:
    """HTMX asks for a fragment, except when it restores history (then it needs the page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


@dataclass
class NavLink:
    key: str
    label: str
    url: str


@dataclass
class Web:
    """One HTML request: who asks, in which language, and how to answer."""

    request: Request
    session: Session | None
    principal: Principal
    active: auth.ActiveSession | None
    lang: str
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)

    # ---- the request ---------------------------------------------------------------

    @property
    def db(self) -> Session:
        """The request's database session (error pages have none and never need one)."""
        if self.session is None:
            raise RuntimeError("this page was rendered without a database session")
        return self.session

    @property
    def is_fragment(self) -> bool:
        return is_fragment_request(self.request)

    @property
    def signed_in(self) -> bool:
        return self.active is not None

    @cached_property
    def csrf_token(self) -> str:
        """The CSRF token for this page, masked afresh for every response."""
        return mask_csrf(self.active.csrf_token) if self.active else ""

    @property
    def user_name(self) -> str:
        return self.active.user_name if self.active else ""

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def demo(self) -> bool:
        return _settings(self.request).demo

    def _(self, message: str, **variables: object) -> str:
        return translate(self.lang, message, **variables)

    @cached_property
    def flash(self) -> str | None:
        key = (self.cookie(FLASH_COOKIE) or "").partition(FLASH_NEAR_SEPARATOR)[0]
        return self._(FLASH_MESSAGES[key]) if key in FLASH_MESSAGES else None

    @property
    def flash_near(self) -> str | None:
        """The id of the element the confirmation belongs beside (the one the redirect's
        fragment points at); None shows it at the top of the page."""
        near = (self.cookie(FLASH_COOKIE) or "").partition(FLASH_NEAR_SEPARATOR)[2]
        return near if self.flash and FLASH_NEAR_ID.fullmatch(near) else None

    def other_languages(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name in _language_names() if code != self.lang]

    # ---- navigation ---------------------------------------------------------------

    @cached_property
    def municipalities(self) -> list[MunicipalityLink]:
        """The municipalities the person works with (for the switcher): kept, or one query
        made only when a page shows the switcher."""
        if self.session is None or not self.signed_in:
            return []
        return cache.my_municipalities(self.request, self.session, self.principal)

    def main_nav(self) -> list[NavLink]:
        if not self.signed_in:
            return []
        app: FastAPI = self.request.app
        return [
            NavLink(i.key, self._(i.label), i.path)
            for i in nav.available(app, nav.MAIN_NAV, self.principal)
        ]

    def municipality_nav(self, number: str) -> list[NavLink]:
        app: FastAPI = self.request.app
        return [
            NavLink(i.key, self._(i.label), i.path.format(number=number))
            for i in nav.available(app, nav.MUNICIPALITY_NAV, self.principal)
        ]

    def region_nav(self, slug: str) -> list[NavLink]:
        app: FastAPI = self.request.app
        return [
            NavLink(i.key, self._(i.label), i.path.format(slug=slug))
            for i in nav.available(app, nav.REGION_NAV, self.principal)
        ]

    def has_page(self, path: str) -> bool:
        """Whether the app serves this path of the URL scheme (e.g. pages built elsewhere)."""
        return nav.shape(path) in nav.route_shapes(self.request.app)

    # ---- answering ----------------------------------------------------------------

    def cookie(self, name: str) -> str | None:
        return read_cookie(self.request, name)

    def set_cookie(self, name: str, value: str, max_age: int | None = None) -> None:
        self.cookies.append((name, value, max_age))

    def delete_cookie(self, name: str) -> None:
        self.cookies.append((name, "", 0))

    def _finish(self, response: Response) -> Response:
        settings = _settings(self.request)
        # A response any cache may keep is the same for everyone, so it sets no cookie; a
        # language asked for with ?lang= is then kept in the page's links instead.
        if _is_public(response):
            self.cookies.clear()
        else:
            self._remember_language_and_spend_flash()
        for name, value, max_age in self.cookies:
            response.set_cookie(
                cookie_name(settings, name),
                value,
                max_age=max_age,
                path="/",
                secure=settings.is_production,
                httponly=True,
                samesite="lax",
            )
        vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
        others = [v for v in vary if v != "HX-Request"]
        response.headers["Vary"] = ", ".join(["HX-Request", *others])
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _remember_language_and_spend_flash(self) -> None:
        requested = normalise_language(self.request.query_params.get("lang"))
        if requested and requested != normalise_language(self.cookie(LANGUAGE_COOKIE)):
            self.set_cookie(LANGUAGE_COOKIE, requested, 365 * 24 * 3600)
        if "flash" in self.__dict__ and self.cookie(FLASH_COOKIE):
            self.delete_cookie(FLASH_COOKIE)

    def render(
        self,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        block: str | list[str] | None = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The whole page, or only `block` (or several blocks, e.g. one with out-of-band
        swaps) when HTMX asks for a fragment."""
        full: dict[str, Any] = {"request": self.request, "web": self, "lang": self.lang}
        full.update(context or {})
        if isinstance(block, str) and self.is_fragment:
            response = templates.TemplateResponse(
                self.request, template, full, status_code=status, block_name=block
            )
        elif isinstance(block, list) and self.is_fragment:
            response = templates.TemplateResponse(
                self.request, template, full, status_code=status, block_names=block
            )
        else:
            response = templates.TemplateResponse(self.request, template, full, status_code=status)
        if headers:
            response.headers.update(headers)
        return self._finish(response)

    def html(self, body: bytes, *, headers: Mapping[str, str] | None = None) -> Response:
        """A page rendered earlier (e.g. kept in a cache), answered like a fresh one."""
        response = Response(content=body, media_type="text/html; charset=utf-8")
        if headers:
            response.headers.update(headers)
        return self._finish(response)

    def redirect(self, url: str, *, flash: str | None = None, near: str | None = None) -> Response:
        """After a successful post: 303 to the page to see, or HX-Redirect for HTMX.
        `near` names the element (the target of the url's fragment) whose template shows
        the confirmation beside it, so it is seen where the browser scrolls to."""
        url = safe_next(url)
        if flash is not None:
            value = flash if near is None else f"{flash}{FLASH_NEAR_SEPARATOR}{near}"
            self.set_cookie(FLASH_COOKIE, value, 120)
        if self.is_fragment:
            response = Response(status_code=200, headers={"HX-Redirect": url})
        else:
            response = Response(status_code=303, headers={"Location": url})
        return self._finish(response)

    def redirect_elsewhere(self, url: str) -> Response:
        """To another site (an OpenID provider's sign-in page): a plain 303."""
        return self._finish(Response(status_code=303, headers={"Location": url}))


def _language_names() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


async def form_data(request: Request) -> FormData:
    """The posted form (empty for safe methods); read once and shared by dependencies."""
    if request.method in SAFE_METHODS:
        return FormData()
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return FormData()
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def web_of(request: Request, session: Session, form: FormData, *, csrf: bool = True) -> Web:
    """Who asks and in which language (`get_web` for routes; callable outside one)."""
    active = resolve_session(request, session)
    sent = form.get(CSRF_FIELD)
    if csrf:
        check_csrf(request, active, sent if isinstance(sent, str) else None)
    principal = active.principal if active else ANONYMOUS
    lang = request_language(request, active)
    request.state.principal = principal
    request.state.lang = lang
    return Web(request=request, session=session, principal=principal, active=active, lang=lang)


def get_web(request: Request, session: SessionDep, form: FormDep) -> Web:
    return web_of(request, session, form)


WebDep = Annotated[Web, Depends(get_web)]


def get_token_web(request: Request, session: SessionDep, form: FormDep) -> Web:
    """For the few forms a token in the URL authorises (a one-click unsubscribe, posted by
    a mail program that has no session): no CSRF check, since the session is not what
    allows the request."""
    return web_of(request, session, form, csrf=False)


TokenWebDep = Annotated[Web, Depends(get_token_web)]


async def signed_in(web: WebDep) -> Web:
    """Pages of the signed-in app; anyone else is sent to the sign-in page."""
    require_authenticated(web.principal)
    return web


SignedInDep = Annotated[Web, Depends(signed_in)]


def web_for_error(request: Request) -> Web:
    """A Web for error pages, from what the request resolved so far."""
    if not hasattr(request.state, "active_session") and read_cookie(request, SESSION_COOKIE):
        # An error before any page dependency ran (e.g. no such path): still show the
        # person as signed in.
        database: Database = request.app.state.db
        try:
            with database.session() as session:
                resolve_session(request, session)
        except Exception:
            log.warning("could not read the session for an error page", exc_info=True)
    active: auth.ActiveSession | None = getattr(request.state, "active_session", None)
    principal = getattr(request.state, "principal", None)
    if principal is None and active is not None:
        principal = active.principal
    lang = getattr(request.state, "lang", None) or request_language(request, active)
    return Web(
        request=request,
        session=None,
        principal=principal if isinstance(principal, Principal) else ANONYMOUS,
        active=active,
        lang=lang,
    )


def sign_in_url(next_path: str) -> str:
    return f"/logg-inn?next={quote(safe_next(next_path), safe='/')}"
