"""OpenID Connect, the protocol: the provider's discovery document and keys, the
authorization request (code flow with PKCE S256, state and nonce), exchanging the code for
tokens, and checking the ID token (signature by a key the provider publishes, issuer,
audience, expiry, issue time, nonce). Authlib makes the requests; joserfc (Authlib's JOSE
library) checks the token.

Nothing here knows users or the database: `services.sso` decides who the verified identity
may be. Every failure is an `OidcFailure` with a short reason the sign-in page explains;
nothing from the provider is shown as it is.

The discovery document and the keys are read afresh for each sign-in (two small requests),
so a provider's key rotation counts at once and no cache is needed at this load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.config import OidcProvider

if TYPE_CHECKING:
    from authlib.integrations.requests_client import OAuth2Session

# Authlib, requests and joserfc (with cryptography) are 18 MB in every worker, and only a
# sign-in through a provider needs them: each function here imports what it uses.

#: Seconds to wait for the provider.
TIMEOUT = 10
#: Clock difference tolerated between the provider and us, in seconds.
LEEWAY = 60
#: Signature algorithms accepted on an ID token: public-key ones only (never "none", never
#: a shared secret), and of those only what the provider says it uses.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")


class OidcFailure(Exception):
    """Why a sign-in through a provider did not complete. `reason` is one of:
    unavailable (the provider did not answer sensibly), exchange (the code was refused,
    e.g. used before), token (the ID token failed a check)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class Flow:
    """What the browser carries from the authorization request to the callback."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> Flow:
        from authlib.common.security import generate_token

        return cls(
            state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64)
        )


def _get_json(url: str) -> dict[str, Any]:
    import requests

    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OidcFailure("unavailable", f"{url}: {exc}") from exc
    if not isinstance(document, dict):
        raise OidcFailure("unavailable", f"{url}: not a JSON object")
    return document


def discover(provider: OidcProvider) -> Discovery:
    """The provider's discovery document, whose issuer must be the one configured."""
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _get_json(url)
    if document.get("issuer") != provider.issuer:
        raise OidcFailure("unavailable", f"the discovery document names {document.get('issuer')!r}")
    try:
        endpoints = {
            name: str(document[name])
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        }
    except KeyError as exc:
        raise OidcFailure("unavailable", f"the discovery document lacks {exc}") from exc
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(a for a in ALGORITHMS if a in offered)
    if not algorithms:
        raise OidcFailure("unavailable", f"no accepted ID token algorithm in {offered}")
    return Discovery(issuer=provider.issuer, algorithms=algorithms, **endpoints)


def _client(provider: OidcProvider, redirect_uri: str) -> OAuth2Session:
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=provider.token_endpoint_auth_method,
    )


def authorization_url(
    provider: OidcProvider, discovery: Discovery, redirect_uri: str, flow: Flow
) -> str:
    """Where the browser goes to sign in at the provider."""
    with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            discovery.authorization_endpoint,
            state=flow.state,
            nonce=flow.nonce,
            code_verifier=flow.code_verifier,
        )
    return str(url)


def exchange_code(
    provider: OidcProvider, discovery: Discovery, redirect_uri: str, code: str, flow: Flow
) -> str:
    """The ID token, for the code the provider sent back (with the PKCE verifier)."""
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(
                discovery.token_endpoint,
                code=code,
                code_verifier=flow.code_verifier,
                timeout=TIMEOUT,
            )
    except Exception as exc:  # Authlib raises its own errors, requests' and ValueError
        raise OidcFailure("exchange", str(exc)[:300]) from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OidcFailure("exchange", "the token response has no ID token")
    return id_token


def verify_id_token(
    id_token: str,
    *,
    keys: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: tuple[str, ...] = ALGORITHMS,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims, once its signature (by one of `keys`, a JWK set) and its
    issuer, audience, authorized party, expiry, issue time and nonce are right."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        token = jwt.decode(id_token, key_set, algorithms=[a for a in algorithms if a in ALGORITHMS])
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise OidcFailure("token", f"signature: {exc}") from exc
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now if now is not None else int(time.time()),
        leeway=LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise OidcFailure("token", f"claims: {exc}") from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise OidcFailure("token", "several audiences and another authorized party")
    return claims


def complete(provider: OidcProvider, redirect_uri: str, code: str, flow: Flow) -> dict[str, Any]:
    """The verified claims of the person the provider sent back with `code`."""
    discovery = discover(provider)
    id_token = exchange_code(provider, discovery, redirect_uri, code, flow)
    keys = _get_json(discovery.jwks_uri)
    return verify_id_token(
        id_token,
        keys=keys,
        issuer=discovery.issuer,
        client_id=provider.client_id,
        nonce=flow.nonce,
        algorithms=discovery.algorithms,
    )
