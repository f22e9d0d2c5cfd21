"""Languages of the web app: bokmål (the source language of every UI string), nynorsk and
English, through gettext catalogues compiled in memory at start-up, and dates and numbers formatted
with Babel for Norwegian readers.

Message ids are the bokmål texts; `app/locale/{nn,en}/LC_MESSAGES/messages.po` translate them.
`make messages` extracts new strings from templates and Python (see babel.cfg).
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from app.models.base import OSLO

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")
#: The two written forms of Norwegian.
NORWEGIAN: tuple[str, ...] = ("nb", "nn")
DEFAULT_LANGUAGE = "nb"
#: What each language is called in itself, for the language switch.
LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
_BABEL_LOCALES = {
    "nb": Locale.parse("nb_NO"),
    "nn": Locale.parse("nn_NO"),
    "en": Locale.parse("en_GB"),
}


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def normalise_language(value: str | None) -> str | None:
    """'en', 'en-GB', 'nb', 'no', 'nn', 'nn-NO' … to one of LANGUAGES, or None."""
    if not value:
        return None
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    if primary == "en":
        return "en"
    if primary == "nn":
        return "nn"
    if primary in ("nb", "no"):
        return "nb"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language in an Accept-Language header, by quality."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = normalise_language(tag)
        if language and quality > 0:
            choices.append((-quality, index, language))
    return min(choices)[2] if choices else None


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of a language, compiled from its .po file in memory (no build step)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def load_all() -> None:
    """Compile every catalogue now, so a broken .po file stops the app at start-up."""
    for language in LANGUAGES:
        translations(language)


def translate(language: str, message: str, **variables: object) -> str:
    text = translations(language).gettext(message)
    return text % variables if variables else text


def babel_locale(language: str) -> Locale:
    return _BABEL_LOCALES.get(language, _BABEL_LOCALES[DEFAULT_LANGUAGE])


def format_date(value: date | None, language: str, style: str = "long") -> str:
    """12. mars 2025 (long) or 12.03.2025 (short) in Norwegian; in nynorsk with its own
    month and weekday names (Babel's nn_NO), in English with English ones."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return babel_format_date(value, style, locale=babel_locale(language))


def format_datetime(value: datetime | None, language: str) -> str:
    """A moment in Norwegian time: 12. mars 2025 14:03."""
    if value is None:
        return ""
    local = value.astimezone(OSLO)
    locale = babel_locale(language)
    return (
        f"{babel_format_date(local.date(), 'long', locale=locale)} "
        f"{babel_format_time(local.time(), 'short', locale=locale)}"
    )


def format_number(value: float | int | None, language: str) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=babel_locale(language))
