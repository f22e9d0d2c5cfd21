"""Notification e-mail end to end: a coordinator's comment reaches a colleague who chose
e-mail at once, over real SMTP, with RFC 8058 one-click unsubscribe headers, and the
one-click POST (no sign-in, no CSRF token) turns comments off."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.mailer import send_once
from app.models.base import Role
from app.services import notifications
from app.services.notifications import Kind, Mode
from tests.conftest import TransactionalDatabase
from tests.mailserver import SmtpServer, text_of
from tests.web.conftest import SignedIn
from tests.webtools import page

COMMENTS = "/app/kommuner/5540/kommentarer"


def test_a_comment_mails_a_colleague_and_one_click_turns_it_off(
    app: FastAPI,
    signed_in: SignedIn,
    db: TransactionalDatabase,
    smtp_server: SmtpServer,
    anonymous: TestClient,
) -> None:
    settings = app.state.settings.model_copy(update={"smtp_url": smtp_server.url})
    kari = signed_in(Role.coordinator, municipalities=("5540",))
    ola = signed_in(Role.coordinator, municipalities=("5540",))
    assert ola.post("/app/varsler", {"comment": "immediate"}).status_code == 303
    assert kari.post("/app/varsler", {"comment": "immediate"}).status_code == 303
    assert (
        kari.post(
            COMMENTS, {"gjelder": "forlop", "text": "Hvem tar kontakt med fastlegene?"}
        ).status_code
        == 303
    )
    assert send_once(settings, db) == 1
    (mail,) = smtp_server.inbox.wait_for(ola.email)
    assert smtp_server.inbox.to(kari.email) == []  # not to the author
    assert "Hvem tar kontakt med fastlegene?" in text_of(mail)
    assert "/app/varsler" in text_of(mail)
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert "/app/varsler" in str(html.get_content())
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = mail["List-Unsubscribe"]
    assert header.startswith("<")
    assert header.endswith(">")
    url = header[1:-1]
    path = url[url.index("/varsler/avmeld/") :]

    # The confirm page, in each language, changes nothing.
    for lang, words in (("nb", "Vil du slutte"), ("nn", "Vil du slutte"), ("en", "Do you want")):
        shown = page(anonymous.get(f"{path}?lang={lang}"))
        assert words in shown.one("main").text()
        assert shown.one("form", action=path)
    with db.session() as session:
        assert notifications.preferences(session, ola.principal)[Kind.comment] == Mode.immediate

    # What a mail program does: POST the body RFC 8058 prescribes, no cookie, no CSRF token.
    with TestClient(app) as mail_program:
        done = mail_program.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "ikke lenger" in page(done).one("main").text()
    with db.session() as session:
        assert notifications.preferences(session, ola.principal)[Kind.comment] == Mode.off
        assert notifications.preferences(session, kari.principal)[Kind.comment] == Mode.immediate
    # Signed in (a session cookie, no CSRF token) it works too, and again changes nothing.
    assert ola.post(path, {}, csrf=False).status_code == 200
    assert kari.post(COMMENTS, {"gjelder": "forlop", "text": "Jeg gjør det."}).status_code == 303
    assert send_once(settings, db) == 0


def test_a_link_that_is_not_ours_explains_itself(anonymous: TestClient) -> None:
    for response in (
        anonymous.get("/varsler/avmeld/1.comment.forged"),
        anonymous.post("/varsler/avmeld/1.comment.forged"),
    ):
        assert response.status_code == 410
        assert page(response).one("a", href="/app/varsler")
