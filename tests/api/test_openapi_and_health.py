"""The API documents itself, and operators can ask whether it is alive and ready."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_operation_documents_its_errors(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 40
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert "404" in codes, (method, path)
        assert "422" in codes, (method, path)
        if method in ("put", "patch", "delete"):
            assert {"412", "428", "401", "403"} <= codes, (method, path)
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (
                    method,
                    path,
                    code,
                )
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_docs_page_uses_no_inline_script(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    # The metrics are for the operators' scraper on this machine (or with METRICS_TOKEN).
    with TestClient(client.app, client=("127.0.0.1", 50000)) as scraper:
        assert "demensforlop_http_requests_total" in scraper.get("/metrics").text
    assert client.get("/metrics").status_code == 404


def test_unknown_paths_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = client.delete("/api/v1/phases")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"
    assert "x-request-id" in missing.headers


def test_malformed_json_is_a_problem(client: TestClient) -> None:
    response = client.put(
        "/api/v1/municipalities/5501/pathway/phases/assessment",
        content=b"{not json",
        headers={
            "Content-Type": "application/json",
            "If-Match": '"1"',
            "Authorization": "Bearer x",
        },
    )
    assert response.status_code in (400, 401, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_integer_path_parameters_are_bounded(client: TestClient) -> None:
    """An id too large for the database must be refused by validation, not by the driver."""
    schema = client.get("/api/v1/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                kind = parameter["schema"].get("type")
                if parameter["in"] == "path" and kind == "integer":
                    assert "maximum" in parameter["schema"], (method, path, parameter["name"])
                    assert parameter["schema"]["maximum"] <= 2_147_483_647


def test_pages_and_static_files_are_compressed_but_the_api_keeps_strong_etags(
    client: TestClient,
) -> None:
    css = client.get("/static/app.css?v=1", headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["etag"].startswith('W/"')
    assert "Accept-Encoding" in css.headers["vary"]
    unversioned = client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert unversioned.headers["cache-control"] == "public, max-age=3600"
    api = client.get("/api/v1/phases", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in api.headers
