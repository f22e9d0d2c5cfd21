"""Regression tests of the attack and integrator review (issue 14) on the API side, finding
11: how API answers may be cached."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_authorization_matrix import (
    ADMIN,
    COORDINATOR,
    PUBLIC,
    READ_TOKEN,
    ROUTES,
    WRITE_TOKEN,
    Runner,
    build_world,
    fill,
)
from tests.conftest import TransactionalDatabase


def _directives(header: str) -> set[str]:
    return {d.strip().split("=")[0].lower() for d in header.split(",") if d.strip()}


def test_finding_11_every_private_api_answer_is_marked_private(
    client: TestClient, session: Session, db: TransactionalDatabase
) -> None:
    """Every GET operation of the OpenAPI document, with real ids of Tromsø, asked by people
    (browser sessions) and clients (tokens): what is the same for everyone says `public`,
    everything else `private` — the answers, the refusals and the 304s alike."""
    world = build_world(session, client)
    runner = Runner(client, db, world)
    schema = client.get("/api/v1/openapi.json").json()
    operations = [path for path, item in schema["paths"].items() if "get" in item]
    assert len(operations) >= 40
    wrong: list[str] = []
    for template in operations:
        path = template.removeprefix("/api/v1")
        spec = ROUTES[("GET", f"/api/v1{path}")]
        url = fill(template, world.values)
        if spec.query:
            url += "?" + fill(spec.query, world.values)
        for principal in (ADMIN, COORDINATOR, READ_TOKEN, WRITE_TOKEN):
            response = runner.send(principal, "GET", url)
            assert response.status_code < 500, (url, principal, response.text)
            directives = _directives(response.headers.get("cache-control", ""))
            tag = response.headers.get("etag")
            answers = [(response.status_code, directives)]
            if response.status_code == 200 and tag:
                again = runner.send(principal, "GET", url, headers={"If-None-Match": tag})
                answers.append(
                    (again.status_code, _directives(again.headers.get("cache-control", "")))
                )
            for status, seen in answers:
                if spec.rule == PUBLIC:
                    ok = "public" in seen and "private" not in seen
                else:
                    ok = {"private", "no-cache"} <= seen and "public" not in seen
                if not ok:
                    wrong.append(f"GET {url} as {principal}: {status} {sorted(seen)}")
    assert not wrong, "\n".join(wrong)
