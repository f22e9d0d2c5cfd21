"""The users page: invite by e-mail (arriving at a real SMTP server), search, change
rights, deactivate, and the refusals for rights wider than one's own."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.mailer import send_once
from app.models.base import Role
from app.models.identity import User
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.mailserver import SmtpServer, text_of
from tests.web.conftest import SignedIn
from tests.webtools import page

USERS = "/app/admin/brukere"
NEW = "et helt nytt passord"


def test_the_menu_links_to_the_users_page_for_everyone_who_may_invite(
    signed_in: SignedIn,
) -> None:
    for role in (Role.admin, Role.adviser, Role.coordinator):
        client = signed_in(role)
        assert page(client.get("/app")).find("a", href=USERS) is not None
        assert client.get(USERS).status_code == 200


def test_an_admin_invites_a_coordinator_who_sets_a_password_and_signs_in(
    app: FastAPI,
    signed_in: SignedIn,
    session: Session,
    db: TransactionalDatabase,
    smtp_server: SmtpServer,
    anonymous: TestClient,
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"public_url": "http://testserver", "smtp_url": smtp_server.url}
    )
    admin = signed_in(Role.admin)
    response = admin.post(
        USERS,
        {
            "email": "ny@example.no",
            "name": "Ny Koordinator",
            "role": "coordinator",
            "municipality": "5540",
            "region": "",
        },
    )
    assert response.status_code == 303
    assert send_once(app.state.settings, db) == 1
    (mail,) = smtp_server.inbox.wait_for("ny@example.no")
    body = text_of(mail)
    link = body[body.index("http://testserver/invitasjon/") :].split()[0]
    path = link.removeprefix("http://testserver")
    assert anonymous.get(path).status_code == 200
    done = anonymous.post(
        path, data={"new_password": NEW, "repeat_password": NEW}, follow_redirects=False
    )
    assert done.status_code == 303
    listed = page(admin.get(f"{USERS}?q=ny%20koord"))
    assert "ny@example.no" in listed.by_id("users").text()


def test_bad_input_keeps_the_form_and_says_why(signed_in: SignedIn) -> None:
    admin = signed_in(Role.admin)
    response = admin.post(
        USERS, {"email": "ikke-en-adresse", "role": "coordinator", "municipality": "5540"}
    )
    assert response.status_code == 422
    document = page(response)
    assert document.field_value("email") == "ikke-en-adresse"


def test_a_coordinator_invites_to_their_municipality_but_not_to_another(
    signed_in: SignedIn, session: Session
) -> None:
    kafjord = signed_in(Role.coordinator, municipalities=("5540",))
    ok = kafjord.post(
        USERS, {"email": "kollega@example.no", "role": "coordinator", "municipality": "5540"}
    )
    assert ok.status_code == 303
    refused = kafjord.post(
        USERS, {"email": "tromso@example.no", "role": "coordinator", "municipality": "5501"}
    )
    assert refused.status_code == 403
    assert session.exec(select(User).where(col(User.email) == "tromso@example.no")).first() is None


def test_change_rights_and_deactivate(signed_in: SignedIn, session: Session) -> None:
    admin = signed_in(Role.admin)
    target = signed_in(Role.coordinator, municipalities=("5540",))
    user_path = f"{USERS}/{target.principal.id}"
    changed = admin.post(user_path, {"role": "coordinator", "municipality": "5540, 5501"})
    assert changed.status_code == 303
    assert "Tromsø" in page(admin.get(user_path)).one("main").text()
    assert target.get("/app").status_code == 200
    assert admin.post(f"{user_path}/deaktiver").status_code == 303
    assert target.get("/app").status_code == 303  # signed out at once
    assert factories.PASSWORD  # the old password no longer signs in either:
    user = session.get(User, target.principal.id)
    assert user is not None
    session.refresh(user)
    assert not user.is_active


def test_a_deactivated_user_is_reactivated_from_the_page(
    signed_in: SignedIn, session: Session
) -> None:
    admin = signed_in(Role.admin)
    target = signed_in(Role.coordinator, municipalities=("5540",))
    user_path = f"{USERS}/{target.principal.id}"
    assert admin.post(f"{user_path}/deaktiver").status_code == 303
    assert page(admin.get(user_path)).one("form", action=f"{user_path}/aktiver")
    assert admin.post(f"{user_path}/aktiver").status_code == 303
    user = session.get(User, target.principal.id)
    assert user is not None
    session.refresh(user)
    assert user.is_active
    assert page(admin.get(user_path)).one("form", action=f"{user_path}/deaktiver")
    assert page(admin.get(user_path)).find("form", action=f"{user_path}/aktiver") is None
