"""API clients in the browser: make a token (shown once), see the tokens one is responsible
for with their last use, revoke one. Who may do what is `services.api_clients`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid
from app.models.base import Scope
from app.services import api_clients
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, date_value, service_errors
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)

PATH = "/app/admin/api-klienter"
TEMPLATE = "admin/api_clients.html"
#: Up to this many municipalities are offered as checkboxes; more are typed as numbers.
MAX_CHECKBOXES = 40
_SEPARATORS = re.compile(r"[,;\s]+")


def _context(web: Web, form: Form) -> dict[str, Any]:
    choices = api_clients.binding_choices(web.db, web.principal)
    return {
        "form": form,
        "binding": choices,
        "as_checkboxes": len(choices.municipalities) <= MAX_CHECKBOXES,
        "municipality_options": [(n, f"{n} {name}") for n, name in choices.municipalities],
        "tokens": api_clients.list_tokens(web.db, web.principal),
        "issued": None,
        "page_title": web._(N_("API-klienter")),
    }


def _numbers(form: Form, name: str) -> list[str]:
    """Checked boxes, or numbers typed into one field separated by commas or spaces."""
    return [part for value in form.values_of(name) for part in _SEPARATORS.split(value) if part]


def _expires_at(raw: str) -> datetime | None:
    """A token is valid through the day chosen (to midnight UTC after it)."""
    value = date_value(raw)
    if value is None:
        return None
    return datetime.combine(date.fromisoformat(value), time.min, UTC) + timedelta(days=1)


@router.get(PATH)
def api_clients_page(web: SignedInDep) -> Response:
    return web.render(TEMPLATE, _context(web, Form({"scope": Scope.read.value})))


@router.post(PATH)
def create_api_client(web: SignedInDep, data: FormDep) -> Response:
    """On success the page itself shows the token, once: it is never put in a redirect,
    a cookie or the database (the response is not stored: Cache-Control no-store)."""
    form = Form.posted(data)
    form.values.pop("csrf_token", None)
    scope_text = form.value("scope")
    errors: dict[str, str] = {}
    if scope_text not in (Scope.read.value, Scope.write.value):
        errors["scope"] = web._(N_("Velg et av alternativene."))
    try:
        expires_at = _expires_at(form.value("expires_on"))
    except ValueError:
        errors["expires_on"] = web._(N_("Skriv en dato, for eksempel 31.12.2027."))
    if errors:
        form.errors = errors
        return web.render(TEMPLATE, _context(web, form), status=422)
    try:
        issued = api_clients.create_token(
            web.db,
            web.principal,
            name=form.value("name"),
            scope=Scope(scope_text),
            municipalities=_numbers(form, "municipality"),
            regions=form.values_of("region"),
            expires_at=expires_at,
        )
    except Invalid as exc:
        form.errors = service_errors(exc.errors, web.lang, rename={"expires_at": "expires_on"})
        return web.render(TEMPLATE, _context(web, form), status=422)
    context = _context(web, Form({"scope": Scope.read.value}))
    context["issued"] = issued
    return web.render(TEMPLATE, context, status=201)


@router.post(PATH + "/{token_id:id}/trekk-tilbake")
def revoke_api_token(web: SignedInDep, token_id: int) -> Response:
    api_clients.revoke_token(web.db, web.principal, token_id)
    return web.redirect(PATH, flash="revoked")
