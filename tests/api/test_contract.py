"""The OpenAPI document is a complete contract: valid, described everywhere, with examples
and the headers and constraints the server enforces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from openapi_spec_validator import validate

METHODS = ("get", "put", "post", "patch", "delete")


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every schema, however deeply nested."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from properties(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties(value, f"{where}[{index}]")


def test_the_document_is_valid_openapi(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert document["info"]["title"].isascii()


def test_every_operation_and_property_is_described(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    missing = [f"{m.upper()} {p}" for p, m, op in operations(document) if not op.get("description")]
    missing += [where for where, prop in properties(document, "#") if not prop.get("description")]
    assert not missing, missing


def test_operation_ids_are_readable_and_unique(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    assert "listMunicipalities" in ids
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids


def test_bodies_headers_and_constraints_are_declared(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for path, method, operation in operations(document):
        names = {p["name"] for p in operation.get("parameters", [])}
        responses = operation["responses"]
        body = operation.get("requestBody")
        if body:
            for media_type, content in body["content"].items():
                assert "example" in content or "examples" in content, (method, path, media_type)
            assert {"400", "415"} <= set(responses), (method, path)
        if method == "get":
            assert "If-None-Match" in names, path
            assert "304" in responses, path
            assert "ETag" in responses["200"]["headers"], path
            if path.startswith("/api/v1/public/"):
                assert "If-Modified-Since" in names, path
        if "428" in responses:
            assert "If-Match" in names, (method, path)
        if "201" in responses:
            assert "Location" in responses["201"]["headers"], (method, path)
        assert "Retry-After" in responses["429"]["headers"], (method, path)
        if "401" in responses:
            assert "WWW-Authenticate" in responses["401"]["headers"], (method, path)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] == "number":
                assert parameter["schema"]["pattern"] == r"^\d{4}$", (method, path)
    listing = document["paths"]["/api/v1/municipalities"]["get"]["responses"]["200"]
    assert "Link" in listing["headers"]
    for where, prop in properties(document, "#"):
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("format") == "date":
                assert option["pattern"].startswith("^(199"), where


def test_fields_a_patch_may_not_clear_are_not_nullable(client: TestClient) -> None:
    from app.models.base import PatchInput

    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    models, checked = list(PatchInput.__subclasses__()), 0
    while models:
        model = models.pop()
        models += model.__subclasses__()
        for name in model.not_null:
            prop = schemas[model.__name__]["properties"][name]
            options = [prop, *prop.get("anyOf", [])]
            assert all(o.get("type") != "null" for o in options), (model.__name__, name)
            checked += 1
    assert checked >= 20
