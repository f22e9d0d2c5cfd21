"""The Jinja2 environment of the web app: gettext in the language of each request, Babel
formatting, versioned static URLs. One template per page; its blocks are the HTMX
fragments (jinja2-fragments)."""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from jinja2_fragments import render_block as render_fragment
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app.kit.text_lists import blocks_html
from app.web import labels
from app.web.i18n import (
    LANGUAGE_NAMES,
    format_date,
    format_datetime,
    format_number,
    translations,
)

APP_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = APP_DIR / "templates"
STATIC_DIR = APP_DIR / "static"


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(context["lang"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context["lang"]).ngettext(singular, plural, n)


@pass_context
def _date(context: Context, value: date | datetime | None, style: str = "long") -> str:
    return format_date(value, context["lang"], style)


@pass_context
def _datetime(context: Context, value: datetime | None) -> str:
    return format_datetime(value, context["lang"])


@pass_context
def _number(context: Context, value: float | int | None) -> str:
    return format_number(value, context["lang"])


@lru_cache(maxsize=128)
def _static_digest(path: str) -> str:
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR) or not file.is_file():
        raise FileNotFoundError(f"no static file {path!r}")
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """/static/<path>?v=<content hash>: browsers may cache it for long, and a new version of
    the file gets a new URL."""
    return f"/static/{path}?v={_static_digest(path)}"


def create_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html", "svg", "xml")),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file's mtime on every render costs a tenth of a page's
        # time; templates only change with a deploy, which restarts the processes. In
        # development an edited template shows on the next request.
        auto_reload=os.environ.get("ENVIRONMENT", "development").lower() == "development",
    )
    # Added to the environment by the i18n extension at run time; Jinja2's stubs do not know it.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime
    env.filters["number"] = _number
    env.filters["text_blocks"] = _text_blocks
    env.globals["static_url"] = static_url
    env.globals["labels"] = labels
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    return env


def _text_blocks(text: str, css_class: str = "") -> Markup:
    """A plain-text description with its lists as lists (`kit.text_lists`, which escapes)."""
    return Markup(blocks_html(text, css_class=css_class))  # noqa: S704  # every text escaped


templates = Jinja2Blocks(env=create_environment())


def render_block(template: str, block: str, context: dict[str, Any]) -> str:
    """One block of a page as a string, e.g. for an out-of-band fragment."""
    return render_fragment(templates.env, template, block, context)
