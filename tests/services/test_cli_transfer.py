"""`demensforlop export` and `demensforlop import`: the command line moves a municipality
with the same rules as the API — the version it was exported at, or an explicit --force."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import Database
from app.models.pathway import StrengthCreate
from app.services import strengths
from app.services.access import SYSTEM
from app.services.seed import seed
from tests.conftest import fresh_database_url


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = fresh_database_url("cli_transfer")
    with Database(url).session(write=True) as session:
        seed(session)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _strength(url: str, text: str) -> None:
    database = Database(url)
    with database.session(write=True) as session:
        strengths.create_strength(session, SYSTEM, "5501", StrengthCreate(text=text))
    database.dispose()


def test_export_and_import_on_the_command_line(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    _strength(database, "Godt samarbeid")
    file = tmp_path / "5501.json"
    exported = runner.invoke(cli, ["export", "5501", "-o", str(file)])
    assert exported.exit_code == 0, exported.output
    version = int(exported.stderr.split("version ")[1].split()[0])
    document = json.loads(file.read_text(encoding="utf-8"))
    document["strengths"].append({"text": "Ny styrke", "phase": None})
    file.write_text(json.dumps(document), encoding="utf-8")

    refused = runner.invoke(cli, ["import", str(file)])
    assert refused.exit_code == 2
    assert "--if-match" in refused.stderr

    dry = runner.invoke(cli, ["import", str(file), "--if-match", str(version), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["changes"]["strengths"]["created"] == [
        {"id": None, "path": "strengths.1"}
    ]

    _strength(database, "Kollegaens styrke")
    stale = runner.invoke(cli, ["import", str(file), "--if-match", str(version)])
    assert stale.exit_code == 2
    assert f"the current version is {version + 1}" in stale.stderr

    forced = runner.invoke(cli, ["import", str(file), "--force"])
    assert forced.exit_code == 0, forced.output
    result = json.loads(forced.stdout)
    assert result["version"] == version + 2
    assert len(result["changes"]["strengths"]["removed"]) == 1

    again = runner.invoke(cli, ["export", "5501"])
    texts = [s["text"] for s in json.loads(again.stdout)["strengths"]]
    assert texts == ["Godt samarbeid", "Ny styrke"]


def test_import_refuses_what_is_not_an_export(database: str, tmp_path: Path) -> None:
    file = tmp_path / "junk.json"
    file.write_text('{"format": "demensforlop.municipality", "format_version": 1}')
    answer = CliRunner().invoke(cli, ["import", str(file), "--force"])
    assert answer.exit_code == 2
    assert "not a municipality export" in answer.stderr
