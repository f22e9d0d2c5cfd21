"""The start page of the signed-in app, and getting to a municipality."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.models.audit import AuditEventRead
from app.services import catalogue, dashboard, guided_start, workspace
from app.web import labels, nav
from app.web.core import SignedInDep

router = APIRouter(include_in_schema=False)

#: Up to this many municipalities a person edits, each card shows its next step.
GUIDED_CARDS = 5


@router.get("/app")
def dashboard_page(web: SignedInDep) -> Response:
    board = dashboard.get_dashboard(web.db, web.principal, lang=web.lang)
    # The next step of each municipality its coordinators are still setting up (a person
    # who edits many, an administrator, finds it on each municipality's pathway page).
    editable = [m.number for m in board.municipalities if m.can_edit]
    guides = {}
    if len(editable) <= GUIDED_CARDS:
        for number in editable:
            guide = guided_start.guided_start(web.db, web.principal, number)
            if guide.next_step is not None:
                guides[number] = guide
    phase_names = {p.key: p.name for p in catalogue.list_phases(web.db, web.lang)}

    def describe(event: AuditEventRead) -> str:
        return labels.describe_event(event, web.lang, phase_names)

    return web.render(
        "dashboard/dashboard.html",
        {
            "board": board,
            "guides": guides,
            "guide_steps": labels.GUIDE_STEPS,
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
