"""The plan for further work on the progress plan page (without JavaScript and with HTMX),
the poster with status colours and the plan, and the network's poster gallery."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from app.models.base import MeasureStatus, Role, local_today
from app.models.improvement import MeasureUpdate
from app.models.network import MemberPut, MemberStatus, NetworkCreate
from app.services import improvement, networks
from app.services.access import SYSTEM
from tests import factories
from tests.web.conftest import SignedIn
from tests.webtools import SignedInClient, field_error, page

PLAN_PAGE = "/app/kommuner/5501/framdriftsplan"
SAVE = "/app/kommuner/5501/videre-arbeid"


def test_the_plan_is_saved_without_javascript_and_bad_input_keeps_the_text(
    coordinator: SignedInClient,
) -> None:
    form = coordinator.form_values(PLAN_PAGE, "videre-arbeid")
    assert form["version"] == "0"
    saved = coordinator.post(SAVE, {**form, "plan": "- Fortsette med teamet\n- Ny kartlegging"})
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/framdriftsplan#videre-arbeid")
    document = page(coordinator.get(PLAN_PAGE))
    assert "Endringene er lagret." in document.text()
    assert "Fortsette med teamet" in (document.by_id("videre-plan").text())

    too_long = "x" * 4001
    bad = coordinator.post(SAVE, {"plan": too_long, "version": "1"})
    assert bad.status_code == 422
    bad_page = page(bad)
    assert field_error(bad_page, "videre-plan")
    assert bad_page.by_id("videre-plan").text() == too_long, "what was typed is kept"

    # A colleague saved meanwhile: both versions are shown, nothing is lost.
    stale = coordinator.post(SAVE, {"plan": "Min versjon", "version": "0"})
    assert stale.status_code == 409
    conflict = page(stale)
    assert "Noen andre lagret dette mens du redigerte." in conflict.text()
    assert conflict.by_id("videre-plan").text() == "Min versjon"
    assert "Fortsette med teamet" in conflict.text()


def test_htmx_swaps_the_section_and_announces_it(coordinator: SignedInClient) -> None:
    answer = coordinator.post(SAVE, {"plan": "Plan", "version": "0"}, htmx=True)
    assert answer.status_code == 200
    fragment = page(answer)
    assert fragment.by_id("videre-arbeid") is not None
    assert "Planen for videre arbeid er lagret." in fragment.text()
    assert "<html" not in answer.text


def test_readers_see_the_plan_but_no_form(
    session: Session, coordinator: SignedInClient, adviser: SignedInClient
) -> None:
    coordinator.post(SAVE, {"plan": "**Viktig** plan", "version": "0"})
    section = page(adviser.get(PLAN_PAGE)).by_id("videre-arbeid")
    assert section.find("form") is None
    assert "Viktig plan" in section.text()
    assert adviser.post(SAVE, {"plan": "X", "version": "1"}).status_code == 403


def test_the_poster_shows_each_measure_with_its_colour_in_words_and_the_plan(
    session: Session, coordinator: SignedInClient
) -> None:
    area = factories.area(session, "5501", "Bedre oppfølging")
    stopped = factories.measure(session, area, "Gammel rutine")
    current = improvement.get_measure(session, SYSTEM, stopped)
    improvement.update_measure(
        session, SYSTEM, stopped, MeasureUpdate(status=MeasureStatus.stopped), current.version
    )
    late = factories.measure(session, area, "Kartlegging")
    current = improvement.get_measure(session, SYSTEM, late)
    improvement.update_measure(
        session,
        SYSTEM,
        late,
        MeasureUpdate(due_date=local_today() - timedelta(days=2)),
        current.version,
    )
    coordinator.post(SAVE, {"plan": "Fortsette i ledergruppa", "version": "0"})
    document = page(coordinator.get("/app/kommuner/5501/plakat"))
    text = document.text()
    assert "Gammel rutine (rød: stoppet)" in text
    assert "Kartlegging (gul: ikke startet, forsinket)" in text
    assert "Fortsette i ledergruppa" in text
    assert document.find("span", class_="light--red") is not None


def test_the_gallery_for_the_final_gathering(session: Session, signed_in: SignedIn) -> None:
    network = networks.create_network(
        session,
        SYSTEM,
        NetworkCreate(
            name="Demensnettverket",
            region="troms",
            starts_on=date(2024, 1, 1),
            ends_on=date(2099, 12, 31),
            members=["5501", "5540"],
        ),
    )
    for number in ("5501", "5540"):
        networks.put_member(
            session, SYSTEM, network.id, number, MemberPut(status=MemberStatus.completed), 1
        )
    factories.area(session, "5540", "Pårørendeskole")
    coordinator = signed_in(Role.coordinator, municipalities=["5501"])
    url = f"/app/nettverk/{network.id}/plakater"
    assert url in [
        a.get("href") for a in page(coordinator.get(f"/app/nettverk/{network.id}")).find_all("a")
    ]
    gallery = page(coordinator.get(url))
    text = gallery.text()
    assert "Tromsø" in text
    assert "Pårørendeskole" in text, "members share their improvement work"
    links = [a.get("href") for a in gallery.find_all("a")]
    assert "/app/kommuner/5501/plakat" in links
    assert "/app/kommuner/5540/plakat" not in links, "the full poster only for its readers"
    outsider = signed_in(Role.coordinator, municipalities=["0301"])
    assert outsider.get(url).status_code == 404
