"""Page-side regression tests for findings 7, 8 and 9 of the attack and integrator review
(issue 14); the API side is in tests/api/test_findings_data.py."""

from __future__ import annotations

from sqlmodel import Session

from tests.api.test_findings_data import good_examples_world
from tests.web.conftest import SignedIn
from tests.webtools import page

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
