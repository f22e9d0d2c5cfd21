"""Signing in and out: database sessions, rotation, throttling, demo users, CSRF, password
changes, and what a signed-out browser gets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.errors import Forbidden, Invalid, TooManyRequests
from app.main import create_app
from app.models.audit import AuditEvent
from app.models.base import Role, Scope, utcnow
from app.models.identity import LoginAttempt, User, WebSession
from app.security import sha256_hex
from app.services import auth
from app.web.core import SESSION_COOKIE, session_policy
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.web.conftest import SignedIn
from tests.webtools import HTMX, SignedInClient, field_error, form_fields, page, sign_in

TROMSO_EDITOR = "/app/kommuner/5501/forlop"


def _sign_in_form(
    client: TestClient, email: str, password: str, next_path: str = "/app"
) -> dict[str, Any]:
    form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
    return {**form_fields(form), "email": email, "password": password, "next": next_path}


def test_sign_in_opens_a_database_session_with_a_safe_cookie(
    anonymous: TestClient, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    response = anonymous.post(
        "/logg-inn",
        data=_sign_in_form(anonymous, "KO@example.no", factories.PASSWORD, TROMSO_EDITOR),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == TROMSO_EDITOR
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # only in production
    token = anonymous.cookies[SESSION_COOKIE]
    stored = session.exec(select(WebSession)).all()
    assert [s.id for s in stored] == [sha256_hex(token)]  # only the hash is kept
    assert anonymous.get(TROMSO_EDITOR).status_code == 200


def test_wrong_password_keeps_the_email_and_says_so_beside_the_field(
    anonymous: TestClient, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    response = anonymous.post(
        "/logg-inn", data=_sign_in_form(anonymous, "ko@example.no", "not the password")
    )
    assert response.status_code == 422
    document = page(response)
    assert document.field_value("email") == "ko@example.no"
    assert document.field_value("password") == ""
    assert "not the password" not in response.text
    assert field_error(document, "password") == "Feil e-postadresse eller passord."
    assert document.one(class_="error-summary").get("role") == "alert"
    assert anonymous.get("/app", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_throttled_in_the_database(
    anonymous: TestClient, session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    for _ in range(settings.login_max_failures):
        failed = anonymous.post("/logg-inn", data=_sign_in_form(anonymous, "ko@example.no", "x"))
        assert failed.status_code == 422
    stored = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.account) == "ko@example.no")
        .where(col(LoginAttempt.address) == "testclient")
    ).one()
    assert stored == settings.login_max_failures
    # Past the limit even the right password is refused until the window has passed.
    refused = anonymous.post(
        "/logg-inn", data=_sign_in_form(anonymous, "ko@example.no", factories.PASSWORD)
    )
    assert refused.status_code == 429
    assert "Vent 15 minutter" in refused.text
    assert SESSION_COOKIE not in anonymous.cookies
    policy = session_policy(settings)
    later = utcnow() + policy.window + timedelta(seconds=1)
    signed = auth.sign_in(
        session,
        email="ko@example.no",
        password=factories.PASSWORD,
        address="testclient",
        policy=policy,
        now=later,
    )
    assert isinstance(signed, auth.SignedIn)
    assert signed.principal.is_coordinator


def test_sign_in_form_needs_its_own_token(anonymous: TestClient, session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    anonymous.get("/logg-inn")
    forged = anonymous.post(
        "/logg-inn",
        data={"email": "ko@example.no", "password": factories.PASSWORD, "signin_token": "x"},
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in anonymous.cookies
    # The form shown with the refusal works.
    retry = page(forged).one("form", action="/logg-inn")
    data = {**form_fields(retry), "email": "ko@example.no", "password": factories.PASSWORD}
    assert anonymous.post("/logg-inn", data=data, follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(anonymous: TestClient, session: Session) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    for target in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        response = anonymous.post(
            "/logg-inn",
            data=_sign_in_form(anonymous, "ko@example.no", factories.PASSWORD, target),
            follow_redirects=False,
        )
        assert response.headers["location"] == "/app"


def test_demo_users_sign_in_only_in_demo_mode(
    session: Session, settings: Settings, db: TransactionalDatabase
) -> None:
    factories.user(
        session, Role.coordinator, municipalities=["5501"], email="demo@example.no", is_demo=True
    )
    demo_app = create_app(settings, database=db)
    with TestClient(demo_app) as demo_client:
        sign_in(demo_client, "demo@example.no", factories.PASSWORD)
        assert demo_client.get(TROMSO_EDITOR).status_code == 200
        old_cookie = demo_client.cookies[SESSION_COOKIE]

    normal_app = create_app(settings.model_copy(update={"demo": False}), database=db)
    with TestClient(normal_app) as client:
        refused = client.post(
            "/logg-inn", data=_sign_in_form(client, "demo@example.no", factories.PASSWORD)
        )
        assert refused.status_code == 403
        assert "demomodus" in refused.text
        assert SESSION_COOKIE not in client.cookies
        # A session opened while demo mode was on stops working when it is off.
        client.cookies.set(SESSION_COOKIE, old_cookie)
        assert client.get(TROMSO_EDITOR, follow_redirects=False).status_code == 303


def test_sign_in_rotates_the_session(signed_in: SignedIn, session: Session, app: FastAPI) -> None:
    first = signed_in()
    before = first.client.cookies[SESSION_COOKIE]
    other = factories.user(session, Role.coordinator, municipalities=["5540"], email="b@x.no")
    assert other.is_coordinator
    sign_in(first.client, "b@x.no", factories.PASSWORD)
    after = first.client.cookies[SESSION_COOKIE]
    assert after != before
    assert session.get(WebSession, sha256_hex(before)) is None  # the old one is destroyed
    # A session id planted in the browser before sign-in is never the signed-in one.
    with TestClient(app) as victim:
        victim.cookies.set(SESSION_COOKIE, "planted-by-someone-else", domain="testserver.local")
        sign_in(victim, "b@x.no", factories.PASSWORD)
        assert victim.cookies[SESSION_COOKIE] != "planted-by-someone-else"


def test_after_sign_out_the_old_cookie_no_longer_works(
    coordinator: SignedInClient, session: Session, app: FastAPI
) -> None:
    old_cookie = coordinator.client.cookies[SESSION_COOKIE]
    out = coordinator.post("/logg-ut")
    assert out.status_code == 303
    assert out.headers["location"] == "/logg-inn"
    assert session.get(WebSession, sha256_hex(old_cookie)) is None
    with TestClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, old_cookie)
        page_response = replay.get(TROMSO_EDITOR, follow_redirects=False)
        assert page_response.status_code == 303
        assert page_response.headers["location"] == f"/logg-inn?next={TROMSO_EDITOR}"
        assert replay.get("/api/v1/municipalities/5501/pathway").status_code == 401
    signed_out = page(coordinator.client.get("/logg-inn"))
    assert signed_out.one(class_="notice--success").text() == "Du er logget ut."


def test_sessions_end_when_idle_or_at_their_absolute_expiry(
    session: Session, settings: Settings
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    policy = session_policy(settings)
    start = utcnow()
    signed = auth.sign_in(
        session,
        email="ko@example.no",
        password=factories.PASSWORD,
        address=None,
        policy=policy,
        now=start,
    )
    assert isinstance(signed, auth.SignedIn)
    almost_idle = start + policy.idle - timedelta(minutes=1)
    active = auth.active_session(session, signed.token, policy, now=almost_idle)
    assert active is not None
    assert active.needs_touch
    assert auth.active_session(session, signed.token, policy, now=start + policy.idle) is None
    # Reading pages keeps it alive, but never beyond the absolute expiry.
    auth.touch_session(session, active.session_id, now=almost_idle)
    assert auth.active_session(session, signed.token, policy, now=start + policy.idle) is not None
    moment = start
    while moment + policy.idle / 2 < start + policy.absolute:
        moment += policy.idle / 2
        auth.touch_session(session, active.session_id, now=moment)
    assert auth.active_session(session, signed.token, policy, now=start + policy.absolute) is None


def test_unsafe_requests_need_the_csrf_token(coordinator: SignedInClient, session: Session) -> None:
    url = "/app/kommuner/5501/styrker"
    without = coordinator.post(url, {"text": "Godt samarbeid"}, csrf=False)
    assert without.status_code == 403
    assert page(without).one("h1").text() == "Skjemaet er utløpt"
    wrong = coordinator.post(url, {"text": "Godt samarbeid", "csrf_token": "guess"}, csrf=False)
    assert wrong.status_code == 403
    via_header = coordinator.post(
        url,
        {"text": "Godt samarbeid"},
        csrf=False,
        htmx=True,
        headers={"X-CSRF-Token": coordinator.csrf},
    )
    assert via_header.status_code == 200
    assert coordinator.post(url, {"text": "Flere gode ting"}).status_code == 303

    # The same rule for the JSON API when the browser session authenticates it.
    api = "/api/v1/municipalities/5501/strengths"
    refused = coordinator.client.post(api, json={"text": "Fra API"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/csrf-token"
    created = coordinator.client.post(
        api, json={"text": "Fra API"}, headers={"X-CSRF-Token": coordinator.csrf}
    )
    assert created.status_code == 201
    assert coordinator.client.get(api).status_code == 200  # safe methods need no token
    # Bearer tokens are not cookies: no CSRF token needed.
    token = factories.token(session, Scope.write, municipalities=["5501"])
    with TestClient(coordinator.client.app) as integration:
        bearer = integration.post(
            api, json={"text": "Fra integrasjon"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert bearer.status_code == 201


def test_signed_out_visitors_are_sent_to_the_sign_in_page(anonymous: TestClient) -> None:
    response = anonymous.get("/app/kommuner/5501/sjekkliste?lang=en", follow_redirects=False)
    assert response.status_code == 303
    assert (
        response.headers["location"] == "/logg-inn?next=/app/kommuner/5501/sjekkliste%3Flang%3Den"
    )
    htmx = anonymous.get("/app/kommuner/5501/forlop/assessment", headers=HTMX)
    assert htmx.status_code == 401
    assert htmx.headers["hx-redirect"].startswith("/logg-inn?next=")
    posted = anonymous.post(
        "/app/kommuner/5501/styrker", data={"text": "x"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == "/logg-inn?next=/app"


def test_changing_the_password_ends_other_sessions(
    signed_in: SignedIn, session: Session, app: FastAPI
) -> None:
    person = signed_in(email="bytter@example.no")
    with TestClient(app) as laptop:
        sign_in(laptop, "bytter@example.no", factories.PASSWORD)
        wrong = person.post(
            "/app/passord",
            {
                "current_password": "feil passord",
                "new_password": "et helt nytt passord",
                "repeat_password": "et helt nytt passord",
            },
        )
        assert wrong.status_code == 422
        assert field_error(page(wrong), "current_password") == "Passordet er feil."
        mismatch = person.post(
            "/app/passord",
            {
                "current_password": factories.PASSWORD,
                "new_password": "et helt nytt passord",
                "repeat_password": "et annet passord!",
            },
        )
        assert mismatch.status_code == 422
        assert field_error(page(mismatch), "repeat_password") == "Passordene er ikke like."
        short = person.post(
            "/app/passord",
            {
                "current_password": factories.PASSWORD,
                "new_password": "kort",
                "repeat_password": "kort",
            },
        )
        assert field_error(page(short), "new_password") == "Minst 10 tegn."

        changed = person.post(
            "/app/passord",
            {
                "current_password": factories.PASSWORD,
                "new_password": "et helt nytt passord",
                "repeat_password": "et helt nytt passord",
            },
        )
        assert changed.status_code == 303
        assert person.get("/app").status_code == 200  # this session goes on
        assert laptop.get("/app", follow_redirects=False).status_code == 303  # the other ended
        sign_in(laptop, "bytter@example.no", "et helt nytt passord")
    user = session.exec(select(User).where(col(User.email) == "bytter@example.no")).one()
    event = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.entity_type) == "user")
        .where(col(AuditEvent.action) == "change_password")
        .where(col(AuditEvent.entity_id) == str(user.id))
    ).one()
    assert "password" not in str(event.after).replace("password_changed_at", "")


def test_demo_users_keep_their_published_password(session: Session, settings: Settings) -> None:
    principal = factories.user(
        session, Role.coordinator, municipalities=["5501"], email="d@x.no", is_demo=True
    )
    with pytest.raises(Forbidden):
        auth.change_password(
            session,
            principal,
            current=factories.PASSWORD,
            new="et helt nytt passord",
            repeated="et helt nytt passord",
            address=None,
            policy=session_policy(settings),
        )


def test_empty_fields_and_busy_addresses(session: Session, settings: Settings) -> None:
    with pytest.raises(Invalid) as raised:
        auth.sign_in(session, email=" ", password="", address=None, policy=session_policy(settings))
    assert {e.field for e in raised.value.errors} == {"email", "password"}
    policy = session_policy(settings)
    # Failures from one address count too, across accounts (a higher limit).
    for attempt in range(policy.address_max_failures):
        with pytest.raises(Invalid):
            auth.sign_in(
                session,
                email=f"nobody{attempt}@example.no",
                password="x",
                address="10.0.0.1",
                policy=policy,
            )
    with pytest.raises(TooManyRequests):
        auth.sign_in(
            session, email="someone@example.no", password="x", address="10.0.0.1", policy=policy
        )


def test_production_cookies_are_secure(
    settings: Settings, db: TransactionalDatabase, session: Session
) -> None:
    factories.user(session, Role.coordinator, municipalities=["5501"], email="p@x.no")
    production = settings.model_copy(
        update={"environment": "production", "demo": False, "secret_key": "s" * 40}
    )
    with TestClient(create_app(production, database=db), base_url="https://testserver") as client:
        response = client.post(
            "/logg-inn",
            data=_sign_in_form(client, "p@x.no", factories.PASSWORD),
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]
        assert "max-age" in response.headers["strict-transport-security"]


def test_old_sign_in_attempts_are_pruned(session: Session, settings: Settings) -> None:
    """Failures older than every window, and successes older than the time an address stays
    known, are deleted when someone signs in; the rest is kept."""
    factories.user(session, Role.coordinator, municipalities=["5501"], email="ko@example.no")
    policy = session_policy(settings)
    now = utcnow()
    longest = max(policy.window, policy.account_window)
    kept_failure = LoginAttempt(account="a@x.no", address="192.0.2.1", attempted_at=now)
    rows = [
        LoginAttempt(account="a@x.no", address="192.0.2.1", attempted_at=now - longest * 2),
        LoginAttempt(
            account="a@x.no",
            address="192.0.2.1",
            attempted_at=now - auth.KNOWN_ADDRESS_FOR * 2,
            succeeded=True,
        ),
        kept_failure,
        LoginAttempt(
            account="b@x.no", address="192.0.2.2", attempted_at=now - longest * 2, succeeded=True
        ),
    ]
    session.add_all(rows)
    session.commit()
    auth.sign_in(
        session,
        email="ko@example.no",
        password=factories.PASSWORD,
        address="10.0.0.1",
        policy=policy,
    )
    left = session.exec(select(LoginAttempt)).all()
    assert sorted((r.account or "", r.succeeded) for r in left) == [
        ("a@x.no", False),
        ("b@x.no", True),
        ("ko@example.no", True),
    ]
