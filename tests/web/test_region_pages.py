"""The regional overview as HTML: the demo adviser's page, agreement with the JSON API and the
exports, filters without JavaScript and with HTMX, the anonymous summary naming nobody,
access, and a query count that does not grow with the number of municipalities."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.kit.collation import norwegian_key
from app.models.base import Role
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality, MunicipalityCreate, Region
from app.models.publishing import PublishInput
from app.services import municipalities, publishing
from app.services.access import SYSTEM
from app.services.seed import DEMO_USERS, SEED_DATA, seed
from tests import factories
from tests.conftest import QueryCounter
from tests.web.conftest import SignedIn
from tests.webtools import Node, SignedInClient, overview_figures, page, parse, sign_in

DEMO_ADVISER = next(u for u in DEMO_USERS if u.email.startswith("radgiver.troms"))
TROMS = "/app/regioner/troms"
API = "/api/v1/regions/troms/overview"


def _demo_adviser(app: FastAPI, session: Session) -> SignedInClient:
    client = TestClient(app)
    csrf = sign_in(client, DEMO_ADVISER.email, DEMO_ADVISER.password)
    principal = factories.demo_user(session, DEMO_ADVISER.email)
    return SignedInClient(client=client, csrf=csrf, principal=principal, email=DEMO_ADVISER.email)


def _value(node: Node) -> int:
    return int(node.get("data-value") or "")


def _rows(document: Node, table_id: str) -> list[Node]:
    return document.by_id(table_id).one("tbody").find_all("tr")


# ---- acceptance 1: the demo adviser's page -----------------------------------------------


def test_the_demo_adviser_sees_21_municipalities_alphabetically_with_totals_that_add_up(
    app: FastAPI, session: Session
) -> None:
    factories.overview_network(session)
    adviser = _demo_adviser(app, session)
    response = adviser.get(TROMS)
    assert response.status_code == 200
    document = page(response)
    assert document.one("h1").text() == "Regionoversikt: Troms"

    troms = session.exec(select(Region).where(col(Region.slug) == "troms")).one()
    members = session.exec(
        select(Municipality).where(col(Municipality.region_id) == troms.id)
    ).all()
    expected = [m.number for m in sorted(members, key=lambda m: norwegian_key(m.name))]
    grid_rows = _rows(document, "grid")
    assert len(grid_rows) == 21
    assert [r.get("data-municipality") for r in grid_rows] == expected
    names = [r.one("th").one("a").text() for r in grid_rows]
    assert names == sorted(names, key=norwegian_key)
    assert names[:2] == ["Balsfjord", "Bardu"]
    assert [r.get("data-municipality") for r in _rows(document, "figures")] == expected

    totals = {n.get("data-total"): _value(n) for n in document.by_id("totals").find_all("div")}
    figures = overview_figures(document)
    assert totals["municipalities"] == 21
    assert totals["inhabitants"] == sum(m.population or 0 for m in members)
    assert totals["persons_with_dementia"] == sum(m.persons_with_dementia or 0 for m in members)
    assert totals["strengths"] == sum(int(f["strengths"]) for f in figures.values()) == 2
    assert totals["improvement_areas"] == sum(int(f["improvement_areas"]) for f in figures.values())
    assert totals["improvement_areas"] >= 7
    assert totals["published_pathways"] == 1
    assert totals["stale"] == sum(f["stale"] == "true" for f in figures.values())

    # Every improvement area of the region sits in exactly one group per phase it names,
    # and under "no phase" when it names none.
    areas = session.exec(
        select(ImprovementArea).where(
            col(ImprovementArea.municipality_id).in_([m.id for m in members])
        )
    ).all()
    placed: dict[int, list[str]] = {a.id or 0: [] for a in areas}
    for group in document.find_all("section", data_area_group="phase"):
        for item in group.find_all("li"):
            placed[int(item.get("data-area-id") or 0)].append(group.get("data-key") or "")
    api = adviser.get(API).json()
    phases_of = {
        a["id"]: a["phases"] for m in api["municipalities"] for a in m["improvement_areas"]
    }
    assert set(placed) == set(phases_of)
    for area_id, keys in placed.items():
        assert sorted(keys) == sorted(phases_of[area_id] or [""]), area_id
    lyngen = next(a for a in areas if a.title == "Lyngen-modellen for pårørende")
    assert placed[lyngen.id or 0] == ["home_with_services"]


# ---- acceptance 2: the page, the JSON and the files agree --------------------------------


def test_the_page_the_json_and_the_exports_agree_on_every_number(
    app: FastAPI, session: Session
) -> None:
    factories.overview_network(session)
    adviser = _demo_adviser(app, session)
    document = page(adviser.get(TROMS))
    api = adviser.get(API).json()

    totals = {n.get("data-total"): _value(n) for n in document.by_id("totals").find_all("div")}
    assert totals == api["totals"]

    grid = {r.get("data-municipality"): r for r in _rows(document, "grid")}
    figures = overview_figures(document)
    for m in api["municipalities"]:
        cells = grid[m["number"]].find_all("td")
        assert [
            (
                c.get("data-phase"),
                c.get("data-maturity"),
                int(c.get("data-offerings") or -1),
                c.get("data-needs-knowledge") == "true",
            )
            for c in cells
        ] == [
            (c["phase"], c["maturity"], c["available_offerings"], c["needs_knowledge"])
            for c in m["cells"]
        ]
        # The maturity is written out, not only coloured.
        assert [c.one("a").text().split(",")[0].lstrip("●◐○? ").strip() for c in cells] == [
            c["maturity_label"] for c in m["cells"]
        ]
        row = figures[m["number"]]
        # What each municipality works on and asks for help with; no scores beside names.
        asked = ",".join(c["phase"] for c in m["cells"] if c["needs_knowledge"])
        assert row["needs_knowledge"] == (asked or "–")
        assert int(row["strengths"]) == len(m["strengths"])
        assert int(row["improvement_areas"]) == len(m["improvement_areas"])
        assert row["review"] == m["review"]["status"]
        assert row["stale"] == ("true" if m["stale"] else "false")
        assert int(row["open_comment_threads"]) == m["open_comment_threads"]
    assert figures["5501"]["open_comment_threads"] == "1"
    assert "assessment" in figures["5501"]["needs_knowledge"].split(",")
    areas_5501 = document.by_id("figures").one("tr", data_municipality="5501").find_all("td")[0]
    first_areas = next(m for m in api["municipalities"] if m["number"] == "5501")
    assert [a.text() for a in areas_5501.find_all("a")][
        : len(first_areas["improvement_areas"][:3])
    ] == [a["title"] for a in first_areas["improvement_areas"][:3]]
    # Counts and groups lead; the named table comes after them.
    ids = [n.get("id") for n in document.walk() if n.get("id") in ("help", "totals", "grid")]
    assert ids == ["help", "totals", "grid"]
    knowledge = {
        li.get("data-phase"): int(li.get("data-value") or -1)
        for li in document.by_id("help-knowledge").find_all("li")
    }
    assert knowledge == {n["phase"]: len(n["municipalities"]) for n in api["knowledge_needs"]}
    assert knowledge["assessment"] >= 1
    missing = {
        li.get("data-offering-type"): int(li.get("data-value") or -1)
        for li in document.by_id("help-offerings").find_all("li")
    }
    assert missing == {c["offering_type"]: c["missing"] for c in api["coverage"] if c["missing"]}
    headings = document.by_id("figures").one("thead").text()
    for word in ("Sjekkliste", "Tiltak ikke startet", "Forfalt", "forfalt"):
        assert word not in headings
    assert grid["5501"].one("td", data_phase="assessment").get("data-needs-knowledge") == "true"

    coverage = {
        r.get("data-offering-type"): {
            c.get("data-field"): int(c.get("data-value") or -1) for c in r.find_all("td")
        }
        for r in _rows(document, "coverage")
    }
    assert coverage == {
        c["offering_type"]: {"available": c["available"], "planned": c["planned"]}
        for c in api["coverage"]
    }
    assert coverage["respite"] == {"available": 1, "planned": 1}

    def area_ids(kind: str) -> dict[str, list[int]]:
        return {
            g.get("data-key") or "": [int(i.get("data-area-id") or 0) for i in g.find_all("li")]
            for g in document.find_all("section", data_area_group=kind)
        }

    assert area_ids("tag") == {
        g["key"]: [a["id"] for a in g["areas"]] for g in api["improvement_areas_by_tag"]
    }
    assert len(area_ids("tag")["lege"]) == 6
    strengths = {
        g.get("data-strength-group"): [
            int(i.get("data-strength-id") or 0) for i in g.find_all("li")
        ]
        for g in document.walk()
        if "data-strength-group" in g.attrs
    }
    assert strengths == {
        g["phase"] or "": [s["id"] for s in g["strengths"]] for g in api["good_examples"]
    }

    # The files behind the page's links carry the same numbers.
    links = {
        a.text(): a.get("href") or "" for a in document.one(class_="export-links").find_all("a")
    }
    exported = adviser.get(links["Last ned som CSV"])
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    # A person's download says first that it is working material, in one comment line.
    note, *lines = exported.content.decode("utf-8-sig").split("\r\n")
    assert note.startswith("# Arbeidsmateriale for veiledning")
    assert "Ikke en sammenligning eller rangering" in note
    assert next(csv.reader([note], delimiter=";")) == [note]
    rows = list(csv.DictReader(io.StringIO("\r\n".join(lines)), delimiter=";"))
    by_number = {r["Kommunenummer"]: r for r in rows}
    assert list(by_number) == [m["number"] for m in api["municipalities"]]
    for m in api["municipalities"]:
        row = by_number[m["number"]]
        assert int(row["Styrker"]) == len(m["strengths"])
        assert int(row["Forbedringsområder"]) == len(m["improvement_areas"])
        assert int(row["Sjekkliste: ja"]) == m["checklist"]["yes"]
        assert int(row["Tiltak: pågår"]) == m["measures"]["in_progress"]
        assert int(row["Åpne kommentartråder"]) == m["open_comment_threads"]

    workbook = openpyxl.load_workbook(
        io.BytesIO(adviser.get(links["Last ned som Excel (XLSX)"]).content)
    )
    sheet = workbook["Totalt"]
    in_file = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert in_file["Kommuner"] == totals["municipalities"] == 21
    assert in_file["Innbyggere"] == totals["inhabitants"]
    assert in_file["Forbedringsområder"] == totals["improvement_areas"]
    assert in_file["Styrker"] == totals["strengths"]
    municipalities_sheet = list(workbook["Kommuner"].iter_rows(values_only=True))
    header = list(municipalities_sheet[0])
    numbers = [r[header.index("Kommunenummer")] for r in municipalities_sheet[1:]]
    assert numbers == [m["number"] for m in api["municipalities"]]


# ---- filters, without JavaScript and with HTMX -------------------------------------------


def test_filters_narrow_the_page_and_the_exports_and_keep_the_order(
    app: FastAPI, session: Session
) -> None:
    factories.overview_network(session)
    adviser = _demo_adviser(app, session)

    document = page(adviser.get(TROMS, params={"stikkord": "lege"}))
    numbers = [r.get("data-municipality") or "" for r in _rows(document, "grid")]
    assert sorted(numbers) == ["5501", "5503", "5510", "5512", "5516", "5518"]
    assert document.field_value("stikkord") == "lege"
    assert [g.get("data-key") for g in document.find_all("section", data_area_group="tag")] == [
        "lege"
    ]
    csv_link = document.one(class_="export-links").find_all("a")[0].get("href") or ""
    assert csv_link == f"{TROMS}/eksport.csv?stikkord=lege"
    text = adviser.get(csv_link).content.decode("utf-8-sig")
    comment, table = text.split("\r\n", 1)
    assert comment.startswith("# ")
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert [r["Kommunenummer"] for r in rows] == numbers

    document = page(adviser.get(TROMS, params={"fase": "assessment", "kunnskap": "ja"}))
    assert [r.get("data-municipality") for r in _rows(document, "grid")] == ["5501"]
    assert [th.get("data-phase") for th in document.by_id("grid").one("thead").find_all("th")][
        1:
    ] == ["assessment"]
    assert document.field_value("fase") == "assessment"
    assert document.field_value("kunnskap") == "ja"

    # HTMX swaps only the results.
    fragment = adviser.get(TROMS, params={"tilbudstype": "respite"}, htmx=True)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    part = parse(fragment.text)
    assert part.by_id("results") is not None
    assert part.by_id("announcer").text() == "Oversikten er oppdatert."
    assert sorted(r.get("data-municipality") or "" for r in _rows(part, "grid")) == ["5501", "5540"]


def test_a_filter_that_is_not_valid_is_an_inline_message_not_an_error_page(
    app: FastAPI, session: Session
) -> None:
    seed(session, demo=True)
    adviser = _demo_adviser(app, session)
    for params, field in (
        ({"fase": "nowhere"}, "fase"),
        ({"tilbudstype": "nothing"}, "tilbudstype"),
        ({"kunnskap": "kanskje"}, "kunnskap"),
    ):
        response = adviser.get(TROMS, params={**params, "stikkord": "pårørende"})
        assert response.status_code == 422, params
        document = page(response)
        assert document.one("p", data_filter_error=field).text()
        assert document.field_value("stikkord") == "pårørende"
        assert document.find("table", id="grid") is None
    assert adviser.get(f"{TROMS}/eksport.csv", params={"fase": "nowhere"}).status_code == 422


# ---- acceptance 3: the anonymous summary names nobody ------------------------------------


class Identifiers:
    """Municipality names (whole words, each part of a multilingual name) and four-digit
    numbers, as in the API's test of the summary."""

    def __init__(self) -> None:
        text = (SEED_DATA / "municipalities-2024.csv").read_text(encoding="utf-8")
        rows = list(csv.DictReader(text.splitlines()))
        assert len(rows) == 357
        words = {part.strip() for r in rows for part in [r["name"], *r["name"].split(" - ")]}
        alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        self.names = re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)", re.IGNORECASE)
        self.numbers = re.compile(r"(?<!\d)(" + "|".join(r["number"] for r in rows) + r")(?!\d)")

    def found(self, text: str) -> list[str]:
        return self.names.findall(text) + self.numbers.findall(text)


def _shown(document: Node) -> str:
    """What a page shows and links to: its title, the text of its main content, and the
    attributes there (except the session's CSRF token)."""
    main = document.one("main")
    parts = [document.one("title").text(), main.text()]
    for node in main.walk():
        if node.get("name") == "csrf_token":
            continue
        parts += [f"{key}={value}" for key, value in node.attrs.items()]
    return "\n".join(parts)


def test_the_summary_page_and_its_exports_name_no_municipality(
    app: FastAPI, session: Session, signed_in: SignedIn
) -> None:
    factories.overview_network(session)
    find = Identifiers()
    adviser = _demo_adviser(app, session)
    admin = signed_in(Role.admin)
    for client, base in ((adviser, TROMS), (admin, "/app/nasjonalt")):
        for params in ({}, {"stikkord": "lege"}, {"fase": "assessment"}):
            response = client.get(f"{base}/sammendrag", params=params)
            assert response.status_code == 200
            document = page(response)
            assert document.find("select", name="kommune") is None  # no switcher of names
            assert find.found(_shown(document)) == [], (base, params)
            links = [a.get("href") or "" for a in document.one(class_="export-links").find_all("a")]
            assert links[0].startswith(f"{base}/sammendrag.csv")
            exported = client.get(links[0])
            assert exported.status_code == 200
            assert find.found(exported.content.decode("utf-8-sig")) == [], links[0]
            workbook = openpyxl.load_workbook(io.BytesIO(client.get(links[1]).content))
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, str):
                            assert find.found(value) == [], (sheet.title, value)
    # The summary of Troms still counts: 21 municipalities, 6 sharing the tag "lege".
    document = page(adviser.get(f"{TROMS}/sammendrag"))
    totals = {
        n.get("data-total"): n.get("data-value") for n in document.by_id("totals").find_all("div")
    }
    assert totals["municipalities"] == "21"
    assert "lege" in document.by_id("areas-tag").text()
    # The named overview does name them (the scan can fail).
    assert "Balsfjord" in find.found(_shown(page(adviser.get(TROMS))))


# ---- acceptance 4: access ----------------------------------------------------------------


def test_only_the_regions_advisers_and_administrators_open_its_pages(
    session: Session, signed_in: SignedIn
) -> None:
    seed(session, demo=True)
    factories.strength_in(session, "5540", "Samtalegruppe for pårørende", "home_with_services")
    publishing.publish(session, SYSTEM, "5540", PublishInput(summary="Første versjon"))
    adviser = signed_in(Role.adviser, regions=("troms",))
    for path in ("", "/sammendrag", "/eksport.csv", "/eksport.xlsx", "/sammendrag.csv"):
        assert adviser.get(f"{TROMS}{path}").status_code == 200, path
        assert adviser.get(f"/app/regioner/innlandet{path}").status_code == 403, path
    assert adviser.get("/app/regioner/nowhere").status_code == 404
    assert adviser.get("/app/nasjonalt").status_code == 403
    assert adviser.get("/app/nasjonalt/eksport.csv").status_code == 403

    coordinator = signed_in(Role.coordinator, municipalities=("5501",))
    for path in (TROMS, f"{TROMS}/sammendrag", f"{TROMS}/eksport.csv", "/app/regioner/innlandet"):
        assert coordinator.get(path).status_code == 403, path
    assert coordinator.get("/app/nasjonalt").status_code == 403
    board = page(coordinator.get("/app"))
    examples = board.one("section", data_good_examples="troms")
    assert "Gáivuotna - Kåfjord - Kaivuono: Samtalegruppe for pårørende" in examples.text()
    # The dashboard links to no page of the region the coordinator cannot open: only to
    # the region's good examples, which are for its members.
    links = [a.get("href") or "" for a in board.find_all("a")]
    region_links = [href for href in links if href.startswith(TROMS)]
    assert region_links == [f"{TROMS}/gode-eksempler"]
    assert coordinator.get(region_links[0]).status_code == 200
    assert coordinator.get("/app/regioner/innlandet/gode-eksempler").status_code == 403

    admin = signed_in(Role.admin)
    assert admin.get("/app/regioner/innlandet").status_code == 200
    national = page(admin.get("/app/nasjonalt"))
    assert len(_rows(national, "grid")) == 357
    row_header = national.by_id("grid").one("tr", data_municipality="5501").one("th").text()
    assert row_header == "Tromsø Troms"
    assert len(_rows(national, "regions")) == len(session.exec(select(Region)).all()) == 15
    assert (
        sum(_value(r.one("td", data_field="municipalities")) for r in _rows(national, "regions"))
        == 357
    )
    nav = [a.get("href") for a in national.one("nav", class_="main-nav").find_all("a")]
    assert "/app/nasjonalt" in nav

    board = page(adviser.get("/app"))
    assert board.find("a", href=TROMS) is not None


def test_grid_cells_lead_to_the_phase_section_read_only_with_a_way_to_its_comments(
    session: Session, signed_in: SignedIn
) -> None:
    seed(session, demo=True)
    adviser = signed_in(Role.adviser, regions=("troms",))
    cell = (
        page(adviser.get(TROMS))
        .by_id("grid")
        .one("tr", data_municipality="5540")
        .one("td", data_phase="assessment")
    )
    href = cell.one("a").get("href") or ""
    assert href == "/app/kommuner/5540/forlop#fase-assessment"
    editor = page(adviser.get(href.split("#")[0]))
    section = editor.by_id("fase-assessment")
    assert section.find("a", id="assessment-edit-link") is None  # read-only
    link = section.one("a", class_="phase__comments").get("href") or ""
    assert link == "/app/kommuner/5540/kommentarer?gjelder=fase:assessment#ny-kommentar"
    comments = page(adviser.get(link.split("#")[0]))
    assert comments.field_value("gjelder") == "fase:assessment"


# ---- acceptance 6: the number of queries does not grow -----------------------------------


def test_region_and_national_pages_take_the_same_queries_for_few_or_many_municipalities(
    session: Session, signed_in: SignedIn, queries: QueryCounter
) -> None:
    factories.overview_network(session)
    admin = signed_in(Role.admin)

    def count(path: str) -> int:
        admin.get(path)  # warm the per-process caches
        with queries.counting():
            assert admin.get(path).status_code == 200
        return queries.count

    oslo, troms = count("/app/regioner/oslo"), count(TROMS)
    assert oslo == troms, queries.statements  # 1 municipality or 21
    national = count("/app/nasjonalt")
    for i in range(3):
        number = f"99{i:02d}"
        municipalities.create_municipality(
            session,
            SYSTEM,
            MunicipalityCreate(number=number, name=f"Prøvekommune {i}", region="troms"),
        )
        factories.strength_in(session, number, f"Styrke {i}", "assessment")
        factories.tagged_area(session, number, f"Område {i}", ["assessment"], ["lege"])
    assert count("/app/nasjonalt") == national, queries.statements
    assert count(TROMS) == troms
    assert len(_rows(page(admin.get(TROMS)), "grid")) == 24
