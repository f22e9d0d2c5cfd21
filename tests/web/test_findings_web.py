"""Regression tests for the findings of the attack and integrator review (issue 14) on the
web side: 6 (open redirect), 10 (lock-out by strangers), 11 (metrics, caching and cookies)
and 12 (sign-in token, cookie names, session rotation, format characters).

Each test is named after its finding and fails on the code before the fix. The names these
tests import at module level existed before the fixes, so each test fails on its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import Invalid, TooManyRequests
from app.main import create_app
from app.models.base import Role, utcnow
from app.models.identity import WebSession
from app.models.pathway import Strength
from app.models.publishing import PublishInput
from app.security import sha256_hex
from app.services import auth, publishing
from app.services.access import SYSTEM
from app.web.core import LANGUAGE_COOKIE, SESSION_COOKIE, SIGN_IN_COOKIE, session_policy
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, csrf_of, form_fields, page

EMAIL = "ko@example.no"

# ---- finding 6: open redirect ---------------------------------------------------------------

#: The issue's payloads and their relatives: tabs and newlines browsers drop, backslashes
#: they read as slashes, look-alike slashes, controls that broke the connection, encodings
#: of all of these, and sheer size.
OPEN_REDIRECTS = [
    "/\t///evil.example",
    "/\t/evil.example",
    "/∕∕evil.example",  # U+2215 DIVISION SLASH
    "/\u2044\u2044evil.example",  # FRACTION SLASH
    "/\uff0f\uff0fevil.example",  # FULLWIDTH SOLIDUS
    "/\uff3c\uff3cevil.example",  # FULLWIDTH REVERSE SOLIDUS
    "/\u29f8\u29f8evil.example",  # BIG SOLIDUS
    "\x0b",
    "\x00",
    "/\x0b/evil.example",
    "/app\x00",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "\u3000//evil.example",
    "/\u202e//evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%0B",
    "/%00",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/%E2%88%95%E2%88%95evil.example",
    "/%EF%BC%8F%EF%BC%8Fevil.example",
    "/%FF%FE",
    "/app?x=%FF",
    "/app%0d%0aSet-Cookie:%20x=y",
    "/app\r\nSet-Cookie: x=y",
    "/.//evil.example",
    "/app/../..//evil.example",
    "/%2e%2e/%2e%2e//evil.example",
    "/" + "a" * 60_000,  # near what a client sends in an address
]
#: Where the app may go: the default of each form or a target as it was sent.
SAFE_DEFAULTS = ("/", "/app")


def assert_on_this_site(location: str) -> None:
    """A path on this host: one "/" and then neither a slash nor a backslash, in printable
    ASCII, and it resolves to this host whatever the base."""
    assert location.isascii(), location
    assert location.isprintable(), location
    assert " " not in location, location
    assert location.startswith("/"), location
    assert location == "/" or location[1] not in "/\\", location
    resolved = urlsplit(urljoin("http://testserver/a/b", location))
    assert (resolved.scheme, resolved.netloc) == ("http", "testserver"), location


def _shown_next(response: Response) -> str:
    """The `next` of the sign-in form on a page."""
    return str(form_fields(page(response).one("form", action="/logg-inn"))["next"])


def _switch_language(client: TestClient, target: str) -> Response:
    response: Response = client.post(
        "/sprak", data={"lang": "en", "next": target}, follow_redirects=False
    )
    return response


@pytest.mark.parametrize("target", OPEN_REDIRECTS, ids=range(len(OPEN_REDIRECTS)))
def test_finding_06_open_redirect_language_switch_stays_on_this_site(
    anonymous: TestClient, target: str
) -> None:
    response = _switch_language(anonymous, target)
    assert response.status_code == 303
    assert response.headers["location"] in SAFE_DEFAULTS


@pytest.mark.parametrize("target", OPEN_REDIRECTS, ids=range(len(OPEN_REDIRECTS)))
def test_finding_06_open_redirect_sign_in_next_stays_on_this_site(
    anonymous: TestClient, session: Session, target: str
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    shown = anonymous.get("/logg-inn", params={"next": target})
    assert shown.status_code == 200
    form = page(shown).one("form", action="/logg-inn")
    assert form_fields(form)["next"] == "/app"
    posted = anonymous.post(
        "/logg-inn",
        data={**form_fields(form), "email": EMAIL, "password": factories.PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == "/app"


def test_finding_06_open_redirect_invalid_utf8_and_raw_bytes(anonymous: TestClient) -> None:
    """Percent-escapes that are not UTF-8, and raw bytes that are not, get the default."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body in (
        b"lang=en&next=%2F%FF%2F%2Fevil.example",
        b"lang=en&next=/\xff\xfe//evil.example",
        b"lang=en&next=/%C0%AF%C0%AFevil.example",  # overlong "/"
        b"lang=en&next=%2F%2Fevil.example",
    ):
        response = anonymous.post("/sprak", content=body, headers=form, follow_redirects=False)
        assert response.status_code == 303, body
        assert response.headers["location"] in SAFE_DEFAULTS, body
    for query in ("next=%2F%FF%FE", "next=%2F%09%2Fevil.example", "next=%2F%E2%88%95evil"):
        shown = anonymous.get(f"/logg-inn?{query}")
        assert shown.status_code == 200, query
        assert _shown_next(shown) == "/app", query


def test_finding_06_open_redirect_keeps_the_pages_of_this_site(anonymous: TestClient) -> None:
    for target, location in (
        ("/kommuner/5501?lang=nb", "/kommuner/5501"),
        ("/?q=Troms%C3%B8", "/?q=Troms%C3%B8"),
        ("/?q=Tana+bru&lang=nb", "/?q=Tana+bru"),
        ("/logg-inn", "/logg-inn"),
        ("/app/kommuner/5501/forlop#fase-assessment", "/app/kommuner/5501/forlop#fase-assessment"),
        ("/", "/"),
    ):
        response = _switch_language(anonymous, target)
        assert response.headers["location"] == location, target


#: Pieces hostile targets are made of, combined at random with any text.
_PIECES = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "%2F",
        "%2f",
        "%5C",
        "%25",
        "%09",
        "%0a",
        "%FF",
        "%E2%88%95",
        "\t",
        "\n",
        "\r",
        "\x0b",
        "\x00",
        "\x7f",
        "∕",
        "⁄",
        "／",
        "＼",
        "\u202e",
        "\u3000",
        " ",
        ".",
        "..",
        "@",
        ":",
        "?",
        "#",
        "http:",
        "evil.example",
        "app",
    ]
)
HOSTILE_TARGETS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=10).map("".join),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=HOSTILE_TARGETS)
def test_finding_06_open_redirect_property_every_target_stays_on_this_site(
    anonymous: TestClient, target: str
) -> None:
    """Whatever comes in as `next`, the Location (and the sign-in page's `next`, and the
    target of the sign-in redirect after a 401) is a path on this host."""
    switched = _switch_language(anonymous, target)
    assert switched.status_code == 303
    assert_on_this_site(switched.headers["location"])
    shown = anonymous.get("/logg-inn", params={"next": target})
    assert shown.status_code == 200
    assert_on_this_site(_shown_next(shown))
    gated = anonymous.get("/app", params={"x": target}, follow_redirects=False)
    assert gated.status_code == 303
    location = gated.headers["location"]
    assert_on_this_site(location)
    assert_on_this_site(parse_qs(urlsplit(location).query)["next"][0])


# ---- finding 10: lock-out by strangers --------------------------------------------------------


def _sign_in_from(app: FastAPI, address: str, email: str, password: str) -> Response:
    """One attempt through the sign-in form, from a browser at `address`."""
    with TestClient(app, client=(address, 50000)) as browser:
        form = page(browser.get("/logg-inn")).one("form", action="/logg-inn")
        response: Response = browser.post(
            "/logg-inn",
            data={**form_fields(form), "email": email, "password": password},
            follow_redirects=False,
        )
        return response


def test_finding_10_five_strangers_do_not_lock_out_the_real_user(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    for n in range(settings.login_max_failures):
        assert _sign_in_from(app, f"198.51.100.{n + 1}", EMAIL, "gjetning").status_code == 422
    assert _sign_in_from(app, "10.0.0.1", EMAIL, factories.PASSWORD).status_code == 303


def test_finding_10_a_stranger_is_throttled_while_the_real_user_signs_in(
    app: FastAPI, session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    for _ in range(settings.login_max_failures):
        assert _sign_in_from(app, "203.0.113.7", EMAIL, "gjetning").status_code == 422
    # The stranger is stopped, even with the right password...
    assert _sign_in_from(app, "203.0.113.7", EMAIL, factories.PASSWORD).status_code == 429
    # ...while the coordinator, at their own desk, signs in as usual.
    assert _sign_in_from(app, "10.0.0.1", EMAIL, factories.PASSWORD).status_code == 303
    assert _sign_in_from(app, "203.0.113.7", EMAIL, factories.PASSWORD).status_code == 429


def _policy(settings: Settings, **limits: int) -> auth.SessionPolicy:
    return session_policy(settings.model_copy(update=limits))


def _attempt(
    session: Session, policy: auth.SessionPolicy, address: str, password: str, **kwargs: Any
) -> auth.SignedIn:
    signed = auth.sign_in(
        session, email=EMAIL, password=password, address=address, policy=policy, **kwargs
    )
    assert isinstance(signed, auth.SignedIn)
    return signed


def test_finding_10_guessing_from_many_addresses_meets_the_slower_account_limit(
    session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    policy = _policy(settings, login_account_max_failures=8)
    _attempt(session, policy, "10.0.0.1", factories.PASSWORD)  # the coordinator's office
    for n in range(8):
        with pytest.raises(Invalid):
            _attempt(session, policy, f"198.51.100.{n + 1}", "gjetning")
    # Guessing spread over many addresses stops at the account's limit, for new addresses...
    with pytest.raises(TooManyRequests) as refused:
        _attempt(session, policy, "198.51.100.99", factories.PASSWORD)
    assert refused.value.retry_after > policy.window.total_seconds()
    # ...but not for the address the coordinator signs in from.
    assert _attempt(session, policy, "10.0.0.1", factories.PASSWORD).principal.is_coordinator
    later = utcnow() + policy.account_window + timedelta(seconds=1)
    signed = _attempt(session, policy, "198.51.100.99", factories.PASSWORD, now=later)
    assert signed.principal.is_coordinator


def test_finding_10_one_address_trying_many_accounts_meets_the_address_limit(
    session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    policy = _policy(settings, login_address_max_failures=6)
    office = "10.0.0.1"
    _attempt(session, policy, office, factories.PASSWORD)
    for n in range(6):
        with pytest.raises(Invalid):
            auth.sign_in(
                session, email=f"n{n}@example.no", password="x", address=office, policy=policy
            )
    with pytest.raises(TooManyRequests):
        auth.sign_in(session, email="n9@example.no", password="x", address=office, policy=policy)
    # Someone spraying passwords from a shared office does not lock out its known users.
    assert _attempt(session, policy, office, factories.PASSWORD).principal.is_coordinator


def test_finding_10_an_ipv6_network_counts_as_one_address(
    session: Session, settings: Settings
) -> None:
    """Rotating through the addresses of one /64 gains nothing; another network is not
    affected."""
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    policy = session_policy(settings)
    for n in range(policy.max_failures):
        with pytest.raises(Invalid):
            _attempt(session, policy, f"2001:db8:0:7::{n + 1:x}", "gjetning")
    with pytest.raises(TooManyRequests):
        _attempt(session, policy, "2001:db8:0:7::ffff", factories.PASSWORD)
    assert _attempt(session, policy, "2001:db8:0:8::1", factories.PASSWORD).principal.user_id


# ---- finding 11: /metrics, caching and cookies ---------------------------------------------------

METRICS_TOKEN = "m" * 40


def test_finding_11_metrics_need_the_token_or_an_allowed_address(
    settings: Settings, db: TransactionalDatabase
) -> None:
    configured = settings.model_copy(
        update={"metrics_token": METRICS_TOKEN, "metrics_allow": "127.0.0.0/8,::1/128,10.9.0.0/16"}
    )
    app = create_app(configured, database=db)

    def scrape(address: str, **headers: str) -> Response:
        with TestClient(app, client=(address, 50000)) as client:
            response: Response = client.get("/metrics", headers=headers)
            return response

    for refused in (
        scrape("testclient"),
        scrape("192.0.2.10"),
        scrape("192.0.2.10", Authorization="Bearer not-the-token"),
        scrape("127.0.0.1", Authorization="Bearer not-the-token"),
        # Relayed by a proxy on this machine: loopback is the proxy, not the client.
        scrape("127.0.0.1", **{"X-Forwarded-For": "192.0.2.10"}),
        scrape("127.0.0.1", Forwarded="for=192.0.2.10"),
    ):
        assert refused.status_code == 404
        assert "demensforlop_http" not in refused.text
        assert "python_info" not in refused.text
    for allowed in (
        scrape("127.0.0.1"),
        scrape("::1"),
        scrape("10.9.3.4"),
        scrape("192.0.2.10", Authorization=f"Bearer {METRICS_TOKEN}"),
        scrape("127.0.0.1", Authorization=f"Bearer {METRICS_TOKEN}", **{"X-Forwarded-For": "x"}),
    ):
        assert allowed.status_code == 200
        assert "demensforlop_http_requests_total" in allowed.text
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        Settings(metrics_allow="10.0.0.0/8, kontoret")


def test_finding_11_public_pages_set_no_cookie_on_a_cacheable_answer(
    anonymous: TestClient, session: Session
) -> None:
    factories.fill_section(session, "5501", "assessment")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første versjon"))
    anonymous.cookies.set("dfl_flash", "language")  # a confirmation waiting to be shown
    for url in ("/kommuner/5501?lang=en", "/kommuner/5540?lang=en", "/kommuner/5501?lang=nb"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"].startswith("public"), url
        assert "set-cookie" not in response.headers, url
    english = anonymous.get("/kommuner/5501?lang=en")
    document = page(english)
    assert document.one("html").get("lang") == "en"
    # The language asked for is kept in the links instead of a cookie.
    assert document.one("a", class_="brand").get("href") == "/?lang=en"
    assert page(anonymous.get("/kommuner/5501")).one("a", class_="brand").get("href") == "/"
    # Pages no cache keeps still remember the choice.
    remembered = anonymous.get("/?lang=en")
    assert "no-store" in remembered.headers["cache-control"]
    assert remembered.cookies[LANGUAGE_COOKIE] == "en"


# ---- finding 12: sign-in token, cookies, session rotation, format characters ----------------


def _sign_in_fields(client: TestClient) -> dict[str, Any]:
    form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
    return {**form_fields(form), "email": EMAIL, "password": factories.PASSWORD, "next": "/app"}


def test_finding_12_a_planted_sign_in_cookie_and_token_are_refused(
    app: FastAPI, session: Session
) -> None:
    """A sibling subdomain can plant a cookie and post a form with the same value (plain
    double submit); a signed token is bound to its cookie and made with the secret key."""
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    with TestClient(app) as victim:
        victim.cookies.set(SIGN_IN_COOKIE, "planted-by-a-sibling")
        fields = {"email": EMAIL, "password": factories.PASSWORD, "next": "/app"}
        planted = victim.post("/logg-inn", data={**fields, "signin_token": "planted-by-a-sibling"})
        assert planted.status_code == 403
        assert SESSION_COOKIE not in victim.cookies
    with TestClient(app) as browser:
        genuine = _sign_in_fields(browser)
        token = genuine["signin_token"]
        assert token != browser.cookies[SIGN_IN_COOKIE]  # not the cookie's value
        for forged in (token + "x", "1." + token.partition(".")[2], token.partition(".")[2]):
            refused = browser.post("/logg-inn", data={**genuine, "signin_token": forged})
            assert refused.status_code == 403, forged
        # The page's token belongs to its own cookie, not to a cookie set some other way.
        browser.cookies.set(SIGN_IN_COOKIE, "another-value")
        assert browser.post("/logg-inn", data=genuine).status_code == 403
    with TestClient(app) as browser:
        ok = browser.post("/logg-inn", data=_sign_in_fields(browser), follow_redirects=False)
        assert ok.status_code == 303


def test_finding_12_a_sign_in_posted_by_another_site_is_refused(
    anonymous: TestClient, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    for site in ("cross-site", "same-site"):
        refused = anonymous.post(
            "/logg-inn", data=_sign_in_fields(anonymous), headers={"Sec-Fetch-Site": site}
        )
        assert refused.status_code == 403, site
        assert SESSION_COOKIE not in anonymous.cookies
    ok = anonymous.post(
        "/logg-inn",
        data=_sign_in_fields(anonymous),
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def _set_cookies(response: Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def _assert_host_cookie(header: str) -> None:
    attributes = [a.strip().lower() for a in header.split(";")[1:]]
    assert "secure" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain") for a in attributes)


def test_finding_12_production_cookies_carry_the_host_prefix(
    settings: Settings, db: TransactionalDatabase, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=EMAIL)
    production = settings.model_copy(
        update={"environment": "production", "demo": False, "secret_key": "s" * 40}
    )
    app = create_app(production, database=db)
    with TestClient(app, base_url="https://testserver") as browser:
        shown = browser.get("/logg-inn")
        cookies = _set_cookies(shown)
        assert set(cookies) == {"__Host-dfl_signin"}
        _assert_host_cookie(cookies["__Host-dfl_signin"])
        fields = {**form_fields(page(shown).one("form", action="/logg-inn"))}
        fields.update({"email": EMAIL, "password": factories.PASSWORD, "next": "/app"})
        signed = browser.post("/logg-inn", data=fields, follow_redirects=False)
        assert signed.status_code == 303
        cookies = _set_cookies(signed)
        assert set(cookies) == {"__Host-dfl_session", "__Host-dfl_signin"}
        for header in cookies.values():
            _assert_host_cookie(header)
        assert "max-age=0" in cookies["__Host-dfl_signin"].lower()  # the form's cookie ends
        assert browser.get("/app", follow_redirects=False).status_code == 200
        csrf = csrf_of(browser)
        switched = browser.post(
            "/sprak",
            data={"lang": "en", "next": "/app", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert set(_set_cookies(switched)) >= {"__Host-dfl_lang", "__Host-dfl_flash"}
        session_token = browser.cookies["__Host-dfl_session"]
    # The plain name is nobody in production (it could have been planted).
    with TestClient(app, base_url="https://testserver") as other:
        other.cookies.set("dfl_session", session_token)
        assert other.get("/app", follow_redirects=False).status_code == 303


def test_finding_12_changing_the_password_rotates_this_session(
    signed_in: SignedIn, session: Session, app: FastAPI
) -> None:
    person: SignedInClient = signed_in(email="bytter@example.no")
    before = person.client.cookies[SESSION_COOKIE]
    changed = person.post(
        "/app/passord",
        {
            "current_password": factories.PASSWORD,
            "new_password": "et helt nytt passord",
            "repeat_password": "et helt nytt passord",
        },
    )
    assert changed.status_code == 303
    after = person.client.cookies[SESSION_COOKIE]
    assert after != before
    assert session.get(WebSession, sha256_hex(before)) is None
    assert session.get(WebSession, sha256_hex(after)) is not None
    assert person.get("/app").status_code == 200  # this browser goes on, in the new session
    with TestClient(app) as thief:
        thief.cookies.set(SESSION_COOKIE, before)
        assert thief.get("/app", follow_redirects=False).status_code == 303


#: Bidirectional embeddings, overrides, isolates and marks, and other invisible format
#: characters (zero-width space, byte order mark, soft hyphen, word joiner, a tag).
FORMAT_CHARACTERS = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\ufeff\u00ad\u2060\U000e0041"
)


def test_finding_12_format_characters_are_stripped_through_the_api_and_forms(
    coordinator: SignedInClient, session: Session
) -> None:
    hostile = f"{FORMAT_CHARACTERS}Demens\u202evennlig{FORMAT_CHARACTERS} gpj.exe\u202c"
    api = coordinator.client.post(
        "/api/v1/municipalities/5501/improvement-areas",
        json={"title": hostile},
        headers={"X-CSRF-Token": coordinator.csrf},
    )
    assert api.status_code == 201, api.text
    assert api.json()["title"] == "Demensvennlig gpj.exe"
    form = coordinator.post(
        "/app/kommuner/5501/forbedringsomrader",
        {"title": f"Pårørende\u2066skole\u2069{FORMAT_CHARACTERS}", "status": "not_started"},
    )
    assert form.status_code == 303
    strength = coordinator.post("/app/kommuner/5501/styrker", {"text": "\u202eGodt team\u202c"})
    assert strength.status_code == 303
    stored = session.exec(select(Strength.text).where(col(Strength.text).like("%team%"))).all()
    assert stored == ["Godt team"]
    areas = coordinator.client.get("/api/v1/municipalities/5501/improvement-areas").json()
    assert {a["title"] for a in areas["items"]} == {"Demensvennlig gpj.exe", "Pårørendeskole"}
    # What writing needs stays: the joiners of an emoji sequence.
    kept = coordinator.client.post(
        "/api/v1/municipalities/5501/strengths",
        json={"text": "Sykepleier \U0001f469\u200d\u2695\ufe0f på laget"},
        headers={"X-CSRF-Token": coordinator.csrf},
    )
    assert kept.json()["text"] == "Sykepleier \U0001f469\u200d\u2695\ufe0f på laget"
