"""Learning networks through the API: a network run with a write token bound to the region,
members, gatherings, a task answered by members, who sees the facilitators' note, bad input
refused with nothing saved, anchoring and the improvement team."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models.base import Role, Scope
from app.models.network import Gathering, Network, NetworkMember, NetworkTask
from tests import factories

MakeClient = Callable[..., TestClient]
A = "/api/v1"


def _network(client: TestClient, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Læringsnettverk demens",
        "region": "troms",
        "starts_on": "2022-03-01",
        "ends_on": "2023-11-30",
        "goal": "Forløp som gir **mestring**.",
        **extra,
    }
    response = client.post(f"{A}/networks", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{A}/networks/{response.json()['id']}"
    return response.json()  # type: ignore[no-any-return]


def _put(client: TestClient, url: str, body: dict[str, Any], version: int = 0) -> Any:
    return client.put(url, json=body, headers={"If-Match": f'"{version}"'})


def test_acceptance_1_a_network_run_by_a_region_token(
    session: Session, make_client: MakeClient
) -> None:
    facilitator = make_client(factories.token(session, Scope.write, regions=["troms"]))
    network = _network(facilitator)
    nid = network["id"]
    assert network["runs"] is True
    assert network["region"] == "troms"

    # Three members; one of them from another region (any municipality may join).
    for number in ("5501", "5540", "3401"):
        response = _put(
            facilitator,
            f"{A}/networks/{nid}/members/{number}",
            {"status": "taking_part", "joined_on": "2022-03-01"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 1

    # Two gatherings, the second with attendance counted per member (no names).
    first = facilitator.post(
        f"{A}/networks/{nid}/gatherings",
        json={"title": "Oppstartssamling", "starts_on": "2022-03-24", "digital": True},
    )
    assert first.status_code == 201, first.text
    second = facilitator.post(
        f"{A}/networks/{nid}/gatherings",
        json={
            "title": "Samling 2",
            "starts_on": "2022-09-20",
            "ends_on": "2022-09-21",
            "place": "Tromsø",
            "attendance": [
                {"municipality": "5501", "count": 4},
                {"municipality": "5540", "count": 2},
            ],
        },
    )
    assert second.status_code == 201, second.text
    assert second.json()["attendance_total"] == 6
    assert second.headers["location"] == f"{A}/gatherings/{second.json()['id']}"

    task = facilitator.post(
        f"{A}/networks/{nid}/tasks",
        json={
            "title": "Interessentanalyse",
            "description": "Hvem må vite om arbeidet?",
            "due_on": "2022-09-15",
            "gathering_id": second.json()["id"],
        },
    )
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]

    tromso = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    kafjord = make_client(factories.token(session, Scope.write, municipalities=["5540"]))
    for client, number, report in (
        (tromso, "5501", "Vi har informert kommunalsjefen."),
        (kafjord, "5540", "Analysen er lagt fram for ledergruppa."),
    ):
        answered = _put(
            client, f"{A}/tasks/{task_id}/answers/{number}", {"status": "done", "report": report}
        )
        assert answered.status_code == 200, answered.text
        assert answered.headers["etag"] == '"1"'
    # A member does not answer for another member.
    refused = _put(tromso, f"{A}/tasks/{task_id}/answers/5540", {"status": "done"}, 1)
    assert refused.status_code == 403

    withdrawn = _put(
        facilitator,
        f"{A}/networks/{nid}/members/3401",
        {
            "status": "withdrew",
            "joined_on": "2022-03-01",
            "left_on": "2022-10-01",
            "note": "Kapasitetsutfordringer",
        },
        1,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert [c["status"] for c in withdrawn.json()["changes"]] == ["taking_part", "withdrew"]
    assert withdrawn.json()["changes"][-1]["changed_on"] == "2022-10-01"

    # A member's token reads the others' reports, but not the facilitators' note.
    reports = tromso.get(f"{A}/tasks/{task_id}")
    assert reports.status_code == 200
    by_number = {a["municipality"]: a for a in reports.json()["answers"]}
    assert by_number["5540"]["report"] == "Analysen er lagt fram for ledergruppa."
    members = tromso.get(f"{A}/networks/{nid}/members").json()["items"]
    assert {m["municipality"]: m["note"] for m in members} == {
        "5501": None,
        "5540": None,
        "3401": None,
    }
    assert "Kapasitetsutfordringer" not in tromso.get(f"{A}/networks/{nid}/members/3401").text
    assert tromso.get(f"{A}/networks/{nid}").json()["runs"] is False
    # The facilitators see it.
    notes = {m["municipality"]: m["note"] for m in facilitator.get(
        f"{A}/networks/{nid}/members").json()["items"]}  # fmt: skip
    assert notes["3401"] == "Kapasitetsutfordringer"

    # A token of another region: the network does not exist for it.
    stranger = make_client(factories.token(session, Scope.write, regions=["innlandet"]))
    for url in (
        f"{A}/networks/{nid}",
        f"{A}/networks/{nid}/members",
        f"{A}/tasks/{task_id}",
        f"{A}/gatherings/{second.json()['id']}",
    ):
        assert stranger.get(url).status_code == 404, url
    assert stranger.get(f"{A}/networks").json()["items"] == []
    patch = stranger.patch(f"{A}/networks/{nid}", json={"name": "X"})
    assert patch.status_code == 404  # before the missing If-Match (428) is judged
    # The members' own tokens may not plan.
    assert (
        tromso.post(
            f"{A}/networks/{nid}/gatherings", json={"title": "X", "starts_on": "2023-01-01"}
        ).status_code
        == 403
    )


def _count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _field(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


def test_acceptance_4_bad_input_names_the_field_and_saves_nothing(
    session: Session, make_client: MakeClient
) -> None:
    facilitator = make_client(factories.token(session, Scope.write, regions=["troms"]))
    networks_before = _count(session, Network)
    # End before start; a member twice.
    assert "ends_on" in _field(
        facilitator.post(
            f"{A}/networks",
            json={"name": "N", "region": "troms", "starts_on": "2023-01-01",
                  "ends_on": "2022-01-01"},
        )
    )  # fmt: skip
    assert "members" in _field(
        facilitator.post(
            f"{A}/networks",
            json={"name": "N", "region": "troms", "starts_on": "2022-01-01",
                  "ends_on": "2023-01-01", "members": ["5501", "5501"]},
        )
    )  # fmt: skip
    assert _count(session, Network) == networks_before

    nid = _network(facilitator, members=["5501"])["id"]
    other = _network(facilitator, name="Et annet nettverk")["id"]
    foreign = facilitator.post(
        f"{A}/networks/{other}/gatherings", json={"title": "Der", "starts_on": "2022-05-01"}
    ).json()["id"]
    members_before = _count(session, NetworkMember)
    # Unknown status.
    assert "status" in _field(
        _put(facilitator, f"{A}/networks/{nid}/members/5540", {"status": "sleeping"})
    )
    # Left before joining.
    assert "left_on" in _field(
        _put(
            facilitator,
            f"{A}/networks/{nid}/members/5540",
            {"status": "withdrew", "joined_on": "2022-05-01", "left_on": "2022-04-01"},
        )
    )
    assert _count(session, NetworkMember) == members_before
    gatherings_before = _count(session, Gathering)
    assert "ends_on" in _field(
        facilitator.post(
            f"{A}/networks/{nid}/gatherings",
            json={"title": "S", "starts_on": "2022-05-02", "ends_on": "2022-05-01"},
        )
    )
    # Attendance for the same member twice.
    assert "attendance" in _field(
        facilitator.post(
            f"{A}/networks/{nid}/gatherings",
            json={"title": "S", "starts_on": "2022-05-02", "attendance": [
                {"municipality": "5501", "count": 1}, {"municipality": "5501", "count": 2}]},
        )
    )  # fmt: skip
    assert _count(session, Gathering) == gatherings_before
    tasks_before = _count(session, NetworkTask)
    # A task presented at a gathering of another network.
    assert "gathering_id" in _field(
        facilitator.post(f"{A}/networks/{nid}/tasks", json={"title": "T", "gathering_id": foreign})
    )
    assert _count(session, NetworkTask) == tasks_before
    # An unknown answer status.
    task_id = facilitator.post(f"{A}/networks/{nid}/tasks", json={"title": "T"}).json()["id"]
    member = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    assert "status" in _field(
        _put(member, f"{A}/tasks/{task_id}/answers/5501", {"status": "finished"})
    )
    assert member.get(f"{A}/tasks/{task_id}/answers/5501").json()["version"] == 0


def test_writes_need_the_current_version_and_an_identical_write_changes_nothing(
    session: Session, make_client: MakeClient
) -> None:
    facilitator = make_client(factories.token(session, Scope.write, regions=["troms"]))
    nid = _network(facilitator)["id"]
    url = f"{A}/networks/{nid}"
    assert facilitator.patch(url, json={"name": "Nytt"}).status_code == 428
    stale = facilitator.patch(url, json={"name": "Nytt"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    changed = facilitator.patch(url, json={"name": "Nytt"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"'
    same = facilitator.patch(url, json={"name": "Nytt"}, headers={"If-Match": '"2"'})
    assert same.headers["etag"] == '"2"'
    gathering = facilitator.post(
        f"{url}/gatherings", json={"title": "S", "starts_on": "2022-05-02"}
    ).json()
    g_url = f"{A}/gatherings/{gathering['id']}"
    assert facilitator.delete(g_url).status_code == 428
    assert facilitator.delete(g_url, headers={"If-Match": '"1"'}).status_code == 204
    assert facilitator.get(g_url).status_code == 404


def test_advisers_run_their_regions_networks_and_coordinators_read_their_own(
    session: Session, client_as: Callable[..., TestClient]
) -> None:
    adviser = client_as(factories.adviser(session, "troms"))
    other_adviser = client_as(factories.adviser(session, "innlandet"))
    coordinator = client_as(factories.coordinator(session, "5501"))
    outsider = client_as(factories.coordinator(session, "5540"))
    nid = _network(adviser, members=["5501"])["id"]
    assert coordinator.get(f"{A}/networks/{nid}").status_code == 200
    assert [n["id"] for n in coordinator.get(f"{A}/networks").json()["items"]] == [nid]
    assert outsider.get(f"{A}/networks/{nid}").status_code == 404
    assert other_adviser.get(f"{A}/networks/{nid}").status_code == 404
    assert other_adviser.post(
        f"{A}/networks", json={"name": "N", "region": "troms", "starts_on": "2022-01-01",
                               "ends_on": "2022-02-01"}
    ).status_code == 403  # fmt: skip
    # A national network: run by its named facilitators.
    email = "fasilitator@example.no"
    named = client_as(factories.user(session, Role.adviser, regions=["innlandet"], email=email))
    national = named.post(
        f"{A}/networks",
        json={"name": "Nasjonalt", "starts_on": "2022-01-01", "ends_on": "2022-12-31",
              "facilitators": [email]},
    )  # fmt: skip
    assert national.status_code == 201, national.text
    assert national.json()["facilitators"][0]["email"] == email
    assert adviser.get(f"{A}/networks/{national.json()['id']}").status_code == 404


def test_anchoring_and_team(session: Session, make_client: MakeClient) -> None:
    editor = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    url = f"{A}/municipalities/5501/anchoring"
    assert reader.get(url).json()["version"] == 0
    body = {
        "management": "anchored",
        "political": "informed",
        "dementia_plan": "adopted",
        "dementia_plan_year": 2023,
        "stakeholder_analysis": True,
        "communication_plan": False,
        "abc_status": "running",
        "abc_contacts": 12,
    }
    saved = _put(editor, url, body)
    assert saved.status_code == 200, saved.text
    assert reader.get(url).json()["political"] == "informed"
    assert _put(reader, url, body, 1).status_code == 403
    assert "management" in _field(_put(editor, url, {**body, "management": "maybe"}, 1))
    team = _put(
        editor,
        f"{A}/municipalities/5501/team",
        {"members": [{"role": "leader", "name": "Kari"}, {"role": "gp_representative"}]},
    )
    assert team.status_code == 200, team.text
    assert [m["role"] for m in reader.get(f"{A}/municipalities/5501/team").json()["members"]] == [
        "leader",
        "gp_representative",
    ]
    assert "members.0.role" in _field(
        _put(editor, f"{A}/municipalities/5501/team", {"members": [{"role": "boss"}]}, 1)
    )


def test_the_evaluation_is_read_only_together(session: Session, make_client: MakeClient) -> None:
    facilitator = make_client(factories.token(session, Scope.write, regions=["troms"]))
    members = ["5501", "5540", "5503"]
    nid = _network(facilitator, members=members)["id"]
    summary = f"{A}/networks/{nid}/evaluation"
    for number, relevance in zip(members, (5, 4), strict=False):
        client = make_client(factories.token(session, Scope.write, municipalities=[number]))
        saved = _put(
            client,
            f"{A}/networks/{nid}/evaluations/{number}",
            {"relevance": relevance, "best": f"Best {number}"},
        )
        assert saved.status_code == 200, saved.text
    tromso = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    # Two answers: nothing is summed up yet, so no member's answer can be read from it.
    two = tromso.get(summary).json()
    assert two["answered"] == 2
    assert two["mean_relevance"] is None
    assert two["best"] == []
    # Another member's own answer is not for Tromsø.
    assert tromso.get(f"{A}/networks/{nid}/evaluations/5540").status_code == 403
    assert "relevance" in _field(
        _put(tromso, f"{A}/networks/{nid}/evaluations/5501", {"relevance": 6}, 1)
    )
    harstad = make_client(factories.token(session, Scope.write, municipalities=["5503"]))
    _put(harstad, f"{A}/networks/{nid}/evaluations/5503", {"relevance": 3, "best": "A"})
    three = tromso.get(summary).json()
    assert three["mean_relevance"] == 4.0
    assert three["relevance_counts"] == [0, 0, 1, 1, 1]
    assert three["best"] == ["A", "Best 5501", "Best 5540"]


def test_control_characters_are_not_stored(session: Session, make_client: MakeClient) -> None:
    """PostgreSQL refuses NUL in text: free text is cleaned on save, as everywhere else."""
    facilitator = make_client(factories.token(session, Scope.write, regions=["troms"]))
    nid = _network(facilitator, members=["5501"], goal="Mål\x00 for nettverket")["id"]
    assert facilitator.get(f"{A}/networks/{nid}").json()["goal"] == "Mål for nettverket"
    task_id = facilitator.post(
        f"{A}/networks/{nid}/tasks", json={"title": "T\x00", "description": "B\x00"}
    ).json()["id"]
    member = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    answered = _put(
        member, f"{A}/tasks/{task_id}/answers/5501", {"status": "done", "report": "R\x00"}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["report"] == "R"
    note = _put(
        facilitator,
        f"{A}/networks/{nid}/members/5501",
        {"status": "withdrew", "left_on": "2023-01-01", "note": "N\x00"},
        1,
    )
    assert note.json()["note"] == "N"
    evaluation = _put(
        member, f"{A}/networks/{nid}/evaluations/5501", {"relevance": 5, "best": "B\x00"}
    )
    assert evaluation.json()["best"] == "B"
