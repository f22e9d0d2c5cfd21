"""Regression: "Lagt til." was shown above the page title while the browser had jumped
further down. After adding, editing or deleting a strength, a checklist answer, an
improvement area or a measure without JavaScript, the redirect's fragment points at what
changed and the confirmation (role=status, focused) is rendered beside it — once."""

from __future__ import annotations

from sqlmodel import Session

from tests import factories
from tests.webtools import Node, SignedInClient, form_fields, page

STRENGTHS = "/app/kommuner/5501/styrker"
CHECKLIST = "/app/kommuner/5501/sjekkliste"
AREAS = "/app/kommuner/5501/forbedringsomrader"


def _follow(client: SignedInClient, location: str, anchor: str) -> Node:
    """The page after the redirect, with the confirmation beside `#anchor` only."""
    assert location.endswith(f"#{anchor}"), location
    after = page(client.get(location.split("#")[0]))
    note = after.by_id("bekreftelse")
    assert note.get("role") == "status"
    assert note.get("tabindex") == "-1"
    assert note.get("autofocus") is not None
    assert note.text() in after.by_id(anchor).text()
    assert len(after.find_all("p", class_="notice--success")) == 1
    return after


def test_strengths_are_confirmed_beside_the_strength(
    coordinator: SignedInClient, session: Session
) -> None:
    created = coordinator.post(STRENGTHS, {"text": "Godt samarbeid med fastlegene"})
    assert created.status_code == 303
    anchor = created.headers["location"].rsplit("#", 1)[1]
    assert anchor.startswith("styrke-")
    after = _follow(coordinator, created.headers["location"], anchor)
    assert "Lagt til." in after.by_id(anchor).text()

    form = after.find("form", action=f"{STRENGTHS}/{anchor.removeprefix('styrke-')}")
    assert form is not None
    fields = form_fields(form)
    fields["text"] = "Svært godt samarbeid med fastlegene"
    saved = coordinator.post(f"{STRENGTHS}/{anchor.removeprefix('styrke-')}", fields)
    assert saved.status_code == 303
    after = _follow(coordinator, saved.headers["location"], anchor)
    assert "Endringene er lagret." in after.by_id(anchor).text()

    version = str(int(fields["version"]) + 1)
    deleted = coordinator.post(
        f"{STRENGTHS}/{anchor.removeprefix('styrke-')}/slett", {"version": version}
    )
    assert deleted.status_code == 303
    _follow(coordinator, deleted.headers["location"], "strengths")


def test_a_checklist_answer_is_confirmed_beside_the_item(coordinator: SignedInClient) -> None:
    document = page(coordinator.get(CHECKLIST))
    key = str(document.find_all("li", class_="checklist__item")[0].get("id")).removeprefix("punkt-")
    saved = coordinator.post(
        f"{CHECKLIST}/{key}", {f"answer-{key}": "yes", f"comment-{key}": "", f"version-{key}": "0"}
    )
    assert saved.status_code == 303
    _follow(coordinator, saved.headers["location"], f"punkt-{key}")


def test_areas_and_measures_are_confirmed_beside_them(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", title="Raskere utredning")
    factories.area(session, "5501", title="Bedre pårørendestøtte")
    moved = coordinator.post(
        f"/app/forbedringsomrader/{area_id}/flytt",
        {"direction": "down", "order_version": _order_version(coordinator)},
    )
    assert moved.status_code == 303
    _follow(coordinator, moved.headers["location"], f"omrade-{area_id}")

    created = coordinator.post(
        f"/app/forbedringsomrader/{area_id}/tiltak",
        {"title": "Fast utredningsdag", "status": "not_started"},
    )
    assert created.status_code == 303
    anchor = created.headers["location"].rsplit("#", 1)[1]
    assert anchor.startswith("tiltak-")
    after = _follow(coordinator, created.headers["location"], anchor)
    assert after.by_id(anchor).tag == "tr"

    measure_id = anchor.removeprefix("tiltak-")
    measure_page = page(coordinator.get(f"/app/tiltak/{measure_id}"))
    form = measure_page.find("form", action=f"/app/tiltak/{measure_id}")
    assert form is not None
    fields = form_fields(form)
    saved = coordinator.post(f"/app/tiltak/{measure_id}", fields)
    assert saved.status_code == 303
    _follow(coordinator, saved.headers["location"], "measure-details")

    delete_form = page(coordinator.get(f"/app/tiltak/{measure_id}")).find(
        "form", action=f"/app/tiltak/{measure_id}/slett"
    )
    assert delete_form is not None
    deleted = coordinator.post(f"/app/tiltak/{measure_id}/slett", form_fields(delete_form))
    assert deleted.status_code == 303
    _follow(coordinator, deleted.headers["location"], "tiltak")


def _order_version(client: SignedInClient) -> str:
    field = page(client.get(AREAS)).find("input", name="order_version")
    assert field is not None
    return field.get("value") or ""
