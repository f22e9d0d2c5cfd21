"""The overview as CSV and XLSX, built from the same result the JSON API returns.

- XLSX: one sheet per table, Norwegian headings, counts as numbers, dates as dates, the
  header row frozen. No filters or sorting are added: the municipalities stay in
  alphabetical order.
- CSV is one table: the municipality table of the overview (one row per municipality), or,
  for the anonymous summary, every table of the summary in long form
  (`Tabell;Rad;Kolonne;Verdi`). Semicolons and UTF-8 with a byte order mark, so that Excel
  set up for Norway opens it as it is.
- The overview with municipality names is working material for guidance, not a comparison
  or a ranking, and says so first: the XLSX opens on the sheet "Om dette arbeidsmaterialet"
  (`WORKING_MATERIAL`). The CSV stays one table whose first line is its header, so that
  every CSV reader (and the API's integrators) can read it; the file a person downloads from
  the region page (`to_csv(..., note=True)`) starts with one comment line instead, `#` and
  the same words in one field, which `csv.reader` reads as a one-field row and pandas skips
  with `comment="#"`.
- Every text cell goes through `spreadsheet.neutralise`, like every CSV and XLSX the app
  writes: one that a spreadsheet could take for a formula (starting with =, +, -, @, a tab
  or a carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from app.kit.dates import local_date
from app.kit.spreadsheet import neutralise
from app.models.base import Maturity
from app.models.overview import Overview, OverviewSummary
from app.rendering.labels import label

if TYPE_CHECKING:
    from openpyxl import Workbook

Cell = str | int | date | None

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

#: What the named overview is, in its words on the first sheet and the CSV's first line.
WORKING_MATERIAL = (
    "Arbeidsmateriale for veiledning i regionens læringsnettverk: hva kommunene jobber med og "
    "hvor de ber om hjelp. Ikke en sammenligning eller rangering av kommunene."
)
WORKING_MATERIAL_TITLE = "Om dette arbeidsmaterialet"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    #: The sheet name (at most 31 characters).
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def _yes_no(value: bool) -> str:
    return label("yes" if value else "no")


def _area_status(status: str) -> str:
    return label(f"area.{status}")


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment is not None else None


# ---- tables ------------------------------------------------------------------------------

_TOTALS = (
    ("municipalities", "Kommuner"),
    ("inhabitants", "Innbyggere"),
    ("persons_with_dementia", "Personer med demens (anslag)"),
    ("published_pathways", "Publiserte forløp"),
    ("reviews_due", "Tid for ny samtale nå eller innen 30 dager"),
    ("reviews_overdue", "Tid for ny samtale nå"),
    ("stale", "Kommuner uten endring på lenge"),
    ("improvement_areas", "Forbedringsområder"),
    ("strengths", "Styrker"),
)
_ANSWERS = (
    ("yes", "Ja"),
    ("partly", "Delvis"),
    ("no", "Nei"),
    ("not_applicable", "Ikke aktuelt"),
    ("unanswered", "Ikke besvart"),
)
_MEASURES = (
    ("not_started", "Ikke startet"),
    ("in_progress", "Pågår"),
    ("done", "Gjennomført"),
    ("stopped", "Stoppet"),
)


def municipality_table(overview: Overview) -> Table:
    national = overview.scope == "national"
    headers = ["Kommunenummer", "Kommune"]
    if national:
        headers.append("Region")
    headers += ["Innbyggere", "Personer med demens (anslag)", "Tallår"]
    for phase in overview.phases:
        headers += [
            f"{phase.name}: modenhet",
            f"{phase.name}: tilgjengelige tilbud",
            f"{phase.name}: trenger kunnskap",
        ]
    headers += [f"Sjekkliste: {name.lower()}" for _, name in _ANSWERS]
    headers += ["Styrker", "Forbedringsområder"]
    headers += [f"Tiltak: {name.lower()}" for _, name in _MEASURES]
    headers += [
        "Publiserte versjoner",
        "Sist publisert",
        "Sist endret",
        "Dager siden endring",
        f"Uendret i {overview.stale_after_days} dager",
        "Siste veiledningssamtale",
        "Tid for ny samtale fra",
        "Veiledningssamtale",
        "Åpne kommentartråder",
    ]
    rows: list[list[Cell]] = []
    for m in overview.municipalities:
        row: list[Cell] = [m.number, m.name]
        if national:
            row.append(m.region)
        row += [m.population, m.persons_with_dementia, m.figures_year]
        for cell in m.cells:
            row += [cell.maturity_label, cell.available_offerings, _yes_no(cell.needs_knowledge)]
        row += [getattr(m.checklist, key) for key, _ in _ANSWERS]
        row += [len(m.strengths), len(m.improvement_areas)]
        row += [getattr(m.measures, key) for key, _ in _MEASURES]
        row += [
            m.published_versions,
            _day(m.last_published_at),
            _day(m.last_change),
            m.days_since_change,
            _yes_no(m.stale),
            _day(m.review.last_reviewed_at),
            m.review.due_on,
            m.review.label,
            m.open_comment_threads,
        ]
        rows.append(row)
    return Table("Kommuner", headers, rows)


def _totals_table(totals: object) -> Table:
    return Table(
        "Totalt",
        ["Mål", "Antall"],
        [[name, getattr(totals, key)] for key, name in _TOTALS],
    )


def overview_tables(overview: Overview) -> list[Table]:
    tables = [_totals_table(overview.totals), municipality_table(overview)]
    if overview.scope == "national":
        tables.append(
            Table(
                "Regioner",
                ["Region", *(name for _, name in _TOTALS)],
                [
                    [r.region.name, *(getattr(r.totals, key) for key, _ in _TOTALS)]
                    for r in overview.regions
                ],
            )
        )
    tables.append(
        Table(
            "Tilbud",
            ["Tilbudstype", "Kommuner med tilbudet tilgjengelig", "Kommuner med tilbudet planlagt"],
            [[c.name, c.available, c.planned] for c in overview.coverage],
        )
    )
    for title, key_heading, groups in (
        ("Forbedringsområder per fase", "Fase", overview.improvement_areas_by_phase),
        ("Forbedringsområder per stikkord", "Stikkord", overview.improvement_areas_by_tag),
    ):
        tables.append(
            Table(
                title,
                [key_heading, "Kommunenummer", "Kommune", "Forbedringsområde", "Status"],
                [
                    [g.name, a.municipality, a.municipality_name, a.title, _area_status(a.status)]
                    for g in groups
                    for a in g.areas
                ],
            )
        )
    tables.append(
        Table(
            "Gode eksempler",
            ["Fase", "Kommunenummer", "Kommune", "Styrke"],
            [
                [g.name, s.municipality, s.municipality_name, s.text]
                for g in overview.good_examples
                for s in g.strengths
            ],
        )
    )
    return tables


def summary_tables(summary: OverviewSummary) -> list[Table]:
    def withheld(value: Cell) -> Cell:
        return "skjermet" if value is None else value

    totals = _totals_table(summary.totals)
    totals = Table(totals.title, totals.headers, [[r[0], withheld(r[1])] for r in totals.rows])
    return [
        totals,
        Table(
            "Faser",
            [
                "Fase",
                *(f"Kommuner: {label(f'maturity.{m.value}').lower()}" for m in Maturity),
                "Kommuner som trenger kunnskap",
                "Tilgjengelige tilbud",
            ],
            [
                [
                    p.name,
                    *(p.maturity[m.value] for m in Maturity),
                    p.needs_knowledge,
                    p.available_offerings,
                ]
                for p in summary.grid
            ],
        ),
        Table(
            "Sjekkliste",
            ["Svar", "Antall svar"],
            [[name, getattr(summary.checklist, key)] for key, name in _ANSWERS],
        ),
        Table(
            "Tiltak",
            ["Status", "Antall tiltak"],
            [[name, getattr(summary.measures, key)] for key, name in _MEASURES],
        ),
        Table(
            "Tilbud",
            ["Tilbudstype", "Kommuner med tilbudet tilgjengelig", "Kommuner med tilbudet planlagt"],
            [[c.name, c.available, c.planned] for c in summary.coverage],
        ),
        Table(
            "Forbedringsområder per fase",
            ["Fase", "Forbedringsområder", "Kommuner"],
            [[g.name, g.items, g.municipalities] for g in summary.improvement_areas_by_phase],
        ),
        Table(
            "Forbedringsområder per stikkord",
            ["Stikkord", "Forbedringsområder", "Kommuner"],
            [[g.name, g.items, g.municipalities] for g in summary.improvement_areas_by_tag],
        ),
        Table(
            "Gode eksempler",
            ["Fase", "Styrker", "Kommuner"],
            [[g.name, g.items, g.municipalities] for g in summary.good_examples],
        ),
        Table(
            "Etter kommunestørrelse",
            [
                "Størrelse",
                "Kommuner",
                "Kommuner som trenger kunnskap",
                "Forbedringsområder",
                "Styrker",
            ],
            [
                [
                    label(f"size.{g.size.value}"),
                    g.municipalities,
                    g.needs_knowledge,
                    g.improvement_areas,
                    g.strengths,
                ]
                for g in summary.by_size
            ],
        ),
    ]


def tables_of(result: Overview | OverviewSummary) -> list[Table]:
    if isinstance(result, OverviewSummary):
        return summary_tables(result)
    return overview_tables(result)


def working_material_table(overview: Overview) -> Table:
    """The named overview's first sheet: what the file is, and what it is not."""
    return Table(
        WORKING_MATERIAL_TITLE,
        ["Om dette arbeidsmaterialet"],
        [
            [WORKING_MATERIAL],
            [
                "Kommunene står i alfabetisk rekkefølge. Tallene sier hva hver kommune selv har "
                "skrevet, som grunnlag for veiledningssamtaler; de er ikke poeng eller karakterer."
            ],
            [
                "Del ikke filen utenfor regionens rådgivere. Til deling på samlinger finnes det "
                "anonyme sammendraget, uten kommunenavn."
            ],
        ],
    )


def about_table(result: Overview | OverviewSummary) -> Table:
    f = result.filters
    filters = ", ".join(
        f"{name}: {value}"
        for name, value in (
            ("fase", f.phase),
            ("tilbudstype", f.offering_type),
            ("stikkord", f.tag),
            ("trenger kunnskap", None if f.needs_knowledge is None else _yes_no(f.needs_knowledge)),
        )
        if value is not None
    )
    rows: list[list[Cell]] = [
        ["Omfang", result.region.name if result.region else "Hele landet"],
        ["Per dato", result.as_of],
        ["Filtre", filters or "Ingen"],
        ["Anonymt sammendrag", _yes_no(result.anonymous)],
    ]
    if isinstance(result, OverviewSummary):
        rows.append(
            [
                "Små tall",
                f"Antall fra 1 til {result.small_number_threshold - 1} vises som "
                f"{result.suppressed_label}",
            ]
        )
        rows.append(
            [
                "Holdt tilbake",
                f"{result.withheld_label} betyr at tallet er holdt tilbake fordi et lite tall "
                "ellers kunne regnes ut av de andre tallene og summene",
            ]
        )
    return Table("Om uttrekket", ["Hva", "Verdi"], rows)


# ---- CSV ---------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def csv_table(result: Overview | OverviewSummary) -> Table:
    """The one table the CSV holds."""
    if isinstance(result, Overview):
        return municipality_table(result)
    long_rows: list[list[Cell]] = []
    for table in summary_tables(result):
        for row in table.rows:
            for heading, value in zip(table.headers[1:], row[1:], strict=True):
                long_rows.append([table.title, row[0], heading, value])
    return Table("Sammendrag", ["Tabell", "Rad", "Kolonne", "Verdi"], long_rows)


def to_csv(result: Overview | OverviewSummary, *, note: bool = False) -> bytes:
    """The CSV; `note` puts the working-material line first (named overview only)."""
    table = csv_table(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if note and isinstance(result, Overview):
        writer.writerow([f"# {WORKING_MATERIAL}"])
    writer.writerow([_csv_text(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


# ---- XLSX --------------------------------------------------------------------------------
# openpyxl is imported where a workbook is written: 6 MB that a worker which is never asked
# for a spreadsheet does not need.


def _xlsx_value(value: Cell) -> Cell:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _write_sheet(workbook: Workbook, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=table.title[:31])
    bold = Font(bold=True)
    widths = [len(h) for h in table.headers]
    for column, heading in enumerate(table.headers, start=1):
        cell = sheet.cell(row=1, column=column, value=_xlsx_value(heading))
        cell.font = bold
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_xlsx_value(value))
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            widths[column - 1] = max(widths[column - 1], len(str(value or "")))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"


def to_xlsx(result: Overview | OverviewSummary) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    first = [working_material_table(result)] if isinstance(result, Overview) else []
    for table in [*first, *tables_of(result), about_table(result)]:
        _write_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(result: Overview | OverviewSummary, extension: str) -> str:
    kind = "sammendrag" if result.anonymous else "oversikt"
    scope = result.region.slug if result.region else "landet"
    return f"{kind}-{scope}-{result.as_of.isoformat()}.{extension}"
