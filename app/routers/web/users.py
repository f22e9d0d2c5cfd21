"""The users page: list with search and paging, invite by e-mail, change a user's rights,
deactivate. Every rule is in `services.users_admin` and `services.invitations`.

GET  /app/admin/brukere                         list (?q= search, ?side= page) and invite form
POST /app/admin/brukere                         invite
GET  /app/admin/brukere/{user_id}               one user's rights
POST /app/admin/brukere/{user_id}               change them
POST /app/admin/brukere/{user_id}/deaktiver     deactivate
POST /app/admin/brukere/{user_id}/aktiver       reactivate
POST /app/admin/brukere/{user_id}/inviter-igjen a new invitation link
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid
from app.services import invitations, users_admin
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, service_errors
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)

BASE = "/app/admin/brukere"
ROLE_LABELS = {
    "coordinator": N_("Demenskoordinator"),
    "adviser": N_("Rådgiver"),
    "admin": N_("Administrator"),
}


def _numbers(text: str) -> list[str]:
    """Municipality numbers as typed: separated by commas or spaces."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _list_page(web: Web, q: str, side: int, form: Form, status: int = 200) -> Response:
    side = max(1, side)
    found = users_admin.list_users(
        web.db,
        web.principal,
        search=q,
        limit=users_admin.PAGE_SIZE,
        offset=(side - 1) * users_admin.PAGE_SIZE,
    )
    pages = max(1, -(-found.total // users_admin.PAGE_SIZE))
    context: dict[str, Any] = {
        "users": found,
        "q": q,
        "side": side,
        "pages": pages,
        "form": form,
        "role_labels": ROLE_LABELS,
        **_choices(web),
    }
    return web.render("users/list.html", context, status=status)


def _choices(web: Web) -> dict[str, Any]:
    choices = users_admin.invite_choices(web.db, web.principal)
    allowed = choices.municipalities
    return {
        "role_options": [(r.value, web._(ROLE_LABELS[r.value])) for r in choices.roles],
        "region_options": [("", web._(N_("Ingen"))), *choices.regions],
        "allowed_municipalities": (
            None if allowed is None else ", ".join(f"{n} {name}" for n, name in allowed)
        ),
    }


@router.get(BASE)
def users_page(web: SignedInDep, q: str = "", side: int = 1) -> Response:
    return _list_page(web, q[:100], side, Form({"role": "coordinator"}))


@router.post(BASE)
def invite(web: SignedInDep, data: FormDep) -> Response:
    form = Form.posted(data)
    try:
        invitations.invite(
            web.db,
            web.principal,
            email=form.value("email"),
            name=form.value("name"),
            role=invitations.role_named(form.value("role")),
            municipalities=_numbers(form.value("municipality")),
            regions=[form.value("region")] if form.value("region") else [],
            base_url=web.request.app.state.settings.public_url,
            language=web.lang,
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _list_page(web, "", 1, form, status=422)
    _wake_sender(web)
    return web.redirect(BASE, flash="invited")


def _wake_sender(web: Web) -> None:
    sender = getattr(web.request.app.state, "mail_sender", None)
    if sender is not None:
        sender.wake()


def _user_page(web: Web, user_id: int, form: Form | None, status: int = 200) -> Response:
    user = users_admin.get_user(web.db, web.principal, user_id)
    if form is None:
        form = Form(
            {
                "role": user.role,
                "municipality": ", ".join(n for n, _ in user.municipalities),
                "region": user.regions[0][0] if user.regions else "",
            }
        )
    return web.render(
        "users/user.html",
        {
            "user": user,
            "form": form,
            "role_labels": ROLE_LABELS,
            **_choices(web),
        },
        status=status,
    )


@router.get(BASE + "/{user_id}")
def user_page(web: SignedInDep, user_id: int) -> Response:
    return _user_page(web, user_id, None)


@router.post(BASE + "/{user_id}")
def change_user(web: SignedInDep, user_id: int, data: FormDep) -> Response:
    form = Form.posted(data)
    try:
        users_admin.change_user(
            web.db,
            web.principal,
            user_id,
            role=invitations.role_named(form.value("role")),
            municipalities=_numbers(form.value("municipality")),
            regions=[form.value("region")] if form.value("region") else [],
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang)
        return _user_page(web, user_id, form, status=422)
    return web.redirect(f"{BASE}/{user_id}", flash="saved")


@router.post(BASE + "/{user_id}/deaktiver")
def deactivate(web: SignedInDep, user_id: int) -> Response:
    users_admin.deactivate(web.db, web.principal, user_id)
    return web.redirect(f"{BASE}/{user_id}", flash="deactivated")


@router.post(BASE + "/{user_id}/aktiver")
def reactivate(web: SignedInDep, user_id: int) -> Response:
    users_admin.reactivate(web.db, web.principal, user_id)
    return web.redirect(f"{BASE}/{user_id}", flash="reactivated")


@router.post(BASE + "/{user_id}/inviter-igjen")
def resend(web: SignedInDep, user_id: int) -> Response:
    invitations.resend(
        web.db,
        web.principal,
        user_id,
        base_url=web.request.app.state.settings.public_url,
        language=web.lang,
    )
    _wake_sender(web)
    return web.redirect(f"{BASE}/{user_id}", flash="invited")
