"""E-mail rendered from templates: `templates/mail/<name>.<language>.txt` holds the subject
(block `subject`) and the plain-text part (block `body`); `<name>.<language>.html` the HTML
part. One file per language keeps a message readable as a whole for whoever translates it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
LANGUAGES = ("nb", "nn", "en")

_text = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # noqa: S701 - the plain-text part is not HTML
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_html = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _block(env: Environment, template_name: str, block: str, context: dict[str, Any]) -> str:
    template = env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def render_mail(name: str, language: str, context: dict[str, Any]) -> RenderedMail:
    """The message `name` in `language` (bokmål for a language it has no templates in)."""
    if language not in LANGUAGES or not (TEMPLATES / f"{name}.{language}.txt").is_file():
        language = "nb"
    subject = _block(_text, f"{name}.{language}.txt", "subject", context)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=_block(_text, f"{name}.{language}.txt", "body", context).strip() + "\n",
        html=_html.get_template(f"{name}.{language}.html").render(context),
    )
