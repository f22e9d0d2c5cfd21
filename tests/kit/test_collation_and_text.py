"""Pure helpers: Norwegian sort order and the safe Markdown subset."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.kit.collation import norwegian_key
from app.kit.text import clean_markdown, render_markdown

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def test_norwegian_order() -> None:
    names = ["Åfjord", "Ørland", "Ærlig", "Zeta", "Gáivuotna - Kåfjord", "Alta", "Bø"]
    assert sorted(names, key=norwegian_key) == [
        "Alta",
        "Bø",
        "Gáivuotna - Kåfjord",
        "Zeta",
        "Ærlig",
        "Ørland",
        "Åfjord",
    ]


def test_markdown_keeps_the_allowed_subset() -> None:
    source = "Første avsnitt med **fet** og *kursiv*.\n\n- punkt\n- [NAV](https://nav.no)\n\n1. en"
    html = render_markdown(clean_markdown(source))
    assert "<strong>fet</strong>" in html
    assert "<em>kursiv</em>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert '<a href="https://nav.no" rel="noopener noreferrer">NAV</a>' in html


def test_markdown_strips_everything_else() -> None:
    source = (
        "## Tittel\n> sitat\n<b>fet</b> <img src=x onerror=alert(1)>\n![bilde](https://x/y.png)"
        "\n```\nkode\n```\n[farlig](javascript:alert(1)) [data](data:text/html,hi)"
    )
    cleaned = clean_markdown(source)
    for forbidden in ("##", ">", "<b>", "<img", "![", "```", "javascript:", "data:"):
        assert forbidden not in cleaned, forbidden
    assert "Tittel" in cleaned
    assert "sitat" in cleaned
    assert "bilde" in cleaned


ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a"}
HOSTILE = st.lists(
    st.sampled_from([*"<>\"'=/ :()[]!#*-_\n", "script", "img", "javascript", "on", "href"]),
    max_size=60,
).map("".join)


@given(st.one_of(st.text(max_size=400), HOSTILE))
@example('href=""')  # text, not a link: once taken for one by this test
@example('<a href="javascript:alert(1)">x</a>')
def test_rendered_html_holds_only_allowed_tags_and_safe_links(text: str) -> None:
    html = render_markdown(clean_markdown(text))
    for tag in re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html):
        assert tag.lower() in ALLOWED_TAGS, html
    # The attributes as a browser reads them (text that merely looks like one, such as a
    # paragraph reading `href=""`, is no attribute).
    for name, value in _attributes(html):
        assert not name.startswith("on"), html
        if name == "href":
            assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto", "tel"}, (
                html
            )
    assert " on" not in re.sub(r">[^<]*<", "><", html).lower(), html


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(attrs)


def _attributes(html: str) -> list[tuple[str, str | None]]:
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found
