"""What every page shares: security headers and a CSP without 'unsafe-inline' (so no inline
script, style or event handler anywhere), landmarks and a skip link, HTMX configured not to
inject styles, a print stylesheet, friendly error pages."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.web.core import unmask_csrf
from tests import factories
from tests.webtools import SignedInClient, page


def _pages(session: Session) -> list[str]:
    area_id = factories.area(session, "5501", "Område")
    measure_id = factories.measure(session, area_id, "Tiltak")
    factories.fill_section(session, "5501", "assessment")
    return [
        "/app",
        "/app/passord",
        "/app/kommuner/5501/forlop",
        "/app/kommuner/5501/forlop/assessment",
        "/app/kommuner/5501/sjekkliste",
        "/app/kommuner/5501/styrker",
        "/app/kommuner/5501/forbedringsomrader",
        f"/app/forbedringsomrader/{area_id}",
        f"/app/tiltak/{measure_id}",
        "/app/kommuner/5501/framdriftsplan",
        "/app/kommuner/5540/forlop",  # the forbidden page
        "/app/finnes-ikke",  # the not-found page
    ]


def test_no_page_needs_unsafe_inline(
    coordinator: SignedInClient, anonymous: TestClient, session: Session
) -> None:
    responses = [anonymous.get("/logg-inn")] + [coordinator.get(p) for p in _pages(session)]
    for response in responses:
        where = response.request.url.path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in csp
        assert response.headers["cache-control"] == "no-store"
        document = page(response)
        for node in document.walk():
            assert "style" not in node.attrs, (where, node.tag)
            assert not [a for a in node.attrs if a.startswith("on")], (where, node.tag)
            assert not [a for a in node.attrs if a.startswith(("hx-on", "hx-vars"))], where
            if node.tag == "script":
                assert node.get("src"), (where, "inline script")
                assert not node.text(), where
            assert node.tag != "style", where
        config = json.loads(document.one("meta", name="htmx-config").get("content") or "{}")
        assert config["includeIndicatorStyles"] is False
        assert config["allowEval"] is False


def test_every_page_has_landmarks_a_skip_link_and_a_print_stylesheet(
    coordinator: SignedInClient, session: Session
) -> None:
    for path in _pages(session)[:-2]:
        document = page(coordinator.get(path))
        body = document.one("body")
        first_link = body.find("a")
        assert first_link is not None
        assert (first_link.get("href"), first_link.text()) == ("#main", "Hopp til hovedinnholdet")
        assert document.one("main").get("id") == "main"
        assert document.find("header") is not None
        assert document.find("footer") is not None
        assert len(document.find_all("h1")) == 1, path
        assert document.find("link", media="print") is not None
        headers = json.loads(body.get("hx-headers") or "{}")
        assert list(headers) == ["X-CSRF-Token"]
        # Masked afresh on every page, the same session secret underneath.
        assert headers["X-CSRF-Token"] != coordinator.csrf
        assert unmask_csrf(headers["X-CSRF-Token"]) == unmask_csrf(coordinator.csrf)
        for link in document.find_all("link") + document.find_all("script"):
            url = link.get("href") or link.get("src") or ""
            assert re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", url), url
            assert coordinator.get(url.split("?")[0]).status_code == 200


def test_error_pages_are_friendly_pages(coordinator: SignedInClient, anonymous: TestClient) -> None:
    missing = coordinator.get("/app/finnes-ikke")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert page(missing).one("h1").text() == "Fant ikke siden"
    assert page(missing).find("form", action="/logg-ut") is not None  # still signed in
    english = coordinator.get("/app/kommuner/5540/forlop?lang=en")
    assert page(english).one("h1").text() == "No access"
    bad_id = coordinator.get("/app/tiltak/999999")
    assert bad_id.status_code == 404
    assert page(bad_id).find(class_="error-page") is not None
    # The JSON API keeps answering problem+json, never an HTML page.
    api = anonymous.get("/api/v1/municipalities/5501/pathway")
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"
