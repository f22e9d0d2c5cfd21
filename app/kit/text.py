"""The safe subset of Markdown used for public descriptions.

Allowed: paragraphs, line breaks, bulleted and numbered lists, links (http, https, mailto,
tel) and emphasis. Everything else is stripped from the source when it is saved, and the
rendered HTML is sanitised again with an allow-list, so stored text can never carry markup.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_SCRIPT_LIKE = re.compile(r"<(script|style|iframe|object|embed)\b.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-{2,})[ \t]*$", re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}(>[ \t]?)+", re.M)
_RULE = re.compile(r"^[ \t]{0,3}([*_-][ \t]*){3,}$", re.M)
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~).*$", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))*)(?:\s+[^()]*)?\)")
_INDENTED_CODE = re.compile(r"^(    |\t)(?=\S)", re.M)


def _keep_safe_link(match: re.Match[str]) -> str:
    text, url = match.group(1), match.group(2)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in _URL_SCHEMES:
        return match.group(0)
    return text


#: Controls, surrogates, private-use and unassigned code points, and the invisible format
#: characters (category Cf): the bidirectional embeddings, overrides, isolates and marks
#: (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) that make text read differently
#: from what it says, zero-width spaces, soft hyphens, tag characters and the rest.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
#: Format characters that writing needs: the zero-width joiner and non-joiner shape
#: emoji sequences and several scripts' letters.
_KEPT_FORMAT = frozenset({"\u200c", "\u200d"})
#: Unicode's own line and paragraph separators are read as line breaks.
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def strip_control_characters(value: str) -> str:
    """Remove control and other invisible format characters (see `_REMOVED_CATEGORIES`),
    keeping newlines, tabs and the joiners."""
    value = value.replace("\r\n", "\n").translate(_LINE_BREAKS)
    if value.replace("\n", " ").replace("\t", " ").isprintable():
        return value  # no control, format, surrogate, private or unassigned one: checked in C
    return "".join(
        ch
        for ch in value
        if ch in "\n\t" or ch in _KEPT_FORMAT or unicodedata.category(ch) not in _REMOVED_CATEGORIES
    )


def clean_markdown(source: str) -> str:
    """Reduce Markdown source to the allowed subset (done on save)."""
    text = strip_control_characters(source)
    text = _SCRIPT_LIKE.sub("", text)
    text = _TAG.sub("", text)
    text = _FENCE.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(_keep_safe_link, text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _RULE.sub("", text)
    text = _SETEXT.sub("", text)
    text = _INDENTED_CODE.sub("", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True})
    md.enable(["emphasis", "list", "link", "newline", "escape"])
    return md


@lru_cache(maxsize=4096)
def render_markdown(source: str) -> str:
    """Render stored Markdown to sanitised HTML."""
    if not source:
        return ""
    html = _renderer().render(source)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def clean_text(value: str) -> str:
    """Plain one- or multi-line text (titles, names, contacts, comments): no control or
    invisible format characters, trimmed."""
    return strip_control_characters(value).strip()
