"""Observations pasted from a spreadsheet or sent as CSV, the CSV export, and small numbers
in every view of them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from app.rendering import chart_svg
from app.services import measurement, run_charts
from tests import factories

PASTED = "\n".join(
    [
        "Måned\tVentetid (dager)",
        *[
            f"{month}. 2024\t{days}"
            for month, days in zip(
                [
                    "jan",
                    "feb",
                    "mar",
                    "apr",
                    "mai",
                    "jun",
                    "jul",
                    "aug",
                    "sep",
                    "okt",
                    "nov",
                    "des",
                ],
                ["12,5", "14", "11,25", "13", "12", "15,5", "10", "9,75", "9", "8,5", "8", "7,25"],
                strict=True,
            )
        ],
    ]
)


def _writer(session: Session, make_client: Any) -> TestClient:
    client: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    return client


def _indicator(client: TestClient, area_id: int, kind: str = "value", **fields: Any) -> int:
    created = client.post(
        f"/api/v1/improvement-areas/{area_id}/indicators",
        json={"name": "Ventetid på utredning", "kind": kind, **fields},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _import(
    client: TestClient, indicator_id: int, text: str, tag: str = '"1"', **headers: str
) -> Any:
    return client.post(
        f"/api/v1/indicators/{indicator_id}/observations/import",
        content=text.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8", "If-Match": tag, **headers},
    )


def _audit_total(client: TestClient) -> int:
    return int(client.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["total"])


def test_twelve_pasted_rows_with_decimal_commas_are_saved(
    session: Session, make_client: Any
) -> None:
    writer = _writer(session, make_client)
    indicator_id = _indicator(writer, factories.area(session, "5501"), unit="dager")
    saved = _import(writer, indicator_id, PASTED)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["rows"], body["changed"], body["total"]) == (12, 12, 12)
    assert [i["value"] for i in body["items"][:3]] == [12.5, 14.0, 11.25]
    assert body["items"][0]["period"] == "2024-01-01"
    assert saved.headers["etag"] == '"2"'
    analysis = writer.get(f"/api/v1/indicators/{indicator_id}/analysis").json()
    assert analysis["n_points"] == 12

    events = _audit_total(writer)
    again = _import(writer, indicator_id, PASTED, saved.headers["etag"])
    assert again.status_code == 200
    assert (again.json()["changed"], again.headers["etag"]) == (0, '"2"')
    assert _audit_total(writer) == events


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(
    session: Session, make_client: Any
) -> None:
    writer = _writer(session, make_client)
    indicator_id = _indicator(writer, factories.area(session, "5501"), kind="proportion")
    text = "\n".join(
        [
            "periode;teller;nevner",
            "01.01.2024;12;40",
            "01.02.2024;45;40",  # numerator above denominator
            "01.03.2024;20;40",
            "15.04.2024;20;40",  # not the first day of a month
            "01.03.2024;21;40",  # the same period again
            "mai 2024;ti;40",  # not a number
        ]
    )
    events = _audit_total(writer)
    refused = _import(writer, indicator_id, text)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert [e["field"] for e in problem["errors"]] == ["line.3", "line.5", "line.6", "line.7"]
    messages = [e["message"] for e in problem["errors"]]
    assert messages[0] == "line 3: numerator cannot be greater than denominator"
    assert messages[1].startswith("line 5 (2024-04-15): a monthly period starts on the first")
    assert messages[2] == "line 6: period 2024-03-01 is also in line 4"
    assert messages[3] == "line 7: the numerator 'ti' is not a number"
    assert problem["detail"] == "Nothing was saved. Fix lines 3, 5, 6, 7 and import again."
    listing = writer.get(f"/api/v1/indicators/{indicator_id}/observations")
    assert listing.json()["total"] == 0
    assert listing.headers["etag"] == '"1"'
    assert _audit_total(writer) == events

    # The JSON upsert refuses a numerator above its denominator the same way.
    json_put = writer.put(
        f"/api/v1/indicators/{indicator_id}/observations",
        json={"items": [{"period": "2024-01-01", "numerator": 45, "denominator": 40}]},
        headers={"If-Match": '"1"'},
    )
    assert json_put.status_code == 422


def test_the_import_is_a_careful_write(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    indicator_id = _indicator(writer, factories.area(session, "5501"))
    url = f"/api/v1/indicators/{indicator_id}/observations/import"
    row = b"2024-01-01;3\n"
    missing = writer.post(url, content=row, headers={"Content-Type": "text/csv"})
    assert missing.status_code == 428
    stale = writer.post(url, content=row, headers={"Content-Type": "text/csv", "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 1
    as_json = writer.post(url, json={"items": []}, headers={"If-Match": '"1"'})
    assert as_json.status_code == 415
    assert as_json.headers["content-type"] == "application/problem+json"
    too_big = writer.post(
        url,
        content=b"2024-01-01;3\n" * 100_000,
        headers={"Content-Type": "text/csv", "If-Match": '"1"'},
    )
    assert too_big.status_code == 413
    empty = _import(writer, indicator_id, "\n\n")
    assert empty.status_code == 422
    assert "no observations found" in empty.json()["errors"][0]["message"]
    reader: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    assert _import(reader, indicator_id, "2024-01-01;3").status_code == 403
    # Excel on Windows saves CSV in Windows-1252; the comment keeps its letters.
    latin = writer.post(
        url,
        content="2024-01-01;3;Årsskifte\n".encode("cp1252"),
        headers={"Content-Type": "text/csv", "If-Match": '"1"'},
    )
    assert latin.status_code == 200
    assert latin.json()["items"][0]["comment"] == "Årsskifte"


def test_the_csv_export_reads_back_unchanged(session: Session, make_client: Any) -> None:
    writer = _writer(session, make_client)
    area_id = factories.area(session, "5501")
    source = _indicator(writer, area_id, kind="proportion")
    items = [
        {"period": "2024-01-01", "numerator": 12, "denominator": 40, "comment": 'ny "rutine"; ok'},
        {"period": "2024-02-01", "numerator": 20, "denominator": 41, "comment": ""},
        {"period": "2024-03-01", "numerator": 33, "denominator": 40, "comment": "a, b\tc"},
    ]
    put = writer.put(
        f"/api/v1/indicators/{source}/observations",
        json={"items": items},
        headers={"If-Match": '"1"'},
    )
    assert put.status_code == 200
    for separator in ("semicolon", "comma"):
        exported = writer.get(
            f"/api/v1/indicators/{source}/observations.csv", params={"separator": separator}
        )
        assert exported.status_code == 200
        assert exported.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in exported.headers["content-disposition"]
        text = exported.content.decode("utf-8-sig")
        if separator == "semicolon":
            assert exported.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
            assert text.splitlines()[:3] == [
                "period;numerator;denominator;percent;comment",
                '2024-01-01;12;40;30;"ny ""rutine""; ok"',
                "2024-02-01;20;41;48,78;",
            ]
        copy = _indicator(writer, area_id, kind="proportion")
        imported = writer.post(
            f"/api/v1/indicators/{copy}/observations/import",
            content=exported.content,
            headers={"Content-Type": "text/csv", "If-Match": '"1"'},
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["items"] == put.json()["items"]
        same = writer.post(
            f"/api/v1/indicators/{source}/observations/import",
            content=exported.content,
            headers={"Content-Type": "text/csv", "If-Match": put.headers["etag"]},
        )
        assert same.json()["changed"] == 0
        unchanged = writer.get(
            f"/api/v1/indicators/{source}/observations.csv",
            params={"separator": separator},
            headers={"If-None-Match": exported.headers["etag"]},
        )
        assert unchanged.status_code == 304


def test_small_numbers_are_hidden_from_everyone_but_the_editors(
    session: Session, make_client: Any
) -> None:
    """A count of 3 is "<5" to the adviser and read-only clients, and 3 to the coordinator
    of the municipality — in the list, the analysis, the chart and the CSV."""
    writer = _writer(session, make_client)
    indicator_id = _indicator(writer, factories.area(session, "5501"), kind="count")
    counts = [3, 3, 7, 3, 9]  # the median, 3, is itself a small number
    rows = "\n".join(f"2024-{m:02d}-01;{c}" for m, c in enumerate(counts, start=1))
    assert _import(writer, indicator_id, rows).status_code == 200

    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")

    _, seen_by_coordinator, full = measurement.list_observations(session, coordinator, indicator_id)
    assert full
    assert seen_by_coordinator[0].value == 3
    assert seen_by_coordinator[0].suppressed is None
    _, seen_by_adviser, full = measurement.list_observations(session, adviser, indicator_id)
    assert not full
    assert (seen_by_adviser[0].value, seen_by_adviser[0].suppressed) == (None, "<5")
    assert seen_by_adviser[2].value == 7

    coordinator_analysis = run_charts.get_analysis(session, coordinator, indicator_id)
    assert coordinator_analysis.centre_line == 3
    assert coordinator_analysis.points[0].value == 3
    adviser_analysis = run_charts.get_analysis(session, adviser, indicator_id)
    assert adviser_analysis.centre_line is None
    assert adviser_analysis.centre_line_suppressed == "<5"
    assert adviser_analysis.suppressed_points == 3
    assert [p.value for p in adviser_analysis.points] == [None, None, 7, None, 9]
    assert [p.side for p in adviser_analysis.points] == [None, None, "above", None, "above"]
    assert adviser_analysis.n_useful == coordinator_analysis.n_useful  # same rules, same data

    _, csv_for_adviser = measurement.export_observations_csv(session, adviser, indicator_id)
    assert csv_for_adviser.splitlines()[1] == "2024-01-01;<5;"
    _, csv_for_coordinator = measurement.export_observations_csv(session, coordinator, indicator_id)
    assert csv_for_coordinator.splitlines()[1] == "2024-01-01;3;"

    adviser_svg = chart_svg.render_chart(run_charts.get_chart(session, adviser, indicator_id))
    coordinator_svg = chart_svg.render_chart(
        run_charts.get_chart(session, coordinator, indicator_id)
    )
    point_titles = {
        svg: [
            e.text
            for e in ET.fromstring(svg).iter()  # noqa: S314 - our own output
            if e.tag.endswith("title") and e.text and e.text.startswith(("januar", "april"))
        ]
        for svg in (adviser_svg, coordinator_svg)
    }
    assert point_titles[adviser_svg] == []  # the small counts are not plotted
    assert point_titles[coordinator_svg] == ["januar 2024: 3", "april 2024: 3"]
    assert "Målinger med små tall vises ikke" in adviser_svg
    assert "Midtlinjen vises ikke, fordi den bygger på små tall." in adviser_svg
    assert "Median 3" in coordinator_svg
    assert "Median" not in adviser_svg.split("</desc>")[1]

    # Through the API: a read-only client of the region, and the municipality's own writer.
    reader: TestClient = make_client(factories.token(session, Scope.read, regions=["troms"]))
    for path in ("observations", "analysis"):
        url = f"/api/v1/indicators/{indicator_id}/{path}"
        hidden, shown = reader.get(url), writer.get(url)
        assert (
            hidden.json()["items" if path == "observations" else "points"][0]["suppressed"] == "<5"
        )
        assert shown.json()["items" if path == "observations" else "points"][0]["value"] == 3
        assert hidden.headers["etag"] != shown.headers["etag"]
    assert (
        "2024-01-01;<5;" in reader.get(f"/api/v1/indicators/{indicator_id}/observations.csv").text
    )
    assert (
        ">3<"
        not in reader.get(f"/api/v1/indicators/{indicator_id}/chart.svg").text.split("</desc>")[1]
    )
