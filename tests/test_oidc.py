"""The OpenID Connect protocol checks (app/oidc.py) and the OIDC_PROVIDERS setting: ID
tokens made here with keys made here, each wrong in one way; a discovery document served by
a small HTTP server in the test."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from pydantic import ValidationError

from app import oidc
from app.config import OidcProvider, Settings

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

ISSUER = "https://login.example.no/tenant"
CLIENT = "demensforlop"
NONCE = "nonce-0123456789"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
PUBLISHED = KeySet([KEY]).as_dict(private=False)


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "person-1",
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
        "email": "person@example.no",
        "email_verified": True,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def token(key: Any = KEY, alg: str = "RS256", **changes: Any) -> str:
    return jwt.encode({"alg": alg, "kid": "k1"}, claims(**changes), key)


def verify(id_token: str, **options: Any) -> dict[str, Any]:
    return oidc.verify_id_token(
        id_token,
        keys=options.pop("keys", PUBLISHED),
        issuer=ISSUER,
        client_id=CLIENT,
        nonce=options.pop("nonce", NONCE),
        **options,
    )


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_right_token_gives_its_claims() -> None:
    assert verify(token())["email"] == "person@example.no"


def test_a_token_whose_payload_was_altered_is_refused() -> None:
    header, _, signature = token().split(".")
    forged = ".".join([header, _b64(claims(email="admin@example.no")), signature])
    with pytest.raises(oidc.OidcFailure) as refused:
        verify(forged)
    assert refused.value.reason == "token"


def test_a_token_whose_signature_was_altered_is_refused() -> None:
    header, payload, signature = token().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(oidc.OidcFailure):
        verify(".".join([header, payload, flipped]))


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused() -> None:
    with pytest.raises(oidc.OidcFailure):
        verify(token(OTHER_KEY))


def test_an_unsigned_token_is_refused() -> None:
    unsigned = f"{_b64({'alg': 'none'})}.{_b64(claims())}."
    with pytest.raises(oidc.OidcFailure):
        verify(unsigned)


def test_a_token_signed_with_a_shared_secret_is_refused() -> None:
    """HS256 made with the public key's bytes (the old confusion attack) or any secret:
    only public-key algorithms are accepted."""
    secret = OctKey.import_key(b"x" * 32, {"kid": "k1"})
    hmac_token = jwt.encode({"alg": "HS256", "kid": "k1"}, claims(), secret)
    keys = {"keys": [*PUBLISHED["keys"], secret.as_dict()]}
    with pytest.raises(oidc.OidcFailure):
        verify(hmac_token, keys=keys)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example.no"},
        {"aud": "another-client"},
        {"aud": ["another-client"]},
        {"exp": 1_600_000_000},  # long ago: a fixed time, so every worker collects one test
        {"iat": None},
        {"exp": None},
        {"sub": None},
        {"nonce": "another-nonce"},
        {"nonce": None},
        {"aud": [CLIENT, "another-client"], "azp": "another-client"},
    ],
    ids=repr,
)
def test_a_token_with_a_wrong_claim_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(oidc.OidcFailure) as refused:
        verify(token(**changes))
    assert refused.value.reason == "token"


def test_a_little_clock_difference_is_tolerated_but_not_more() -> None:
    now = int(time.time())
    assert verify(token(exp=now - 30))
    with pytest.raises(oidc.OidcFailure):
        verify(token(exp=now - oidc.LEEWAY - 30))


def test_several_audiences_are_accepted_when_we_are_the_authorized_party() -> None:
    assert verify(token(aud=[CLIENT, "other"], azp=CLIENT))["sub"] == "person-1"


def test_only_the_algorithms_the_provider_announces_are_accepted() -> None:
    with pytest.raises(oidc.OidcFailure):
        verify(token(), algorithms=("ES256",))


# ---- discovery ---------------------------------------------------------------------------


class _Discovery(BaseHTTPRequestHandler):
    document: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        body = json.dumps(self.document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def discovery_server() -> Iterator[tuple[str, type[_Discovery]]]:
    handler = type("Handler", (_Discovery,), {"document": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _provider(issuer: str) -> OidcProvider:
    return OidcProvider(
        key="t", issuer=issuer, client_id=CLIENT, client_secret="s", display_name="T"
    )


def test_discovery_reads_the_endpoints(discovery_server: tuple[str, Any]) -> None:
    url, handler = discovery_server
    handler.document = {
        "issuer": url,
        "authorization_endpoint": f"{url}/auth",
        "token_endpoint": f"{url}/token",
        "jwks_uri": f"{url}/jwks",
        "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
    }
    found = oidc.discover(_provider(url))
    assert found.token_endpoint == f"{url}/token"
    assert found.algorithms == ("RS256",)


def test_a_discovery_document_of_another_issuer_is_refused(
    discovery_server: tuple[str, Any],
) -> None:
    url, handler = discovery_server
    handler.document = {
        "issuer": "https://evil.example.no",
        "authorization_endpoint": f"{url}/auth",
        "token_endpoint": f"{url}/token",
        "jwks_uri": f"{url}/jwks",
    }
    with pytest.raises(oidc.OidcFailure) as refused:
        oidc.discover(_provider(url))
    assert refused.value.reason == "unavailable"


def test_a_provider_offering_only_unaccepted_algorithms_is_refused(
    discovery_server: tuple[str, Any],
) -> None:
    url, handler = discovery_server
    handler.document = {
        "issuer": url,
        "authorization_endpoint": f"{url}/auth",
        "token_endpoint": f"{url}/token",
        "jwks_uri": f"{url}/jwks",
        "id_token_signing_alg_values_supported": ["HS256"],
    }
    with pytest.raises(oidc.OidcFailure):
        oidc.discover(_provider(url))


def test_a_provider_that_does_not_answer_is_unavailable() -> None:
    with pytest.raises(oidc.OidcFailure) as refused:
        oidc.discover(_provider("http://127.0.0.1:9"))
    assert refused.value.reason == "unavailable"


# ---- the setting -------------------------------------------------------------------------


def test_providers_are_read_as_json_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = [
        {
            "key": "entra-kafjord",
            "issuer": "https://login.microsoftonline.com/0000/v2.0",
            "client_id": "c",
            "client_secret": "very-secret-value",
            "display_name": "Microsoft",
            "email_verified_claim": "xms_edov",
            "mfa": True,
        }
    ]
    monkeypatch.setenv("OIDC_PROVIDERS", json.dumps(listed))
    settings = Settings(_env_file=None)
    provider = settings.oidc_provider("entra-kafjord")
    assert provider is not None
    assert provider.mfa
    assert provider.email_verified_claim == "xms_edov"
    assert provider.client_secret == "very-secret-value"
    assert "very-secret-value" not in repr(settings)


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": "http://login.example.no"},
        {"key": "Has Spaces"},
        {"client_secret": ""},
        {"unknown": "field"},
    ],
    ids=repr,
)
def test_a_wrong_provider_is_refused_at_start(changes: dict[str, Any]) -> None:
    values = {
        "key": "k",
        "issuer": "https://login.example.no",
        "client_id": "c",
        "client_secret": "s",
        "display_name": "K",
        **changes,
    }
    with pytest.raises(ValidationError):
        Settings(oidc_providers=[values])  # type: ignore[list-item]


def test_two_providers_with_one_key_are_refused() -> None:
    one = _provider("https://login.example.no")
    with pytest.raises(ValidationError):
        Settings(oidc_providers=[one, one])


def test_production_wants_https_issuers() -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(
            environment="production",
            secret_key="p" * 40,
            oidc_providers=[_provider("http://127.0.0.1:8080")],
        )
