"""Two-step verification in the browser (without JavaScript): the code after the password,
an administrator sent to set it up before anything else, and the person's own settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.models.base import Role, utcnow
from app.services import two_step
from app.web.core import SESSION_COOKIE
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.webtools import form_fields, page, sign_in


@pytest.fixture
def strict_app(settings: Settings, db: TransactionalDatabase) -> FastAPI:
    """The app as in production: administrators must use two-step verification."""
    return create_app(settings.model_copy(update={"admin_two_step": True}), database=db)


@pytest.fixture
def browser(strict_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(strict_app) as client:
        yield client


def _password_step(client: TestClient, email: str) -> str:
    form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
    data = {**form_fields(form), "email": email, "password": factories.PASSWORD, "next": "/app"}
    response = client.post("/logg-inn", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert client.cookies.get(SESSION_COOKIE) is None
    location: str = response.headers["location"]
    return location


def test_a_person_with_two_step_verification_signs_in_with_a_code(
    browser: TestClient, session: Session
) -> None:
    email = "kode@example.no"
    person = factories.user(session, Role.coordinator, municipalities=["5501"], email=email)
    setup = two_step.begin_for(session, person)
    totp = pyotp.TOTP(setup.secret)
    two_step.confirm_for(session, person, totp.now())

    location = _password_step(browser, email)
    assert location.startswith("/logg-inn/kode")
    assert browser.get("/app", follow_redirects=False).status_code == 303  # not signed in yet
    shown = browser.get(location)
    assert shown.status_code == 200
    form = form_fields(page(shown).one("form", action="/logg-inn/kode"))
    wrong = browser.post("/logg-inn/kode", data={**form, "code": "000000"})
    assert wrong.status_code == 422
    assert page(wrong).by_id("code-error") is not None
    code = totp.at(utcnow() + timedelta(seconds=30))
    right = browser.post("/logg-inn/kode", data={**form, "code": code}, follow_redirects=False)
    assert right.status_code == 303
    assert right.headers["location"] == "/app"
    assert browser.get("/app").status_code == 200
    # The same code again, in another sign-in, is refused.
    browser.cookies.clear()
    _password_step(browser, email)
    again = browser.post("/logg-inn/kode", data={**form, "code": code})
    assert again.status_code == 422


def test_an_administrator_sets_it_up_before_anything_else(
    browser: TestClient, session: Session
) -> None:
    email = "sjef@example.no"
    factories.user(session, Role.admin, email=email)
    location = _password_step(browser, email)
    assert location.startswith("/logg-inn/totp-oppsett")
    shown = browser.get(location)
    assert shown.status_code == 200
    assert "<svg" in shown.text
    secret = page(shown).one("code", class_="secret").text()
    assert browser.get("/app", follow_redirects=False).status_code == 303
    form = form_fields(page(shown).one("form", action="/logg-inn/totp-oppsett"))
    done = browser.post("/logg-inn/totp-oppsett", data={**form, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", done.text)
    assert len(codes) == 10
    assert browser.get("/app").status_code == 200
    settings_page = browser.get("/app/totp")
    assert "kan ikke slås av" in settings_page.text


def test_others_turn_it_on_and_off_in_their_settings(app: FastAPI, session: Session) -> None:
    email = "valg@example.no"
    factories.user(session, Role.coordinator, municipalities=["5501"], email=email)
    with TestClient(app) as client:
        csrf = sign_in(client, email, factories.PASSWORD)
        shown = client.get("/app/totp")
        secret = page(shown).one("code", class_="secret").text()
        totp = pyotp.TOTP(secret)
        wrong = client.post("/app/totp", data={"csrf_token": csrf, "code": "12"})
        assert wrong.status_code == 422
        on = client.post("/app/totp", data={"csrf_token": csrf, "code": totp.now()})
        assert on.status_code == 200
        assert "Gjenopprettingskoder" in on.text
        code = totp.at(utcnow() + timedelta(seconds=30))
        off = client.post(
            "/app/totp/av", data={"csrf_token": csrf, "code": code}, follow_redirects=False
        )
        assert off.status_code == 303
        assert page(client.get("/app/totp")).find("code", class_="secret") is not None


def test_the_demo_administrator_signs_in_with_the_password_alone_in_demo_mode(
    browser: TestClient, session: Session
) -> None:
    """`make run`: the requirement does not apply to demo users while in demo mode."""
    email = "demo-sjef@example.no"
    factories.user(session, Role.admin, email=email, is_demo=True)
    assert _password_step_signs_in(browser, email)


def _password_step_signs_in(client: TestClient, email: str) -> bool:
    form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
    data = {**form_fields(form), "email": email, "password": factories.PASSWORD, "next": "/app"}
    response = client.post("/logg-inn", data=data, follow_redirects=False)
    return response.headers.get("location") == "/app" and bool(client.cookies.get(SESSION_COOKIE))
