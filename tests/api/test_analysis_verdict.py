"""The verdict and the control chart of `GET /indicators/{id}/analysis`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models.base import Scope
from tests import factories

# Waiting time in days: fourteen months around 30, then ten months around 18.
BEFORE = [31, 29, 30, 32, 28, 31, 30, 29, 33, 30, 28, 31, 30, 29]
WAITING = [*BEFORE, 19, 18, 17, 19, 18, 16, 18, 17, 19, 18]


def _months(values: Sequence[float]) -> list[dict[str, Any]]:
    return [
        {"period": date(2025 + i // 12, i % 12 + 1, 1).isoformat(), "value": v}
        for i, v in enumerate(values)
    ]


def _analysis(client: TestClient, area: int, values: Sequence[float], **fields: Any) -> Any:
    created = client.post(
        f"/api/v1/improvement-areas/{area}/indicators",
        json={"name": "Ventetid til utredning", "kind": "value", "unit": "dager", **fields},
    )
    assert created.status_code == 201, created.text
    indicator = created.json()["id"]
    saved = client.put(
        f"/api/v1/indicators/{indicator}/observations",
        json={"items": _months(values)},
        headers={"If-Match": '"1"'},
    )
    assert saved.status_code == 200, saved.text
    return indicator


def test_lower_waiting_time_is_an_improvement_in_plain_words(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _analysis(writer, factories.area(session, "5501"), WAITING, direction="down")
    body = writer.get(f"/api/v1/indicators/{indicator}/analysis").json()
    assert body["verdict"]["direction"] == "improving"
    assert body["verdict"]["moved"] == "down"
    assert body["verdict"]["since"] == "2026-03-01"
    assert body["verdict"]["text"] == "Forbedring: målingene har gått ned siden mars 2026."
    english = writer.get(
        f"/api/v1/indicators/{indicator}/analysis", headers={"Accept-Language": "en"}
    )
    assert english.json()["verdict"]["text"].startswith("Improvement:")
    assert "March 2026" in english.json()["verdict"]["text"]
    assert (
        english.headers["etag"]
        != writer.get(f"/api/v1/indicators/{indicator}/analysis").headers["etag"]
    )
    assert "Accept-Language" in english.headers["vary"]

    spc = body["spc"]
    assert spc["chart"] == "xmr"
    assert len(spc["points"]) == len(WAITING)
    assert spc["centre_line"] == sum(WAITING) / len(WAITING)
    assert {s["rule"] for s in spc["signals"]} >= {"shift"}
    assert spc["variation"] == "improving_low"


def test_the_same_data_with_higher_is_better_is_a_worsening(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _analysis(writer, factories.area(session, "5501"), WAITING, direction="up")
    verdict = writer.get(f"/api/v1/indicators/{indicator}/analysis").json()["verdict"]
    assert verdict["direction"] == "worsening"
    assert verdict["text"] == "Forverring: målingene har gått ned siden mars 2026."

    balancing = _analysis(writer, factories.area(session, "5501"), WAITING, direction="neither")
    verdict = writer.get(f"/api/v1/indicators/{balancing}/analysis").json()["verdict"]
    assert verdict["direction"] == "changed"


def test_too_few_points_says_how_many_are_needed(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    values = [30, 29, 31, 28, 32, 30.5, 29.5, 31.5, 28.5]
    indicator = _analysis(writer, factories.area(session, "5501"), values)
    verdict = writer.get(f"/api/v1/indicators/{indicator}/analysis").json()["verdict"]
    assert verdict["direction"] == "too_few_points"
    assert verdict["text"] == (
        "Ingen tegn til endring ennå (9 målinger; trenger minst 10 for å si noe)."
    )


def test_proportions_get_a_p_chart_in_percent(session: Session, make_client: Any) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    created = writer.post(
        f"/api/v1/improvement-areas/{factories.area(session, '5501')}/indicators",
        json={"name": "Andel med tiltaksplan", "kind": "proportion"},
    )
    indicator = created.json()["id"]
    items = [
        {"period": date(2025, m, 1).isoformat(), "numerator": n, "denominator": 50}
        for m, n in zip(range(1, 13), [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6], strict=True)
    ]
    writer.put(
        f"/api/v1/indicators/{indicator}/observations",
        json={"items": items},
        headers={"If-Match": '"1"'},
    )
    spc = writer.get(f"/api/v1/indicators/{indicator}/analysis").json()["spc"]
    assert spc["chart"] == "p"
    assert round(spc["centre_line"], 2) == round(100 * 116 / 600, 2)
    assert spc["points"][0]["value"] == 24.0
    assert 0 <= spc["points"][0]["lower_limit"] < spc["points"][0]["upper_limit"] <= 100


def test_the_chart_downloads_as_svg_and_png_with_the_same_texts(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _analysis(writer, factories.area(session, "5501"), WAITING, direction="down")
    svg = writer.get(f"/api/v1/indicators/{indicator}/chart.svg?lang=en")
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert "Improvement: the measurements have gone down since March 2026." in svg.text
    assert "Forbedring" in writer.get(f"/api/v1/indicators/{indicator}/chart.svg").text

    png = writer.get(f"/api/v1/indicators/{indicator}/chart.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    # Twice the SVG's size (the IHDR chunk holds width and height).
    root = ET.fromstring(svg.content)  # noqa: S314 - our own output
    width = int.from_bytes(png.content[16:20], "big")
    height = int.from_bytes(png.content[20:24], "big")
    assert (width, height) == (
        2 * int(float(root.get("width") or 0)),
        2 * int(float(root.get("height") or 0)),
    )
    again = writer.get(
        f"/api/v1/indicators/{indicator}/chart.png", headers={"If-None-Match": png.headers["etag"]}
    )
    assert again.status_code == 304
    assert writer.get(f"/api/v1/indicators/{indicator}/chart.png?lang=x1").status_code == 422
    # A language without a catalogue gets bokmål.
    assert "Forbedring" in writer.get(f"/api/v1/indicators/{indicator}/chart.svg?lang=xx").text


def test_notes_on_points_are_shown_on_the_chart_and_described(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    indicator = _analysis(writer, factories.area(session, "5501"), WAITING, direction="down")
    noted = writer.put(
        f"/api/v1/indicators/{indicator}/observations",
        json={
            "items": [
                {"period": "2026-03-01", "value": 19, "comment": "Ny rutine for henvisning"},
                {"period": "2025-07-01", "value": 30, "comment": "Ferieavvikling"},
            ]
        },
        headers={"If-Match": '"2"'},
    )
    assert noted.status_code == 200, noted.text
    root = ET.fromstring(writer.get(f"/api/v1/indicators/{indicator}/chart.svg").content)  # noqa: S314
    svg = "{http://www.w3.org/2000/svg}"
    labels = [t.text for t in root.iter(f"{svg}text") if (t.text or "").startswith("A")]
    assert "A1" in labels
    assert "A2" in labels
    assert "A1 (juli 2025): Ferieavvikling" in labels
    assert "A2 (mars 2026): Ny rutine for henvisning" in labels
    desc = root.find(f"{svg}desc")
    assert desc is not None
    assert "Merknad A2 (mars 2026): Ny rutine for henvisning" in (desc.text or "")


def test_the_control_chart_can_be_chosen_and_falls_back_when_the_data_cannot_have_it(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    area = factories.area(session, "5501")
    created = writer.post(
        f"/api/v1/improvement-areas/{area}/indicators",
        json={"name": "Andel", "kind": "proportion", "control_chart": "p_prime"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["control_chart"] == "p_prime"
    indicator = created.json()["id"]
    items = [
        {"period": date(2025, m, 1).isoformat(), "numerator": n, "denominator": 50}
        for m, n in zip(range(1, 13), [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6], strict=True)
    ]
    writer.put(
        f"/api/v1/indicators/{indicator}/observations",
        json={"items": items},
        headers={"If-Match": '"1"'},
    )
    url = f"/api/v1/indicators/{indicator}"
    assert writer.get(f"{url}/analysis").json()["spc"]["chart"] == "p_prime"
    changed = writer.patch(url, json={"control_chart": "xmr"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert writer.get(f"{url}/analysis").json()["spc"]["chart"] == "xmr"
    # A U chart needs counts with a denominator: a proportion gets the chart of its data.
    writer.patch(url, json={"control_chart": "u"}, headers={"If-Match": '"2"'})
    assert writer.get(f"{url}/analysis").json()["spc"]["chart"] == "p"
    writer.patch(url, json={"control_chart": None}, headers={"If-Match": '"3"'})
    assert writer.get(f"{url}/analysis").json()["spc"]["chart"] == "p"
    assert (
        writer.patch(url, json={"control_chart": "c"}, headers={"If-Match": '"4"'}).status_code
        == 422
    )
