"""Regression tests for findings 7, 8, 9, 13 and 14 of the attack and integrator review
(issue 14): spreadsheet formula injection, small numbers, drafts shown as good examples,
500s on bad bodies, and authorisation decided before preconditions. Each test is named after
its finding; docs/security.md lists them."""

from __future__ import annotations

import contextlib
import csv
import importlib
import inspect
import io
import pkgutil
import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, BeforeValidator, PlainValidator, ValidationError, WrapValidator
from sqlmodel import Session

import app.models
from app.kit.disclosure import Equation, Mark, protect
from app.kit.spreadsheet import FORMULA_TRIGGERS, neutralise, restore
from app.models.base import ImprovementStatus, Maturity, Scope
from app.models.feedback import CommentCreate
from app.models.improvement import ProgressNoteCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.municipality import size_group
from app.models.overview import (
    AnswerCounts,
    AreaItem,
    GridCell,
    MeasureCounts,
    MunicipalityOverview,
    Overview,
    OverviewFilters,
    PhaseColumn,
    ReviewState,
    ReviewStatus,
)
from app.models.pathway import StrengthUpdate
from app.models.publishing import PublishInput
from app.services import (
    feedback,
    measurement,
    progress_notes,
    publishing,
    strengths,
)
from app.services.access import SYSTEM
from app.services.overview_builder import totals_of
from app.services.overview_summary import summarise
from tests import factories
from tests.api import test_authorization_matrix as matrix
from tests.conftest import TransactionalDatabase

APP = Path(__file__).resolve().parents[2] / "app"

# ---- finding 7: spreadsheet formula injection --------------------------------------------

HOSTILE_COMMENTS = [
    '=HYPERLINK("http://evil.example","Klikk")',
    "+47 77 00 00 00",
    "-2 fra forrige måned",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=allerede med apostrof",
    "''+to apostrofer",
    "'90-tallet",
    "Vanlig kommentar",
]


def _indicator_with_comments(session: Session, writer: TestClient) -> tuple[str, str]:
    area_id = factories.area(session, "5501")
    indicator = writer.post(
        f"/api/v1/improvement-areas/{area_id}/indicators", json={"name": "Antall", "kind": "count"}
    ).json()
    url = f"/api/v1/indicators/{indicator['id']}/observations"
    items = [
        {"period": f"2024-{month:02d}-01", "value": 10 + month, "comment": comment}
        for month, comment in enumerate(HOSTILE_COMMENTS, start=1)
    ]
    tag = writer.get(url).headers["etag"]
    saved = writer.put(url, json={"items": items}, headers={"If-Match": tag})
    assert saved.status_code == 200, saved.text
    return url, saved.headers["etag"]


def test_finding_07_csv_formula_injection_observation_export_neutralises_comments(
    session: Session, make_client: Any
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    url, _ = _indicator_with_comments(session, writer)
    for separator in ("semicolon", "comma"):
        response = writer.get(f"{url}.csv", params={"separator": separator})
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        delimiter = ";" if separator == "semicolon" else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)], rows
        comments = [row[-1] for row in rows[1:]]
        assert comments[0] == "'" + HOSTILE_COMMENTS[0]
        assert comments[4] == "''=allerede med apostrof"
        assert comments[6] == "'90-tallet"  # an apostrophe before text is left alone


def test_finding_07_csv_formula_injection_export_reads_back_unchanged(
    session: Session, make_client: Any
) -> None:
    """The round trip is a feature: a CSV the app wrote imports back without changing a
    comment (the apostrophe the export added is taken off again)."""
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    url, tag = _indicator_with_comments(session, writer)
    exported = writer.get(f"{url}.csv").content
    imported = writer.post(
        f"{url}/import",
        content=exported,
        headers={"Content-Type": "text/csv; charset=utf-8", "If-Match": tag},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["rows"] == len(HOSTILE_COMMENTS)
    assert imported.json()["changed"] == 0  # nothing differs from what was saved
    assert [i["comment"] for i in writer.get(url).json()["items"]] == HOSTILE_COMMENTS


@given(st.text(max_size=30))
def test_finding_07_csv_formula_injection_neutraliser_is_safe_and_reversible(text: str) -> None:
    written = neutralise(text)
    assert not written.startswith(FORMULA_TRIGGERS)
    assert restore(written) == text


def test_finding_07_csv_formula_injection_every_writer_uses_the_one_neutraliser() -> None:
    """Every module that writes CSV or XLSX imports the one neutraliser."""
    writers = [
        path
        for path in APP.rglob("*.py")
        if "csv.writer(" in (source := path.read_text(encoding="utf-8"))
        or "csv.DictWriter(" in source
        or "from openpyxl import Workbook" in source
    ]
    assert writers, "no spreadsheet writer found: the test looks in the wrong place"
    missing = [
        str(path.relative_to(APP))
        for path in writers
        if "from app.kit.spreadsheet import" not in path.read_text(encoding="utf-8")
        or "neutralise" not in path.read_text(encoding="utf-8")
    ]
    assert not missing, f"spreadsheet writers without spreadsheet.neutralise: {missing}"


# ---- finding 13: 500s on bad bodies ------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _before_validating_models() -> list[type[BaseModel]]:
    """Every model in app.models that runs code of ours on input before its types are
    checked: `mode="before"` (or wrap/plain) model and field validators, and Before/Wrap/
    Plain validators anywhere in a field's annotation."""

    def in_annotation(annotation: Any) -> bool:
        for part in get_args(annotation):
            if isinstance(part, BeforeValidator | WrapValidator | PlainValidator):
                return True
            if in_annotation(part):
                return True
        return False

    found: list[type[BaseModel]] = []
    for info in pkgutil.iter_modules(app.models.__path__, "app.models."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, BaseModel) or cls.__module__ != info.name:
                continue
            if getattr(cls, "model_config", {}).get("table"):
                continue  # a table, never a request body
            decorators = cls.__pydantic_decorators__
            modes: list[str] = [d.info.mode for d in decorators.model_validators.values()]
            modes += [d.info.mode for d in decorators.field_validators.values()]
            fields = cls.model_fields.values()
            if (
                any(mode in ("before", "wrap", "plain") for mode in modes)
                or any(
                    isinstance(m, BeforeValidator | WrapValidator | PlainValidator)
                    for f in fields
                    for m in f.metadata
                )
                or any(in_annotation(f.annotation) for f in fields)
            ):
                found.append(cls)
    return found


BEFORE_VALIDATING = _before_validating_models()


def test_finding_13_the_before_validators_are_found() -> None:
    names = {cls.__name__ for cls in BEFORE_VALIDATING}
    assert {"ImprovementAreaCreate", "ImprovementAreaUpdate", "Contact"} <= names


@pytest.mark.parametrize("model", BEFORE_VALIDATING, ids=lambda cls: cls.__name__)
@settings(max_examples=150)
@given(data=st.data())
def test_finding_13_every_before_validator_survives_any_json(
    model: type[BaseModel], data: st.DataObject
) -> None:
    """Any JSON — as the whole body, or as the value of any of the model's fields — is
    either accepted or refused with a validation error (a 422), never another exception
    (a 500)."""
    names = sorted(model.model_fields)
    bodies = JSON_VALUES
    if names:
        bodies |= st.fixed_dictionaries(
            {}, optional={name: st.lists(JSON_VALUES, max_size=4) | JSON_VALUES for name in names}
        )
    body = data.draw(bodies)
    with contextlib.suppress(ValidationError):
        model.model_validate(body)


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Område", "tags": [{}]},
        {"title": "Område", "phases": [{}]},
        {"title": "Område", "tags": [[]]},
        {"title": "Område", "tags": ["a", {"b": 1}, "a", [1, [2]]]},
        {"title": "Område", "phases": [None, 1.5, True]},
    ],
)
def test_finding_13_unhashable_tags_and_phases_answer_422(
    session: Session, make_client: Any, body: dict[str, Any]
) -> None:
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    created = writer.post("/api/v1/municipalities/5501/improvement-areas", json=body)
    assert created.status_code == 422, created.text
    area_id = factories.area(session, "5501")
    url = f"/api/v1/improvement-areas/{area_id}"
    patched = writer.patch(url, json=body, headers={"If-Match": writer.get(url).headers["etag"]})
    assert patched.status_code == 422, patched.text
    fields = {e["field"].split(".")[0] for e in patched.json()["errors"]}
    assert fields & {"tags", "phases"}


# ---- finding 14: authorisation decided before preconditions ------------------------------

#: Bodies no write accepts: valid JSON of the wrong shape, JSON that does not parse, and
#: text where JSON is expected (or JSON where text is expected).
INVALID_BODIES: list[tuple[str, str]] = [
    ("application/json", '{"not_a_field": [{}], "tags": [[]]}'),
    ("application/json", '{"unterminated": '),
    ("application/json", "[]"),
    ("text/csv; charset=no-such-charset", "period;value\n2024-01-01;x\n"),
    ("application/xml", "<a/>"),
]


#: Creations whose region or municipality is named in the body (not the address): who may
#: is known only once the body is read.
#: Each with the principals whose refusal depends on the body.
REGION_IN_BODY: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/networks"): frozenset({matrix.OTHER_ADVISER}),
    ("POST", "/api/v1/invitations"): frozenset({matrix.OTHER_ADVISER, matrix.OTHER_COORDINATOR}),
}


def test_finding_14_every_unsafe_route_refuses_before_judging_the_request(
    app: FastAPI, client: TestClient, session: Session, db: TransactionalDatabase
) -> None:
    """Every unsafe operation of the OpenAPI document, as every principal who may not
    write there, without If-Match and with bodies that cannot be accepted: the answer is
    the refusal the authorisation matrix gives that principal (401, 403 or 404), never
    a judgement of the request (412, 415, 422, 428)."""
    world = matrix.build_world(session, client)
    runner = matrix.Runner(client, db, world)
    operations = [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert len(operations) >= 29
    problems = []
    for method, path in operations:
        url = matrix.fill(path, world.values)
        for principal in matrix.PRINCIPALS:
            wanted = matrix.expected(method, path, principal)
            if wanted == matrix.OK:
                continue
            if principal in REGION_IN_BODY.get((method, path), frozenset()):
                # Any adviser may start a network in their own region, and any coordinator or
                # adviser may invite within their own rights; which region or municipality is
                # in the body, so the refusal comes once the body is read. Nothing exists yet
                # that a 422 could tell them about.
                continue
            for content_type, body in INVALID_BODIES:
                response = runner.send(
                    principal, method, url, content=body, headers={"Content-Type": content_type}
                )
                got = matrix.outcome_of(response)
                if got != wanted:
                    problems.append(
                        f"{method} {path} as {principal} with {content_type} {body[:20]!r}: "
                        f"{response.status_code} (wanted {wanted}) {response.text[:120]}"
                    )
    assert not problems, f"{len(problems)} answers judged the request first:\n" + "\n".join(
        problems[:40]
    )


def test_finding_14_restore_and_import_elsewhere_answer_403_before_428(
    session: Session, make_client: Any
) -> None:
    """The two cases found: restoring a phase of, and importing observations into, another
    municipality without If-Match."""
    area_id = factories.area(session, "5501")
    indicator = factories_indicator(session, area_id)
    other: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5540"]))
    reader: TestClient = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    restore_url = "/api/v1/municipalities/5501/pathway/phases/assessment/restore"
    for who, wanted in ((other, 403), (reader, 403)):
        assert who.post(restore_url, json={"from_version": 1}).status_code == wanted
    import_url = f"/api/v1/indicators/{indicator}/observations/import"
    csv_body = {"content": "2024-01-01;3\n", "headers": {"Content-Type": "text/csv"}}
    assert other.post(import_url, **csv_body).status_code == 404  # not even visible
    assert reader.post(import_url, **csv_body).status_code == 403
    assert reader.post(import_url, content="x", headers={"Content-Type": "a/b"}).status_code == 403
    # Those who may write still learn what is missing.
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    assert writer.post(restore_url, json={"from_version": 1}).status_code == 428
    assert writer.post(import_url, **csv_body).status_code == 428


def factories_indicator(session: Session, area_id: int) -> int:
    return measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate.model_validate({"name": "Antall", "kind": "count"}),
    ).id


def test_finding_14_author_rules_come_before_the_version(
    session: Session, make_client: Any
) -> None:
    """Correcting someone else's progress note, or the text of someone else's comment, is
    refused (403) whatever If-Match says — not first told that the version is stale (412)."""
    author = factories.coordinator(session, "5501")
    area_id = factories.area(session, "5501")
    note = progress_notes.create_note(
        session, author, ProgressNoteCreate.model_validate({"text": "Notat"}), area_id=area_id
    )
    comment = feedback.create_comment(session, author, "5501", CommentCreate(text="Spørsmål"))
    editor: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    stale = {"If-Match": '"999"'}
    corrected = editor.patch(
        f"/api/v1/progress-notes/{note.id}", json={"text": "Nei"}, headers=stale
    )
    assert corrected.status_code == 403, corrected.text
    changed = editor.patch(f"/api/v1/comments/{comment.id}", json={"text": "Nei"}, headers=stale)
    assert changed.status_code == 403, changed.text
    # Resolving is for everyone who may comment: there the stale version is the answer.
    resolved = editor.patch(
        f"/api/v1/comments/{comment.id}", json={"resolved": True}, headers=stale
    )
    assert resolved.status_code == 412


# ---- finding 9: drafts shown as good examples --------------------------------------------


def good_examples_world(session: Session) -> dict[str, int]:
    """5540 published a strength, then changed it and wrote another (drafts); 5503 never
    published; 5501 (the reader's own) has a draft strength."""
    published = factories.strength_in(session, "5540", "Publisert samtalegruppe", "assessment")
    publishing.publish(session, SYSTEM, "5540", PublishInput(summary="Første versjon"))
    strengths.update_strength(
        session, SYSTEM, published, StrengthUpdate(text="Utkast: endret samtalegruppe"), 1
    )
    factories.strength_in(session, "5540", "Utkast: ny styrke i Kåfjord", None)
    factories.strength_in(session, "5503", "Utkast: aldri publisert", "assessment")
    own = factories.strength_in(session, "5501", "Vårt eget utkast", "assessment")
    return {"published": published, "own": own}


def _examples(response: Any) -> dict[str, int | None]:
    assert response.status_code == 200, response.text
    return {s["text"]: s["id"] for g in response.json()["groups"] for s in g["strengths"]}


def test_finding_09_drafts_shown_as_good_examples_only_published_content_of_others(
    session: Session, client_as: Any
) -> None:
    ids = good_examples_world(session)
    coordinator = client_as(factories.coordinator(session, "5501"))
    shown = _examples(coordinator.get("/api/v1/regions/troms/good-examples"))
    assert "Publisert samtalegruppe" in shown
    assert shown["Publisert samtalegruppe"] is None  # as published, no id of the draft
    assert shown["Vårt eget utkast"] == ids["own"]  # one's own drafts, as they are
    assert not [text for text in shown if text.startswith("Utkast")], shown


def test_finding_09_drafts_shown_as_good_examples_readers_of_drafts_keep_them(
    session: Session, client_as: Any, make_client: Any
) -> None:
    """The region's advisers and clients bound to the region may read every draft there:
    for them the good examples are the strengths as they stand."""
    good_examples_world(session)
    for reader in (
        client_as(factories.adviser(session, "troms")),
        make_client(factories.token(session, Scope.read, regions=["troms"])),
    ):
        shown = _examples(reader.get("/api/v1/regions/troms/good-examples"))
        assert {
            "Utkast: endret samtalegruppe",
            "Utkast: ny styrke i Kåfjord",
            "Utkast: aldri publisert",
            "Vårt eget utkast",
        } <= set(shown)
        assert "Publisert samtalegruppe" not in shown
        assert all(isinstance(i, int) for i in shown.values())


# ---- finding 8: small numbers ------------------------------------------------------------


def small_numbers_world(session: Session) -> dict[str, int]:
    """Tromsø (5501) with a count indicator and a proportion indicator, each with small
    and large observations, changed and deleted once, so the audit trail holds them."""
    editor = factories.coordinator(session, "5501")
    area_id = factories.area(session, "5501")
    ids = {}
    for name, kind, items in (
        (
            "count",
            "count",
            [
                {"period": "2024-01-01", "value": 3},
                {"period": "2024-02-01", "value": 12},
                {"period": "2024-03-01", "value": 4},
            ],
        ),
        (
            "proportion",
            "proportion",
            [
                {"period": "2024-01-01", "numerator": 4, "denominator": 1234},
                {"period": "2024-02-01", "numerator": 1231, "denominator": 1234},
                {"period": "2024-03-01", "numerator": 600, "denominator": 1234},
            ],
        ),
    ):
        indicator = measurement.create_indicator(
            session, editor, area_id, IndicatorCreate.model_validate({"name": name, "kind": kind})
        )
        version = measurement.upsert_observations(
            session, editor, indicator.id, ObservationList.model_validate({"items": items}), 1
        )
        changed = {**items[1], "comment": "rettet"}
        version = measurement.upsert_observations(
            session,
            editor,
            indicator.id,
            ObservationList.model_validate({"items": [changed]}),
            version,
        )
        measurement.delete_observation(session, editor, indicator.id, date(2024, 3, 1), version)
        ids[name] = indicator.id
    return ids


def _numbers_in(payload: Any) -> list[Any]:
    """Every observation-like dict in an event's before/after."""
    if isinstance(payload, list):
        return [found for item in payload for found in _numbers_in(item)]
    if isinstance(payload, dict):
        if "period" in payload:
            return [payload]
        return [found for item in payload.values() for found in _numbers_in(item)]
    return []


def test_finding_08_small_numbers_audit_events_hide_them_from_readers(
    session: Session, client_as: Any, make_client: Any
) -> None:
    small_numbers_world(session)
    for reader in (
        client_as(factories.adviser(session, "troms")),
        make_client(factories.token(session, Scope.read, municipalities=["5501"])),
        make_client(factories.token(session, Scope.read, regions=["troms"])),
    ):
        response = reader.get("/api/v1/audit-events", params={"municipality": "5501"})
        assert response.status_code == 200
        events = [e for e in response.json()["items"] if e["entity_type"].startswith("observ")]
        assert len(events) == 6  # two upserts and a deletion per indicator
        observations = [
            o for e in events for p in (e["before"], e["after"]) for o in _numbers_in(p)
        ]
        shown = {(o["period"], o["value"], o["numerator"], o["denominator"]) for o in observations}
        for small in (3, 4):
            assert not [o for o in shown if o[1] == small], shown
        assert not [o for o in shown if o[2] in (4, 1231)], shown  # numerator or complement
        assert ("2024-02-01", 12, None, None) in shown  # large numbers stay
        assert ("2024-03-01", None, 600, 1234) in shown
        hidden = [o for o in observations if o.get("suppressed")]
        assert {o["suppressed"] for o in hidden} == {"<5"}
        # Unfiltered, the same.
        everything = reader.get("/api/v1/audit-events").json()["items"]
        unfiltered = [
            o for e in everything for p in (e["before"], e["after"]) for o in _numbers_in(p)
        ]
        assert not [o for o in unfiltered if o["value"] in (3, 4) or o["numerator"] in (4, 1231)]


def test_finding_08_small_numbers_audit_events_editors_see_them(
    session: Session, make_client: Any
) -> None:
    small_numbers_world(session)
    editor = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    events = editor.get("/api/v1/audit-events", params={"municipality": "5501"}).json()["items"]
    numbers = {
        (o.get("value"), o.get("numerator"))
        for e in events
        for p in (e["before"], e["after"])
        for o in _numbers_in(p)
    }
    assert {(3, None), (4, None), (None, 4), (None, 1231)} <= numbers


# The complementary suppression, checked against a reader who knows everything shown, what
# the marks say and the equations, by exact enumeration (independently of the propagation
# `disclosure.bounds` uses).


@st.composite
def count_groups(draw: st.DrawFn) -> tuple[dict[str, int], list[Equation[str]], set[str], int]:
    """A total (public or not) shared by one to three groups whose counts add up to it (or
    to a multiple of it, as checklist answers add up to municipalities × items). Small
    counts are likely, as in a region's summary."""
    threshold = draw(st.sampled_from([3, 5]))
    total = draw(st.integers(0, 12) | st.integers(0, 40))
    counts = {"total": total}
    equations = []
    for g in range(draw(st.integers(1, 3))):
        factor = draw(st.sampled_from([1, 1, 1, 2, 3]))
        size = draw(st.integers(2, 5))
        cuts = sorted(
            draw(st.lists(st.integers(0, factor * total), min_size=size - 1, max_size=size - 1))
        )
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, factor * total], strict=True)]
        names = [f"g{g}c{i}" for i in range(size)]
        counts.update(zip(names, parts, strict=True))
        equations.append(Equation(terms=(*((n, 1) for n in names), ("total", -factor))))
    public = {"total"} if draw(st.booleans()) else set()
    return counts, equations, public, threshold


def possible_values(
    counts: dict[str, int], equations: list[Equation[str]], marks: dict[str, Mark], threshold: int
) -> dict[str, set[int]]:
    """Every value each count can take for a reader, by enumerating the total and solving
    each group exactly (a sum of whole-number intervals takes every value between)."""

    def interval(key: str, cap: int) -> tuple[int, int]:
        if marks[key] == Mark.shown:
            return counts[key], counts[key]
        if marks[key] == Mark.small:
            return 1, threshold - 1
        return 0, cap

    cap = 3 * (sum(counts.values()) + threshold + 5)
    possible: dict[str, set[int]] = {k: set() for k in counts}
    lo, hi = interval("total", cap)
    for total in range(lo, hi + 1):
        found: dict[str, set[int]] = {}
        feasible = True
        for equation in equations:
            members = [k for k, c in equation.terms if k != "total"]
            target = -dict(equation.terms)["total"] * total
            bounds_ = {k: interval(k, target) for k in members}
            low, high = sum(b[0] for b in bounds_.values()), sum(b[1] for b in bounds_.values())
            if not low <= target <= high:
                feasible = False
                break
            for k in members:
                rest_low, rest_high = low - bounds_[k][0], high - bounds_[k][1]
                first = max(bounds_[k][0], target - rest_high)
                last = min(bounds_[k][1], target - rest_low)
                found.setdefault(k, set()).update(range(first, last + 1))
        if feasible:
            possible["total"].add(total)
            for k, values in found.items():
                possible[k] |= values
    return possible


@settings(max_examples=400)
@given(count_groups())
def test_finding_08_complementary_suppression_no_hidden_count_can_be_worked_out(
    case: tuple[dict[str, int], list[Equation[str]], set[str], int],
) -> None:
    counts, equations, public, threshold = case
    marks = protect(counts, equations, threshold, public)
    for key, value in counts.items():
        if key not in public and 0 < value < threshold:
            assert marks[key] != Mark.shown, (key, value)  # every small count is hidden
        if key in public:
            assert marks[key] == Mark.shown
    possible = possible_values(counts, equations, marks, threshold)
    for key, mark in marks.items():
        if mark != Mark.shown:
            assert counts[key] in possible[key]
            assert len(possible[key]) > 1, (key, counts[key], possible[key], marks)


@settings(max_examples=300)
@given(count_groups(), st.data())
def test_sensitive_counts_are_never_shown_nor_worked_out(
    case: tuple[dict[str, int], list[Equation[str]], set[str], int], data: st.DataObject
) -> None:
    """Counts that must stay hidden whatever their value (a small size group's improvement
    areas): withheld, not even "<5", and no reader can pin them down."""
    counts, equations, public, threshold = case
    keys = sorted(k for k in counts if k not in public)
    sensitive = set(data.draw(st.lists(st.sampled_from(keys), unique=True))) if keys else set()
    marks = protect(counts, equations, threshold, public, sensitive)
    for key in sensitive:
        assert marks[key] == Mark.withheld, key
    possible = possible_values(counts, equations, marks, threshold)
    # What the public counts alone give away (a public total of 0), nothing can hide.
    nothing_shown = {k: Mark.shown if k in public else Mark.withheld for k in counts}
    given_away = possible_values(counts, equations, nothing_shown, threshold)
    for key, mark in marks.items():
        if mark != Mark.shown:
            assert counts[key] in possible[key]
            if len(given_away[key]) > 1:
                assert len(possible[key]) > 1, (key, counts[key], possible[key], marks)


def test_finding_08_complementary_suppression_the_example_of_the_issue() -> None:
    """ "Kommuner 21 … Ikke vurdert 20 … Etablert <5": Etablert is no longer 1 by subtraction."""
    counts = {"municipalities": 21, "unknown": 20, "not": 0, "planned": 0, "established": 1}
    levels = ("unknown", "not", "planned", "established")
    equation = Equation(terms=(*((k, 1) for k in levels), ("municipalities", -1)))
    marks = protect(counts, [equation], 5, public={"municipalities"})
    assert marks["established"] == Mark.small
    assert marks["unknown"] == Mark.withheld  # the smallest count that is not zero
    assert len(possible_values_one(counts, equation, marks)) > 1


def possible_values_one(
    counts: dict[str, int], equation: Equation[str], marks: dict[str, Mark]
) -> set[int]:
    renamed = {("total" if k == "municipalities" else k): v for k, v in counts.items()}
    terms = tuple(("total" if k == "municipalities" else k, c) for k, c in equation.terms)
    marks = {("total" if k == "municipalities" else k): m for k, m in marks.items()}
    return possible_values(renamed, [Equation(terms=terms)], marks, 5)["established"]


def _disclosed_by_subtraction(summary: dict[str, Any]) -> list[str]:
    """Phases where every count but one hidden one is shown, with the total shown: the
    hidden one is the total minus the others."""
    total = summary["totals"]["municipalities"]
    found = []
    for phase in summary["grid"]:
        hidden = [k for k, v in phase["maturity"].items() if isinstance(v, str)]
        if isinstance(total, int) and len(hidden) == 1:
            found.append(f"{phase['phase']}: {hidden[0]}")
    return found


def test_finding_08_complementary_suppression_in_the_anonymous_summary(
    session: Session, client_as: Any
) -> None:
    """ "Kommuner 21 … Ikke vurdert 20 … Etablert <5" gave Etablert = 1 away."""
    factories.section(session, "5501", "home_with_services", maturity="established")
    factories.section(session, "5540", "assessment", maturity="planned")
    factories.section(session, "5503", "assessment", maturity="planned")
    adviser = client_as(factories.adviser(session, "troms"))
    response = adviser.get("/api/v1/regions/troms/overview", params={"anonymous": "true"})
    assert response.status_code == 200
    summary = response.json()
    assert summary["totals"]["municipalities"] == 21
    home = next(p for p in summary["grid"] if p["phase"] == "home_with_services")
    assert home["maturity"]["established"] == "<5"
    assert home["maturity"]["unknown"] == summary["withheld_label"] == ":"
    assessment = next(p for p in summary["grid"] if p["phase"] == "assessment")
    assert assessment["maturity"]["planned"] == "<5"
    assert assessment["maturity"]["unknown"] == ":"  # two planned: 21 − 19 = 2
    assert not _disclosed_by_subtraction(summary)
    # The exports carry the same, and say what ":" means.
    text = adviser.get(
        "/api/v1/regions/troms/overview.csv", params={"anonymous": "true"}
    ).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    home_cells = {r[2]: r[3] for r in rows[1:] if r[0] == "Faser" and r[1] == home["name"]}
    assert ":" in home_cells.values()
    assert "20" not in home_cells.values()


#: Populations on both sides of the size groups' bounds (5,000 and 20,000), and unknown.
POPULATIONS = [None, 800, 4_999, 5_000, 12_000, 20_000, 20_001, 80_000]

NOT_DUE = ReviewState(
    status=ReviewStatus.not_published,
    label="",
    last_reviewed_at=None,
    first_published_at=None,
    basis=None,
    due_on=None,
    due=False,
    overdue=False,
)


@st.composite
def regions(draw: st.DrawFn) -> Overview:
    """An overview of a random region: two phases with random maturity levels and a
    checklist of three items with random answers, municipalities of random sizes with a few
    improvement areas each, whole or narrowed by a filter."""
    phases = ["suspicion", "assessment"]
    rows = []
    for i in range(draw(st.integers(1, 24))):
        answers = draw(
            st.lists(st.sampled_from(["yes", "partly", "no", "n/a", "-"]), min_size=3, max_size=3)
        )
        rows.append(
            MunicipalityOverview(
                number=f"{9000 + i}",
                name=f"Kommune {i}",
                region="troms",
                population=draw(st.sampled_from(POPULATIONS)),
                persons_with_dementia=None,
                figures_year=None,
                is_example=False,
                cells=[
                    GridCell(
                        phase=p,
                        maturity=draw(st.sampled_from(list(Maturity))),
                        maturity_label="",
                        available_offerings=0,
                        needs_knowledge=draw(st.booleans()),
                    )
                    for p in phases
                ],
                checklist=AnswerCounts(
                    yes=answers.count("yes"),
                    partly=answers.count("partly"),
                    no=answers.count("no"),
                    not_applicable=answers.count("n/a"),
                    unanswered=answers.count("-"),
                ),
                strengths=[],
                improvement_areas=[
                    AreaItem(
                        id=100 * i + a,
                        priority=a,
                        title="",
                        status=ImprovementStatus.in_progress,
                        phases=[],
                        tags=[],
                    )
                    for a in range(draw(st.integers(0, 3)))
                ],
                measures=MeasureCounts(),
                published_versions=0,
                last_published_at=None,
                last_change=datetime(2025, 1, 1, tzinfo=UTC),
                days_since_change=0,
                stale=False,
                review=NOT_DUE,
                open_comment_threads=0,
                version=1,
            )
        )
    narrowed = draw(st.booleans())
    return Overview(
        scope="region",
        region=None,
        as_of=date(2025, 1, 1),
        review_interval_months=12,
        stale_after_days=90,
        filters=OverviewFilters(offering_type="respite" if narrowed else None),
        phases=[PhaseColumn(key=p, name=p) for p in phases],
        totals=totals_of(rows),
        regions=[],
        municipalities=rows,
        coverage=[],
        improvement_areas_by_phase=[],
        improvement_areas_by_tag=[],
        good_examples=[],
    )


@settings(max_examples=300)
@given(regions())
def test_finding_08_anonymous_summary_no_hidden_count_can_be_worked_out(region: Overview) -> None:
    """The summary of a random region, read by someone who knows the shown counts, that "<5"
    means 1 to 4, and that the maturity levels of a phase add up to the municipalities and
    the answers to municipalities × 3 items: no hidden count has only one possible value."""
    summary = summarise(region, threshold=5)
    values: dict[str, Any] = {"total": summary.totals.municipalities}
    truth = {"total": region.totals.municipalities}
    equations = []
    for index, phase in enumerate(summary.grid):
        names = [f"p{index}{level}" for level in phase.maturity]
        values.update(zip(names, phase.maturity.values(), strict=True))
        levels = Counter(r.cells[index].maturity.value for r in region.municipalities)
        truth.update(zip(names, (levels[m] for m in phase.maturity), strict=True))
        equations.append(Equation(terms=(*((n, 1) for n in names), ("total", -1))))
    names = [f"c{name}" for name in AnswerCounts.model_fields]
    values.update((f"c{k}", v) for k, v in summary.checklist.model_dump().items())
    truth.update(
        (f"c{k}", sum(getattr(r.checklist, k) for r in region.municipalities))
        for k in AnswerCounts.model_fields
    )
    equations.append(Equation(terms=(*((n, 1) for n in names), ("total", -3))))
    # The size groups' municipalities add up to the municipalities too.
    sizes = {g.size: g for g in summary.by_size}
    in_size = Counter(size_group(r.population) for r in region.municipalities)
    assert set(sizes) >= set(in_size)
    names = [f"s{size.value}" for size in sizes]
    values.update((f"s{size.value}", g.municipalities) for size, g in sizes.items())
    truth.update((f"s{size.value}", in_size[size]) for size in sizes)
    equations.append(Equation(terms=(*((n, 1) for n in names), ("total", -1))))
    marks = {
        k: Mark.shown if isinstance(v, int) else Mark.small if v == "<5" else Mark.withheld
        for k, v in values.items()
    }
    possible = possible_values(truth, equations, marks, 5)
    for key, mark in marks.items():
        if mark != Mark.shown:
            assert len(possible[key]) > 1, (key, truth[key], values)

    # A group of fewer than 5 municipalities shows nothing else, and its improvement areas
    # cannot be worked out from the other groups' and the total.
    areas = {"total": summary.totals.improvement_areas}
    area_truth = {"total": region.totals.improvement_areas}
    for size, g in sizes.items():
        rows = [r for r in region.municipalities if size_group(r.population) == size]
        if 0 < in_size[size] < 5:
            assert g.needs_knowledge == g.improvement_areas == g.strengths == ":", (size, g)
        areas[f"a{size.value}"] = g.improvement_areas
        area_truth[f"a{size.value}"] = sum(len(r.improvement_areas) for r in rows)
    area_marks = {
        k: Mark.shown if isinstance(v, int) else Mark.small if v == "<5" else Mark.withheld
        for k, v in areas.items()
    }
    equation = Equation(terms=(*((k, 1) for k in areas if k != "total"), ("total", -1)))
    possible = possible_values(area_truth, [equation], area_marks, 5)
    for key, mark in area_marks.items():
        if mark != Mark.shown:
            assert len(possible[key]) > 1, (key, area_truth[key], areas)


def test_finding_08_small_numbers_every_measurement_path_of_the_api(
    session: Session, make_client: Any
) -> None:
    """A read token sees the small observations as "<5" in the list, the CSV, the analysis
    and the chart; an editor sees the numbers (so the pattern would find them)."""
    ids = small_numbers_world(session)
    leaks = re.compile(r"1[\s\u00a0]?23[14]|\b0[,.]32|99[,.]76")
    reader = make_client(factories.token(session, Scope.read, municipalities=["5501"]))
    editor = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    base = f"/api/v1/indicators/{ids['proportion']}"
    for suffix in ("/observations", "/observations.csv", "/analysis", "/chart.svg"):
        shown = reader.get(base + suffix)
        assert shown.status_code == 200, suffix
        assert not leaks.findall(shown.content.decode("utf-8-sig")), suffix
    assert leaks.findall(editor.get(base + "/observations.csv").content.decode("utf-8-sig"))
    counts = reader.get(f"/api/v1/indicators/{ids['count']}/observations").json()["items"]
    assert [(i["value"], i["suppressed"]) for i in counts] == [(None, "<5"), (12, None)]
