"""Helpers for tests of HTML pages: signing a test client in, posting forms the way a
browser (or HTMX) does, and reading the returned HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from app.services.access import Principal

HTMX = {"HX-Request": "true"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Elements by tag and attributes; `class_` matches one class among several."""
        found = []
        for node in self.walk():
            if tag is not None and node.tag != tag:
                continue
            if all(_matches(node, name, value) for name, value in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        matches = self.find_all(tag, **attrs)
        return matches[0] if matches else None

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        matches = self.find_all(tag, **attrs)
        assert len(matches) == 1, f"expected one <{tag} {attrs}>, found {len(matches)}"
        return matches[0]

    def by_id(self, element_id: str) -> Node:
        return self.one(id=element_id)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def field_value(self, name: str) -> str | None:
        """What a form field named `name` holds (input value, textarea text, chosen option)."""
        for node in self.walk():
            if node.get("name") != name:
                continue
            if node.tag == "textarea":
                return "".join(c for c in node.children if isinstance(c, str))
            if node.tag == "select":
                chosen = [o for o in node.find_all("option") if "selected" in o.attrs]
                return chosen[0].get("value") if chosen else None
            if node.get("type") in ("checkbox", "radio"):
                if "checked" in node.attrs:
                    return node.get("value")
                continue
            return node.get("value", "")
        return None


def _matches(node: Node, name: str, value: str) -> bool:
    if name == "class_":
        return value in (node.get("class") or "").split()
    actual = node.get(name.replace("_", "-"))
    return actual == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response: Response) -> Node:
    return parse(response.text)


def field_error(document: Node, field_id: str) -> str | None:
    """The error shown beside a field, checked the way assistive technology finds it: the
    field is marked invalid and points (aria-describedby) at the message."""
    control = document.by_id(field_id)
    described = (control.get("aria-describedby") or "").split()
    if f"{field_id}-error" not in described:
        return None
    assert control.get("aria-invalid") == "true" or control.tag == "fieldset"
    return document.by_id(f"{field_id}-error").text().removeprefix("Feil:").strip()


@dataclass
class SignedInClient:
    """A test client with a browser session; forms carry the session's CSRF token."""

    client: TestClient
    csrf: str
    principal: Principal
    email: str

    def get(self, url: str, *, htmx: bool = False, **kwargs: Any) -> Response:
        headers = {**(HTMX if htmx else {}), **kwargs.pop("headers", {})}
        response: Response = self.client.get(url, headers=headers, follow_redirects=False, **kwargs)
        return response

    def post(
        self,
        url: str,
        data: Mapping[str, Any] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        headers = {**(HTMX if htmx else {}), **kwargs.pop("headers", {})}
        response: Response = self.client.post(
            url, data=form, headers=headers, follow_redirects=False, **kwargs
        )
        return response

    def form_values(self, url: str, form_id: str | None = None) -> dict[str, Any]:
        """The fields of the first form on a page (or the one inside `form_id`) as a
        browser would submit them unchanged."""
        document = page(self.get(url))
        scope = document.by_id(form_id) if form_id else document
        form = scope.find("form", method="post")
        assert form is not None
        return form_fields(form)


def form_fields(form: Node) -> dict[str, Any]:
    values: dict[str, Any] = {}

    def add(name: str, value: str) -> None:
        if name in values:
            existing = values[name]
            values[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            values[name] = value

    for node in form.walk():
        name = node.get("name")
        if not name or node.tag == "button":
            continue
        if node.tag == "input" and node.get("type") in ("checkbox", "radio"):
            if "checked" in node.attrs:
                add(name, node.get("value") or "on")
        elif node.tag in ("input", "textarea", "select"):
            value = form.field_value(name) if node.tag != "input" else node.get("value", "")
            add(name, value or "")
    return values


def sign_in(client: TestClient, email: str, password: str) -> str:
    """Signs in through the sign-in form; returns the session's CSRF token."""
    form = page(client.get("/logg-inn")).one("form", action="/logg-inn")
    data = {**form_fields(form), "email": email, "password": password, "next": "/app"}
    response = client.post("/logg-inn", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    document = page(client.get("/app/passord"))
    token = document.find("input", name="csrf_token")
    assert token is not None
    return token.get("value") or ""


def overview_figures(document: Node) -> dict[str, dict[str, str]]:
    """The per-municipality table, by municipality number and the column's data-field; a
    cell's data-value where the text is words or a date, else its text."""
    table = document.by_id("figures")
    fields = [th.get("data-field") or "" for th in table.one("thead").find_all("th")][1:]
    return {
        row.get("data-municipality") or "": {
            field: cell.get("data-value") or cell.text().split(" ")[0]
            for field, cell in zip(fields, row.find_all("td"), strict=True)
        }
        for row in table.one("tbody").find_all("tr")
    }
