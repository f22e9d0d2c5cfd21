"""Plain-text descriptions keep their lists as lists, and nothing in them is taken as HTML."""

from __future__ import annotations

import pytest

from app.kit.text_lists import Block, blocks_html, text_blocks

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def test_bullets_and_numbers_become_lists_between_paragraphs() -> None:
    text = (
        "Fastlegen gjør en basal utredning.\n"
        "Ved behov:\n"
        "- henvisning til geriatrisk poliklinikk\n"
        "• samtale med hukommelsesteamet\n"
        "* hjemmebesøk\n"
        "\n"
        "1. Ring fastlegen\n"
        "2) Avtal time\n"
        "Etterpå får du svar."
    )
    assert text_blocks(text) == [
        Block("p", ("Fastlegen gjør en basal utredning. Ved behov:",)),
        Block(
            "ul",
            (
                "henvisning til geriatrisk poliklinikk",
                "samtale med hukommelsesteamet",
                "hjemmebesøk",
            ),
        ),
        Block("ol", ("Ring fastlegen", "Avtal time")),
        Block("p", ("Etterpå får du svar.",)),
    ]


def test_blank_lines_separate_paragraphs_and_nothing_is_cut() -> None:
    long = "Ord " * 200
    blocks = text_blocks(f"{long}\n\nAndre avsnitt\r\n\r\n")
    assert blocks == [Block("p", (long.strip(),)), Block("p", ("Andre avsnitt",))]
    assert "…" not in blocks_html(long)
    assert text_blocks("") == []
    assert text_blocks(" \n\n ") == []


def test_a_hyphen_inside_a_line_or_without_a_space_is_text() -> None:
    assert text_blocks("Dag- og aktivitetstilbud\n-ikke en liste") == [
        Block("p", ("Dag- og aktivitetstilbud -ikke en liste",))
    ]


def test_html_in_the_text_is_escaped_never_markup() -> None:
    html = blocks_html('<script>alert(1)</script>\n- <b onclick="x">fet</b> & "sitat"')
    assert html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
        "<ul><li>&lt;b onclick=&quot;x&quot;&gt;fet&lt;/b&gt; &amp; &quot;sitat&quot;</li></ul>"
    )
    assert "<script" not in html
    assert "<b " not in html


def test_the_class_goes_on_every_block() -> None:
    assert (
        blocks_html("a\n\n- b", css_class="x") == '<p class="x">a</p><ul class="x"><li>b</li></ul>'
    )
