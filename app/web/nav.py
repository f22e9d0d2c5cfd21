"""The navigation of the signed-in app, in one place.

Every page of the URL scheme has an entry here. An entry is shown only when the app has a
route at its path, so pages built in other parts of the app appear in the navigation as
soon as their router is included, without touching the layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI

from app.services.access import Principal
from app.services.api_clients import may_manage_tokens
from app.services.invitations import may_invite
from app.web.i18n import N_

_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class NavItem:
    key: str
    #: A path of the URL scheme; `{number}` is the municipality number, `{slug}` a region.
    path: str
    #: A bokmål message id, translated when shown.
    label: str
    #: Who sees the entry (default: everyone who sees the menu it is in).
    visible: Callable[[Principal], bool] = lambda principal: True


#: The tabs of a municipality, in the order of the work: the pathway, then improvement work,
#: then history, feedback and publishing.
MUNICIPALITY_NAV: list[NavItem] = [
    NavItem("forlop", "/app/kommuner/{number}/forlop", N_("Forløp")),
    NavItem("sjekkliste", "/app/kommuner/{number}/sjekkliste", N_("Sjekkliste")),
    NavItem("styrker", "/app/kommuner/{number}/styrker", N_("Styrker")),
    NavItem(
        "forbedringsomrader", "/app/kommuner/{number}/forbedringsomrader", N_("Forbedringsområder")
    ),
    NavItem("framdriftsplan", "/app/kommuner/{number}/framdriftsplan", N_("Framdriftsplan")),
    NavItem("kommentarer", "/app/kommuner/{number}/kommentarer", N_("Kommentarer")),
    NavItem(
        "tilbakemeldinger",
        "/app/kommuner/{number}/tilbakemeldinger",
        N_("Tilbakemeldinger"),
        visible=lambda principal: principal.is_coordinator or principal.is_admin,
    ),
    NavItem("historikk", "/app/kommuner/{number}/historikk", N_("Historikk")),
    NavItem("publiser", "/app/kommuner/{number}/publiser", N_("Publiser")),
    NavItem("plakat", "/app/kommuner/{number}/plakat", N_("Plakat")),
]

#: The header menu of the signed-in app.
MAIN_NAV: list[NavItem] = [
    NavItem("app", "/app", N_("Mine kommuner")),
    NavItem("nettverk", "/app/nettverk", N_("Læringsnettverk")),
    NavItem("gode-eksempler", "/app/gode-eksempler", N_("Gode eksempler")),
    NavItem(
        "nasjonalt",
        "/app/nasjonalt",
        N_("Nasjonal oversikt"),
        visible=lambda principal: principal.is_admin,
    ),
    NavItem(
        "api-klienter",
        "/app/admin/api-klienter",
        N_("API-klienter"),
        visible=may_manage_tokens,
    ),
    NavItem("brukere", "/app/admin/brukere", N_("Brukere"), visible=may_invite),
]

#: Per region of an adviser (or administrator): the regional overview.
REGION_NAV: list[NavItem] = [
    NavItem("region", "/app/regioner/{slug}", N_("Regionoversikt")),
]


def shape(path: str) -> str:
    return _PARAMETER.sub("{}", path)


def route_shapes(app: FastAPI) -> frozenset[str]:
    """The paths the app's routers answer, with parameter names erased (`shape`); worked
    out once per process when the app is made (app.main.route_shapes)."""
    shapes: frozenset[str] = app.state.route_shapes
    return shapes


def available(app: FastAPI, items: list[NavItem], principal: Principal) -> list[NavItem]:
    shapes = route_shapes(app)
    return [i for i in items if shape(i.path) in shapes and i.visible(principal)]
