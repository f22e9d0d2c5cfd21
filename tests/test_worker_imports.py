"""A worker starts without the libraries only some requests need (docs/performance.md,
memory): Authlib and its JOSE and HTTP libraries (a sign-in through a provider), openpyxl
(an XLSX file) and Alembic (the readiness check and the command line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOADED_ON_DEMAND = ("authlib", "joserfc", "requests", "cryptography", "openpyxl", "alembic")

PROBE = """
import sys
from app.main import create_app
create_app()
print(",".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_starting_the_app_loads_no_library_that_waits_for_its_request() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    loaded = set(result.stdout.strip().split(","))
    assert "fastapi" in loaded  # the probe saw the app's imports
    assert loaded.isdisjoint(LOADED_ON_DEMAND), loaded & set(LOADED_ON_DEMAND)
