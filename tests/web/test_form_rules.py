"""Where the web's form rules live: the version a form was filled in at is read in one place,
and page routes leave refusals to the services and the workspace dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.web.forms import Form, form_version

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

ROUTERS = Path(__file__).resolve().parents[2] / "app" / "routers" / "web"


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        ("7", 7),
        ("0", 0),
        ("", -1),
        ("abc", -1),
        ("-3", -1),
        (" 7", -1),
        ("²", -1),  # a digit to str.isdigit, not to int()
        ("1234567890", -1),  # beyond any version a database holds
        ("123456789", 123456789),
    ],
)
def test_a_forms_version_is_a_plain_number_or_none(posted: str, expected: int) -> None:
    assert form_version(Form({"version": posted})) == expected


def test_a_version_is_read_from_the_field_named() -> None:
    form = Form({"version": "2", "data_version": "5"})
    assert (form_version(form), form_version(form, "data_version")) == (2, 5)
    assert form_version(Form({})) == -1


def _raised_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def test_page_routes_raise_no_refusal_of_their_own() -> None:
    offenders = {
        path.name: sorted(_raised_names(path) & {"Forbidden", "Invalid"})
        for path in sorted(ROUTERS.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def _versions_parsed_by_hand(path: Path) -> list[int]:
    """Lines where a page module turns a form's version field into a number itself."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id != "int" or not node.args:
            continue
        constants = [
            n.value
            for n in ast.walk(node.args[0])
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        if any("version" in value for value in constants):
            lines.append(node.lineno)
    return lines


def test_page_routes_read_a_forms_version_only_with_form_version() -> None:
    offenders = {path.name: _versions_parsed_by_hand(path) for path in sorted(ROUTERS.glob("*.py"))}
    assert {name: lines for name, lines in offenders.items() if lines} == {}
