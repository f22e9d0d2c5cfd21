"""HTML forms: what the person typed, validated by the same input models as the JSON API,
with errors in the person's language beside the fields they belong to.

Field names in the HTML follow the location of the value in the input model, joined with
`-` (`contact-email`, `offerings-2-name`), so a validation error finds its field by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.errors import FieldError
from app.kit.dates import parse_day
from app.web.i18n import N_, translate

M = TypeVar("M", bound=BaseModel)


class Form:
    """Values to show in a form (as typed, never lost) and the errors beside them."""

    def __init__(
        self, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None
    ) -> None:
        self.values: dict[str, Any] = dict(values or {})
        self.errors: dict[str, str] = dict(errors or {})

    @classmethod
    def posted(cls, data: FormData) -> Form:
        values: dict[str, Any] = {}
        for key in data:
            items = [v for v in data.getlist(key) if isinstance(v, str)]
            values[key] = items if len(items) > 1 else (items[0] if items else "")
        return cls(values)

    def value(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        if isinstance(value, list):
            return str(value[0]) if value else default
        return "" if value is None else str(value)

    def values_of(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None or value == "":
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def checked(self, name: str, value: str = "on") -> bool:
        return value in self.values_of(name)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


# ---- messages ----------------------------------------------------------------------------

# The English messages of the services and input models, and what a person reads instead.
_MESSAGES: dict[str, str] = {
    "cannot be empty": N_("Fyll ut dette feltet."),
    "required": N_("Fyll ut dette feltet."),
    "due_date cannot be before start_date": N_("Fristen kan ikke være før startdatoen."),
    "cannot be before start_date": N_("Fristen kan ikke være før startdatoen."),
    "cannot be before starts_on": N_("Sluttdatoen kan ikke være før startdatoen."),
    "cannot be before the start": N_("Sluttdatoen kan ikke være før startdatoen."),
    "no gathering with that id in this network": N_("Velg en samling i dette nettverket."),
    "an offering needs a type from the catalogue or a name": N_(
        "Velg en type fra katalogen eller skriv et navn."
    ),
    "wrong e-mail or password": N_("Feil e-postadresse eller passord."),
    "wrong password": N_("Passordet er feil."),
    "the passwords differ": N_("Passordene er ikke like."),
    "must differ from the current password": N_(
        "Det nye passordet må være forskjellig fra det gamle."
    ),
    "only a done measure can be shared": N_(
        "Bare et gjennomført tiltak kan deles. Sett status til Gjennomført først."
    ),
    "say what the measure achieved before sharing it": N_(
        "Skriv hva tiltaket førte til før det deles."
    ),
    "the improvement area already has this indicator": N_(
        "Forbedringsområdet har allerede denne målingen."
    ),
    "must list every improvement area of the municipality exactly once": N_(
        "Rekkefølgen er endret av noen andre. Last siden på nytt."
    ),
    "give the client a name (at most 200 characters)": N_("Gi nøkkelen et navn (høyst 200 tegn)."),
    "bind the token to municipalities or a region": N_(
        "Velg minst én kommune eller region nøkkelen skal virke for."
    ),
    "must be in the future": N_("Datoen må være fram i tid."),
    "wrong code": N_("Koden stemmer ikke. Skriv inn koden appen viser nå."),
    "two-step verification is already on": N_("Totrinnsbekreftelse er allerede slått på."),
}
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^unknown municipality (?P<numbers>.+)$"),
        N_("Ukjent kommunenummer: %(numbers)s."),
    ),
    (re.compile(r"^unknown region (?P<slugs>.+)$"), N_("Ukjent region: %(slugs)s.")),
    (re.compile(r"^at least (?P<n>\d+) characters$"), N_("Minst %(n)s tegn.")),
    (re.compile(r"^at most (?P<n>\d+) characters$"), N_("Høyst %(n)s tegn.")),
    (
        re.compile(r"^must be between \d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d$"),
        N_("Datoen må være mellom 1990 og 2100."),
    ),
    (re.compile(r"^unknown phase "), N_("Ukjent fase.")),
    (re.compile(r"^unknown offering type "), N_("Ukjent type tilbud.")),
    (re.compile(r"^at most (?P<n>\d+) "), N_("Høyst %(n)s.")),
    (
        re.compile(r"^value is not a valid email address"),
        N_("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."),
    ),
]
# Indicators and observations: the messages of the service and of the import's parser
# (`kit.observation_text`), whose row or line prefix `row_message` takes off.
_OBSERVATION_MESSAGES: dict[str, str] = {
    "a monthly period starts on the first day of the month": N_(
        "En månedlig periode begynner på den første dagen i måneden."
    ),
    "a quarterly period starts on 1 January, 1 April, 1 July or 1 October": N_(
        "Et kvartal begynner 1. januar, 1. april, 1. juli eller 1. oktober."
    ),
    "a weekly period starts on a Monday": N_("En uke begynner på en mandag."),
    "a proportion needs numerator and denominator": N_("En andel trenger både teller og nevner."),
    "a proportion needs a numerator and a denominator": N_(
        "En andel trenger både teller og nevner."
    ),
    "numerator and denominator go together": N_("Fyll ut både teller og nevner."),
    "a count is a whole number, 0 or more": N_("Et antall er et helt tall, 0 eller mer."),
    "numerator cannot be greater than denominator": N_(
        "Telleren kan ikke være større enn nevneren."
    ),
    "denominator must be greater than 0": N_("Nevneren må være større enn 0."),
    "an observation needs a value, or a numerator and a denominator": N_("Fyll ut tallet."),
    "give either value or numerator and denominator, not both": N_(
        "Oppgi enten ett tall eller teller og nevner, ikke begge."
    ),
    "the period is missing": N_("Perioden mangler."),
    "the value is missing": N_("Tallet mangler."),
    "no observations found: paste or send rows of period, value": N_(
        "Fant ingen tall. Lim inn rader med periode og tall."
    ),
    "cannot change while the indicator has observations": N_(
        "Kan ikke endres så lenge målingen har registrerte tall."
    ),
}
_OBSERVATION_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^unknown municipality (?P<numbers>.+)$"),
        N_("Ukjent kommunenummer: %(numbers)s."),
    ),
    (re.compile(r"^unknown region (?P<slugs>.+)$"), N_("Ukjent region: %(slugs)s.")),
    (
        re.compile(r"^an? \w+ indicator takes a value, not numerator and denominator$"),
        N_("Denne målingen tar ett tall, ikke teller og nevner."),
    ),
    (
        re.compile(r"^period (?P<period>\S+) is also in (?:line|row) (?P<line>\d+)$"),
        N_("Perioden %(period)s står også på linje %(line)s."),
    ),
    (
        re.compile(r"^'(?P<cell>.*)' is not a (?:date|period) \("),
        N_(
            "«%(cell)s» er ikke en periode. Skriv for eksempel 2024-01, januar 2024 "
            "eller 01.01.2024."
        ),
    ),
    (
        re.compile(r"^'(?P<cell>.*)': (?P<year>\d+) has no week (?P<week>\d+)$"),
        N_("«%(cell)s»: %(year)s har ingen uke %(week)s."),
    ),
    (
        re.compile(r"^the value '(?P<cell>.*)' is not a number$"),
        N_("«%(cell)s» er ikke et tall."),
    ),
    (
        re.compile(r"^the numerator '(?P<cell>.*)' is not a (?:whole )?number$"),
        N_("Telleren «%(cell)s» er ikke et helt tall."),
    ),
    (
        re.compile(r"^the denominator '(?P<cell>.*)' is not a (?:whole )?number$"),
        N_("Nevneren «%(cell)s» er ikke et helt tall."),
    ),
    (
        re.compile(r"^the header names the column \w+ twice$"),
        N_("Overskriftsraden har samme kolonne to ganger."),
    ),
    (
        re.compile(r"^an? \w+ indicator (?:needs|takes) the columns "),
        N_(
            "Overskriftsraden passer ikke til denne målingen. Bruk kolonnene periode og tall, "
            "eller for en andel periode, teller og nevner."
        ),
    ),
    (
        re.compile(r"^more cells than the (?P<n>\d+) columns .*: '(?P<cell>.*)' has no column$"),
        N_(
            "Raden har flere celler enn de %(n)s kolonnene: «%(cell)s» hører ikke til noen kolonne."
        ),
    ),
    (
        re.compile(r"^'(?P<cell>.*)' names an? \w+, but this indicator is measured per \w+$"),
        N_("«%(cell)s» passer ikke med hvor ofte denne målingen registreres."),
    ),
    (
        re.compile(r"^the text cannot be read as rows"),
        N_("Teksten kan ikke leses som rader. Sjekk at alle anførselstegn er lukket."),
    ),
    (
        re.compile(r"^at most (?P<n>\d+) rows can be imported at once$"),
        N_("Høyst %(n)s rader kan lagres om gangen."),
    ),
    (
        re.compile(r"^at most (?P<n>\d+) indicators per area$"),
        N_("Et forbedringsområde kan ha høyst %(n)s målinger."),
    ),
    (
        re.compile(r"^(?:numerator|denominator): Input should be greater than or equal to 0$"),
        N_("Tallet kan ikke være negativt."),
    ),
    (re.compile(r"^\w+: Input should be less than or equal to"), N_("Tallet er for stort.")),
    (re.compile(r"^\w+: Input should be greater than or equal to"), N_("Tallet er for lite.")),
    (
        re.compile(r"^comment: String should have at most (?P<n>\d+) characters$"),
        N_("Kommentaren kan ha høyst %(n)s tegn."),
    ),
]
_ROW_PREFIX = re.compile(r"^(?:row|line) \d+(?: \([^)]*\))?: ")

_BY_TYPE: dict[str, str] = {
    "missing": N_("Fyll ut dette feltet."),
    "string_pattern_mismatch": N_("Bare sifre, mellomrom og tegnene + ( ) . - er tillatt."),
    "date_parsing": N_("Skriv en gyldig dato, for eksempel 31.12.2025."),
    "date_from_datetime_parsing": N_("Skriv en gyldig dato, for eksempel 31.12.2025."),
    "date_from_datetime_inexact": N_("Skriv en gyldig dato, for eksempel 31.12.2025."),
    "date_type": N_("Skriv en gyldig dato, for eksempel 31.12.2025."),
    "enum": N_("Velg et av alternativene."),
    "literal_error": N_("Velg et av alternativene."),
    "bool_parsing": N_("Velg et av alternativene."),
    "int_parsing": N_("Skriv et helt tall."),
    "int_from_float": N_("Skriv et helt tall."),
    "float_parsing": N_("Skriv et tall, for eksempel 12 eller 12,5."),
    "float_type": N_("Skriv et tall, for eksempel 12 eller 12,5."),
    "finite_number": N_("Skriv et tall, for eksempel 12 eller 12,5."),
    "extra_forbidden": N_("Ukjent felt."),
}
_FALLBACK = N_("Ugyldig verdi.")


def translate_message(message: str, lang: str) -> str:
    """A service's English field message in the person's language."""
    if message in _MESSAGES:
        return translate(lang, _MESSAGES[message])
    if message in _OBSERVATION_MESSAGES:
        return translate(lang, _OBSERVATION_MESSAGES[message])
    for pattern, msgid in (*_OBSERVATION_PATTERNS, *_PATTERNS):
        match = pattern.match(message)
        if match:
            return translate(lang, msgid, **match.groupdict())
    return message if lang == "en" else translate(lang, _FALLBACK)


def row_message(message: str, lang: str) -> str:
    """A message about one observation row or imported line ("line 3 (2024-01-15): …")
    without its prefix, in the person's language (parts joined by "; " each translated)."""
    parts = _ROW_PREFIX.sub("", message).split("; ")
    return " ".join(translate_message(part, lang) for part in parts)


def _pydantic_message(error: Mapping[str, Any], lang: str) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return translate(lang, N_("Tallet kan ikke være negativt."))
        return translate(lang, N_("Tallet er for lite."))
    if kind == "less_than_equal":
        return translate(lang, N_("Tallet er for stort."))
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return translate(lang, N_("Fyll ut dette feltet."))
        return translate(lang, N_("Minst %(n)s tegn."), n=ctx.get("min_length"))
    if kind == "string_too_long":
        return translate(lang, N_("Høyst %(n)s tegn."), n=ctx.get("max_length"))
    if kind == "too_long":
        return translate(lang, N_("Høyst %(n)s."), n=ctx.get("max_length"))
    if kind == "value_error":
        message = str(error.get("msg", ""))
        return translate_message(message.removeprefix("Value error, "), lang)
    if kind in _BY_TYPE:
        return translate(lang, _BY_TYPE[kind])
    return translate(lang, _FALLBACK)


def field_name(location: Iterable[Any]) -> str:
    parts = [str(p) for p in location if not str(p).startswith("function-")]
    return "-".join(parts)


def validate(
    model: type[M],
    data: Mapping[str, Any],
    lang: str,
    *,
    rename: Mapping[str, str] | None = None,
) -> tuple[M | None, dict[str, str]]:
    """The input model, or the errors by HTML field name (first error per field).
    `rename` moves errors to the field the person should look at (model-level errors
    have no field of their own)."""
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = field_name(error.get("loc", ()))
            name = (rename or {}).get(name, name)
            errors.setdefault(name, _pydantic_message(error, lang))
        return None, errors


def service_errors(
    errors: Iterable[FieldError], lang: str, rename: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A service's `Invalid` errors by HTML field name."""
    result: dict[str, str] = {}
    for error in errors:
        name = error.field.replace(".", "-")
        name = (rename or {}).get(name, name)
        result.setdefault(name, translate_message(error.message, lang))
    return result


def date_value(raw: str) -> str | None:
    """A date as typed (dd.mm.åååå, see `parse_day`) in ISO form for the input models; empty
    is None. Anything else is passed on as typed, for the model to refuse beside the field."""
    try:
        day = parse_day(raw)
    except ValueError:
        return raw.strip()
    return day.isoformat() if day else None


def tags_value(raw: str) -> list[str]:
    """Tags typed as a comma-separated list."""
    return [t.strip() for t in raw.split(",") if t.strip()]


#: The largest version a form's hidden field is read as; anything longer is no version.
MAX_VERSION_DIGITS = 9


def form_version(form: Form, name: str = "version") -> int:
    """The version a form was filled in at (its hidden field): -1, which no saved thing
    has, when the field is missing or not a plain number, so the save answers a conflict."""
    text = form.value(name)
    if text.isascii() and text.isdigit() and len(text) <= MAX_VERSION_DIGITS:
        return int(text)
    return -1
