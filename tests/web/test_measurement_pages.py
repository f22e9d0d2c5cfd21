"""Measurement in the web app: run charts on the improvement area page, the indicator page
(quick entry, paste, CSV, single observations, settings), small numbers, query counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models.base import IndicatorKind, Role, local_today
from app.models.improvement import MeasureCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.services import improvement, measurement
from app.services.access import SYSTEM
from app.web.indicators import period_label
from tests import factories
from tests.conftest import QueryCounter
from tests.web.conftest import SignedIn
from tests.webtools import Node, SignedInClient, field_error, form_fields, page

SVG = "{http://www.w3.org/2000/svg}"
#: From the issue: median 3, longest run 9 above the centre line, 4 crossings.
PUBLISHED_SERIES = [
    4,
    3,
    3,
    2,
    2,
    3,
    3,
    4,
    4,
    4,
    4,
    3,
    3,
    2,
    2,
    1,
    2,
    1,
    0,
    3,
    3,
    4,
    5,
    6,
    7,
    9,
    8,
    7,
    6,
    6,
]


def _indicator(
    session: Session,
    area_id: int,
    name: str = "Nye brukere i pårørendeskolen",
    kind: IndicatorKind = IndicatorKind.count,
    **fields: Any,
) -> int:
    return measurement.create_indicator(
        session, SYSTEM, area_id, IndicatorCreate(name=name, kind=kind, **fields)
    ).id


def _months(start: date, count: int) -> list[date]:
    return [measurement.shift_period(start, "month", i) for i in range(count)]


def _save(session: Session, indicator_id: int, items: list[dict[str, Any]]) -> None:
    version = measurement.get_indicator(session, SYSTEM, indicator_id).data_version
    measurement.upsert_observations(
        session, SYSTEM, indicator_id, ObservationList.model_validate({"items": items}), version
    )


def _series(session: Session, indicator_id: int, values: Sequence[float], start: date) -> None:
    _save(
        session,
        indicator_id,
        [
            {"period": p.isoformat(), "value": v}
            for p, v in zip(_months(start, len(values)), values, strict=True)
        ],
    )


def _values(session: Session, indicator_id: int) -> dict[date, float | None]:
    _, items, _ = measurement.list_observations(session, SYSTEM, indicator_id)
    return {o.period: o.value for o in items}


def _svg(html: str, prefix: str) -> ET.Element:
    """The inline chart named by `prefix`, read as XML: it must be well formed."""
    match = re.search(
        rf'<svg [^>]*aria-labelledby="{prefix}-title {prefix}-desc".*?</svg>', html, re.S
    )
    assert match is not None, f"no chart {prefix}"
    root = ET.fromstring(match.group(0))  # noqa: S314 - our own output
    assert root.get("role") == "img"
    return root


def test_the_area_page_shows_each_chart_with_its_verdict_table_and_link(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Oppfølging etter diagnose")
    improvement.create_measure(
        session,
        SYSTEM,
        area_id,
        MeasureCreate(title="Fast kontaktperson", start_date=date(2023, 7, 1)),
    )
    first = _indicator(session, area_id, "Samtaler etter diagnose", unit="samtaler")
    _series(session, first, PUBLISHED_SERIES, date(2022, 1, 1))
    second = _indicator(session, area_id, "Andel med kontaktperson", IndicatorKind.proportion)

    response = coordinator.get(f"/app/forbedringsomrader/{area_id}")
    document = page(response)
    section = document.by_id("malinger")
    item = section.by_id(f"maling-{first}")
    assert item.one("h3").one("a").get("href") == f"/app/malinger/{first}"
    verdict = item.one(class_="verdict").text()
    assert "Et uvanlig langt løp over medianen tyder på en reell endring" in verdict
    assert "9 punkter på rad ligger over midtlinjen" in verdict
    assert "linjen krysser midtlinjen 4 ganger" in verdict
    svg = _svg(response.text, f"diagram-{first}")
    assert svg.find(f"{SVG}title") is not None
    assert svg.find(f"{SVG}title").text == "Seriediagram: Samtaler etter diagnose"  # type: ignore[union-attr]
    assert "Tiltak 1: Fast kontaktperson" in (svg.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    # The table alternative, behind a disclosure: one row per point.
    table_details = [d for d in item.find_all("details") if d.get("class") != "spc"]
    assert len(table_details) == 1
    details = table_details[0]
    assert details.one("summary").text().startswith("Vis tallene som tabell")
    rows = details.one("tbody").find_all("tr")
    assert len(rows) == len(PUBLISHED_SERIES)
    assert rows[0].one("th").text() == "januar 2022"
    assert [td.text() for td in rows[0].find_all("td")][:3] == ["4", "over", ""]
    assert details.one("thead").find_all("th")[1].text() == "samtaler"
    more = item.one(class_="indicator__more").one("a")
    assert more.get("href") == f"/app/malinger/{first}"
    # An indicator without numbers says so.
    empty = section.by_id(f"maling-{second}")
    assert empty.one(class_="empty").text() == "Det er ingen målinger ennå."
    assert empty.find("svg") is None
    assert empty.find("details") is None

    in_english = coordinator.get(f"/app/forbedringsomrader/{area_id}?lang=en")
    english = page(in_english)
    item = english.by_id(f"maling-{first}")
    assert "An unusually long run above the median suggests a real change" in (
        item.one(class_="verdict").text()
    )
    english_title = _svg(in_english.text, f"diagram-{first}").find(f"{SVG}title")
    assert english_title is not None
    assert english_title.text == "Run chart: Samtaler etter diagnose"
    assert (
        item.one("details", class_="disclosure")
        .one("summary")
        .text()
        .startswith("Show the numbers as a table")
    )
    assert item.one("details", class_="spc").one("summary").text() == (
        "Control chart: XmR chart (I chart)"
    )


def test_creating_an_indicator_leads_to_its_page_and_bad_input_is_kept(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    url = f"/app/forbedringsomrader/{area_id}"
    document = page(coordinator.get(url))
    form = document.by_id("malinger").one("form", action=f"{url}/malinger")
    # Where numbers are defined, the page says that only aggregated numbers are stored.
    assert "aldri opplysninger om enkeltpersoner" in document.by_id("malinger").text()
    typed = {
        **form_fields(form),
        "name": "",
        "definition": "Antall personer som har fått tilbud om samtale.",
        "kind": "proportion",
        "unit": "personer",
        "direction": "down",
        "target": "åtti",
        "frequency": "quarter",
    }
    for htmx in (False, True):
        refused = coordinator.post(f"{url}/malinger", typed, htmx=htmx)
        assert refused.status_code == 422
        shown = page(refused)
        assert field_error(shown, "ny-maling-name") == "Fyll ut dette feltet."
        assert field_error(shown, "ny-maling-target") == (
            "Skriv et tall, for eksempel 12 eller 12,5."
        )
        for name in ("definition", "kind", "unit", "direction", "target", "frequency"):
            assert shown.field_value(name) == typed[name], name
        links = [a.text() for a in shown.one(class_="error-summary").find_all("a")]
        assert links == [
            "Navn: Fyll ut dette feltet.",
            "Målverdi: Skriv et tall, for eksempel 12 eller 12,5.",
        ]
    assert measurement.list_indicators(session, SYSTEM, area_id).total == 0

    created = coordinator.post(f"{url}/malinger", {**typed, "name": "Andel", "target": "80,5"})
    assert created.status_code == 303
    indicator = measurement.list_indicators(session, SYSTEM, area_id).items[0]
    assert created.headers["location"] == f"/app/malinger/{indicator.id}"
    assert (indicator.kind, indicator.direction, indicator.frequency, indicator.target) == (
        "proportion",
        "down",
        "quarter",
        80.5,
    )
    new_page = page(coordinator.get(created.headers["location"]))
    assert new_page.one("h1").text() == "Andel"
    assert "målverdi 80,5 %" in new_page.one(class_="indicator-about").text()
    second = coordinator.post(
        f"{url}/malinger", {**typed, "name": "Andre", "target": ""}, htmx=True
    )
    assert second.headers["hx-redirect"].startswith("/app/malinger/")


def test_a_measure_from_the_networks_is_added_in_one_click(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    url = f"/app/forbedringsomrader/{area_id}"
    section = page(coordinator.get(url)).by_id("malinger")
    form = section.one("form", action=f"{url}/malinger/fra-mal")
    buttons = {b.get("value"): b for b in form.find_all("button", name="template")}
    assert set(buttons) >= {"pathway_checklist", "psfs_mean_change", "referral_to_diagnosis"}
    assert "Resultatmål" in form.text()
    assert "Balansemål" in form.text()
    fields = {**form_fields(form), "template": "psfs_mean_change"}

    created = coordinator.post(f"{url}/malinger/fra-mal", fields)
    assert created.status_code == 303
    indicator = measurement.list_indicators(session, SYSTEM, area_id).items[0]
    assert created.headers["location"] == f"/app/malinger/{indicator.id}"
    assert (indicator.name, indicator.role, indicator.kind) == (
        "Endring i funksjon (PSFS), gjennomsnitt",
        "outcome",
        "value",
    )
    about = page(coordinator.get(created.headers["location"])).one(class_="indicator-about")
    assert "Resultatmål" in about.text()

    for htmx in (False, True):
        again = coordinator.post(f"{url}/malinger/fra-mal", fields, htmx=htmx)
        assert again.status_code == 422
        assert "allerede denne målingen" in page(again).by_id("fra-mal-error").text()
    unknown = coordinator.post(f"{url}/malinger/fra-mal", {**fields, "template": "x"})
    assert unknown.status_code == 422
    assert measurement.list_indicators(session, SYSTEM, area_id).total == 1


def _entry(document: Node) -> dict[str, Any]:
    return form_fields(document.by_id("registrer").one("form"))


def test_this_periods_number_takes_one_field_and_one_button(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, unit="personer")
    url = f"/app/malinger/{indicator_id}"
    document = page(coordinator.get(url))
    section = document.by_id("registrer")
    assert "aldri opplysninger om enkeltpersoner" in section.text()
    # The comments are the chart's annotations: never about a person.
    assert "Ikke skriv navn eller andre opplysninger om enkeltpersoner" in section.text()
    rows = section.one("tbody").find_all("tr")
    this_month = local_today().replace(day=1)
    assert len(rows) == 7
    assert rows[0].get("class") == "is-current"
    this_month_label = period_label(this_month, "month", "nb")
    assert rows[0].one("th").text() == f"{this_month_label} denne måneden"
    periods = [r.one("input", type="hidden").get("value") for r in rows]
    assert periods == [
        measurement.shift_period(this_month, "month", -i).isoformat() for i in range(7)
    ]
    # One field and one button: the form as the browser sends it, with one number typed.
    form = _entry(document)
    form["items-0-value"] = "14"
    saved = coordinator.post(f"{url}/registrer", form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{url}#registrer"
    assert _values(session, indicator_id) == {this_month: 14.0}

    # With htmx the data area comes back: the chart shows the new point, and the table
    # is prefilled with what is saved.
    form = _entry(page(coordinator.get(url)))
    assert form["items-0-value"] == "14"
    form["items-1-value"] = "9"
    form["items-1-comment"] = "Ferie"
    swapped = coordinator.post(f"{url}/registrer", form, htmx=True)
    assert swapped.status_code == 200
    fragment = page(swapped)
    data = fragment.by_id("data")
    assert data.one(class_="saved-note").get("autofocus") is not None
    assert fragment.by_id("announcer").text() == "Tallene er lagret, og diagrammet er oppdatert."
    desc = _svg(swapped.text, "diagram").find(f"{SVG}desc")
    assert desc is not None
    assert "Antall målinger: 2" in (desc.text or "")
    assert _entry(fragment)["items-1-comment"] == "Ferie"
    assert _values(session, indicator_id)[measurement.shift_period(this_month, "month", -1)] == 9
    # The same numbers again change nothing.
    again = coordinator.post(f"{url}/registrer", _entry(fragment), htmx=True)
    assert "Ingen endringer" in page(again).one(class_="saved-note").text()


def test_quick_entry_refuses_bad_numbers_and_keeps_everything_typed(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id)
    url = f"/app/malinger/{indicator_id}"
    form = _entry(page(coordinator.get(url)))
    form.update({"items-0-value": "12", "items-1-value": "tolv", "items-2-value": "2,5"})
    form["items-3-comment"] = "uten tall"
    for htmx in (False, True):
        refused = coordinator.post(f"{url}/registrer", form, htmx=htmx)
        assert refused.status_code == 422
        shown = page(refused)
        assert field_error(shown, "registrer-items-1-value") == (
            "Skriv et tall, for eksempel 12 eller 12,5."
        )
        assert field_error(shown, "registrer-items-3-value") == "Fyll ut tallet."
        assert field_error(shown, "registrer-items-0-value") is None
        typed = _entry(shown)
        for name in ("items-0-value", "items-1-value", "items-2-value", "items-3-comment"):
            assert typed[name] == form[name]
        assert shown.one(class_="error-summary").get("autofocus") is not None
    # A count is whole: the service's rule, shown beside the row it is about.
    form.update({"items-1-value": "11", "items-3-comment": ""})
    refused = coordinator.post(f"{url}/registrer", form, htmx=True)
    assert refused.status_code == 422
    assert field_error(page(refused), "registrer-items-2-value") == (
        "Et antall er et helt tall, 0 eller mer."
    )
    assert _values(session, indicator_id) == {}


def test_proportions_are_entered_as_numerator_and_denominator(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Andel med plan", IndicatorKind.proportion)
    url = f"/app/malinger/{indicator_id}"
    form = _entry(page(coordinator.get(url)))
    assert "items-0-numerator" in form
    assert "items-0-value" not in form
    form.update({"items-0-numerator": "30", "items-0-denominator": "20"})
    refused = coordinator.post(f"{url}/registrer", form, htmx=True)
    assert refused.status_code == 422
    assert field_error(page(refused), "registrer-items-0-numerator") == (
        "Telleren kan ikke være større enn nevneren."
    )
    form.update({"items-0-numerator": "15", "items-0-denominator": "20"})
    assert coordinator.post(f"{url}/registrer", form).status_code == 303
    document = page(coordinator.get(url))
    row = document.by_id("alle").one("tbody").one("tr")
    assert [td.text() for td in row.find_all("td")][:3] == ["15", "20", "75 %"]


def test_an_emptied_saved_number_is_not_deleted_silently(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id)
    this_month = local_today().replace(day=1)
    _save(session, indicator_id, [{"period": this_month.isoformat(), "value": 7}])
    url = f"/app/malinger/{indicator_id}"
    form = _entry(page(coordinator.get(url)))
    assert form["items-0-value"] == "7"
    form["items-0-value"] = ""
    refused = coordinator.post(f"{url}/registrer", form, htmx=True)
    assert refused.status_code == 422
    assert "sletter ikke" in (field_error(page(refused), "registrer-items-0-value") or "")
    assert _values(session, indicator_id) == {this_month: 7}


def test_numbers_saved_by_someone_else_meanwhile_are_shown_and_nothing_is_lost(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id)
    this_month = local_today().replace(day=1)
    url = f"/app/malinger/{indicator_id}"
    form = _entry(page(coordinator.get(url)))
    _save(session, indicator_id, [{"period": this_month.isoformat(), "value": 5}])
    form["items-0-value"] = "6"
    conflict = coordinator.post(f"{url}/registrer", form, htmx=True)
    assert conflict.status_code == 409
    shown = page(conflict)
    table = shown.one(class_="conflict__table")
    cells = [td.text() for td in table.one("tbody").one("tr").find_all("td")]
    assert cells == ["6", "5"]
    again = _entry(shown)
    assert again["items-0-value"] == "6"
    assert again["data_version"] != form["data_version"]
    assert _values(session, indicator_id) == {this_month: 5}
    # Saving again keeps what was typed.
    kept = coordinator.post(f"{url}/registrer", again, htmx=True)
    assert kept.status_code == 200
    assert _values(session, indicator_id) == {this_month: 6}


TWELVE_ROWS = "\n".join(
    f"{month} 2024\t{value}"
    for month, value in zip(
        [
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        ("4,5", "5", "3,5", "6", "5,5", "4", "7,5", "6", "5", "8", "7,5", "9"),
        strict=True,
    )
)


def test_rows_pasted_from_a_spreadsheet_are_saved_at_once(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Ventetid", IndicatorKind.value, unit="uker")
    url = f"/app/malinger/{indicator_id}"
    document = page(coordinator.get(url))
    form = form_fields(document.by_id("importer").find_all("form")[0])
    assert "aldri opplysninger om enkeltpersoner" in document.by_id("importer").text()
    pasted = coordinator.post(f"{url}/importer", {**form, "text": TWELVE_ROWS}, htmx=True)
    assert pasted.status_code == 200
    fragment = page(pasted)
    assert "Rader lest: 12. Perioder lagt til eller endret: 12." in (
        fragment.one(class_="saved-note").text()
    )
    values = _values(session, indicator_id)
    assert len(values) == 12
    assert values[date(2024, 1, 1)] == 4.5
    assert values[date(2024, 12, 1)] == 9
    rows = fragment.by_id("alle").one("tbody").find_all("tr")
    assert rows[0].find_all("td")[0].text() == "4,5"
    # The paste box is empty again, ready for the next rows.
    assert fragment.field_value("text") == ""

    plain = coordinator.post(
        f"{url}/importer",
        {**form_fields(fragment.by_id("importer").find_all("form")[0]), "text": TWELVE_ROWS},
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"{url}#importer"


def test_a_paste_with_bad_lines_saves_nothing_and_names_every_line(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Ventetid", IndicatorKind.value)
    url = f"/app/malinger/{indicator_id}"
    form = form_fields(page(coordinator.get(url)).by_id("importer").find_all("form")[0])
    lines = TWELVE_ROWS.split("\n")
    lines[4] = "mai 2024\tfem"
    lines[8] = "Sept 2024"
    text = "Måned\tVerdi\n" + "\n".join(lines)
    for htmx in (False, True):
        refused = coordinator.post(f"{url}/importer", {**form, "text": text}, htmx=htmx)
        assert refused.status_code == 422
        shown = page(refused)
        summary = shown.by_id("paste-errors")
        assert summary.get("role") == "alert"
        items = [li.text() for li in summary.find_all("li")]
        assert items == ["Linje 6: «fem» er ikke et tall.", "Linje 10: Tallet mangler."]
        beside = field_error(shown, "lim-inn-text") or ""
        assert beside.startswith("Ingenting er lagret.")
        # Beside the field, each bad line as it was pasted.
        beside_lines = shown.by_id("lim-inn-text-error").find_all("code")
        assert [c.text() for c in beside_lines] == ["mai 2024 fem", "Sept 2024"]
        assert shown.field_value("text") == text
    assert _values(session, indicator_id) == {}
    nothing = coordinator.post(f"{url}/importer", {**form, "text": " \n"}, htmx=True)
    assert nothing.status_code == 422
    assert field_error(page(nothing), "lim-inn-text") == (
        "Lim inn rader fra regnearket, eller velg en fil."
    )

    english = coordinator.post(f"{url}/importer?lang=en", {**form, "text": text}, htmx=True)
    items = [li.text() for li in page(english).by_id("paste-errors").find_all("li")]
    assert items == ["Line 6: “fem” is not a number.", "Line 10: The number is missing."]


def test_a_csv_file_is_imported_and_a_bad_one_lands_in_the_paste_box(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Andel", IndicatorKind.proportion)
    url = f"/app/malinger/{indicator_id}"
    document = page(coordinator.get(url))
    upload = document.by_id("importer").find_all("form")[1]
    assert upload.get("enctype") == "multipart/form-data"
    fields = form_fields(upload)
    good = "periode;teller;nevner\r\n2024-01;12;40\r\n2024-02;15;40\r\n".encode("cp1252")
    saved = coordinator.post(
        f"{url}/importer", fields, files={"file": ("tall.csv", good, "text/csv")}
    )
    assert saved.status_code == 303
    assert len(_values(session, indicator_id)) == 2

    fields = form_fields(page(coordinator.get(url)).by_id("importer").find_all("form")[1])
    bad = b"periode;teller;nevner\r\n2024-03;50;40\r\n"
    refused = coordinator.post(
        f"{url}/importer", fields, files={"file": ("mars.csv", bad, "text/csv")}, htmx=True
    )
    assert refused.status_code == 422
    shown = page(refused)
    summary = shown.by_id("paste-errors").text()
    assert "Filen «mars.csv» er ikke lagret." in summary
    assert "Linje 2: Telleren kan ikke være større enn nevneren." in summary
    assert shown.field_value("text") == bad.decode()
    assert len(_values(session, indicator_id)) == 2

    # A file that is not rows of numbers at all: the first 50 bad lines, and a count.
    garbage = ("periode;teller;nevner\n" + "\n".join(f"rad {i};x;y" for i in range(60))).encode()
    refused = coordinator.post(
        f"{url}/importer", fields, files={"file": ("feil.csv", garbage, "text/csv")}, htmx=True
    )
    summary_items = page(refused).by_id("paste-errors").find_all("li")
    assert len(summary_items) == 51
    assert summary_items[-1].text() == "… og 10 linjer til med feil."
    assert len(_values(session, indicator_id)) == 2

    # The download links read the same numbers back (the session works for the API).
    links = [a.get("href") for a in shown.by_id("alle").one(class_="downloads").find_all("a")]
    assert links == [
        f"/api/v1/indicators/{indicator_id}/observations.csv",
        f"/api/v1/indicators/{indicator_id}/observations.csv?separator=comma",
        f"/api/v1/indicators/{indicator_id}/chart.svg?lang=nb",
        f"/api/v1/indicators/{indicator_id}/chart.png?lang=nb",
    ]
    exported = coordinator.get(links[0] or "")
    assert exported.status_code == 200
    assert "2024-02-01;15;40;37,5;" in exported.text


def test_one_observation_is_changed_and_deleted(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Ventetid", IndicatorKind.value)
    _series(session, indicator_id, [3.5, 4, 5], date(2023, 1, 1))
    url = f"/app/malinger/{indicator_id}"
    table = page(coordinator.get(url)).by_id("alle")
    edit = table.one("a", href=f"{url}/perioder/2023-02-01")
    assert edit.text() == "Endre februar 2023"
    document = page(coordinator.get(f"{url}/perioder/2023-02-01"))
    assert document.one("h2").text() == "Endre tallet for februar 2023"
    assert "aldri opplysninger om enkeltpersoner" in document.by_id("endre-tall").text()
    form = form_fields(document.by_id("endre-tall").find_all("form")[0])
    assert form["value"] == "4"
    refused = coordinator.post(f"{url}/perioder/2023-02-01", {**form, "value": "fire"}, htmx=True)
    assert refused.status_code == 422
    assert field_error(page(refused), "tall-value") == "Skriv et tall, for eksempel 12 eller 12,5."
    assert page(refused).field_value("value") == "fire"
    changed = coordinator.post(
        f"{url}/perioder/2023-02-01", {**form, "value": "4,25", "comment": "Rettet"}
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == f"{url}#alle"
    assert _values(session, indicator_id)[date(2023, 2, 1)] == 4.25
    # A stale form (the numbers changed since) shows both and saves nothing.
    stale = coordinator.post(f"{url}/perioder/2023-02-01", {**form, "value": "8"}, htmx=True)
    assert stale.status_code == 409
    assert [td.text() for td in page(stale).one(class_="conflict__table").find_all("td")][:2] == [
        "8",
        "4,25",
    ]
    assert _values(session, indicator_id)[date(2023, 2, 1)] == 4.25
    # A period that cannot exist for this indicator is not a page.
    assert coordinator.get(f"{url}/perioder/2023-02-15").status_code == 404
    assert coordinator.get(f"{url}/perioder/februar").status_code == 404

    # Delete from the table with htmx: the data area comes back without the row.
    table = page(coordinator.get(url)).by_id("alle")
    delete = table.one("form", action=f"{url}/perioder/2023-01-01/slett")
    assert delete.get("hx-confirm") == "Slette tallet for januar 2023?"
    deleted = coordinator.post(f"{url}/perioder/2023-01-01/slett", form_fields(delete), htmx=True)
    assert deleted.status_code == 200
    assert page(deleted).by_id("table-message").text() == "Tallet for januar 2023 er slettet."
    assert sorted(_values(session, indicator_id)) == [date(2023, 2, 1), date(2023, 3, 1)]
    # The same (now stale) delete form again: nothing more is deleted.
    stale_delete = coordinator.post(
        f"{url}/perioder/2023-03-01/slett", form_fields(delete), htmx=True
    )
    assert stale_delete.status_code == 409
    assert len(_values(session, indicator_id)) == 2
    # Without JavaScript, from the edit page: post and redirect.
    edit_page = page(coordinator.get(f"{url}/perioder/2023-03-01"))
    plain = coordinator.post(
        f"{url}/perioder/2023-03-01/slett", form_fields(edit_page.find_all("form")[-1])
    )
    assert plain.status_code == 303
    assert sorted(_values(session, indicator_id)) == [date(2023, 2, 1)]


def test_the_indicator_is_changed_and_deleted(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Ventetid", IndicatorKind.value)
    _series(session, indicator_id, PUBLISHED_SERIES, date(2022, 1, 1))
    url = f"/app/malinger/{indicator_id}"
    settings = page(coordinator.get(url)).by_id("om-malingen")
    form = form_fields(settings.find_all("form")[0])
    assert form["name"] == "Ventetid"
    options = [o.get("value") for o in settings.by_id("maling-baseline_restart").find_all("option")]
    assert options[:2] == ["", "2022-01-01"]
    assert len(options) == 31

    kind_change = coordinator.post(url, {**form, "kind": "count"}, htmx=True)
    assert kind_change.status_code == 422
    assert field_error(page(kind_change), "maling-kind") == (
        "Kan ikke endres så lenge målingen har registrerte tall."
    )
    bad_points = coordinator.post(url, {**form, "baseline_points": "mange"}, htmx=True)
    assert field_error(page(bad_points), "maling-baseline_points") == "Skriv et helt tall."

    changed = coordinator.post(
        url,
        {
            **form,
            "name": "Ventetid i uker",
            "target": "2,5",
            "baseline_points": "12",
            "baseline_restart": "2023-07-01",
        },
    )
    assert changed.status_code == 303
    indicator = measurement.get_indicator(session, SYSTEM, indicator_id)
    assert (indicator.name, indicator.target, indicator.baseline_points) == (
        "Ventetid i uker",
        2.5,
        12,
    )
    assert indicator.baseline_restart == date(2023, 7, 1)
    response = coordinator.get(url)
    assert page(response).one("h1").text() == "Ventetid i uker"
    desc = _svg(response.text, "diagram").find(f"{SVG}desc")
    assert "Midtlinjen starter på nytt fra juli 2023." in (desc.text or "")  # type: ignore[union-attr]

    # The form read before the change is stale: both versions, nothing overwritten.
    stale = coordinator.post(url, {**form, "unit": "dager"}, htmx=True)
    assert stale.status_code == 409
    conflict = page(stale)
    rows = [[c.text() for c in tr.find_all()] for tr in conflict.one("tbody").find_all("tr")]
    assert ["Navn", "Ventetid", "Ventetid i uker"] in rows
    assert conflict.field_value("unit") == "dager"
    assert measurement.get_indicator(session, SYSTEM, indicator_id).unit == ""

    stale_delete = coordinator.post(f"{url}/slett", {"version": form["version"]}, htmx=True)
    assert stale_delete.status_code == 409
    delete = form_fields(page(coordinator.get(url)).by_id("om-malingen").find_all("form")[1])
    deleted = coordinator.post(f"{url}/slett", delete)
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/app/forbedringsomrader/{area_id}#malinger"
    assert measurement.list_indicators(session, SYSTEM, area_id).total == 0
    assert coordinator.get(url).status_code == 404


def _small_numbers(session: Session) -> tuple[int, int, int]:
    area_id = factories.area(session, "5501", "Små tall")
    count = _indicator(session, area_id, "Nye brukere")
    _series(session, count, [12, 3, 14], date(2024, 1, 1))
    share = _indicator(session, area_id, "Andel med plan", IndicatorKind.proportion)
    _save(
        session,
        share,
        [
            {"period": "2024-01-01", "numerator": 3, "denominator": 40},
            {"period": "2024-02-01", "numerator": 20, "denominator": 40},
        ],
    )
    return area_id, count, share


def test_an_adviser_sees_small_counts_as_less_than_five_and_the_coordinator_sees_them(
    coordinator: SignedInClient, adviser: SignedInClient, session: Session
) -> None:
    area_id, count, share = _small_numbers(session)

    def cells(client: SignedInClient, indicator_id: int) -> list[list[str]]:
        table = page(client.get(f"/app/malinger/{indicator_id}")).by_id("alle").one("tbody")
        return [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tr")]

    assert [row[0] for row in cells(coordinator, count)] == ["12", "3", "14"]
    assert [row[0] for row in cells(adviser, count)] == ["12", "<5", "14"]
    assert [row[:3] for row in cells(coordinator, share)] == [
        ["3", "40", "7,5 %"],
        ["20", "40", "50 %"],
    ]
    # No percentage built on a small count, nor its numerator or denominator.
    assert [row[:3] for row in cells(adviser, share)] == [["<5", "<5", "<5"], ["20", "40", "50 %"]]

    # The chart: the hidden point is not drawn, and "<5" stands in its place.
    svg = _svg(adviser.get(f"/app/malinger/{count}").text, "diagram")
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "<5" in texts
    point_titles = [t.text or "" for t in svg.iter(f"{SVG}title")][1:]
    assert point_titles == ["januar 2024: 12", "mars 2024: 14"]
    # The area page too, in its tables and charts.
    area_response = adviser.get(f"/app/forbedringsomrader/{area_id}")
    area = page(area_response)
    rows = area.by_id(f"maling-{count}").one("tbody").find_all("tr")
    assert [tr.find_all("td")[0].text() for tr in rows] == ["12", "<5", "14"]
    area_svg = _svg(area_response.text, f"diagram-{count}")
    assert "3" not in [t.text for t in area_svg.iter(f"{SVG}text")]
    coordinator_area = page(coordinator.get(f"/app/forbedringsomrader/{area_id}"))
    rows = coordinator_area.by_id(f"maling-{count}").one("tbody").find_all("tr")
    assert [tr.find_all("td")[0].text() for tr in rows] == ["12", "3", "14"]


def test_an_adviser_reads_the_indicator_page_without_forms(
    adviser: SignedInClient, coordinator: SignedInClient, session: Session
) -> None:
    area_id, count, _ = _small_numbers(session)
    document = page(adviser.get(f"/app/malinger/{count}"))
    assert document.find(id="registrer") is None
    assert document.find(id="importer") is None
    assert document.by_id("om-malingen").find("form") is None
    assert document.by_id("alle").find("form") is None
    assert (
        page(adviser.get(f"/app/forbedringsomrader/{area_id}")).by_id("malinger").find("form")
        is None
    )
    form = _entry(page(coordinator.get(f"/app/malinger/{count}")))
    form["csrf_token"] = adviser.csrf
    form["items-0-value"] = "20"
    assert adviser.post(f"/app/malinger/{count}/registrer", form).status_code == 403
    assert (
        adviser.post(f"/app/malinger/{count}/importer", {"text": "2024-05\t3"}).status_code == 403
    )
    assert adviser.get(f"/app/malinger/{count}/perioder/2024-01-01").status_code == 403
    assert (
        adviser.post(f"/app/forbedringsomrader/{area_id}/malinger", {"name": "X"}).status_code
        == 403
    )
    assert len(_values(session, count)) == 3


def test_someone_from_another_municipality_gets_nothing(
    signed_in: SignedIn, session: Session
) -> None:
    _, count, _ = _small_numbers(session)
    other = signed_in(Role.coordinator, municipalities=("5540",))
    assert other.get(f"/app/malinger/{count}").status_code == 404


def test_the_indicator_page_in_english(coordinator: SignedInClient, session: Session) -> None:
    area_id = factories.area(session, "5501")
    indicator_id = _indicator(session, area_id, "Ventetid", IndicatorKind.value, unit="uker")
    _series(session, indicator_id, PUBLISHED_SERIES, date(2022, 1, 1))
    document = page(coordinator.get(f"/app/malinger/{indicator_id}?lang=en"))
    assert document.by_id("registrer-title").text() == "Enter numbers"
    assert document.by_id("alle").one("tbody").find_all("th")[0].text() == "January 2022"
    assert "Only aggregated numbers" in document.by_id("registrer").text()
    assert "An unusually long run above the median" in document.one(class_="verdict").text()


def test_the_pages_take_a_fixed_number_of_queries(
    coordinator: SignedInClient, session: Session, queries: QueryCounter
) -> None:
    small = factories.area(session, "5501", "Lite")
    one = _indicator(session, small)
    _series(session, one, [1, 2, 3], date(2024, 1, 1))
    large = factories.area(session, "5501", "Stort")
    many = [_indicator(session, large, f"Måling {i}") for i in range(5)]
    for indicator_id in many:
        _series(session, indicator_id, list(range(40)), date(2020, 1, 1))
    improvement.create_measure(
        session, SYSTEM, large, MeasureCreate(title="Tiltak", start_date=date(2021, 1, 1))
    )
    counts: dict[str, int] = {}
    for name, path in [
        ("small area", f"/app/forbedringsomrader/{small}"),
        ("large area", f"/app/forbedringsomrader/{large}"),
        ("small indicator", f"/app/malinger/{one}"),
        ("large indicator", f"/app/malinger/{many[0]}"),
    ]:
        coordinator.get(path)  # the session's own refresh is not the page's work
        with queries.counting():
            response = coordinator.get(path)
        assert response.status_code == 200
        counts[name] = queries.count
    assert counts["small area"] == counts["large area"], counts
    assert counts["small indicator"] == counts["large indicator"], counts


def test_the_verdict_comes_first_in_plain_words_and_follows_the_direction(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Utredning")
    waiting = [31, 29, 30, 32, 28, 31, 30, 29, 33, 30, 28, 31, 30, 29]
    waiting += [19, 18, 17, 19, 18, 16, 18, 17, 19, 18]
    lower = _indicator(session, area_id, "Ventetid", IndicatorKind.value, direction="down")
    higher = _indicator(session, area_id, "Ventetid", IndicatorKind.value, direction="up")
    for indicator in (lower, higher):
        _series(session, indicator, waiting, date(2025, 1, 1))

    document = page(coordinator.get(f"/app/forbedringsomrader/{area_id}"))
    better = document.by_id(f"maling-{lower}").one(class_="verdict__summary").text()
    assert better.endswith("Forbedring: målingene har gått ned siden mars 2026.")
    worse = document.by_id(f"maling-{higher}").one(class_="verdict__summary").text()
    assert worse.endswith("Forverring: målingene har gått ned siden mars 2026.")
    # The rules' details follow the verdict.
    rules = document.by_id(f"maling-{lower}").one(class_="verdict").text()
    assert "Signal: uvanlig langt løp" in rules
    english = page(coordinator.get(f"/app/forbedringsomrader/{area_id}?lang=en"))
    text = english.by_id(f"maling-{lower}").one(class_="verdict__summary").text()
    assert text.endswith("Improvement: the measurements have gone down since March 2026.")


def test_the_indicator_page_offers_the_chart_as_svg_and_png_in_its_language(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Utredning")
    indicator = _indicator(session, area_id, "Ventetid", IndicatorKind.value)
    english = page(coordinator.get(f"/app/malinger/{indicator}?lang=en"))
    assert not [a for a in english.find_all("a") if "chart.png" in (a.get("href") or "")]
    _series(session, indicator, [3, 4, 5], date(2025, 1, 1))
    english = page(coordinator.get(f"/app/malinger/{indicator}?lang=en"))
    links = {a.get("href"): a.text() for a in english.find_all("a")}
    assert links[f"/api/v1/indicators/{indicator}/chart.svg?lang=en"] == "The chart as SVG"
    assert links[f"/api/v1/indicators/{indicator}/chart.png?lang=en"] == "The chart as PNG"
    png = coordinator.get(f"/api/v1/indicators/{indicator}/chart.png?lang=en")
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")


def test_the_control_chart_is_shown_beside_the_run_chart_with_its_rules_in_words(
    coordinator: SignedInClient, session: Session
) -> None:
    area_id = factories.area(session, "5501", "Utredning")
    indicator = _indicator(session, area_id, "Ventetid", IndicatorKind.value, direction="down")
    waiting = [31, 29, 30, 32, 28, 31, 30, 29, 33, 30, 28, 31, 30, 29]
    waiting += [19, 18, 17, 19, 18, 16, 18, 17, 19, 18]
    _series(session, indicator, waiting, date(2025, 1, 1))
    response = coordinator.get(f"/app/malinger/{indicator}")
    document = page(response)
    spc = document.one(class_="spc")
    assert spc.one("summary").text() == "Styringsdiagram: XmR-diagram (I-diagram)"
    words = spc.one("ul").text()
    assert "7 punkter eller flere på rad på samme side av midtlinjen" in words
    assert "Spesiell variasjon som er en forbedring (lave verdier)." in words
    match = re.search(r'<svg[^>]*class="run-chart spc-chart".*?</svg>', response.text, re.S)
    assert match is not None
    root = ET.fromstring(match.group(0))  # noqa: S314 - our own output
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "XmR-diagram (I-diagram): Ventetid"
    signal_points = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "#a63d00"]
    assert len(signal_points) >= 10  # the shift, drawn as diamonds (and one in the legend)


def test_all_measurements_of_a_municipality_on_one_page_by_area_and_by_kind(
    coordinator: SignedInClient, session: Session
) -> None:
    first = factories.area(session, "5501", "Utredning")
    second = factories.area(session, "5501", "Pårørendestøtte")
    waiting = [31, 29, 30, 32, 28, 31, 30, 29, 33, 30, 28, 31, 30, 29]
    waiting += [19, 18, 17, 19, 18, 16, 18, 17, 19, 18]
    lower = _indicator(session, first, "Ventetid", IndicatorKind.value, direction="down")
    _series(session, lower, waiting, date(2025, 1, 1))
    balancing = _indicator(session, second, "Reinnleggelser", role="balancing")
    empty = _indicator(session, second, "Deltakere i pårørendeskolen", role="outcome")
    _series(session, balancing, [2, 3], date(2026, 1, 1))

    document = page(coordinator.get("/app/kommuner/5501/malinger"))
    assert document.one("h1").text() == "Alle målinger"
    headings = [h.text() for h in document.find_all("h2")]
    assert headings[:2] == ["Utredning", "Pårørendestøtte"]
    row = document.by_id(f"maling-{lower}")
    cells = [td.text() for td in row.find_all("td")]
    assert cells[0] == "Prosessmål"
    assert cells[1] == "18 (desember 2026)"
    assert cells[2] == "Forbedring: målingene har gått ned siden mars 2026."
    assert row.one("svg").get("aria-hidden") == "true"
    assert document.by_id(f"maling-{empty}").find_all("td")[1].text() == "Ingen tall ennå"

    by_kind = page(coordinator.get("/app/kommuner/5501/malinger?gruppering=type&lang=en"))
    assert [h.text() for h in by_kind.find_all("h2")] == [
        "Process measure",
        "Outcome measure",
        "Balancing measure",
    ]
    area_link = by_kind.by_id(f"maling-{balancing}").find_all("td")[0].one("a")
    assert area_link.get("href") == f"/app/forbedringsomrader/{second}"
