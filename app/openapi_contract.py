"""The OpenAPI document as integrators need it: readable operationIds, the conditional and
concurrency headers declared, descriptions and examples everywhere, the constraints the
server enforces, and the problems every operation may answer."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

#: What the common properties mean, wherever they appear.
PROPERTY_DESCRIPTIONS = {
    "id": "The object's id; stable for its lifetime.",
    "version": "Counts the saved changes; sent as the ETag and expected back in If-Match.",
    "items": "The items of this page.",
    "total": "How many items there are in all, over every page.",
    "limit": "The most items a page holds (the `limit` asked for).",
    "offset": "How many items come before this page.",
    "municipality": "The municipality's four-digit number.",
    "municipalities": "Municipality numbers (four digits each).",
    "municipality_name": "The municipality's name.",
    "number": "The municipality's four-digit number.",
    "name": "The name.",
    "phase": "The phase of the pathway (its key, e.g. `assessment`).",
    "phases": "The phases of the pathway (their keys).",
    "status": "The state it is in.",
    "title": "A short title.",
    "text": "The text.",
    "description": "A longer description.",
    "updated_at": "When it was last changed (UTC).",
    "created_at": "When it was made (UTC).",
    "region": "The region's key.",
    "website": "The municipality's own website.",
    "email": "An e-mail address.",
    "phone": "A telephone number.",
    "key": "The stable key.",
    "kind": "Which kind it is.",
    "type": "Which type it is.",
    "tags": "Tags that group it with others.",
    "comment": "A comment.",
    "summary": "A summary.",
    "starts_on": "The first day (1990–2100).",
    "ends_on": "The last day (1990–2100).",
    "period": "The first day of the period it is for (1990–2100).",
    "value": "The value.",
    "position": "Its place in the order (0 first).",
    "responsible": "Who is responsible.",
    "changed": "Whether anything changed.",
}


def operation_id(route: APIRoute) -> str:
    """`list_municipalities` → `listMunicipalities`."""
    first, *rest = route.name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _human(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] + "."


def describe_schemas(schemas: dict[str, Any]) -> None:
    for schema_name, schema in schemas.items():
        if "description" not in schema:
            schema["description"] = _human(schema.get("title", schema_name))
        for name, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                prop["description"] = PROPERTY_DESCRIPTIONS.get(name) or _human(name)
            _date_range(prop)


DATE_PATTERN = r"^(199\d|20\d\d|2100)-\d{2}-\d{2}$"


def _date_range(schema: dict[str, Any]) -> None:
    """Dates the server accepts are 1990–2100 (`app.models.base`)."""
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("type") == "string" and option.get("format") == "date":
            option.setdefault("pattern", DATE_PATTERN)


def example_of(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A small valid example of `schema`: its own example, else one built from its type."""
    if "$ref" in schema:
        return example_of(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, depth + 1)
    for key in ("example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return example_of(options[0], schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        required = schema.get("required", [])
        return {
            name: example_of(prop, schemas, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        item = example_of(schema.get("items", {}), schemas, depth + 1)
        return [item] * max(int(schema.get("minItems", 1)), 1)
    return _scalar_example(schema)


def _scalar_example(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2024-01-01"
    if fmt == "date-time":
        return "2024-01-01T12:00:00Z"
    if fmt == "email":
        return "kari@example.no"
    if fmt in ("uri", "url"):
        return "https://example.no"
    if schema.get("pattern") == r"^\d{4}$":
        return "5501"
    return "x" * max(int(schema.get("minLength", 1)), 1)


def _header(description: str, schema_type: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": schema_type}}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of your last GET (or `*` for whatever is current). Without it "
    "428; with a tag that is no longer current 412, whose body carries the current version.",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of the copy you hold: 304 while it is current.",
    "schema": {"type": "string"},
}
IF_MODIFIED_SINCE = {
    "name": "If-Modified-Since",
    "in": "header",
    "required": False,
    "description": "The Last-Modified of the copy you hold: 304 while it is current.",
    "schema": {"type": "string"},
}
RATE_HEADERS = {
    "RateLimit-Limit": _header("Requests the token may make in a window.", "integer"),
    "RateLimit-Remaining": _header("Requests left in this window.", "integer"),
    "RateLimit-Reset": _header("Seconds until the window starts over.", "integer"),
}


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM: {"schema": PROBLEM_REF}},
    }
    if headers:
        response["headers"] = headers
    return response


def _parameters(path: str, method: str, operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    names = {p["name"].lower() for p in parameters}
    responses = operation["responses"]
    if "428" in responses and "if-match" not in names:
        parameters.append(dict(IF_MATCH))
    if method == "get" and "if-none-match" not in names:
        parameters.append(dict(IF_NONE_MATCH))
        if path.startswith("/api/v1/public/"):
            parameters.append(dict(IF_MODIFIED_SINCE))
    for parameter in parameters:
        if parameter["in"] == "path" and parameter["name"] == "number":
            parameter["schema"].setdefault("pattern", r"^\d{4}$")
        _date_range(parameter.get("schema", {}))
        parameter.setdefault("description", _human(parameter["name"]))


def _responses(method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        if status in ("200", "201") and method in ("get", "put", "patch", "post"):
            headers.setdefault("ETag", _header("The representation's strong validator."))
        if status == "201":
            headers.setdefault("Location", _header("Where the new object is."))
        content = response.get("content", {}).get("application/json", {})
        ref = content.get("schema", {}).get("$ref", "")
        if method == "get" and status == "200" and "PageOut" in ref:
            headers.setdefault(
                "Link", _header('`<…?limit=…&offset=…>; rel="next"` while more items follow.')
            )
        if status.startswith("2"):
            headers.update(RATE_HEADERS)
        if not headers:
            del response["headers"]
    if method == "get":
        responses.setdefault(
            "304",
            {
                "description": "Not modified: the copy you hold is current.",
                "headers": {"ETag": _header("The current strong validator.")},
            },
        )
    if "401" in responses:
        responses["401"].setdefault("headers", {})["WWW-Authenticate"] = _header(
            '`Bearer error="invalid_token"` when a token was sent and refused.'
        )
    responses.setdefault(
        "429",
        _problem(
            "Too many requests with this token; try again after `Retry-After` seconds.",
            {"Retry-After": _header("Seconds to wait.", "integer")},
        ),
    )
    if method in ("post", "put", "patch") and "requestBody" in operation:
        responses.setdefault("400", _problem("The body is not valid JSON."))
        responses.setdefault("415", _problem("The body is not JSON."))


def _request_example(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    body = operation.get("requestBody")
    if not body:
        return
    body.setdefault("description", "The object to save.")
    for media_type, content in body.get("content", {}).items():
        if "example" in content or "examples" in content:
            continue
        if media_type.startswith("text/"):
            content["example"] = "period;value\n2024-01-01;12\n2024-02-01;14\n"
        else:
            content["example"] = example_of(content.get("schema", {}), schemas)


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The finishing touches, applied once to the generated document."""
    schemas = document.get("components", {}).get("schemas", {})
    describe_schemas(schemas)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if "description" not in operation:
                summary = operation.get("summary", operation["operationId"])
                operation["description"] = f"{summary} (`{method.upper()} {path}`)."
            _parameters(path, method, operation)
            _responses(method, operation)
            _request_example(operation, schemas)
    return document
