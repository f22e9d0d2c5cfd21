"""The run-chart analysis and the SVG chart through the API."""

from __future__ import annotations

import itertools
import math
import statistics
import xml.etree.ElementTree as ET
from datetime import date
from fractions import Fraction
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from app.models.improvement import MeasureCreate
from app.services import improvement
from app.services.access import SYSTEM
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"

# Twenty months: a stable stretch, then a lasting improvement.
TWENTY = [12, 15, 11, 14, 13, 12, 16, 13, 14, 12, 18, 19, 17, 20, 19, 21, 18, 20, 22, 19]


def _months(values: list[int], year: int = 2023) -> list[dict[str, Any]]:
    return [
        {"period": date(year + i // 12, i % 12 + 1, 1).isoformat(), "value": v}
        for i, v in enumerate(values)
    ]


def _independent_analysis(values: list[int]) -> dict[str, Any]:
    """The Anhøj rules written out again, as plainly as possible, to check the API."""
    centre = statistics.median(values)
    signs = [1 if v > centre else -1 for v in values if v != centre]
    runs = [len(list(group)) for _, group in itertools.groupby(signs)]
    n = len(signs)
    trials = n - 1
    crossings_min = next(
        k
        for k in range(trials + 1)
        if Fraction(sum(math.comb(trials, i) for i in range(k + 1)), 2**trials) >= Fraction(5, 100)
    )
    longest_run_max = int(Fraction(math.log2(n) + 3) + Fraction(1, 2))
    return {
        "centre_line": centre,
        "n_points": len(values),
        "n_useful": n,
        "longest_run": max(runs),
        "longest_run_max": longest_run_max,
        "crossings": len(runs) - 1,
        "crossings_min": crossings_min,
        "signals": {
            "long_run": max(runs) > longest_run_max,
            "few_crossings": len(runs) - 1 < crossings_min,
        },
        "enough_points": n >= 10,
    }


def _indicator(client: TestClient, area_id: int, **fields: Any) -> dict[str, Any]:
    created = client.post(
        f"/api/v1/improvement-areas/{area_id}/indicators",
        json={"name": "Dager fra henvisning til utredning", "kind": "count", **fields},
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _put(client: TestClient, indicator_id: int, items: list[dict[str, Any]], tag: str) -> Any:
    return client.put(
        f"/api/v1/indicators/{indicator_id}/observations",
        json={"items": items},
        headers={"If-Match": tag},
    )


def test_analysis_of_twenty_months_matches_an_independent_computation(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _indicator(writer, factories.area(session, "5501"))
    url = f"/api/v1/indicators/{indicator['id']}"
    saved = _put(writer, indicator["id"], _months(TWENTY), '"1"')
    assert saved.status_code == 200

    analysis = writer.get(f"{url}/analysis")
    assert analysis.status_code == 200
    body = analysis.json()
    expected = _independent_analysis(TWENTY)
    assert {key: body[key] for key in expected} == expected
    # Against the median of all twenty, the change shows as a long run below, then above.
    assert body["signals"]["long_run"]
    assert body["signalling_runs"] == [
        {"side": "below", "first_period": "2023-01-01", "last_period": "2023-10-01", "length": 10},
        {"side": "above", "first_period": "2023-11-01", "last_period": "2024-08-01", "length": 10},
    ]
    assert all(p["in_signalling_run"] for p in body["points"])
    assert body["points"][0] == {
        "period": "2023-01-01",
        "value": 12.0,
        "suppressed": None,
        "side": "below",
        "segment": 0,
        "in_signalling_run": True,
    }

    # The same list again: nothing changes — no audit event, the same ETags.
    events = writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"]
    again = _put(writer, indicator["id"], _months(TWENTY), saved.headers["etag"])
    assert again.status_code == 200
    assert again.headers["etag"] == saved.headers["etag"]
    assert (
        writer.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"]
        == events
    )
    assert writer.get(f"{url}/analysis").headers["etag"] == analysis.headers["etag"]
    unchanged = writer.get(f"{url}/analysis", headers={"If-None-Match": analysis.headers["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""


def test_the_analysis_follows_the_baseline_settings(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _indicator(writer, factories.area(session, "5501"))
    url = f"/api/v1/indicators/{indicator['id']}"
    _put(writer, indicator["id"], _months(TWENTY), '"1"')
    before = writer.get(f"{url}/analysis")
    assert before.json()["centre_line"] == 16.5

    frozen = writer.patch(url, json={"baseline_points": 10}, headers={"If-Match": '"1"'})
    assert frozen.status_code == 200
    after = writer.get(f"{url}/analysis", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200  # the indicator's version is part of the ETag
    assert after.json()["centre_line"] == 13.0  # median of the first ten months
    assert after.json()["n_baseline"] == 10
    assert after.json()["segments"][0]["baseline_last_period"] == "2023-10-01"

    restarted = writer.patch(
        url,
        json={"baseline_points": None, "baseline_restart": "2023-11-01"},
        headers={"If-Match": frozen.headers["etag"]},
    )
    assert restarted.status_code == 200
    body = writer.get(f"{url}/analysis").json()
    assert [(s["first_period"], s["centre_line"]) for s in body["segments"]] == [
        ("2023-01-01", 13.0),
        ("2023-11-01", 19.0),
    ]
    # The headline describes now: the ten months from the restart.
    assert (body["n_points"], body["centre_line"], body["enough_points"]) == (10, 19.0, False)
    assert body["signals"] == {"long_run": False, "few_crossings": False}
    assert [p["segment"] for p in body["points"]] == [0] * 10 + [1] * 10


def test_an_empty_indicator_has_an_empty_analysis(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _indicator(writer, factories.area(session, "5501"))
    body = writer.get(f"/api/v1/indicators/{indicator['id']}/analysis").json()
    assert body["n_points"] == 0
    assert body["centre_line"] is None
    assert body["longest_run_max"] is None
    assert body["enough_points"] is False
    assert body["segments"] == body["points"] == []
    chart = writer.get(f"/api/v1/indicators/{indicator['id']}/chart.svg")
    assert chart.status_code == 200
    assert "Ingen målinger ennå" in chart.text


def test_analysis_and_chart_are_hidden_from_strangers(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _indicator(writer, factories.area(session, "5501"))
    elsewhere: TestClient = make_client(
        factories.token(session, Scope.read, municipalities=["0301"])
    )
    anonymous: TestClient = make_client()
    for path in ("analysis", "chart.svg", "observations.csv"):
        url = f"/api/v1/indicators/{indicator['id']}/{path}"
        assert elsewhere.get(url).status_code == 404
        assert anonymous.get(url).status_code == 401
        assert anonymous.get(url).headers["content-type"] == "application/problem+json"
    assert writer.get("/api/v1/indicators/999999/analysis").status_code == 404


def test_the_chart_is_accessible_svg(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    improvement.create_measure(
        session,
        SYSTEM,
        area_id,
        MeasureCreate(title="Fast kontaktperson <fra> diagnose", start_date=date(2023, 11, 1)),
    )
    improvement.create_measure(
        session, SYSTEM, area_id, MeasureCreate(title="Før målingene", start_date=date(2020, 1, 1))
    )
    # A baseline of the first ten months: the improvement after it is one long run above.
    indicator = _indicator(
        writer, area_id, target=20, unit="dager", direction="up", baseline_points=10
    )
    _put(writer, indicator["id"], _months(TWENTY), '"1"')

    response = writer.get(f"/api/v1/indicators/{indicator['id']}/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    # Parsing our own output, to prove it is well-formed XML.
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert title.text == "Seriediagram: Dager fra henvisning til utredning"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text is not None
    assert "Et uvanlig langt løp over medianen tyder på en reell endring" in desc.text
    assert "Tiltak 1: Fast kontaktperson <fra> diagnose, startet 1. november 2023." in desc.text
    assert "Før målingene" not in response.text  # started before the first point

    every = list(root.iter())
    assert not [e for e in every if e.get("style") is not None or e.tag == f"{SVG}style"]
    texts = [e.text for e in every if e.tag == f"{SVG}text"]
    assert "T1" in texts  # the measure's mark
    assert "Mål: 20" in texts
    assert "Median 13" in texts
    assert "Langt løp: 10" in texts
    # Points in the signalling run are diamonds (not only another colour): ten of them.
    diamonds = [e for e in every if "rc-point-signal" in (e.get("class") or "")]
    circles = [e for e in every if e.get("class") == "rc-point"]
    assert (len(diamonds), len(circles)) == (10, 10)
    assert {d.tag for d in diamonds} == {f"{SVG}path"}
    # Line patterns tell the centre line, the target and the measures apart in print.
    dashes = {e.get("stroke-dasharray") for e in every if e.tag == f"{SVG}line"}
    assert {"8 5", "14 4 2 4", "2 3"} <= dashes

    unchanged = writer.get(
        f"/api/v1/indicators/{indicator['id']}/chart.svg",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert unchanged.status_code == 304
    # A new measure moves the chart's ETag, though the indicator did not change.
    improvement.create_measure(
        session, SYSTEM, area_id, MeasureCreate(title="Ny rutine", start_date=date(2024, 3, 1))
    )
    changed = writer.get(
        f"/api/v1/indicators/{indicator['id']}/chart.svg",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert changed.status_code == 200
    assert "Ny rutine" in changed.text


def test_the_chart_and_analysis_cost_a_fixed_number_of_queries(
    session: Session, make_client: Any, queries: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area_id = factories.area(session, "5501")
    for n in range(3):
        factories.measure(session, area_id, f"Tiltak {n}")
    counts = []
    for months in (12, 120):
        indicator = _indicator(writer, area_id)
        _put(writer, indicator["id"], _months([n % 7 for n in range(months)], 1995), '"1"')
        writer.get(f"/api/v1/indicators/{indicator['id']}")  # the token kept, in both rounds
        with queries.counting():
            writer.get(f"/api/v1/indicators/{indicator['id']}/chart.svg")
            writer.get(f"/api/v1/indicators/{indicator['id']}/analysis")
        counts.append(queries.count)
    assert counts[0] == counts[1]
