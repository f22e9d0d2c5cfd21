"""A worker starts without the libraries only some requests need (docs/performance.md,
memory): Authlib and its JOSE and HTTP libraries (a sign-in through a provider), openpyxl
(an XLSX file) and Alembic (the readiness check and the command line); and the API's
OpenAPI document is built only for whoever asks for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

ROOT = Path(__file__).resolve().parents[1]
LOADED_ON_DEMAND = ("authlib", "joserfc", "requests", "cryptography", "openpyxl", "alembic")

PROBE = """
import sys
from app.main import create_app
create_app()
print(",".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def _last_line(probe: str) -> str:
    """What `probe` printed last, run in a fresh Python process."""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    return result.stdout.strip().splitlines()[-1]


def test_starting_the_app_loads_no_library_that_waits_for_its_request() -> None:
    loaded = set(_last_line(PROBE).split(","))
    assert "fastapi" in loaded  # the probe saw the app's imports
    assert loaded.isdisjoint(LOADED_ON_DEMAND), loaded & set(LOADED_ON_DEMAND)


API_PROBE = """
import os
os.environ["DATABASE_URL"] = "sqlite://"
from fastapi.testclient import TestClient
from app import main
app = main.create_app()
with TestClient(app) as client:
    allowed = client.request("DELETE", "/api/v1/phases").headers.get("allow")
print(allowed, main.openapi_document.cache_info().currsize)
"""


def test_answering_the_api_does_not_build_its_openapi_document() -> None:
    """The document (about 10 MB of a worker's memory) is built for whoever asks for it; the
    API's Allow headers are read from the routes."""
    allowed, built = _last_line(API_PROBE).rsplit(" ", 1)
    assert allowed == "GET, HEAD, OPTIONS"
    assert built == "0"
