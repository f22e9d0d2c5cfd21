"""Page-side regression tests for findings 7, 8 and 9 of the attack and integrator review
(issue 14); the API side is in tests/api/test_findings_data.py."""

from __future__ import annotations

import re

from sqlmodel import Session

from app.models.base import Role
from app.services import measurement
from app.services.access import SYSTEM
from tests import factories
from tests.api.test_findings_data import good_examples_world, small_numbers_world
from tests.web.conftest import SignedIn
from tests.webtools import page

# ---- finding 8: small numbers ------------------------------------------------------------

#: What the small observations of `small_numbers_world` would show: the count 3, the
#: proportions 4/1234 (0.32 %) and 1231/1234 (99.76 %), in any formatting.
LEAKS = re.compile(r"1[\s\u00a0\u202f]?23[14]|0[,.]32|99[,.]76|0[,.]3\b|99[,.]8\b")


def test_finding_08_small_numbers_pages_of_readers_show_them_suppressed(
    session: Session, signed_in: SignedIn
) -> None:
    """The adviser's indicator pages (chart, data table), the improvement area page, the
    poster and the history: the small numbers read "<5", their percentages are gone."""
    ids = small_numbers_world(session)
    area_id = measurement.get_indicator(session, SYSTEM, ids["count"]).improvement_area_id
    adviser = signed_in(Role.adviser, regions=("troms",))
    for path in (
        f"/app/malinger/{ids['count']}",
        f"/app/malinger/{ids['proportion']}",
        f"/app/forbedringsomrader/{area_id}",
        "/app/kommuner/5501/plakat",
        "/app/kommuner/5501/historikk",
        "/app",
    ):
        response = adviser.get(path)
        assert response.status_code == 200, path
        assert not LEAKS.findall(response.text), (path, LEAKS.findall(response.text))
    # The pattern would find them: the municipality's coordinator sees the numbers.
    editor = signed_in(Role.coordinator, municipalities=("5501",))
    assert LEAKS.findall(editor.get(f"/app/malinger/{ids['proportion']}").text)
    table = page(adviser.get(f"/app/malinger/{ids['count']}")).one("table", class_="table--numbers")
    rows = {
        r.one("th").text(): [c.text() for c in r.find_all("td")] for r in table.find_all("tr")[1:]
    }
    assert [cells[0] for cells in rows.values()] == ["<5", "12"], rows


# ---- finding 9: drafts shown as good examples --------------------------------------------


def test_finding_09_drafts_shown_as_good_examples_dashboard_shows_published_only(
    session: Session, signed_in: SignedIn
) -> None:
    good_examples_world(session)
    board = page(signed_in().get("/app"))
    examples = board.one("section", data_good_examples="troms").text()
    assert "Publisert samtalegruppe" in examples
    assert "Vårt eget utkast" in examples
    assert "Utkast:" not in examples


def test_finding_08_complementary_suppression_on_the_summary_page(
    session: Session, signed_in: SignedIn
) -> None:
    factories.section(session, "5501", "home_with_services", maturity="established")
    adviser = signed_in(Role.adviser, regions=("troms",))
    response = adviser.get("/app/regioner/troms/sammendrag")
    assert response.status_code == 200
    document = page(response)
    row = document.by_id("summary-grid").one("tr", data_phase="home_with_services")
    assert row.one("td", data_field="established").text() == "<5"
    withheld = row.one("td", data_field="unknown")
    assert withheld.text().replace(" ", "") == ":holdttilbake"  # said in words, too
    assert "20" not in withheld.text()
    assert "«:» betyr at tallet er holdt tilbake" in document.text()
