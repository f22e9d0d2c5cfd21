"""The overview through the API: access, conditional requests, the CSV and XLSX exports
agreeing with the JSON, the anonymous summary naming no municipality, and query counts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.kit.spreadsheet import neutralise
from app.models.base import Scope
from app.models.feedback import CommentCreate, ReviewCreate
from app.models.municipality import MunicipalityUpdate
from app.models.publishing import PublishInput
from app.services import feedback, municipalities, publishing, review
from app.services.access import SYSTEM, Principal
from app.services.seed import SEED_DATA
from tests import factories
from tests.conftest import SIGNED_IN_QUERIES, QueryCounter, TransactionalDatabase

ClientAs = Callable[[Principal], TestClient]
DEMO_ADVISER = "radgiver.troms@demo.demensforlop.no"
TROMS = "/api/v1/regions/troms/overview"


# ---- acceptance 4: access ----------------------------------------------------------------


def test_only_the_regions_advisers_and_administrators_open_an_overview(
    session: Session, client_as: ClientAs, make_client: Any
) -> None:
    troms_adviser = client_as(factories.adviser(session, "troms"))
    assert troms_adviser.get(TROMS).status_code == 200
    for path in ("", ".csv", ".xlsx"):
        refused = troms_adviser.get(f"/api/v1/regions/innlandet/overview{path}")
        assert refused.status_code == 403, path
        assert refused.headers["content-type"] == "application/problem+json"
    assert troms_adviser.get("/api/v1/overview").status_code == 403
    assert troms_adviser.get("/api/v1/regions/nowhere/overview").status_code == 404

    coordinator = client_as(factories.coordinator(session, "5501"))
    for path in (TROMS, "/api/v1/regions/innlandet/overview", f"{TROMS}.csv", "/api/v1/overview"):
        assert coordinator.get(path).status_code == 403, path

    admin = client_as(factories.admin(session))
    assert admin.get("/api/v1/regions/innlandet/overview").status_code == 200
    assert len(admin.get("/api/v1/overview").json()["municipalities"]) == 357

    region_reader = make_client(factories.token(session, Scope.read, regions=["troms"]))
    assert region_reader.get(TROMS).status_code == 200
    assert region_reader.get("/api/v1/overview").status_code == 403
    municipality_writer = make_client(
        factories.token(session, Scope.write, municipalities=["5501"])
    )
    assert municipality_writer.get(TROMS).status_code == 403
    nobody = make_client()
    assert nobody.get(TROMS).status_code == 401


def test_a_coordinator_sees_the_good_examples_of_their_region(
    session: Session, client_as: ClientAs
) -> None:
    factories.strength_in(session, "5540", "Samtalegruppe for pårørende", "home_with_services")
    publishing.publish(session, SYSTEM, "5540", PublishInput(summary="Første versjon"))
    coordinator = client_as(factories.coordinator(session, "5501"))
    examples = coordinator.get("/api/v1/regions/troms/good-examples")
    assert examples.status_code == 200
    groups = {g["phase"]: g for g in examples.json()["groups"]}
    assert groups["home_with_services"]["strengths"][0]["municipality"] == "5540"
    assert coordinator.get("/api/v1/regions/innlandet/good-examples").status_code == 403
    assert coordinator.get(TROMS).status_code == 403


# ---- conditional requests ----------------------------------------------------------------


def test_etags_follow_content_reviews_comments_filters_and_format(
    session: Session, client_as: ClientAs
) -> None:
    adviser_principal = factories.adviser(session, "troms")
    adviser = client_as(adviser_principal)
    first = adviser.get(TROMS)
    tag = first.headers["etag"]
    assert tag.startswith('"')
    assert first.headers["cache-control"] == "private, no-cache"
    again = adviser.get(TROMS, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""

    csv_tag = adviser.get(f"{TROMS}.csv").headers["etag"]
    xlsx_tag = adviser.get(f"{TROMS}.xlsx").headers["etag"]
    assert len({tag, csv_tag, xlsx_tag}) == 3
    assert xlsx_tag.startswith("W/")
    assert adviser.get(f"{TROMS}.csv", headers={"If-None-Match": csv_tag}).status_code == 304
    assert adviser.get(f"{TROMS}.xlsx", headers={"If-None-Match": xlsx_tag}).status_code == 304
    anonymous_tag = adviser.get(TROMS, params={"anonymous": "true"}).headers["etag"]
    filtered_tag = adviser.get(TROMS, params={"phase": "assessment"}).headers["etag"]
    assert len({tag, anonymous_tag, filtered_tag}) == 3

    seen = {tag}
    factories.strength(session, "5501", "Ny styrke")
    tag = adviser.get(TROMS, headers={"If-None-Match": tag}).headers["etag"]
    review.create_review(session, adviser_principal, "5501", ReviewCreate(note="Sett"))
    seen.add(tag)
    tag = adviser.get(TROMS, headers={"If-None-Match": tag}).headers["etag"]
    feedback.create_comment(session, adviser_principal, "5540", CommentCreate(text="Spørsmål"))
    seen.add(tag)
    changed = adviser.get(TROMS, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    seen.add(changed.headers["etag"])
    assert len(seen) == 4
    # A change elsewhere in the country leaves Troms' tag alone.
    factories.strength(session, "3401", "Innlandet")
    assert adviser.get(TROMS, headers={"If-None-Match": changed.headers["etag"]}).status_code == 304

    # No 304 for someone who may not see the overview.
    coordinator = client_as(factories.coordinator(session, "5501"))
    assert coordinator.get(TROMS, headers={"If-None-Match": "*"}).status_code == 403


def test_the_body_follows_every_change_while_the_data_is_unchanged_it_is_reused(
    session: Session, client_as: ClientAs
) -> None:
    """The process keeps the built overview by its strong ETag: a change of content gives a
    new tag and so a new body; no change gives the very same body."""
    adviser = client_as(factories.adviser(session, "troms"))

    def strengths_of_5501() -> int:
        body = adviser.get(TROMS).json()
        return len(next(m for m in body["municipalities"] if m["number"] == "5501")["strengths"])

    before = strengths_of_5501()
    assert adviser.get(TROMS).content == adviser.get(TROMS).content
    factories.strength(session, "5501", "Enda en styrke")
    assert strengths_of_5501() == before + 1
    factories.strength(session, "5501", "Og en til")
    assert strengths_of_5501() == before + 2


def test_bad_filters_are_problems(session: Session, client_as: ClientAs) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    unknown = adviser.get(TROMS, params={"phase": "nowhere"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["errors"][0]["field"] == "phase"
    assert adviser.get(TROMS, params={"offering_type": "nothing"}).status_code == 422
    assert adviser.get(TROMS, params={"needs_knowledge": "maybe"}).status_code == 422
    filtered = adviser.get(TROMS, params={"needs_knowledge": "true", "phase": "assessment"})
    assert filtered.status_code == 200
    assert filtered.json()["filters"] == {
        "phase": "assessment",
        "offering_type": None,
        "tag": None,
        "needs_knowledge": True,
    }


def test_json_follows_the_language_and_files_stay_norwegian(
    session: Session, client_as: ClientAs
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    english = adviser.get(TROMS, headers={"Accept-Language": "en"})
    assert english.json()["phases"][0]["name"] == "Suspicion"
    assert english.json()["municipalities"][0]["cells"][0]["maturity_label"] == "Not assessed"
    assert english.headers["etag"] != adviser.get(TROMS).headers["etag"]
    rows = _csv_rows(adviser.get(f"{TROMS}.csv", headers={"Accept-Language": "en"}))
    column = rows[0].index("Mistanke: modenhet")
    assert rows[1][column] == "Ikke vurdert"


# ---- acceptance 2: JSON, CSV and XLSX agree ----------------------------------------------


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _workbook(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["content-disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _sheet(workbook: Any, title: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    sheet = workbook[title]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert all(cell.font.bold for cell in sheet[1])
    return [str(h) for h in rows[0]], rows[1:]


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value  # type: ignore[no-any-return]


def _expected_numbers(m: dict[str, Any], phases: list[dict[str, Any]]) -> dict[str, Any]:
    """What the municipality table must say, read straight from the JSON."""
    expected: dict[str, Any] = {
        "Kommunenummer": m["number"],
        "Kommune": m["name"],
        "Innbyggere": m["population"],
        "Personer med demens (anslag)": m["persons_with_dementia"],
        "Sjekkliste: ja": m["checklist"]["yes"],
        "Sjekkliste: delvis": m["checklist"]["partly"],
        "Sjekkliste: nei": m["checklist"]["no"],
        "Sjekkliste: ikke aktuelt": m["checklist"]["not_applicable"],
        "Sjekkliste: ikke besvart": m["checklist"]["unanswered"],
        "Styrker": len(m["strengths"]),
        "Forbedringsområder": len(m["improvement_areas"]),
        "Tiltak: ikke startet": m["measures"]["not_started"],
        "Tiltak: pågår": m["measures"]["in_progress"],
        "Tiltak: gjennomført": m["measures"]["done"],
        "Tiltak: stoppet": m["measures"]["stopped"],
        "Publiserte versjoner": m["published_versions"],
        "Dager siden endring": m["days_since_change"],
        "Åpne kommentartråder": m["open_comment_threads"],
        "Tid for ny samtale fra": (
            date.fromisoformat(m["review"]["due_on"]) if m["review"]["due_on"] else None
        ),
    }
    for phase, cell in zip(phases, m["cells"], strict=True):
        expected[f"{phase['name']}: modenhet"] = cell["maturity_label"]
        expected[f"{phase['name']}: tilgjengelige tilbud"] = cell["available_offerings"]
        expected[f"{phase['name']}: trenger kunnskap"] = "Ja" if cell["needs_knowledge"] else "Nei"
    return expected


def _csv_value(text: str, like: Any) -> Any:
    if like is None:
        return None if text == "" else text
    if isinstance(like, bool) or not isinstance(like, int | date):
        return text
    if isinstance(like, int):
        return int(text)
    return date.fromisoformat(text)


def test_the_named_files_say_first_that_they_are_working_material(
    session: Session, client_as: ClientAs
) -> None:
    """The workbook opens on a sheet that says the file is working material for guidance,
    not a comparison; the API's CSV keeps its header as the first line (integrators), and
    the summary, which names nobody, has no such sheet."""
    factories.overview_network(session)
    client = client_as(factories.demo_user(session, DEMO_ADVISER))
    workbook = _workbook(client.get(f"{TROMS}.xlsx"))
    first = workbook.worksheets[0]
    assert first.title == "Om dette arbeidsmaterialet"
    words = " ".join(str(r[0]) for r in first.iter_rows(values_only=True))
    assert "Arbeidsmateriale for veiledning" in words
    assert "Ikke en sammenligning eller rangering" in words
    assert workbook.sheetnames[1:3] == ["Totalt", "Kommuner"]
    assert _csv_rows(client.get(f"{TROMS}.csv"))[0][:2] == ["Kommunenummer", "Kommune"]
    summary = _workbook(client.get(f"{TROMS}.xlsx", params={"anonymous": "true"}))
    assert "Om dette arbeidsmaterialet" not in summary.sheetnames


def test_json_csv_and_xlsx_have_the_same_numbers(session: Session, client_as: ClientAs) -> None:
    factories.overview_network(session)
    client = client_as(factories.demo_user(session, DEMO_ADVISER))
    data = client.get(TROMS).json()
    rows = _csv_rows(client.get(f"{TROMS}.csv"))
    workbook = _workbook(client.get(f"{TROMS}.xlsx"))

    headers, xlsx_rows = _sheet(workbook, "Kommuner")
    assert rows[0] == headers
    assert len(rows) - 1 == len(xlsx_rows) == len(data["municipalities"]) == 21
    nonzero = 0
    for m, csv_row, xlsx_row in zip(data["municipalities"], rows[1:], xlsx_rows, strict=True):
        by_csv = dict(zip(headers, csv_row, strict=True))
        by_xlsx = dict(zip(headers, xlsx_row, strict=True))
        for heading, value in _expected_numbers(m, data["phases"]).items():
            assert _csv_value(by_csv[heading], value) == value, (m["number"], heading)
            assert _as_date(by_xlsx[heading]) == value, (m["number"], heading)
            if isinstance(value, int) and not isinstance(value, bool):
                # Numbers are numbers in the workbook, not text.
                assert isinstance(by_xlsx[heading], int), heading
                nonzero += value != 0
    assert nonzero > 50  # the comparison is about real figures, not a sea of zeros

    _, totals = _sheet(workbook, "Totalt")
    named = {str(k): v for k, v in totals}
    assert named["Kommuner"] == data["totals"]["municipalities"]
    assert named["Innbyggere"] == data["totals"]["inhabitants"]
    assert named["Personer med demens (anslag)"] == data["totals"]["persons_with_dementia"]
    assert named["Publiserte forløp"] == data["totals"]["published_pathways"] == 1
    assert named["Tid for ny samtale nå eller innen 30 dager"] == data["totals"]["reviews_due"]
    assert named["Forbedringsområder"] == data["totals"]["improvement_areas"]
    assert named["Styrker"] == data["totals"]["strengths"] == 2
    assert sum(int(r[headers.index("Innbyggere")] or 0) for r in rows[1:]) == named["Innbyggere"]

    _, coverage = _sheet(workbook, "Tilbud")
    assert [tuple(r) for r in coverage] == [
        (c["name"], c["available"], c["planned"]) for c in data["coverage"]
    ]
    _, by_phase = _sheet(workbook, "Forbedringsområder per fase")
    assert len(by_phase) == sum(len(g["areas"]) for g in data["improvement_areas_by_phase"])
    _, by_tag = _sheet(workbook, "Forbedringsområder per stikkord")
    assert [(r[0], r[1]) for r in by_tag] == [
        (g["name"], a["municipality"]) for g in data["improvement_areas_by_tag"] for a in g["areas"]
    ]
    _, examples = _sheet(workbook, "Gode eksempler")
    assert [r[3] for r in examples] == [
        s["text"] for g in data["good_examples"] for s in g["strengths"]
    ]


def test_the_national_export_has_every_municipality_and_region(
    session: Session, client_as: ClientAs
) -> None:
    admin = client_as(factories.admin(session))
    rows = _csv_rows(admin.get("/api/v1/overview.csv"))
    assert len(rows) == 358
    assert rows[0][:3] == ["Kommunenummer", "Kommune", "Region"]
    workbook = _workbook(admin.get("/api/v1/overview.xlsx"))
    _, regions = _sheet(workbook, "Regioner")
    assert sum(r[1] for r in regions) == 357


# ---- acceptance 3: the anonymous summary names nobody ------------------------------------


def _municipalities() -> list[dict[str, str]]:
    text = (SEED_DATA / "municipalities-2024.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


class Identifiers:
    """Finds municipality names and numbers in text.

    Names are matched as whole words, case-insensitively: the full official name and each
    part of a multilingual name ("Harstad - Hárstták" → "Harstad", "Hárstták"), with no
    letter or digit on either side. So "Sel" is not found in "Selvstendig med støtte" and
    "Troms" (the region) is not "Tromsø", but "tromsø" in a tag is found. Numbers are four
    digits with no digit on either side. Counts are numbers in JSON and in the workbook and
    pure digits in the CSV; a count could by chance equal a municipality number, so such
    cells are not scanned as text but must be counts the JSON summary also reports."""

    def __init__(self) -> None:
        rows = _municipalities()
        assert len(rows) == 357
        words = {part.strip() for r in rows for part in [r["name"], *r["name"].split(" - ")]}
        alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        self.names = re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)", re.IGNORECASE)
        self.numbers = re.compile(r"(?<!\d)(" + "|".join(r["number"] for r in rows) + r")(?!\d)")

    def found(self, text: str) -> list[str]:
        return self.names.findall(text) + self.numbers.findall(text)


def _walk(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def _assert_names_nobody(client: TestClient, path: str, find: Identifiers) -> None:
    summary = client.get(path, params={"anonymous": "true"})
    assert summary.status_code == 200
    document = summary.json()
    assert document["anonymous"] is True
    counts = {v for v in _walk(document) if isinstance(v, int) and not isinstance(v, bool)}
    for value in _walk(document):
        if isinstance(value, str):
            assert not find.found(value), value

    exported = client.get(f"{path}.csv", params={"anonymous": "true"})
    assert not find.found(exported.headers["content-disposition"])
    rows = _csv_rows(exported)
    assert rows[0] == ["Tabell", "Rad", "Kolonne", "Verdi"]
    for row in rows:
        for cell in row:
            if cell.isdigit():
                assert int(cell) in counts, cell
            else:
                assert not find.found(cell), cell

    workbook = _workbook(client.get(f"{path}.xlsx", params={"anonymous": "true"}))
    for sheet in workbook.worksheets:
        assert not find.found(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, int):
                    assert cell in counts, (sheet.title, cell)
                elif cell is not None:
                    assert not find.found(str(cell)), (sheet.title, cell)


def test_the_anonymous_summary_and_its_exports_name_no_municipality(
    session: Session, client_as: ClientAs
) -> None:
    factories.overview_network(session)
    find = Identifiers()
    adviser = client_as(factories.demo_user(session, DEMO_ADVISER))
    # The scanner does find names and numbers where they are.
    named = adviser.get(f"{TROMS}.csv").content.decode("utf-8-sig")
    assert {"Tromsø", "5501", "Balsfjord"} <= set(find.found(named))
    assert "tromsø" in find.found("Et tagg: tromsø-modellen")
    assert not find.found("Selvstendig med støtte, Troms, 55010")

    _assert_names_nobody(adviser, TROMS, find)
    _assert_names_nobody(client_as(factories.admin(session)), "/api/v1/overview", find)
    for params in ({"tag": "lege"}, {"phase": "assessment"}, {"needs_knowledge": "true"}):
        summary = adviser.get(TROMS, params={"anonymous": "true", **params}).json()
        for value in _walk(summary):
            if isinstance(value, str):
                assert not find.found(value), (params, value)


# ---- formula injection -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_like_text_is_kept_as_text(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise("Tromsø - Romsa") == "Tromsø - Romsa"


def test_exports_neutralise_formulas_in_every_text_cell(
    session: Session, client_as: ClientAs
) -> None:
    municipalities.update_municipality(
        session, SYSTEM, "5501", MunicipalityUpdate(name='=HYPERLINK("http://x","Tromsø")'), 1
    )
    factories.strength_in(session, "5540", "+47 er nummeret", "assessment")
    factories.tagged_area(session, "5503", "@SUM(1)", ["suspicion"], ["-farlig"])
    client = client_as(factories.adviser(session, "troms"))

    rows = _csv_rows(client.get(f"{TROMS}.csv"))
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x","Tromsø")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    workbook = _workbook(client.get(f"{TROMS}.xlsx"))
    texts = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert all(cell.data_type == "s" for cell in texts)
    values = {cell.value for cell in texts}
    assert {"'+47 er nummeret", "'@SUM(1)", "'-farlig"} <= values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


# ---- acceptance 6: queries do not grow ---------------------------------------------------


def test_the_api_answers_21_and_357_municipalities_with_the_same_queries(
    session: Session, client_as: ClientAs, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    factories.overview_network(session)
    admin = client_as(factories.admin(session))
    assert admin.get(TROMS).status_code == 200  # the signed-in person is kept from here on
    counts = {}
    for path in (TROMS, "/api/v1/regions/oslo/overview", "/api/v1/overview"):
        for suffix in ("", ".csv"):
            # Counted cold: a write (here in plain SQL) makes every cache miss.
            session.execute(text("UPDATE content_stamp SET stamp = stamp + 1"))
            session.commit()
            with queries.counting():
                assert admin.get(path + suffix).status_code == 200
            counts[path + suffix] = queries.count
    # One region or another, 1 or 21 municipalities: the same queries. The country (357)
    # needs no region looked up before its conditional-request check, so one fewer.
    regional = {counts[TROMS], counts["/api/v1/regions/oslo/overview"]}
    assert len(regional) == 1, counts
    # The JSON body and the file come from the same kept overview.
    assert counts[TROMS + ".csv"] == counts[TROMS], counts
    assert counts["/api/v1/overview"] == counts["/api/v1/overview.csv"], counts
    assert counts["/api/v1/overview"] <= counts[TROMS], counts
    # The overview itself, the signed-in person, the stamps read once by the request and
    # again after each build (the region, its versions, the overview).
    assert counts[TROMS] <= 20 + SIGNED_IN_QUERIES + 5, counts
