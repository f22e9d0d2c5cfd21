"""Observations as text: what people paste from a spreadsheet, CSV files, and the CSV export
that reads back in unchanged. Pure: text in, typed rows and line-numbered errors out.

What the parser accepts, so that a coordinator can paste what their spreadsheet holds:

- Cells separated by tabs (a spreadsheet paste), semicolons (Norwegian Excel's CSV) or commas;
  the first separator found, in that order, is the one used. Quoted cells as in RFC 4180.
- An optional header row. Known column names (Norwegian or English) are matched in any order;
  with unknown names, or no header, the columns are: period, value[, comment] — or for
  proportions period, numerator, denominator[, comment].
- Numbers with a decimal comma or point, spaces as thousands separators, "−" as minus.
- Periods as 2024-01-15, 15.01.2024, 2024-01, 01.2024, "januar 2024", "jan. 24", "Jan-24";
  quarters as 2024-Q1, "K1 2024" or "1. kvartal 2024"; weeks as 2024-W03 or "uke 3 2024".
- Empty lines anywhere, trailing empty cells, a UTF-8 byte order mark.
- A comment as the export writes it: the apostrophe that kept one starting with =, +, - or @
  from being run as a formula is taken off again (`spreadsheet.restore`).

Every bad row is reported with its line number; the caller saves nothing when there is one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from app.kit.spreadsheet import neutralise, restore

Separator = Literal[";", ","]

PERIOD_HINT = "use YYYY-MM-DD, DD.MM.YYYY, YYYY-MM or a month name and year (januar 2024)"

#: Column names the header may use, Norwegian and English, lower case.
COLUMN_NAMES: dict[str, str] = {
    **dict.fromkeys(
        ("period", "periode", "dato", "date", "måned", "month", "uke", "week", "kvartal"),
        "period",
    ),
    **dict.fromkeys(("quarter", "tid", "time"), "period"),
    **dict.fromkeys(("value", "verdi", "antall", "count", "tall", "number", "n"), "value"),
    **dict.fromkeys(("numerator", "teller"), "numerator"),
    **dict.fromkeys(("denominator", "nevner"), "denominator"),
    **dict.fromkeys(("percent", "prosent", "andel", "%"), "percent"),
    **dict.fromkeys(("comment", "kommentar", "merknad", "note", "notat"), "comment"),
}

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januar", "january"),
        ("februar", "february"),
        ("mars", "march"),
        ("april",),
        ("mai", "may"),
        ("juni", "june"),
        ("juli", "july"),
        ("august",),
        ("september", "sept"),
        ("oktober", "october"),
        ("november",),
        ("desember", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
        _MONTHS[_name[:3]] = _number

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DOTTED_MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")
_NAMED_MONTH = re.compile(r"^([a-zæøå]{3,9})\.?[\s\-/.]*(\d{4}|\d{2})$")
_YEAR_NAMED_MONTH = re.compile(r"^(\d{4})[\s\-]+([a-zæøå]{3,9})\.?$")
_QUARTER = re.compile(
    r"^(?:(\d{4})\s*-?\s*[qk]\s*([1-4])|[qk]\s*([1-4])[\s\-/]*(\d{4})"
    r"|([1-4])\.?\s*(?:kvartal|quarter)\s*(\d{4}))$"
)
_WEEK = re.compile(r"^(?:(\d{4})\s*-?\s*w\s*(\d{1,2})|(?:uke|week|u)\s*(\d{1,2})[\s,/\-]*(\d{4}))$")
_NUMBER = re.compile(r"^-?(\d+([.,]\d*)?|[.,]\d+)$")

Granularity = Literal["day", "week", "month", "quarter"]

#: The indicator kind whose rows carry a numerator and a denominator (`PROPORTION`).
PROPORTION = "proportion"

#: What a row is validated into (the service passes its input schema).
Row = TypeVar("Row", bound=BaseModel)


class ExportedObservation(Protocol):
    """What the CSV export reads of an observation (`ObservationRead` has it)."""

    @property
    def period(self) -> date: ...
    @property
    def value(self) -> float | None: ...
    @property
    def numerator(self) -> int | None: ...
    @property
    def denominator(self) -> int | None: ...
    @property
    def comment(self) -> str: ...
    @property
    def suppressed(self) -> str | None: ...


@dataclass(frozen=True)
class ParsedRow(Generic[Row]):
    #: The line of the text the row starts on (1-based, blank lines and the header counted).
    line: int
    observation: Row


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass(frozen=True)
class ParsedText(Generic[Row]):
    rows: list[ParsedRow[Row]]
    errors: list[LineError]


class CellError(ValueError):
    pass


# ---- cells -------------------------------------------------------------------------------


def _quote(cell: str) -> str:
    shown = cell if len(cell) <= 40 else cell[:39] + "…"
    return f"'{shown}'"


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _make_date(year: int, month: int, day: int, cell: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"{_quote(cell)} is not a date ({PERIOD_HINT})") from None


def parse_period(cell: str) -> tuple[date, Granularity]:
    """A period cell as the first day of its period, and what kind of period it named."""
    text = " ".join(cell.strip().lower().split())
    if not text:
        raise CellError("the period is missing")
    if m := _ISO_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), cell), "day"
    if m := _DOTTED_DATE.match(text):
        return _make_date(_full_year(m[3]), int(m[2]), int(m[1]), cell), "day"
    if m := _ISO_MONTH.match(text):
        return _make_date(int(m[1]), int(m[2]), 1, cell), "month"
    if m := _DOTTED_MONTH.match(text):
        return _make_date(int(m[2]), int(m[1]), 1, cell), "month"
    if named := _named_month(text):
        return _make_date(named[0], named[1], 1, cell), "month"
    if m := _QUARTER.match(text):
        year_text, quarter_text = (m[1], m[2]) if m[1] else (m[4], m[3]) if m[3] else (m[6], m[5])
        quarter = int(quarter_text)
        return _make_date(int(year_text), 3 * quarter - 2, 1, cell), "quarter"
    if m := _WEEK.match(text):
        year, week = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        try:
            return date.fromisocalendar(year, week, 1), "week"
        except ValueError:
            raise CellError(f"{_quote(cell)}: {year} has no week {week}") from None
    raise CellError(f"{_quote(cell)} is not a period ({PERIOD_HINT})")


def _named_month(text: str) -> tuple[int, int] | None:
    """(year, month) from "januar 2024", "jan. 24", "Jan-24" or "2024 januar"."""
    if m := _NAMED_MONTH.match(text):
        name, year = m[1], _full_year(m[2])
    elif m := _YEAR_NAMED_MONTH.match(text):
        name, year = m[2], int(m[1])
    else:
        return None
    if name in _MONTHS:
        return year, _MONTHS[name]
    # A longer abbreviation of a full name: "sept", "febr".
    for full, number in _MONTHS.items():
        if len(full) > 3 and full.startswith(name):
            return year, number
    return None


def parse_number(cell: str) -> float:
    """A number as people type it in Norway: decimal comma or point, spaces (also no-break
    spaces) between thousands, "−" or "-" as minus."""
    text = cell.strip().replace("\u2212", "-")
    for space in (" ", "\u00a0", "\u202f", "\u2009"):
        text = text.replace(space, "")
    if "," in text and "." in text:
        # Both present: the last one is the decimal separator, the other groups thousands.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    if not _NUMBER.match(text):
        raise CellError(f"{_quote(cell)} is not a number")
    return float(text.replace(",", "."))


def _number_in(cell: str, what: str) -> float:
    try:
        return parse_number(cell)
    except CellError:
        raise CellError(f"the {what} {_quote(cell)} is not a number") from None


def _whole(cell: str, what: str) -> int:
    number = _number_in(cell, what)
    if number != int(number):
        raise CellError(f"the {what} {_quote(cell)} is not a whole number")
    return int(number)


def format_number(value: float, separator: Separator) -> str:
    """Shortest text that reads back as the same float, without an exponent; a decimal comma
    in semicolon-separated files (what Norwegian spreadsheets expect)."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if separator == ";" else text


# ---- rows --------------------------------------------------------------------------------


def _separator(text: str) -> str:
    """The separator of the first row (quoted cells left out): a tab, else a semicolon,
    else a comma. The first row decides, so a comment further down may hold any of them."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    return next((c for c in ("\t", ";") if c in unquoted), ",")


def _is_number(cell: str) -> bool:
    try:
        parse_number(cell)
    except CellError:
        return False
    return True


def _is_period(cell: str) -> bool:
    try:
        parse_period(cell)
    except CellError:
        return False
    return True


def _looks_like_header(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return bool(filled) and not _is_period(cells[0]) and not any(_is_number(c) for c in filled)


def _positional(kind: str) -> list[str]:
    if kind == PROPORTION:
        return ["period", "numerator", "denominator", "comment"]
    return ["period", "value", "comment"]


def _named_columns(cells: Sequence[str], kind: str) -> list[str] | str | None:
    """Column roles from a header; None when the names are not ours (then the columns are
    positional); a message when the header names the wrong columns for this indicator."""
    names = [COLUMN_NAMES.get(c.strip().lower().rstrip(":")) for c in cells]
    filled = [(n, c) for n, c in zip(names, cells, strict=True) if c.strip()]
    if not filled or any(n is None for n, _ in filled):
        return None
    roles = [n or "" for n in names]
    duplicated = sorted({r for r in roles if r and roles.count(r) > 1})
    if duplicated:
        return f"the header names the column {duplicated[0]} twice"
    needed = ["period", "numerator", "denominator"] if kind == PROPORTION else ["period", "value"]
    missing = [n for n in needed if n not in roles]
    if missing:
        return f"a {kind} indicator needs the columns {', '.join(needed)}; missing: " + (
            ", ".join(missing)
        )
    wrong = {"value"} if kind == PROPORTION else {"numerator", "denominator"}
    if wrong & set(roles):
        return f"a {kind} indicator takes the columns {', '.join(needed)}, not " + (
            ", ".join(sorted(wrong & set(roles)))
        )
    return roles


def _row(
    cells: Sequence[str], roles: Sequence[str], kind: str, frequency: str, model: type[Row]
) -> Row:
    extra = [c for c in cells[len(roles) :] if c.strip()]
    if extra:
        raise CellError(
            f"more cells than the {len(roles)} columns ({', '.join(roles)}): "
            f"{_quote(extra[0])} has no column"
        )
    cell = {role: (cells[i].strip() if i < len(cells) else "") for i, role in enumerate(roles)}
    period, granularity = parse_period(cell.get("period", ""))
    if granularity not in ("day", frequency):
        raise CellError(
            f"{_quote(cell['period'])} names a {granularity}, but this indicator is "
            f"measured per {frequency}"
        )
    # A comment the export kept from being run as a formula reads back as it was saved.
    fields: dict[str, object] = {"period": period, "comment": restore(cell.get("comment", ""))}
    if kind == PROPORTION:
        if not cell.get("numerator") or not cell.get("denominator"):
            raise CellError("a proportion needs a numerator and a denominator")
        fields["numerator"] = _whole(cell["numerator"], "numerator")
        fields["denominator"] = _whole(cell["denominator"], "denominator")
    else:
        if not cell.get("value"):
            raise CellError("the value is missing")
        fields["value"] = _number_in(cell["value"], "value")
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            message = str(error.get("msg", "invalid"))
            message = message.removeprefix("Value error, ")
            loc = ".".join(str(p) for p in error.get("loc", ()))
            messages.append(f"{loc}: {message}" if loc else message)
        raise CellError("; ".join(messages)) from None


def parse_observations(
    text: str, kind: str, frequency: str = "month", *, model: type[Row], max_rows: int
) -> ParsedText[Row]:
    """Rows of observations from pasted or uploaded text, each validated into `model` with
    its line number, and every problem found (by line); more than `max_rows` rows is one.
    The rules that need the saved indicator (period aligned to the frequency, one row per
    period, counts whole) are checked by the service."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    rows: list[ParsedRow[Row]] = []
    errors: list[LineError] = []
    roles: list[str] | None = None
    first = True
    line_before = 0
    try:
        for cells in reader:
            line = line_before + 1
            line_before = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if first:
                first = False
                if _looks_like_header(cells):
                    named = _named_columns(cells, kind)
                    if isinstance(named, str):
                        errors.append(LineError(line, named))
                        roles = _positional(kind)
                    else:
                        roles = named if named is not None else _positional(kind)
                    continue
                roles = _positional(kind)
            assert roles is not None
            try:
                rows.append(ParsedRow(line, _row(cells, roles, kind, frequency, model)))
            except CellError as exc:
                errors.append(LineError(line, str(exc)))
    except csv.Error as exc:
        errors.append(LineError(line_before + 1, f"the text cannot be read as rows: {exc}"))
    if not rows and not errors:
        errors.append(LineError(1, "no observations found: paste or send rows of period, value"))
    if len(rows) > max_rows:
        errors.append(
            LineError(
                rows[max_rows].line,
                f"at most {max_rows} rows can be imported at once",
            )
        )
    return ParsedText(rows=rows, errors=errors)


# ---- export ------------------------------------------------------------------------------


def export_columns(kind: str) -> list[str]:
    if kind == PROPORTION:
        return ["period", "numerator", "denominator", "percent", "comment"]
    return ["period", "value", "comment"]


def observations_csv(
    items: Sequence[ExportedObservation], kind: str, separator: Separator = ";"
) -> str:
    """The observations as CSV with a header, in a form `parse_observations` reads back to
    the same numbers and comments. Suppressed numbers appear as their label (e.g. "<5"),
    never the value. The percent column of proportions is for reading; the import ignores
    it. Comments go through `spreadsheet.neutralise`, which the import undoes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(export_columns(kind))
    for item in items:
        if kind == PROPORTION:
            if item.suppressed:
                numbers = [item.suppressed, "", ""]
            else:
                numbers = [
                    str(item.numerator),
                    str(item.denominator),
                    format_number(item.value or 0.0, separator),
                ]
        elif item.suppressed or item.value is None:
            numbers = [item.suppressed or ""]
        else:
            numbers = [format_number(item.value, separator)]
        writer.writerow([item.period.isoformat(), *numbers, neutralise(item.comment)])
    return out.getvalue()


def decode_text(raw: bytes, charset: str | None = None) -> str:
    """Bytes of an uploaded file as text: the declared charset when there is one, else
    UTF-8 (with or without a byte order mark), else Windows-1252 — what Excel on Windows
    writes when it saves "CSV (semicolon separated)"."""
    if charset:
        try:
            return raw.decode(charset).removeprefix("\ufeff")
        except LookupError:
            raise ValueError(f"unknown charset {charset!r}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"the text is not valid {charset}: {exc.reason}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
