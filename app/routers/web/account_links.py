"""Forgotten password (`/glemt-passord`) and the single-use links sent by e-mail: a
password reset and an invitation both end on a page that sets the password."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.errors import Invalid, LinkNotUsable
from app.models.mail import LinkPurpose
from app.security import PASSWORD_MIN_LENGTH
from app.services import access_links, password_reset
from app.web.core import FormDep, Web, WebDep
from app.web.forms import Form, service_errors

router = APIRouter(include_in_schema=False)


def _from_this_site(web: Web) -> bool:
    """Fetch Metadata: a form posted by another site is refused (browsers that do not say
    are let through; the link's token is the credential anyway)."""
    return web.request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _wake_sender(web: Web) -> None:
    sender = getattr(web.request.app.state, "mail_sender", None)
    if sender is not None:
        sender.wake()


@router.get("/glemt-passord")
def forgot_password_page(web: WebDep) -> Response:
    return web.render("auth/forgot_password.html", {"form": Form(), "sent": False})


@router.post("/glemt-passord")
def forgot_password(web: WebDep, data: FormDep) -> Response:
    """The same answer whatever the address: the page says a link is on its way if the
    address is known."""
    form = Form.posted(data)
    if not _from_this_site(web):
        return web.render("auth/forgot_password.html", {"form": form, "sent": False}, status=403)
    settings = web.request.app.state.settings
    client = web.request.client
    password_reset.request_reset(
        web.db,
        email=form.value("email"),
        address=client.host if client else None,
        base_url=settings.public_url,
        language=web.lang,
    )
    _wake_sender(web)
    return web.redirect("/glemt-passord/sendt")


@router.get("/glemt-passord/sendt")
def forgot_password_sent(web: WebDep) -> Response:
    return web.render("auth/forgot_password.html", {"form": Form(), "sent": True})


def _link_page(web: Web, token: str, purpose: LinkPurpose, form: Form, status: int) -> Response:
    try:
        holder = access_links.holder(web.db, token, purpose)
    except LinkNotUsable as exc:
        return _not_usable(web, exc)
    return web.render(
        "auth/set_password.html",
        {
            "form": form,
            "holder": holder,
            "action": f"{access_links.PATHS[purpose]}/{token}",
            "min_length": PASSWORD_MIN_LENGTH,
        },
        status=status,
    )


def _not_usable(web: Web, exc: LinkNotUsable) -> Response:
    return web.render(
        "auth/link_not_usable.html", {"reason": exc.reason, "purpose": exc.purpose}, status=410
    )


def _use_link(web: Web, token: str, purpose: LinkPurpose, data: FormDep) -> Response:
    def field(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    if not _from_this_site(web):
        return _link_page(web, token, purpose, Form(), 403)
    try:
        access_links.use(
            web.db,
            token,
            purpose,
            password=field("new_password"),
            repeated=field("repeat_password"),
        )
    except LinkNotUsable as exc:
        return _not_usable(web, exc)
    except Invalid as exc:
        form = Form()
        form.errors = service_errors(exc.errors, web.lang)
        return _link_page(web, token, purpose, form, 422)
    return web.redirect("/logg-inn", flash="password_set")


@router.get("/glemt-passord/ny/{token}")
def reset_page(web: WebDep, token: str) -> Response:
    return _link_page(web, token, LinkPurpose.reset, Form(), 200)


@router.post("/glemt-passord/ny/{token}")
def reset(web: WebDep, token: str, data: FormDep) -> Response:
    return _use_link(web, token, LinkPurpose.reset, data)


@router.get("/invitasjon/{token}")
def invitation_page(web: WebDep, token: str) -> Response:
    return _link_page(web, token, LinkPurpose.invite, Form(), 200)


@router.post("/invitasjon/{token}")
def accept_invitation(web: WebDep, token: str, data: FormDep) -> Response:
    return _use_link(web, token, LinkPurpose.invite, data)
