"""Single sign-on in the browser: the button on the sign-in page leads to
/logg-inn/sso/<provider>, which sends the browser to the provider with a fresh state, nonce
and PKCE verifier kept in a signed, short-lived cookie; the provider sends it back to
/logg-inn/sso/<provider>/svar. Every way that can fail ends on the sign-in page with a
message saying what happened and what to do. The protocol is `app.oidc`, who may come in
`services.sso`."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import structlog
from fastapi import APIRouter, Response

from app import oidc
from app.config import OidcProvider
from app.errors import SignInRefused
from app.routers.web import two_step as web_two_step
from app.routers.web.auth import DEMO_REFUSED, sign_in_page_response
from app.security import constant_time_equals, sign
from app.services import sso
from app.services.auth import PendingSignIn
from app.web.core import SESSION_COOKIE, Web, WebDep, session_policy
from app.web.forms import Form
from app.web.i18n import N_
from app.web.redirects import safe_next

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

FLOW_COOKIE = "dfl_sso"
#: How long the provider's sign-in may take.
FLOW_SECONDS = 600

UNKNOWN_PROVIDER = N_("Denne innloggingstjenesten finnes ikke her. Velg en av dem på siden.")
MESSAGES = {
    "provider_error": N_(
        "Innloggingen hos %(provider)s ble avbrutt eller avvist. Prøv igjen, eller logg inn "
        "med e-post og passord."
    ),
    "state": N_(
        "Innloggingen hos %(provider)s var utløpt eller allerede brukt. Start innloggingen på nytt."
    ),
    "exchange": N_(
        "%(provider)s godtok ikke innloggingen (koden var ugyldig eller allerede brukt). Start "
        "innloggingen på nytt."
    ),
    "token": N_(
        "Svaret fra %(provider)s kunne ikke bekreftes, så du er ikke logget inn. Start på nytt, "
        "og kontakt brukerstøtte hvis det skjer igjen."
    ),
    "unavailable": N_(
        "%(provider)s svarer ikke som den skal akkurat nå. Prøv igjen senere, eller logg inn "
        "med e-post og passord."
    ),
    "unverified": N_(
        "%(provider)s bekreftet ikke e-postadressen din, så vi vet ikke hvem du er. Be "
        "IT-avdelingen om å bekrefte adressen, eller logg inn med e-post og passord."
    ),
    "unknown": N_(
        "E-postadressen %(email)s har ikke tilgang til Demensforløp. En demenskoordinator, "
        "rådgiver eller administrator må invitere deg før du kan logge inn."
    ),
    "invitation_expired": N_(
        "Invitasjonen din er utløpt. Be den som inviterte deg om å sende en ny."
    ),
    "deactivated": N_(
        "Brukeren din er deaktivert. Kontakt en administrator hvis du fortsatt skal ha tilgang."
    ),
    "demo": DEMO_REFUSED,
}
STATUS = {
    "unavailable": 502,
    "unverified": 403,
    "unknown": 403,
    "invitation_expired": 403,
    "deactivated": 403,
    "demo": 403,
}


def _redirect_uri(web: Web, provider: OidcProvider) -> str:
    public_url: str = web.request.app.state.settings.public_url
    return f"{public_url.rstrip('/')}/logg-inn/sso/{provider.key}/svar"


def _provider(web: Web, key: str) -> OidcProvider | None:
    found: OidcProvider | None = web.request.app.state.settings.oidc_provider(key)
    return found


def _refused(
    web: Web, reason: str, provider: OidcProvider | None, next_path: str, **values: Any
) -> Response:
    """The sign-in page with what went wrong and what to do."""
    if provider is None:
        message, status = web._(UNKNOWN_PROVIDER), 404
    else:
        message = web._(MESSAGES[reason], provider=provider.display_name, **values)
        status = STATUS.get(reason, 400)
    form = Form({"next": safe_next(next_path)})
    return sign_in_page_response(web, form, status=status, message=message)


def _secret(web: Web) -> str:
    secret: str = web.request.app.state.settings.secret_key
    return secret


def _flow_cookie(web: Web, key: str, flow: oidc.Flow, next_path: str) -> str:
    payload = json.dumps(
        {
            "p": key,
            "s": flow.state,
            "n": flow.nonce,
            "v": flow.code_verifier,
            "next": next_path,
            "t": int(time.time()),
        },
        separators=(",", ":"),
    )
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{sign(_secret(web), f'sso|{encoded}')}"


def _read_flow(web: Web, key: str) -> tuple[oidc.Flow, str] | None:
    """The flow begun in this browser for this provider within FLOW_SECONDS, and where to
    go after; None if there is none, it was altered, or it ran out."""
    value = web.cookie(FLOW_COOKIE) or ""
    encoded, _, signature = value.partition(".")
    if not encoded or len(value) > 2000:
        return None
    if not constant_time_equals(signature, sign(_secret(web), f"sso|{encoded}")):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        flow = oidc.Flow(state=str(data["s"]), nonce=str(data["n"]), code_verifier=str(data["v"]))
        issued, provider, next_path = int(data["t"]), str(data["p"]), str(data["next"])
    except (ValueError, KeyError, TypeError):
        return None
    if provider != key or not 0 <= time.time() - issued <= FLOW_SECONDS:
        return None
    return flow, safe_next(next_path)


@router.get("/logg-inn/sso/{provider_key}")
def start(web: WebDep, provider_key: str, next: str = "/app") -> Response:
    """To the provider's sign-in, with a new state, nonce and PKCE verifier."""
    key = provider_key
    provider = _provider(web, key)
    if provider is None:
        return _refused(web, "unknown_provider", None, next)
    try:
        discovery = oidc.discover(provider)
    except oidc.OidcFailure as exc:
        log.warning("sso_provider_unavailable", provider=key, detail=exc.detail)
        return _refused(web, "unavailable", provider, next)
    flow = oidc.Flow.new()
    url = oidc.authorization_url(provider, discovery, _redirect_uri(web, provider), flow)
    web.set_cookie(FLOW_COOKIE, _flow_cookie(web, key, flow, safe_next(next)), FLOW_SECONDS)
    return web.redirect_elsewhere(url)


@router.get("/logg-inn/sso/{provider_key}/svar")
def callback(
    web: WebDep,
    provider_key: str,
    state: str = "",
    code: str = "",
    error: str = "",
    iss: str = "",
) -> Response:
    """The provider sends the browser back here: with a code, or with an error. Where the
    provider names itself (`iss`, RFC 9207), it must be the provider the flow began with,
    so an answer from another provider cannot be passed off as this one's."""
    key = provider_key
    provider = _provider(web, key)
    found = _read_flow(web, key)
    web.delete_cookie(FLOW_COOKIE)  # one flow, one callback: a replay finds nothing
    next_path = found[1] if found else "/app"
    if provider is None:
        return _refused(web, "unknown_provider", None, next_path)
    if error:
        log.info("sso_provider_error", provider=key, error=error[:100])
        return _refused(web, "provider_error", provider, next_path)
    wrong_issuer = bool(iss) and iss != provider.issuer
    if found is None or not state or not constant_time_equals(state, found[0].state) or not code:
        return _refused(web, "state", provider, next_path)
    if wrong_issuer:
        log.warning("sso_wrong_issuer", provider=key, issuer=iss[:200])
        return _refused(web, "token", provider, next_path)
    flow = found[0]
    try:
        claims = oidc.complete(provider, _redirect_uri(web, provider), code[:2000], flow)
    except oidc.OidcFailure as exc:
        log.warning("sso_failed", provider=key, reason=exc.reason, detail=exc.detail)
        return _refused(web, exc.reason, provider, next_path)
    identity = sso.Identity.from_claims(key, claims, provider.email_verified_claim)
    client = web.request.client
    try:
        signed = sso.sign_in(
            web.db,
            identity,
            provider_mfa=provider.mfa,
            address=client.host if client else None,
            policy=session_policy(web.request.app.state.settings),
            replaces=web.cookie(SESSION_COOKIE),
        )
    except SignInRefused as exc:
        web.db.rollback()
        return _refused(web, exc.reason, provider, next_path, email=identity.email)
    if isinstance(signed, PendingSignIn):
        return web_two_step.start(web, signed, next_path)
    hours: int = web.request.app.state.settings.session_absolute_hours
    web.set_cookie(SESSION_COOKIE, signed.token, hours * 3600)
    return web.redirect(next_path)
