"""The import-linter contracts name every module they must: the kit's list is whole."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

ROOT = Path(__file__).resolve().parents[1]


def _top_level_modules() -> set[str]:
    app = ROOT / "app"
    modules = {f"app.{path.stem}" for path in app.glob("*.py") if path.stem != "__init__"}
    packages = {f"app.{path.name}" for path in app.iterdir() if (path / "__init__.py").is_file()}
    return modules | packages


def test_the_kit_contract_forbids_every_other_module_of_the_app() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (kit,) = [c for c in contracts if c["source_modules"] == ["app.kit"]]
    assert set(kit["forbidden_modules"]) == _top_level_modules() - {"app.kit"}
