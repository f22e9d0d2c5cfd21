"""The run chart of an indicator in words: numbers, periods and values formatted for a
locale, the rules explained, the description a screen reader hears and the data table the
page shows as the chart's full alternative (`chart_svg` draws the picture).

Texts go through a translate callable (gettext). The message ids are Norwegian bokmål, the
default language, so without a catalogue (`nb`) the chart speaks Norwegian; pages pass their
catalogue's `gettext` and the Babel `locale` for numbers and dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from app.kit.runchart import MIN_USEFUL_POINTS
from app.models.base import Direction, Frequency, IndicatorKind
from app.models.measurement import (
    IndicatorAnalysisRead,
    IndicatorRead,
    ObservationRead,
    RunAnalysisRead,
    RunChartSegmentRead,
    VerdictRead,
)

Translate = Callable[[str], str]


def nb(message: str) -> str:
    """No catalogue: the message ids are Norwegian bokmål already."""
    return message


@dataclass(frozen=True)
class MeasureMark:
    """A measure of the indicator's improvement area (or a PDSA cycle of one, `kind`
    "pdsa"), drawn where it started."""

    title: str
    start_date: date
    kind: str = "measure"


def numbered_marks(marks: Sequence[MeasureMark]) -> list[tuple[int, MeasureMark]]:
    """Each mark with its number among the marks of its kind: measures T1, T2 …, PDSA
    cycles P1, P2 …"""
    counts: dict[str, int] = {}
    numbered = []
    for mark in marks:
        counts[mark.kind] = counts.get(mark.kind, 0) + 1
        numbered.append((counts[mark.kind], mark))
    return numbered


def mark_label(number: int, mark: MeasureMark, _: Translate = nb) -> str:
    return (_("P{number}") if mark.kind == "pdsa" else _("T{number}")).format(number=number)


@dataclass(frozen=True)
class ChartInput:
    indicator: IndicatorRead
    analysis: IndicatorAnalysisRead
    #: The observations as the viewer may see them (small numbers suppressed).
    observations: tuple[ObservationRead, ...]
    #: Measures with a start date, in start order.
    measures: tuple[MeasureMark, ...]


@dataclass(frozen=True)
class DataTable:
    """The chart's data as a table: `columns` are the headers; the first cell of each row
    names the period and is the row header."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# ---- formatting --------------------------------------------------------------------------


def format_number(value: float, locale: str = "nb") -> str:
    return format_decimal(value, format="#,##0.##", locale=locale)


def format_value(value: float, kind: str, unit: str, locale: str = "nb") -> str:
    """A number as the chart and table show it: proportions as percent, others with the
    indicator's unit."""
    number = format_number(value, locale)
    if kind == IndicatorKind.proportion:
        return f"{number} %"
    return f"{number} {unit}" if unit else number


def format_period(period: date, frequency: str, _: Translate = nb, locale: str = "nb") -> str:
    """The period a point stands for, in words: "mars 2024", "1. kvartal 2024", "uke 3 2024"."""
    if frequency == Frequency.quarter:
        return _("{quarter}. kvartal {year}").format(
            quarter=(period.month - 1) // 3 + 1, year=period.year
        )
    if frequency == Frequency.week:
        year, week, _weekday = period.isocalendar()
        return _("uke {week} {year}").format(week=week, year=year)
    return format_date(period, "LLLL yyyy", locale=locale)


def short_period(period: date, frequency: str, _: Translate, locale: str) -> str:
    if frequency == Frequency.quarter:
        return _("K{quarter} {year}").format(quarter=(period.month - 1) // 3 + 1, year=period.year)
    if frequency == Frequency.week:
        year, week, _weekday = period.isocalendar()
        return _("u. {week} {year}").format(week=week, year=year)
    return format_date(period, "LLL yyyy", locale=locale)


def long_date(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def period_position(day: date, frequency: str) -> float:
    """Periods as evenly spaced numbers; a date inside a period falls in between."""
    if frequency == Frequency.week:
        return day.toordinal() / 7
    if frequency == Frequency.quarter:
        quarter_start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        next_start = (
            date(day.year + 1, 1, 1)
            if quarter_start.month == 10
            else date(day.year, quarter_start.month + 3, 1)
        )
        fraction = (day - quarter_start).days / (next_start - quarter_start).days
        return day.year * 4 + (quarter_start.month - 1) // 3 + fraction
    month_start = date(day.year, day.month, 1)
    next_start = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    fraction = (day - month_start).days / (next_start - month_start).days
    return day.year * 12 + day.month - 1 + fraction


def visible_measures(chart: ChartInput) -> list[MeasureMark]:
    points = chart.analysis.points
    if not points:
        return []
    frequency = chart.indicator.frequency
    first = period_position(points[0].period, frequency)
    last = period_position(points[-1].period, frequency) + 1
    return [m for m in chart.measures if first <= period_position(m.start_date, frequency) < last]


@dataclass(frozen=True)
class Annotation:
    """A note on one data point (the observation's comment), numbered A1, A2 … on the chart."""

    number: int
    period: date
    text: str


def chart_annotations(chart: ChartInput) -> list[Annotation]:
    """The comments of the points the chart shows, in period order."""
    shown = {p.period for p in chart.analysis.points if p.value is not None}
    notes = [o for o in chart.observations if o.comment.strip() and o.period in shown]
    return [
        Annotation(number, o.period, " ".join(o.comment.split()))
        for number, o in enumerate(sorted(notes, key=lambda o: o.period), start=1)
    ]


# ---- the rules in words ------------------------------------------------------------------


def rule_explanations(_: Translate = nb) -> list[str]:
    """What the run-chart rules mean, in plain words, for the page beside the chart."""
    return [
        _("Midtlinjen er medianen: halvparten av punktene ligger over den, halvparten under."),
        _(
            "Et løp er punkter på rad på samme side av midtlinjen. Punkter som ligger på "
            "midtlinjen, hoppes over."
        ),
        _("Et uvanlig langt løp over eller under medianen tyder på en reell endring."),
        _("Uvanlig få kryssinger av midtlinjen tyder også på en reell endring."),
        _(
            "Reglene brukes først når det er minst {minimum} punkter som ikke ligger på "
            "midtlinjen. Med færre punkter kan tilfeldig variasjon ikke skilles fra endring."
        ).format(minimum=MIN_USEFUL_POINTS),
    ]


def _run_sentences(
    analysis: RunAnalysisRead, direction: str, frequency: str, _: Translate, locale: str
) -> list[str]:
    sentences: list[str] = []
    limit = analysis.longest_run_max
    for run in analysis.signalling_runs:
        if run.side == "above":
            text = _(
                "Et uvanlig langt løp over medianen tyder på en reell endring: {length} "
                "punkter på rad ligger over midtlinjen ({first}–{last}), og grensen er {limit}."
            )
        else:
            text = _(
                "Et uvanlig langt løp under medianen tyder på en reell endring: {length} "
                "punkter på rad ligger under midtlinjen ({first}–{last}), og grensen er {limit}."
            )
        sentences.append(
            text.format(
                length=run.length,
                limit=limit,
                first=format_period(run.first_period, frequency, _, locale),
                last=format_period(run.last_period, frequency, _, locale),
            )
        )
        wanted = (run.side == "above") == (direction == Direction.up)
        sentences.append(
            _("Løpet ligger på den ønskede siden av midtlinjen.")
            if wanted
            else _("Løpet ligger på motsatt side av det ønskede.")
        )
    return sentences


def rule_sentences(
    analysis: RunAnalysisRead,
    direction: str = Direction.up,
    frequency: str = Frequency.month,
    _: Translate = nb,
    locale: str = "nb",
) -> list[str]:
    """What the rules say about this analysis, in words, for the page and the chart's
    description."""
    if analysis.n_points == 0:
        return [_("Det er ingen målinger ennå.")]
    if not analysis.enough_points:
        return [
            _(
                "Det er for få punkter til å bruke reglene: {useful} punkter ligger utenfor "
                "midtlinjen, og det trengs minst {minimum}."
            ).format(useful=analysis.n_useful, minimum=MIN_USEFUL_POINTS)
        ]
    sentences = _run_sentences(analysis, direction, frequency, _, locale)
    if not analysis.signals.long_run:
        sentences.append(
            _(
                "Ingen uvanlig lange løp: det lengste løpet er {length} punkter, og grensen "
                "er {limit}."
            ).format(length=analysis.longest_run, limit=analysis.longest_run_max)
        )
    if analysis.signals.few_crossings:
        sentences.append(
            _(
                "Uvanlig få kryssinger av medianen tyder på en reell endring: linjen krysser "
                "midtlinjen {crossings} ganger, og ved tilfeldig variasjon ventes minst "
                "{minimum}."
            ).format(crossings=analysis.crossings, minimum=analysis.crossings_min)
        )
    else:
        sentences.append(
            _(
                "Linjen krysser midtlinjen {crossings} ganger, som ventet ved tilfeldig "
                "variasjon (minst {minimum})."
            ).format(crossings=analysis.crossings, minimum=analysis.crossings_min)
        )
    if not analysis.signals.long_run and not analysis.signals.few_crossings:
        sentences.append(
            _("Ingen signal: variasjonen ser tilfeldig ut, og reglene viser ingen reell endring.")
        )
    return sentences


def verdict_text(
    verdict: VerdictRead, frequency: str = Frequency.month, _: Translate = nb, locale: str = "nb"
) -> str:
    """The verdict in one plain sentence: better, worse, changed, no change, or too early to
    say (`kit.verdict`)."""
    direction, since = verdict.direction, verdict.since
    n_points, needed = verdict.n_points, verdict.needed
    went = {"up": 1, "down": -1}.get(verdict.moved or "", 0)
    if direction == "too_few_points":
        if n_points == 0:
            return _(
                "Ingen tegn til endring ennå (ingen målinger; trenger minst {needed} for å si noe)."
            ).format(needed=needed)
        if n_points == 1:
            return _(
                "Ingen tegn til endring ennå (1 måling; trenger minst {needed} for å si noe)."
            ).format(needed=needed)
        return _(
            "Ingen tegn til endring ennå ({n} målinger; trenger minst {needed} for å si noe)."
        ).format(n=n_points, needed=needed)
    if direction == "no_change" or since is None:
        return _("Ingen tegn til endring: variasjonen ser tilfeldig ut ({n} målinger).").format(
            n=n_points
        )
    period = format_period(since, frequency, _, locale)
    texts = {
        ("improving", 1): _("Forbedring: målingene har gått opp siden {period}."),
        ("improving", -1): _("Forbedring: målingene har gått ned siden {period}."),
        ("worsening", 1): _("Forverring: målingene har gått opp siden {period}."),
        ("worsening", -1): _("Forverring: målingene har gått ned siden {period}."),
        ("changed", 1): _(
            "Endring: målingene har gått opp siden {period} "
            "(for dette målet er verken høyere eller lavere bedre)."
        ),
        ("changed", -1): _(
            "Endring: målingene har gått ned siden {period} "
            "(for dette målet er verken høyere eller lavere bedre)."
        ),
    }
    return texts[(direction, went)].format(period=period)


def signal_summary(analysis: RunAnalysisRead, _: Translate = nb) -> str:
    """The verdict of the rules in a few words, e.g. for a badge beside the chart."""
    if analysis.n_points == 0:
        return _("Ingen målinger ennå")
    if not analysis.enough_points:
        return _("For få punkter til å bruke reglene ({useful} av minst {minimum})").format(
            useful=analysis.n_useful, minimum=MIN_USEFUL_POINTS
        )
    if analysis.signals.long_run and analysis.signals.few_crossings:
        return _("Signal: uvanlig langt løp og uvanlig få kryssinger")
    if analysis.signals.long_run:
        return _("Signal: uvanlig langt løp ({length} punkter, grensen er {limit})").format(
            length=analysis.longest_run, limit=analysis.longest_run_max
        )
    if analysis.signals.few_crossings:
        return _("Signal: uvanlig få kryssinger ({crossings}, ventet minst {minimum})").format(
            crossings=analysis.crossings, minimum=analysis.crossings_min
        )
    return _("Ingen signal: tilfeldig variasjon")


def _centre_sentence(
    segment: RunChartSegmentRead, chart: ChartInput, _: Translate, locale: str
) -> str:
    if segment.centre_line is None:
        return _("Midtlinjen vises ikke, fordi den bygger på små tall.")
    value = format_value(segment.centre_line, chart.indicator.kind, chart.indicator.unit, locale)
    if segment.n_baseline < segment.n_points:
        return _("Midtlinjen er medianen av de {n} første punktene: {value}.").format(
            n=segment.n_baseline, value=value
        )
    return _("Midtlinjen er medianen av alle punktene: {value}.").format(value=value)


def chart_description(chart: ChartInput, _: Translate = nb, locale: str = "nb") -> str:
    """The chart in words: what it shows, the centre line, what the rules say, what is
    hidden, and the measures marked on it."""
    indicator, analysis = chart.indicator, chart.analysis
    if analysis.n_points == 0 and not analysis.segments:
        return _("Seriediagram for {name}. Det er ingen målinger ennå.").format(name=indicator.name)
    first, last = analysis.points[0].period, analysis.points[-1].period
    parts = [
        _("Seriediagram for {name}.").format(name=indicator.name),
        _("Antall målinger: {n}, fra {first} til {last}.").format(
            n=len(analysis.points),
            first=format_period(first, indicator.frequency, _, locale),
            last=format_period(last, indicator.frequency, _, locale),
        ),
    ]
    for number, segment in enumerate(analysis.segments):
        if number:
            parts.append(
                _("Midtlinjen starter på nytt fra {period}.").format(
                    period=format_period(segment.first_period, indicator.frequency, _, locale)
                )
            )
        parts.append(_centre_sentence(segment, chart, _, locale))
    if indicator.target is not None:
        parts.append(
            _("Målet er {target}.").format(
                target=format_value(indicator.target, indicator.kind, indicator.unit, locale)
            )
        )
    parts += rule_sentences(analysis, indicator.direction, indicator.frequency, _, locale)
    if analysis.suppressed_points:
        parts.append(
            _(
                "Målinger med små tall vises ikke i diagrammet for å verne personvernet; det "
                "gjelder {count} av {total} punkter."
            ).format(count=analysis.suppressed_points, total=len(analysis.points))
        )
    for note in chart_annotations(chart):
        parts.append(
            _("Merknad A{number} ({period}): {text}").format(
                number=note.number,
                period=format_period(note.period, indicator.frequency, _, locale),
                text=note.text,
            )
        )
    for number, mark in numbered_marks(visible_measures(chart)):
        text = (
            _("PDSA-sirkel {number}: {title}, startet {date}.")
            if mark.kind == "pdsa"
            else _("Tiltak {number}: {title}, startet {date}.")
        )
        parts.append(
            text.format(number=number, title=mark.title, date=long_date(mark.start_date, locale))
        )
    return " ".join(parts)


# ---- the table alternative ---------------------------------------------------------------


def chart_table(chart: ChartInput, _: Translate = nb, locale: str = "nb") -> DataTable:
    """Every point of the chart as a row, with its place against the centre line and
    whether it is part of a signalling run."""
    indicator = chart.indicator
    proportion = indicator.kind == IndicatorKind.proportion
    value_header = _("Andel") if proportion else (indicator.unit or _("Verdi"))
    columns = [_("Periode")]
    if proportion:
        columns += [_("Teller"), _("Nevner")]
    columns += [value_header, _("Mot midtlinjen"), _("I uvanlig langt løp"), _("Kommentar")]
    side_words = {
        "above": _("over"),
        "below": _("under"),
        "on_line": _("på midtlinjen"),
    }
    observations = {o.period: o for o in chart.observations}
    rows: list[tuple[str, ...]] = []
    for point in chart.analysis.points:
        observation = observations.get(point.period)
        cells = [format_period(point.period, indicator.frequency, _, locale)]
        if proportion:
            for number in (
                (observation.numerator, observation.denominator) if observation else (None, None)
            ):
                cells.append(point.suppressed or "" if number is None else str(number))
        if point.value is None:
            cells.append(point.suppressed or "")
        else:
            cells.append(format_value(point.value, indicator.kind, "", locale))
        cells.append(side_words[point.side] if point.side else "")
        cells.append(_("ja") if point.in_signalling_run else "")
        cells.append(observation.comment if observation else "")
        rows.append(tuple(cells))
    caption = _("Målinger for {name}").format(name=indicator.name)
    return DataTable(caption=caption, columns=tuple(columns), rows=tuple(rows))
