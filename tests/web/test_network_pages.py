"""The learning network pages without JavaScript: a facilitator plans a gathering and a task,
a coordinator answers it, the gathering page collects it; who is named where."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from app.models.base import Role, local_today
from app.models.network import MemberPut, MemberStatus, NetworkCreate
from app.services import networks
from app.services.access import SYSTEM
from tests.web.conftest import SignedIn
from tests.webtools import field_error, page


def _network(session: Session) -> int:
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
            session,
            SYSTEM,
            network.id,
            number,
            MemberPut(status=MemberStatus.taking_part, joined_on=date(2024, 1, 1)),
            1,
        )
    networks.put_member(
        session,
        SYSTEM,
        network.id,
        "5503",
        MemberPut(
            status=MemberStatus.withdrew,
            joined_on=date(2024, 1, 1),
            left_on=date(2024, 3, 1),
            note="Kapasitet",
        ),
        0,
    )
    return network.id


def test_plan_answer_and_collect_without_javascript(session: Session, signed_in: SignedIn) -> None:
    network_id = _network(session)
    facilitator = signed_in(Role.adviser)
    coordinator = signed_in(Role.coordinator, municipalities=["5501"])
    url = f"/app/nettverk/{network_id}"

    menu = page(coordinator.get("/app")).one("nav", class_="main-nav")
    assert "/app/nettverk" in [a.get("href") for a in menu.find_all("a")]
    assert "Demensnettverket" in page(coordinator.get("/app/nettverk")).text()

    # A bad gathering keeps what was typed and says what is wrong, beside the field.
    day = (local_today() + timedelta(days=30)).isoformat()
    before = (local_today() + timedelta(days=29)).isoformat()
    bad = facilitator.post(
        f"{url}/samlinger", {"title": "Samling 3", "starts_on": day, "ends_on": before}
    )
    assert bad.status_code == 422
    document = page(bad)
    assert field_error(document, "samling-ends_on")
    assert document.by_id("samling-title").get("value") == "Samling 3"

    created = facilitator.post(
        f"{url}/samlinger",
        {"title": "Samling 3", "starts_on": day, "place": "Tromsø", "programme": "Erfaringer"},
    )
    assert created.status_code == 303
    gathering_url = created.headers["location"]
    gathering_id = gathering_url.rsplit("/", 1)[1]
    task = facilitator.post(
        f"{url}/oppgaver",
        {
            "title": "Kommunikasjonsplan",
            "description": "Lag en plan.",
            "gathering_id": gathering_id,
        },
    )
    assert task.status_code == 303
    task_url = task.headers["location"]

    # The coordinator answers for Tromsø; who has not answered is counted, not named.
    task_page = page(coordinator.get(task_url))
    form = task_page.by_id("svar-5501").one("form", method="post")
    assert "Kåfjord" not in task_page.text()
    assert "1 kommune har ikke svart ennå." in task_page.text()
    assert "Kåfjord" in page(facilitator.get(task_url)).text()
    action = form.get("action") or ""
    answered = coordinator.post(
        action, {"status": "done", "report": "Planen er vedtatt i ledergruppa.", "version": "0"}
    )
    assert answered.status_code == 303
    stale = coordinator.post(action, {"status": "in_progress", "report": "x", "version": "0"})
    assert stale.status_code == 409
    # The facilitator may not answer for a member.
    assert facilitator.post(action, {"status": "done", "version": "1"}).status_code == 403

    handout = page(facilitator.get(gathering_url)).text()
    assert "Kommunikasjonsplan" in handout
    assert "Planen er vedtatt i ledergruppa." in handout

    # The network page: who is ready, never a ranking; the withdrawn member is named only
    # to the facilitators, with the note.
    member_page = page(coordinator.get(url))
    as_member = member_page.text()
    assert "Hvem trenger hjelp" in as_member
    # Members see counts; the named grid and who might need a hand are for facilitators.
    assert member_page.find("table", class_="grid") is None
    assert "Kan trenge en hånd" not in as_member
    assert "Harstad" not in as_member
    assert "Kapasitet" not in as_member
    assert "1 kommune har trukket seg" in as_member
    as_facilitator = page(facilitator.get(url)).text()
    assert "Harstad" in as_facilitator
    assert "Kapasitet" in as_facilitator
    assert "Kan trenge en hånd: Gáivuotna - Kåfjord - Kaivuono." in as_facilitator
    # Members do not plan.
    assert page(coordinator.get(url)).find("form", action=f"{url}/samlinger") is None
    assert coordinator.post(f"{url}/samlinger", {"title": "X", "starts_on": day}).status_code == 403


def test_outsiders_do_not_see_the_network(session: Session, signed_in: SignedIn) -> None:
    network_id = _network(session)
    outsider = signed_in(Role.coordinator, municipalities=["3401"])
    assert outsider.get(f"/app/nettverk/{network_id}").status_code == 404
    assert "Demensnettverket" not in page(outsider.get("/app/nettverk")).text()


def test_a_member_answers_the_evaluation_in_the_browser(
    session: Session, signed_in: SignedIn
) -> None:
    network_id = _network(session)
    coordinator = signed_in(Role.coordinator, municipalities=["5501"])
    url = f"/app/nettverk/{network_id}"
    action = f"{url}/evaluering/5501"
    assert page(coordinator.get(url)).find("form", action=action) is not None
    bad = coordinator.post(action, {"relevance": "9", "best": "Samlingene", "version": "0"})
    assert bad.status_code == 422
    assert field_error(page(bad), "evaluering-5501-relevance")
    saved = coordinator.post(action, {"relevance": "5", "best": "Samlingene", "version": "0"})
    assert saved.status_code == 303
    text = page(coordinator.get(url)).text()
    assert "1 av 2 kommuner har svart." in text
    assert "«Samlingene»" not in text  # not summed up from one answer; the form keeps it
    assert "Samlingene" in text
    other = signed_in(Role.coordinator, municipalities=["5540"])
    assert other.post(action, {"relevance": "1", "version": "1"}).status_code == 403
