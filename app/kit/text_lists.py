"""Plain-text descriptions with their lists kept: lines starting with "- ", "* ", "• " become
a bulleted list, lines starting with "1. " or "1) " a numbered list, and the other lines
paragraphs (a blank line between paragraphs; lines next to each other are one paragraph).

Pure and safe: the input is never trusted as HTML. `text_blocks` returns the structure and
`blocks_html` escapes every character of the text it puts into the elements it builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Literal

_BULLET = re.compile(r"^\s*[-*•–]\s+(?P<text>\S.*)$")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+(?P<text>\S.*)$")

Kind = Literal["p", "ul", "ol"]


@dataclass(frozen=True)
class Block:
    """A paragraph (one item: its text) or a list (its items)."""

    kind: Kind
    items: tuple[str, ...]


def _line_kind(line: str) -> tuple[Kind | None, str]:
    """What a line is and its text without the bullet or number; None for a blank line."""
    if not line.strip():
        return None, ""
    for kind, pattern in (("ul", _BULLET), ("ol", _NUMBER)):
        match = pattern.match(line)
        if match:
            return kind, " ".join(match["text"].split())  # type: ignore[return-value]
    return "p", " ".join(line.split())


def text_blocks(text: str) -> list[Block]:
    """The paragraphs and lists of a plain-text description, in order."""
    blocks: list[Block] = []
    kind: Kind | None = None
    items: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line_kind, line_text = _line_kind(line)
        if line_kind == kind and kind is not None:
            if kind == "p":
                items[0] = f"{items[0]} {line_text}"
            else:
                items.append(line_text)
            continue
        if kind is not None:
            blocks.append(Block(kind, tuple(items)))
        kind, items = line_kind, ([line_text] if line_kind is not None else [])
    if kind is not None:
        blocks.append(Block(kind, tuple(items)))
    return blocks


def blocks_html(text: str, *, css_class: str = "") -> str:
    """The description as HTML: `<p>`, `<ul>` and `<ol>` with every text escaped."""
    attr = f' class="{escape(css_class)}"' if css_class else ""
    parts = []
    for block in text_blocks(text):
        if block.kind == "p":
            parts.append(f"<p{attr}>{escape(block.items[0])}</p>")
        else:
            items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
            parts.append(f"<{block.kind}{attr}>{items}</{block.kind}>")
    return "".join(parts)
