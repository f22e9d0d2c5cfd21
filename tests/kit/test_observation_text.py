"""Reading observations from pasted spreadsheet rows and CSV, and writing the CSV export."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.kit import observation_text
from app.kit.observation_text import (
    ParsedText,
    decode_text,
    observations_csv,
    parse_number,
    parse_period,
)
from app.models.measurement import MAX_OBSERVATIONS_PER_WRITE, ObservationInput, ObservationRead

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def parse_observations(
    text: str, kind: str, frequency: str = "month"
) -> ParsedText[ObservationInput]:
    """The parser as the measurement service calls it."""
    return observation_text.parse_observations(
        text, kind, frequency, model=ObservationInput, max_rows=MAX_OBSERVATIONS_PER_WRITE
    )


def _values(text: str, kind: str = "count", frequency: str = "month") -> list[tuple[date, float]]:
    parsed = parse_observations(text, kind, frequency)
    assert parsed.errors == []
    return [(r.observation.period, r.observation.value or 0.0) for r in parsed.rows]


def test_a_spreadsheet_paste_with_decimal_commas_and_a_header() -> None:
    pasted = "Måned\tVerdi\tKommentar\njanuar 2024\t3,5\t\nfebruar 2024\t1 204,25\tny rutine\n"
    parsed = parse_observations(pasted, "value", "month")
    assert parsed.errors == []
    assert [(r.line, r.observation.period, r.observation.value) for r in parsed.rows] == [
        (2, date(2024, 1, 1), 3.5),
        (3, date(2024, 2, 1), 1204.25),
    ]
    assert parsed.rows[1].observation.comment == "ny rutine"


def test_semicolon_csv_without_a_header_and_norwegian_dates() -> None:
    assert _values("01.01.2024;4\r\n01.02.2024;5\r\n\r\n01.03.2024;0\r\n") == [
        (date(2024, 1, 1), 4.0),
        (date(2024, 2, 1), 5.0),
        (date(2024, 3, 1), 0.0),
    ]


def test_comma_csv_with_a_quoted_comment() -> None:
    parsed = parse_observations('period,value,comment\n2024-01-01,7,"ferie, lite folk"\n', "count")
    assert parsed.errors == []
    assert parsed.rows[0].observation.comment == "ferie, lite folk"


def test_columns_are_matched_by_name_in_any_order() -> None:
    parsed = parse_observations("nevner;teller;periode\n40;3;2024-01\n", "proportion")
    assert parsed.errors == []
    observation = parsed.rows[0].observation
    assert (observation.numerator, observation.denominator) == (3, 40)


def test_every_bad_row_is_named_by_its_line() -> None:
    text = "\n".join(
        [
            "periode;antall",
            "2024-01;3",
            "2024-13;4",  # no such month
            "2024-03;tre",  # not a number
            "",
            "2024-05;",  # value missing
            "2024-06;2;ekstra;mer",  # too many cells
        ]
    )
    parsed = parse_observations(text, "count")
    assert [e.line for e in parsed.errors] == [3, 4, 6, 7]
    assert "'2024-13' is not a date" in parsed.errors[0].message
    assert "'tre' is not a number" in parsed.errors[1].message
    assert [r.line for r in parsed.rows] == [2]


def test_proportions_need_two_whole_numbers_within_bounds() -> None:
    parsed = parse_observations(
        "2024-01;3;40\n2024-02;50;40\n2024-03;2,5;40\n2024-04;1;0\n2024-05;7\n", "proportion"
    )
    assert [e.line for e in parsed.errors] == [2, 3, 4, 5]
    assert "numerator cannot be greater than denominator" in parsed.errors[0].message
    assert "not a whole number" in parsed.errors[1].message
    assert "denominator must be greater than 0" in parsed.errors[2].message
    assert "needs a numerator and a denominator" in parsed.errors[3].message


def test_a_header_for_the_wrong_kind_of_indicator_is_explained() -> None:
    parsed = parse_observations("period;value\n2024-01-01;3\n", "proportion")
    assert parsed.errors[0].line == 1
    assert "numerator" in parsed.errors[0].message


def test_a_period_of_the_wrong_length_is_refused() -> None:
    parsed = parse_observations("2024-Q1;3\n", "count", "month")
    assert "names a quarter" in parsed.errors[0].message
    assert _values("K1 2024;3\n2. kvartal 2024;4\n", frequency="quarter") == [
        (date(2024, 1, 1), 3.0),
        (date(2024, 4, 1), 4.0),
    ]
    assert _values("uke 1 2024;3\n2024-W02;4\n", frequency="week") == [
        (date(2024, 1, 1), 3.0),
        (date(2024, 1, 8), 4.0),
    ]


def test_empty_text_says_what_is_expected() -> None:
    parsed = parse_observations("\n  \n", "count")
    assert parsed.rows == []
    assert "no observations found" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-01-01", date(2024, 1, 1)),
        ("1.2.2024", date(2024, 2, 1)),
        ("01.02.24", date(2024, 2, 1)),
        ("2024-02", date(2024, 2, 1)),
        ("02.2024", date(2024, 2, 1)),
        ("Februar 2024", date(2024, 2, 1)),
        ("feb. 24", date(2024, 2, 1)),
        ("Feb-24", date(2024, 2, 1)),
        ("des.23", date(2023, 12, 1)),
        ("sept 2024", date(2024, 9, 1)),
        ("2024 mai", date(2024, 5, 1)),
    ],
)
def test_period_spellings(cell: str, expected: date) -> None:
    assert parse_period(cell)[0] == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("3,5", 3.5), ("3.5", 3.5), ("1 204,5", 1204.5), ("1.204,5", 1204.5), ("−2", -2.0)],
)
def test_number_spellings(cell: str, expected: float) -> None:
    assert parse_number(cell) == expected


def test_excel_files_in_windows_1252_are_read() -> None:
    assert decode_text("måned;verdi".encode("cp1252")) == "måned;verdi"
    assert decode_text("\ufeffmåned".encode()) == "måned"
    with pytest.raises(ValueError, match="unknown charset"):
        decode_text(b"x", "no-such-charset")


# ---- the export reads back unchanged -----------------------------------------------------

periods = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 1)).map(
    lambda d: d.replace(day=1)
)
comments = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40
).map(str.strip)


@st.composite
def value_rows(draw: st.DrawFn) -> list[ObservationRead]:
    chosen = draw(st.lists(periods, unique=True, max_size=20))
    return [
        ObservationRead(
            period=p,
            value=draw(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)),
            numerator=None,
            denominator=None,
            comment=draw(comments),
        )
        for p in sorted(chosen)
    ]


@st.composite
def proportion_rows(draw: st.DrawFn) -> list[ObservationRead]:
    chosen = draw(st.lists(periods, unique=True, max_size=20))
    rows = []
    for p in sorted(chosen):
        denominator = draw(st.integers(min_value=1, max_value=100_000))
        numerator = draw(st.integers(min_value=0, max_value=denominator))
        rows.append(
            ObservationRead(
                period=p,
                value=round(100 * numerator / denominator, 2),
                numerator=numerator,
                denominator=denominator,
                comment=draw(comments),
            )
        )
    return rows


@given(value_rows(), st.sampled_from([";", ","]))
def test_values_round_trip(rows: list[ObservationRead], separator: str) -> None:
    text = observations_csv(rows, "value", separator)  # type: ignore[arg-type]
    parsed = parse_observations(text, "value", "month")
    if not rows:
        return
    assert parsed.errors == []
    assert [
        (r.observation.period, r.observation.value, r.observation.comment) for r in parsed.rows
    ] == [(r.period, r.value, r.comment) for r in rows]


@given(proportion_rows(), st.sampled_from([";", ","]))
def test_proportions_round_trip(rows: list[ObservationRead], separator: str) -> None:
    text = observations_csv(rows, "proportion", separator)  # type: ignore[arg-type]
    parsed = parse_observations(text, "proportion", "month")
    if not rows:
        return
    assert parsed.errors == []
    assert [
        (
            r.observation.period,
            r.observation.numerator,
            r.observation.denominator,
            r.observation.comment,
        )
        for r in parsed.rows
    ] == [(r.period, r.numerator, r.denominator, r.comment) for r in rows]


def test_the_export_shows_suppressed_numbers_as_their_label() -> None:
    rows = [
        ObservationRead(
            period=date(2024, 1, 1),
            value=None,
            numerator=None,
            denominator=None,
            suppressed="<5",
            comment="",
        )
    ]
    assert observations_csv(rows, "proportion", ";").splitlines()[1] == "2024-01-01;<5;;;"
    assert observations_csv(rows, "count", ",").splitlines()[1] == "2024-01-01,<5,"
