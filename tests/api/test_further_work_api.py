"""The plan for further work through the API: If-Match as everywhere, Markdown cleaned and
rendered by the editor's cleaner, limits, access; measures carry their status colour."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from app.models.poster import MAX_PLAN_CHARS
from tests import factories

MakeClient = Callable[..., TestClient]
URL = "/api/v1/municipalities/5501/further-work-plan"


def test_the_plan_is_read_and_written_with_if_match(
    session: Session, make_client: MakeClient
) -> None:
    editor = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    other = make_client(factories.token(session, Scope.write, municipalities=["5503"]))

    empty = reader.get(URL)
    assert empty.status_code == 200
    assert (empty.json()["version"], empty.headers["etag"]) == (0, '"0"')

    assert editor.put(URL, json={"plan": "X"}).status_code == 428
    written = editor.put(
        URL,
        json={"plan": "<img src=x onerror=alert(1)>Fortsette **teamet**"},
        headers={"If-Match": '"0"'},
    )
    assert written.status_code == 200, written.text
    body = written.json()
    assert "<img" not in body["plan"]
    assert body["plan_html"] == "<p>Fortsette <strong>teamet</strong></p>"
    assert written.headers["etag"] == '"1"'

    stale = editor.put(URL, json={"plan": "Eldre"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert reader.get(URL).json()["plan"] == "Fortsette **teamet**", "nothing lost"

    too_long = editor.put(
        URL, json={"plan": "x" * (MAX_PLAN_CHARS + 1)}, headers={"If-Match": '"1"'}
    )
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("application/problem+json")
    assert "plan" in too_long.text
    assert (
        editor.put(URL, json={"plan": "x", "extra": 1}, headers={"If-Match": '"1"'}).status_code
        == 422
    )

    assert reader.put(URL, json={"plan": "X"}, headers={"If-Match": '"1"'}).status_code == 403
    assert other.put(URL, json={"plan": "X"}, headers={"If-Match": '"1"'}).status_code == 403
    assert other.get(URL).status_code == 403


def test_measures_carry_their_status_colour(session: Session, make_client: MakeClient) -> None:
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    area = factories.area(session, "5501")
    measure = factories.measure(session, area)
    answer = reader.get(f"/api/v1/measures/{measure}")
    assert answer.status_code == 200
    assert answer.json()["light"] == "green"
