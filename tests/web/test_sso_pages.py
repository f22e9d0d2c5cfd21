"""Single sign-on through a real OpenID provider (tests/oidc/provider.mjs), driven with the
app's test client and a plain HTTP client at the provider: who comes in, who is refused and
what every failure of the callback shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from app.config import Settings
from app.models.audit import AuditEvent
from app.models.base import Role, utcnow
from app.models.identity import User
from app.models.mail import AccessLink
from app.services import invitations, two_step
from app.web.core import SESSION_COOKIE
from tests import factories
from tests.oidcprovider import OidcTestProvider
from tests.webtools import page

PUBLIC_URL = "http://127.0.0.1:8000"
INVITED = "ny.koordinator@kafjord.kommune.no"
ACTIVE = "aktiv.koordinator@example.no"
STRANGER = "aldri.invitert@example.no"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcTestProvider]:
    started = OidcTestProvider(
        [f"{PUBLIC_URL}/logg-inn/sso/test/svar", f"{PUBLIC_URL}/logg-inn/sso/mfa/svar"]
    ).start()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def untampered(provider: OidcTestProvider) -> Iterator[None]:
    yield
    provider.tamper(None)


@pytest.fixture
def settings(settings: Settings, provider: OidcTestProvider) -> Settings:
    mfa = provider.settings(key="mfa", display_name="MFA-kommunen", mfa=True)
    return settings.model_copy(
        update={"oidc_providers": [provider.settings(), mfa], "public_url": PUBLIC_URL}
    )


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _start(browser: TestClient, key: str = "test", next_path: str = "/app") -> str:
    started = browser.get(f"/logg-inn/sso/{key}?next={next_path}", follow_redirects=False)
    assert started.status_code == 303, started.text
    location: str = started.headers["location"]
    return location


def _back(browser: TestClient, url: str) -> Response:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL
    answer: Response = browser.get(f"{parts.path}?{parts.query}", follow_redirects=False)
    return answer


def sso(
    browser: TestClient, provider: OidcTestProvider, account: str, key: str = "test"
) -> tuple[Response, str]:
    """Through the provider as `account`; the app's answer to the callback and its URL."""
    callback = provider.login(_start(browser, key), account)
    return _back(browser, callback), callback


def _invite(session: Session, email: str) -> User:
    admin = factories.user(session, Role.admin)
    return invitations.invite(
        session,
        admin,
        email=email,
        role=Role.coordinator,
        base_url=PUBLIC_URL,
        municipalities=["5501"],
    )


def _message(response: Response) -> str:
    return page(response).one("p", role="alert").text()


def test_the_sign_in_page_has_a_button_per_provider(browser: TestClient) -> None:
    document = page(browser.get("/logg-inn?next=/app/kommuner/5501"))
    links = {a.get("href"): a.text() for a in document.find_all("a", class_="button")}
    assert links["/logg-inn/sso/test?next=%2Fapp%2Fkommuner%2F5501"] == (
        "Logg inn med Testkommunen ID"
    )
    assert "/logg-inn/sso/mfa?next=%2Fapp%2Fkommuner%2F5501" in links
    english = page(browser.get("/logg-inn?lang=en"))
    assert "Sign in with Testkommunen ID" in english.text()


def test_the_authorization_request_uses_pkce_state_and_nonce(browser: TestClient) -> None:
    query = parse_qs(urlsplit(_start(browser)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{PUBLIC_URL}/logg-inn/sso/test/svar"]
    assert "email" in query["scope"][0].split()


def test_an_invited_person_accepts_the_invitation_by_signing_in(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    user = _invite(session, INVITED)
    answer, _ = sso(browser, provider, INVITED)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app"
    assert browser.get("/app").status_code == 200
    session.refresh(user)
    assert user.is_active
    link = session.exec(select(AccessLink).where(col(AccessLink.user_id) == user.id)).one()
    assert link.used_at is not None
    actions = session.exec(
        select(AuditEvent.action).where(col(AuditEvent.entity_id) == str(user.id))
    ).all()
    assert "accept_invitation" in actions
    assert "sign_in_sso" in actions


def test_an_active_user_signs_in_and_goes_where_they_were_going(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=ACTIVE)
    callback = provider.login(_start(browser, next_path="/app/kommuner/5501"), ACTIVE)
    answer = _back(browser, callback)
    assert answer.headers["location"] == "/app/kommuner/5501"
    assert browser.cookies.get(SESSION_COOKIE)


def test_an_address_never_invited_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    answer, _ = sso(browser, provider, STRANGER)
    assert answer.status_code == 403
    message = _message(answer)
    assert STRANGER in message
    assert "invitere deg" in message
    assert browser.get("/app", follow_redirects=False).status_code in (302, 303)
    assert session.exec(select(User).where(col(User.email) == STRANGER)).first() is None


def test_an_address_the_provider_did_not_verify_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    factories.user(
        session, Role.coordinator, municipalities=["5501"], email="ubekreftet@example.no"
    )
    answer, _ = sso(browser, provider, "ubekreftet@example.no")
    assert answer.status_code == 403
    assert "bekreftet ikke e-postadressen" in _message(answer)


def test_a_deactivated_user_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    factories.user(
        session, Role.coordinator, municipalities=["5501"], email="deaktivert@example.no"
    )
    user = session.exec(select(User).where(col(User.email) == "deaktivert@example.no")).one()
    user.is_active = False
    session.add(user)
    session.commit()
    answer, _ = sso(browser, provider, "deaktivert@example.no")
    assert answer.status_code == 403
    assert "deaktivert" in _message(answer)


def test_an_expired_invitation_explains_itself(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    user = _invite(session, "utlopt.invitasjon@example.no")
    link = session.exec(select(AccessLink).where(col(AccessLink.user_id) == user.id)).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    answer, _ = sso(browser, provider, "utlopt.invitasjon@example.no")
    assert answer.status_code == 403
    assert "Invitasjonen din er utløpt" in _message(answer)
    session.refresh(user)
    assert not user.is_active


def test_a_tampered_id_token_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    """A stranger's token with an administrator's address put in: the signature no
    longer matches, and nobody is signed in."""
    factories.user(session, Role.admin, email="sso.admin@example.no")
    provider.tamper("sso.admin@example.no")
    answer, _ = sso(browser, provider, STRANGER)
    assert answer.status_code == 400
    assert "kunne ikke bekreftes" in _message(answer)
    assert SESSION_COOKIE not in browser.cookies
    assert browser.get("/app", follow_redirects=False).status_code in (302, 303)


def test_an_error_from_the_provider_is_explained(browser: TestClient) -> None:
    state = parse_qs(urlsplit(_start(browser)).query)["state"][0]
    answer = browser.get(f"/logg-inn/sso/test/svar?error=access_denied&state={state}")
    assert answer.status_code == 400
    assert "avbrutt eller avvist" in _message(answer)


def test_a_wrong_state_is_refused(browser: TestClient, provider: OidcTestProvider) -> None:
    callback = provider.login(_start(browser), STRANGER)
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    answer = browser.get(parts.path, params={**query, "state": "forged"})
    assert answer.status_code == 400
    assert "utløpt eller allerede brukt" in _message(answer)


def test_an_answer_naming_another_issuer_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=ACTIVE)
    callback = provider.login(_start(browser), ACTIVE)
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["iss"] == provider.issuer
    answer = browser.get(parts.path, params={**query, "iss": "https://evil.example.no"})
    assert answer.status_code == 400
    assert "kunne ikke bekreftes" in _message(answer)
    assert SESSION_COOKIE not in browser.cookies


def test_a_callback_without_a_flow_begun_here_is_refused(browser: TestClient) -> None:
    answer = browser.get("/logg-inn/sso/test/svar?code=abc&state=def")
    assert answer.status_code == 400
    assert "utløpt eller allerede brukt" in _message(answer)


def test_a_replayed_code_is_refused(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email=ACTIVE)
    start = _start(browser)
    flow_cookie = browser.cookies.get("dfl_sso")
    callback = provider.login(start, ACTIVE)
    assert _back(browser, callback).status_code == 303
    # The same callback again in the same browser: its flow is spent.
    again = _back(browser, callback)
    assert again.status_code == 400
    assert "utløpt eller allerede brukt" in _message(again)
    # Even with the flow's cookie put back, the provider refuses a code used once.
    with TestClient(browser.app) as other:
        other.cookies.set("dfl_sso", flow_cookie or "")
        replayed = _back(other, callback)
        assert replayed.status_code == 400
        assert "godtok ikke innloggingen" in _message(replayed)
        assert SESSION_COOKIE not in other.cookies


def test_an_unknown_provider_is_a_page_message(browser: TestClient) -> None:
    for path in ("/logg-inn/sso/nobody", "/logg-inn/sso/nobody/svar?code=x&state=y"):
        answer = browser.get(path)
        assert answer.status_code == 404
        assert "finnes ikke her" in _message(answer)


def test_a_provider_that_does_not_answer_is_a_page_message(
    app: FastAPI, settings: Settings, provider: OidcTestProvider
) -> None:
    dead = provider.settings(key="dead", issuer="http://127.0.0.1:9")
    app.state.settings = settings.model_copy(update={"oidc_providers": [dead]})
    with TestClient(app) as client:
        answer = client.get("/logg-inn/sso/dead")
    assert answer.status_code == 502
    assert "svarer ikke" in _message(answer)


def test_two_step_verification_of_the_app_follows_a_provider_without_mfa(
    browser: TestClient, provider: OidcTestProvider, session: Session
) -> None:
    person = factories.user(session, Role.coordinator, municipalities=["5501"], email=ACTIVE)
    setup = two_step.begin_for(session, person)
    two_step.confirm_for(session, person, pyotp.TOTP(setup.secret).now())
    answer, _ = sso(browser, provider, ACTIVE)
    assert answer.headers["location"].startswith("/logg-inn/kode")
    assert SESSION_COOKIE not in browser.cookies
    # Through a provider that makes everyone use MFA, no second code is asked for.
    with TestClient(browser.app) as other:
        direct, _ = sso(other, provider, ACTIVE, key="mfa")
        assert direct.headers["location"] == "/app"
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "sign_in_sso")
        ).all()
        assert {e.after["two_step"] for e in events if e.after} == {"app", "provider"}


def test_an_administrator_through_a_provider_without_mfa_must_set_up_two_step(
    app: FastAPI, settings: Settings, provider: OidcTestProvider, session: Session
) -> None:
    app.state.settings = settings.model_copy(update={"admin_two_step": True})
    factories.user(session, Role.admin, email="sso.admin@example.no")
    with TestClient(app) as client:
        answer, _ = sso(client, provider, "sso.admin@example.no")
        location = answer.headers["location"]
        assert location.startswith("/logg-inn/totp-oppsett")
        assert SESSION_COOKIE not in client.cookies
