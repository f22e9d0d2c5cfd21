"""The export/import format has the API's field lengths and collection limits: every field
of every object round-trips at its longest, and one item past a collection's limit is
refused with the field's path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.base import Scope
from app.models.catalogue import ChecklistItem, OfferingType, Phase
from app.models.improvement import MAX_AREAS, MAX_MEASURES, MAX_NOTES, MAX_PHASES, MAX_TAGS
from app.models.measurement import MAX_INDICATORS, MAX_OBSERVATIONS_PER_WRITE
from app.models.pathway import MAX_CHECKLIST_ANSWERS, MAX_STRENGTHS, OFFERINGS_MAX
from app.models.pdsa import MAX_CYCLES
from app.models.publishing import SUMMARY_MAX
from app.models.transfer import MAX_IMPORTED_VERSIONS, MunicipalityExport
from tests import factories
from tests.api.test_transfer import EXPORT, IMPORT, import_into_fresh_database, without_ids

SCHEMA = MunicipalityExport.model_json_schema()
DEFS: dict[str, Any] = SCHEMA["$defs"]
LAST_DATE = "2100-12-31"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return dict(DEFS[schema["$ref"].rsplit("/", 1)[-1]])
    return schema


def text(length: int) -> str:
    """Plain text that cleaning leaves as it is, Norwegian letters included."""
    return ("Fastlege og hukommelsesteam på Ørnes " * (length // 30 + 1))[: length - 1] + "x"


def _email() -> str:
    # The longest address there is: 64 before the @, 254 in all.
    return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".no"


Override = Any | Callable[[dict[str, Any]], Any]
#: What an override answers for a field it does not decide (the same name elsewhere).
GENERIC = object()


def longest(schema: dict[str, Any], name: str, overrides: dict[str, Override]) -> Any:
    """A value of the schema at its longest: strings at their maxLength, numbers at their
    maximum, one item per list. Fields whose value has a meaning (keys of the catalogue,
    dates, numbers that depend on each other) come from `overrides`, by name. A string
    without a maxLength fails: every text field must have one."""
    schema = _resolve(schema)
    if name in overrides:
        override = overrides[name]
        value = override(schema) if callable(override) else override
        if value is not GENERIC:
            return value
    if "anyOf" in schema:
        branch = next(b for b in schema["anyOf"] if b.get("type") != "null")
        return longest(branch, name, overrides)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][-1]
    kind = schema.get("type")
    if kind == "object":
        return {p: longest(s, p, overrides) for p, s in schema["properties"].items()}
    if kind == "array":
        return [longest(schema["items"], f"{name}[]", overrides)]
    if kind == "string":
        assert "maxLength" in schema, f"{name} has no maximum length"
        return text(schema["maxLength"])
    if kind in ("integer", "number"):
        return schema["maximum"]
    assert kind == "boolean", (name, schema)
    return True


def _longest_document(session: Session) -> dict[str, Any]:
    phases = [p.key for p in session.exec(select(Phase).order_by(col(Phase.position))).all()]
    assert len(phases) == MAX_PHASES
    kind = session.exec(select(OfferingType).order_by(col(OfferingType.position))).first()
    item = session.exec(select(ChecklistItem).order_by(col(ChecklistItem.id))).first()
    assert kind is not None
    assert item is not None
    overrides: dict[str, Override] = {
        "id": None,
        "number": lambda s: "5501" if s.get("type") == "string" else s["maximum"],
        "phase": phases[1],
        # A list of phase keys, or of a snapshot's phases.
        "phases": lambda s: phases if _resolve(s["items"]).get("type") == "string" else GENERIC,
        "type": kind.key,
        "checklist_version": item.checklist_version_id,
        "item": item.key,
        "email": _email(),
        "phone": "1" * 50,
        "website": "https://" + "w" * (300 - len("https://") - len(".no")) + ".no",
        "contact_email": _email(),
        "contact_phone": "1" * 50,
        "contact_url": "https://" + "w" * (300 - len("https://") - len(".no")) + ".no",
        # Tags are stored in lower case, and each once.
        "tags": [f"{n}" + "t" * 49 for n in range(MAX_TAGS)],
        "measure_counts": {"not_started": 0, "in_progress": 1, "done": 2, "stopped": MAX_MEASURES},
        "date": LAST_DATE,
        "target_date": LAST_DATE,
        "start_date": LAST_DATE,
        "due_date": LAST_DATE,
        "baseline_restart": LAST_DATE,
        "starts_on": LAST_DATE,
        "ends_on": LAST_DATE,
        "period": "2100-12-01",
        "frequency": "month",
        "kind": "value",
        "numerator": None,
        "denominator": None,
        "suppressed": None,
    }
    document = longest(SCHEMA, "", overrides)
    # Every municipality has a section for each phase.
    document["sections"] = [dict(document["sections"][0], phase=p) for p in phases]
    area = document["improvement_areas"][0]
    # A proportion too, at its largest numbers.
    proportion = copy.deepcopy(area["indicators"][0])
    proportion["kind"] = "proportion"
    proportion["observations"][0].update(
        value=None, numerator=1_000_000_000, denominator=1_000_000_000
    )
    area["indicators"].append(proportion)
    return dict(document)


def test_finding_05_every_field_round_trips_at_its_maximum_length(session: Session) -> None:
    document = _longest_document(session)
    MunicipalityExport.model_validate(document)
    assert len(document["published_versions"][0]["summary"]) == SUMMARY_MAX
    assert len(document["sections"][0]["description"]) == 10_000

    again = import_into_fresh_database("longest", document)
    assert _diff(without_ids(again), without_ids(document)) == []


# ---- collection limits -------------------------------------------------------------------


def _document(client: TestClient) -> tuple[dict[str, Any], str]:
    exported = client.get(EXPORT)
    return exported.json(), exported.headers["etag"]


def _area(document: dict[str, Any]) -> dict[str, Any]:
    area: dict[str, Any] = document["improvement_areas"][0]
    return area


# (the field's path, its limit, how to fill it to a given length)
LIMITS: list[tuple[str, int, Callable[[dict[str, Any], int], None]]] = [
    ("strengths", MAX_STRENGTHS, lambda d, n: d.update(strengths=[{"text": "S"}] * n)),
    (
        "improvement_areas",
        MAX_AREAS,
        lambda d, n: d.update(improvement_areas=[{"title": "O"}] * n),
    ),
    (
        "improvement_areas.0.measures",
        MAX_MEASURES,
        lambda d, n: _area(d).update(measures=[{"title": "T"}] * n),
    ),
    (
        "improvement_areas.0.measures.0.pdsa_cycles",
        MAX_CYCLES,
        lambda d, n: _area(d).update(
            measures=[{"title": "T", "pdsa_cycles": [{"title": "P"}] * n}]
        ),
    ),
    (
        "improvement_areas.0.notes",
        MAX_NOTES,
        lambda d, n: _area(d).update(notes=[{"text": "N"}] * n),
    ),
    (
        "improvement_areas.0.indicators",
        MAX_INDICATORS,
        lambda d, n: _area(d).update(indicators=[{"name": "M", "kind": "count"}] * n),
    ),
    (
        "improvement_areas.0.indicators.0.observations",
        MAX_OBSERVATIONS_PER_WRITE,
        lambda d, n: _area(d).update(
            indicators=[
                {
                    "name": "M",
                    "kind": "count",
                    "frequency": "week",
                    "observations": [{"period": "2024-01-01", "value": 1}] * n,
                }
            ]
        ),
    ),
    (
        "sections.0.offerings",
        OFFERINGS_MAX,
        lambda d, n: d["sections"][0].update(offerings=[{"name": "Tilbud"}] * n),
    ),
    (
        "improvement_areas.0.tags",
        MAX_TAGS,
        lambda d, n: _area(d).update(tags=[f"tag{i}" for i in range(n)]),
    ),
    (
        "checklist_answers",
        MAX_CHECKLIST_ANSWERS,
        lambda d, n: d.update(
            checklist_answers=[{"checklist_version": 1, "item": "x", "answer": "yes"}] * n
        ),
    ),
    (
        "published_versions",
        MAX_IMPORTED_VERSIONS,
        lambda d, n: d.update(
            published_versions=[{"number": 1, "summary": "S", "pathway": {}}] * n
        ),
    ),
]


@pytest.mark.parametrize(("path", "limit", "fill"), LIMITS, ids=[p for p, _, _ in LIMITS])
def test_one_item_past_a_limit_is_refused_with_its_path(
    session: Session,
    make_client: Any,
    path: str,
    limit: int,
    fill: Callable[[dict[str, Any], int], None],
) -> None:
    factories.area(session, "5501", "Område")
    writer: TestClient = make_client(factories.token(session, Scope.write, municipalities=["5501"]))
    document, tag = _document(writer)
    fill(document, limit + 1)
    answer = writer.post(IMPORT, json=document, headers={"If-Match": tag})
    assert answer.status_code == 422
    assert path in [e["field"] for e in answer.json()["errors"]]
    assert str(limit) in answer.text


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two documents differ (empty: nowhere)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in a.keys() | b.keys() for d in _diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}.{i}")
        ]
    return [] if a == b else [f"{path}: {str(a)[:80]!r} != {str(b)[:80]!r}"]
