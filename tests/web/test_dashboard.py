"""The start page: my municipalities, recent changes, overdue measures, open comments; the
municipality switcher; example data labelled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from app.kit.collation import norwegian_key
from app.models.base import MeasureStatus, Role, local_today, utcnow
from app.models.feedback import Comment
from app.models.improvement import MeasureCreate
from app.services import improvement
from app.services.access import SYSTEM
from app.services.seed import seed
from tests import factories
from tests.conftest import QueryCounter, TransactionalDatabase
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, page


def _comment(session: Session, number: str, text: str, resolved: bool = False) -> None:
    session.add(
        Comment(
            municipality_id=factories.municipality(session, number).id or 0,
            target="pathway",
            text=text,
            author="Rådgiver USHT",
            author_role="adviser",
            resolved_at=utcnow() if resolved else None,
        )
    )
    session.commit()


def _overdue_measure(session: Session, number: str, title: str) -> None:
    area_id = factories.area(session, number, f"Område for {title}")
    improvement.create_measure(
        session,
        SYSTEM,
        area_id,
        MeasureCreate(
            title=title,
            due_date=local_today() - timedelta(days=3),
            status=MeasureStatus.in_progress,
        ),
    )


def test_a_coordinators_dashboard(signed_in: SignedIn, session: Session) -> None:
    client = signed_in(municipalities=("5501", "5540"))
    factories.fill_section(session, "5501", "assessment")
    _overdue_measure(session, "5501", "Oppdatere nettsiden")
    _overdue_measure(session, "0301", "Oslos forsinkede tiltak")
    _comment(session, "5540", "Husk å beskrive pårørendeskolen.")
    _comment(session, "5540", "Denne er løst.", resolved=True)
    _comment(session, "0301", "Oslos kommentar.")

    document = page(client.get("/app"))
    cards = document.find_all("li", class_="card")
    names = [c.find("h2").text() for c in cards]  # type: ignore[union-attr]
    assert names == ["Gáivuotna - Kåfjord - Kaivuono", "Tromsø"]
    kafjord = cards[0].text()
    assert "Åpne kommentarer 1" in kafjord
    assert "Forsinkede tiltak 1" in cards[1].text()

    overdue = document.one("section", aria_labelledby="overdue-title").text()
    assert "Oppdatere nettsiden" in overdue
    assert "Oslos" not in overdue
    comments = document.one("section", aria_labelledby="comments-title").text()
    assert "Husk å beskrive pårørendeskolen." in comments
    assert "Denne er løst." not in comments
    assert "Oslos kommentar." not in comments
    recent = document.one("section", aria_labelledby="recent-title").text()
    assert "endret fase «Utredning og diagnose»" in recent
    assert "opprettet tiltak «Oppdatere nettsiden»" in recent
    assert "Oslos" not in recent


def test_example_municipalities_are_labelled(signed_in: SignedIn, session: Session) -> None:
    seed(session, demo=True)
    client = signed_in(municipalities=("5501", "0301"))
    cards = page(client.get("/app")).find_all("li", class_="card")
    labelled = {
        c.find("h2").text(): c.find(class_="badge--example") is not None  # type: ignore[union-attr]
        for c in cards
    }
    assert labelled == {"Oslo": False, "Tromsø": True}
    editor = page(client.get("/app/kommuner/5501/forlop"))
    assert editor.one(class_="badge--example").text() == "Eksempeldata"
    assert editor.one(class_="notice--example").text().startswith("Dette er eksempeldata")
    options = [o.text() for o in editor.by_id("switcher-kommune").find_all("option")]
    assert options == ["Oslo", "Tromsø (eksempeldata)"]
    assert page(client.get("/app/kommuner/0301/forlop")).find(class_="badge--example") is None


def test_the_switcher_keeps_the_page_and_checks_access(signed_in: SignedIn) -> None:
    client = signed_in(municipalities=("5501", "5540"))
    switched = client.get("/app/kommuner?kommune=5540&side=sjekkliste")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/app/kommuner/5540/sjekkliste"
    assert client.get("/app/kommuner?kommune=0301&side=forlop").status_code == 403
    assert client.get("/app/kommuner/5540").headers["location"] == "/app/kommuner/5540/forlop"
    single = signed_in()
    assert page(single.get("/app/kommuner/5501/forlop")).find(id="switcher-kommune") is None


def test_an_advisers_dashboard_lists_the_region_read_only(adviser: SignedInClient) -> None:
    document = page(adviser.get("/app"))
    names = [c.find("h2").text() for c in document.find_all("li", class_="card")]  # type: ignore[union-attr]
    assert len(names) >= 18
    assert names == sorted(names, key=norwegian_key)  # alphabetical, never ranked
    assert all(c.find(class_="badge") is not None for c in document.find_all("li", class_="card"))
    assert "Du er rådgiver" in document.one(class_="lead").text()


def test_an_administrator_goes_to_a_municipality_by_number(signed_in: SignedIn) -> None:
    admin = signed_in(Role.admin)
    document = page(admin.get("/app"))
    assert document.one("form", action="/app/kommuner").find("input", name="kommune") is not None
    assert admin.get("/app/kommuner?kommune=0301").headers["location"] == (
        "/app/kommuner/0301/forlop"
    )


def test_the_dashboard_takes_a_fixed_number_of_queries(
    signed_in: SignedIn, session: Session, queries: QueryCounter, db: TransactionalDatabase
) -> None:
    client = signed_in(municipalities=("5501", "5540"))
    assert client.get("/app").status_code == 200  # the signed-in person is kept from here on
    # Counted cold: a write (here in plain SQL) makes every content cache miss.
    session.execute(text("UPDATE content_stamp SET stamp = stamp + 1"))
    session.commit()
    with queries.counting():
        assert client.get("/app").status_code == 200
    before = queries.count
    for number in ("5501", "5540"):
        for i in range(3):
            _overdue_measure(session, number, f"Tiltak {i}")
            _comment(session, number, f"Kommentar {i}")
    with queries.counting():
        assert client.get("/app").status_code == 200
    assert queries.count == before, queries.statements
