"""The start page of the signed-in app, and getting to a municipality."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.models.audit import AuditEventRead
from app.services import catalogue, dashboard, workspace
from app.web import labels, nav
from app.web.core import SignedInDep

router = APIRouter(include_in_schema=False)


@router.get("/app")
def dashboard_page(web: SignedInDep) -> Response:
    board = dashboard.get_dashboard(web.db, web.principal, lang=web.lang)
    phase_names = {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)}

    def describe(event: AuditEventRead) -> str:
        return labels.describe_event(event, web.lang, phase_names)

    return web.render(
        "dashboard/dashboard.html",
        {
            "board": board,
            "describe": describe,
            "comments_page": web.has_page("/app/kommuner/{number}/kommentarer"),
        },
    )


@router.get("/app/kommuner")
def choose_municipality(web: SignedInDep, kommune: str = "", side: str = "forlop") -> Response:
    """The municipality switcher (a plain GET form): the same page of another municipality."""
    if not kommune.strip():
        return web.redirect("/app")
    ws = workspace.open_workspace(web.db, web.principal, kommune.strip())
    tabs = {item.key for item in nav.MUNICIPALITY_NAV}
    page = side if side in tabs else "forlop"
    return web.redirect(f"/app/kommuner/{ws.number}/{page}")


@router.get("/app/kommuner/{number}")
def municipality_home(number: str, web: SignedInDep) -> Response:
    ws = workspace.open_workspace(web.db, web.principal, number)
    return web.redirect(f"/app/kommuner/{ws.number}/forlop")
