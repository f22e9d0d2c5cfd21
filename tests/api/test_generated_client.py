"""A client generated with openapi-python-client from the live document, with no warnings,
runs a short sync program (tests/api/client_scenario.py) against a real server."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models.base import Scope
from app.services import api_clients
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.browser.conftest import _free_port
from tests.conftest import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
CLIENT_VENV = Path(os.environ.get("CLIENT_VENV", ROOT / ".venv-client"))
GENERATOR = CLIENT_VENV / "bin" / "openapi-python-client"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, dict[str, str]]]:
    url = fresh_database_url("client")
    database = Database(url)
    with database.session(write=True) as session:
        seed(session, demo=True)
    with database.session(write=True) as session:
        tokens = {
            "reader": api_clients.create_token(
                session, SYSTEM, name="sync reader", scope=Scope.read, regions=["troms"]
            ).token,
            "writer": api_clients.create_token(
                session, SYSTEM, name="sync writer", scope=Scope.write, municipalities=["5501"]
            ).token,
        }
    database.dispose()
    port = _free_port()
    settings = Settings(environment="test", database_url=url, log_level="WARNING", demo=True)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="client-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tokens
    server.should_exit = True
    thread.join(timeout=15)


def test_a_generated_client_syncs(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    assert GENERATOR.exists(), f"{GENERATOR} is missing: run make install-dev"
    base_url, tokens = server
    spec = tmp_path / "openapi.json"
    spec.write_bytes(httpx.get(f"{base_url}/api/v1/openapi.json").content)
    package = tmp_path / "demensforlop_api_client"
    env = {**os.environ, "PATH": f"{CLIENT_VENV / 'bin'}:{os.environ['PATH']}"}
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(package),
            "--meta",
            "none",
            "--config",
            str(ROOT / "tools" / "openapi-client.yaml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warning" not in output.lower(), output
    assert "Cannot parse" not in output, output
    assert "Unsupported" not in output, output

    ran = subprocess.run(
        [
            str(CLIENT_VENV / "bin" / "python"),
            str(Path(__file__).with_name("client_scenario.py")),
            base_url,
            tokens["reader"],
            tokens["writer"],
            "5501",
        ],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(tmp_path)},
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "scenario passed" in ran.stdout
