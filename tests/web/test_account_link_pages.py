"""Forgotten password and the set-password pages behind e-mailed links, with the e-mail
going out over real SMTP to an in-process server."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from app.mailer import send_once
from app.models.base import Role, utcnow
from app.models.mail import AccessLink
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.mailserver import SmtpServer, text_of
from tests.webtools import page

NEW = "et helt nytt passord"


def _ask(client: TestClient, email: str) -> str:
    response = client.post("/glemt-passord", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    return page(response).one("main").text()


def _link(app: FastAPI, db: TransactionalDatabase, smtp: SmtpServer, email: str) -> str:
    settings = app.state.settings.model_copy(update={"smtp_url": smtp.url})
    assert send_once(settings, db) >= 1
    (message,) = smtp.inbox.wait_for(email)
    body = text_of(message)
    start = body.index("http://testserver/")
    return body[start:].split()[0].removeprefix("http://testserver")


def test_sign_in_links_to_the_forgotten_password_page(anonymous: TestClient) -> None:
    assert page(anonymous.get("/logg-inn")).one("a", href="/glemt-passord")
    assert anonymous.get("/glemt-passord").status_code == 200


def test_known_and_unknown_addresses_get_the_same_answer_and_the_link_works_once(
    app: FastAPI,
    anonymous: TestClient,
    session: Session,
    db: TransactionalDatabase,
    smtp_server: SmtpServer,
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"public_url": "http://testserver"})
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    assert _ask(anonymous, "kari@example.no") == _ask(anonymous, "ingen@example.no")
    path = _link(app, db, smtp_server, "kari@example.no")
    assert smtp_server.inbox.to("ingen@example.no") == []
    assert path.startswith("/glemt-passord/ny/")
    shown = page(anonymous.get(path))
    assert "kari@example.no" in shown.one("main").text()
    mistyped = anonymous.post(path, data={"new_password": NEW, "repeat_password": NEW + "x"})
    assert mistyped.status_code == 422
    done = anonymous.post(
        path, data={"new_password": NEW, "repeat_password": NEW}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/logg-inn")
    again = anonymous.get(path)
    assert again.status_code == 410
    assert "allerede brukt" in page(again).one("main").text()
    assert page(again).one("a", href="/glemt-passord")


def test_an_expired_link_explains_what_to_do(
    app: FastAPI,
    anonymous: TestClient,
    session: Session,
    db: TransactionalDatabase,
    smtp_server: SmtpServer,
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"public_url": "http://testserver"})
    factories.user(session, Role.coordinator, municipalities=("5540",), email="kari@example.no")
    _ask(anonymous, "kari@example.no")
    path = _link(app, db, smtp_server, "kari@example.no")
    session.execute(update(AccessLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    response = anonymous.post(path, data={"new_password": NEW, "repeat_password": NEW})
    assert response.status_code == 410
    text = page(response).one("main").text()
    assert "utløpt" in text
    assert "én time" in text


def test_a_form_posted_from_another_site_is_refused(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/glemt-passord", data={"email": "x@example.no"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
