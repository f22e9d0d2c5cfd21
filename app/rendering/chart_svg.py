"""The run chart of an indicator as accessible SVG, drawn on the server (no chart library),
its data table alternative, and the rules explained in words.

Pure: it takes what `services.measurement` loaded (`ChartInput`) and returns text.

- Readable in black-and-white print: the series, centre line, target line and measure marks
  differ by line pattern and marker shape, not by colour alone; points in a signalling run
  are diamonds in a shaded band with a label.
- Screen readers: `role="img"` named by `<title>` and described by `<desc>` (the numbers and
  what the rules say); the page shows `chart_table` as the full data alternative.
- Safe under a strict Content-Security-Policy when inlined: presentation attributes and
  classes only, never a `style` attribute or a `<style>` element.
- Texts go through a translate callable (gettext). The message ids are Norwegian bokmål, the
  default language, so without a catalogue (`nb`) the chart speaks Norwegian; pages pass
  their catalogue's `gettext` and the Babel `locale` for numbers and dates.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from app.kit.runchart import MIN_USEFUL_POINTS
from app.models.base import Direction, Frequency, IndicatorKind
from app.models.measurement import (
    AnalysisPointRead,
    IndicatorAnalysisRead,
    IndicatorRead,
    ObservationRead,
    RunAnalysisRead,
    RunChartSegmentRead,
)

Translate = Callable[[str], str]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

WIDTH = 800
PLOT_LEFT = 72
PLOT_RIGHT = WIDTH - 28
PLOT_HEIGHT = 240
LEGEND_ROW = 20
MAX_X_LABELS = 8

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d9d9d9"
SIGNAL = "#a63d00"
TARGET = "#00507a"
CENTRE_DASH = "8 5"
TARGET_DASH = "14 4 2 4"
MEASURE_DASH = "2 3"


def nb(message: str) -> str:
    """No catalogue: the message ids are Norwegian bokmål already."""
    return message


@dataclass(frozen=True)
class MeasureMark:
    """A measure of the indicator's improvement area, drawn where it started."""

    title: str
    start_date: date


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


def _short_period(period: date, frequency: str, _: Translate, locale: str) -> str:
    if frequency == Frequency.quarter:
        return _("K{quarter} {year}").format(quarter=(period.month - 1) // 3 + 1, year=period.year)
    if frequency == Frequency.week:
        year, week, _weekday = period.isocalendar()
        return _("u. {week} {year}").format(week=week, year=year)
    return format_date(period, "LLL yyyy", locale=locale)


def _long_date(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
    for number, mark in enumerate(_visible_measures(chart), start=1):
        parts.append(
            _("Tiltak {number}: {title}, startet {date}.").format(
                number=number, title=mark.title, date=_long_date(mark.start_date, locale)
            )
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


# ---- drawing -----------------------------------------------------------------------------


def _period_position(day: date, frequency: str) -> float:
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


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of 10."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


class _Scale:
    def __init__(self, low: float, high: float, top: float, bottom: float) -> None:
        self.low, self.high, self.top, self.bottom = low, high, top, bottom

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def _visible_measures(chart: ChartInput) -> list[MeasureMark]:
    points = chart.analysis.points
    if not points:
        return []
    frequency = chart.indicator.frequency
    first = _period_position(points[0].period, frequency)
    last = _period_position(points[-1].period, frequency) + 1
    return [m for m in chart.measures if first <= _period_position(m.start_date, frequency) < last]


def _y_range(chart: ChartInput) -> tuple[float, float]:
    indicator, analysis = chart.indicator, chart.analysis
    values = [p.value for p in analysis.points if p.value is not None]
    values += [s.centre_line for s in analysis.segments if s.centre_line is not None]
    if indicator.target is not None:
        values.append(indicator.target)
    if indicator.kind in (IndicatorKind.count, IndicatorKind.proportion):
        values.append(0.0)
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    # Breathing room, so that no point sits on the frame; counts and percentages keep 0 as
    # their floor, and percentages stop at 100.
    pad = 0.05 * ((high - low) or abs(high) or 1.0)
    high += pad
    if low < 0 or indicator.kind == IndicatorKind.value:
        low -= pad
    if indicator.kind == IndicatorKind.proportion:
        high = min(max(high, low + 1), 100.0)
    return low, high


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _diamond(x: float, y: float, size: float) -> str:
    return (
        f"M {_fmt(x)} {_fmt(y - size)} L {_fmt(x + size)} {_fmt(y)} "
        f"L {_fmt(x)} {_fmt(y + size)} L {_fmt(x - size)} {_fmt(y)} Z"
    )


def render_chart(
    chart: ChartInput,
    *,
    translate: Translate = nb,
    locale: str = "nb",
    id_prefix: str | None = None,
    heading: bool = True,
) -> str:
    """The chart as an `<svg>` element, ready to inline in an HTML page (mark it safe) or to
    serve with `svg_document`. `id_prefix` keeps ids unique when a page shows several
    charts; `heading=False` leaves out the visible title when the page has its own."""
    _ = translate
    indicator, analysis = chart.indicator, chart.analysis
    prefix = id_prefix or f"run-chart-{indicator.id}"
    frequency = indicator.frequency
    measures = _visible_measures(chart)
    signalling = any(p.in_signalling_run for p in analysis.points)

    plot_top = (40 if heading else 12) + 22
    plot_bottom = plot_top + PLOT_HEIGHT
    legend_top = plot_bottom + 44
    legend_rows = 2 + len(measures) + (1 if analysis.suppressed_points else 0)
    height = legend_top + legend_rows * LEGEND_ROW + 8

    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{prefix}-title {prefix}-desc",
            "class": "run-chart",
            "lang": locale.split("_")[0],
            "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
            "font-size": "12",
            "fill": INK,
        },
    )
    _el(
        root,
        "title",
        _("Seriediagram: {name}").format(name=indicator.name),
        id=f"{prefix}-title",
    )
    _el(root, "desc", chart_description(chart, _, locale), id=f"{prefix}-desc")
    _el(root, "rect", x="0", y="0", width=str(WIDTH), height=str(height), fill="#ffffff")
    if heading:
        _el(
            root,
            "text",
            _truncate(indicator.name, 90),
            x=str(PLOT_LEFT - 56),
            y="26",
            font_size="16",
            font_weight="bold",
            class_="rc-heading",
        )

    if not analysis.points:
        _el(
            root,
            "text",
            _("Ingen målinger ennå."),
            x=_fmt((PLOT_LEFT + PLOT_RIGHT) / 2),
            y=_fmt((plot_top + plot_bottom) / 2),
            text_anchor="middle",
            fill=MUTED,
            class_="rc-empty",
        )
        return ET.tostring(root, encoding="unicode")

    # Scales.
    first_x = _period_position(analysis.points[0].period, frequency)
    last_x = _period_position(analysis.points[-1].period, frequency)
    x_low, x_high = first_x - 0.5, last_x + 0.5

    def x_of(position: float) -> float:
        return PLOT_LEFT + (position - x_low) / (x_high - x_low) * (PLOT_RIGHT - PLOT_LEFT)

    def x_at(period: date) -> float:
        return x_of(_period_position(period, frequency))

    low, high = _y_range(chart)
    ticks = nice_ticks(low, high)
    if indicator.kind == IndicatorKind.proportion:
        ticks = [t for t in ticks if t <= 100] or [0.0, 100.0]
    y_of = _Scale(ticks[0], ticks[-1], plot_top, plot_bottom)

    # Grid and axes.
    grid = _el(root, "g", class_="rc-grid", stroke=GRID, stroke_width="1")
    labels = _el(root, "g", class_="rc-axis", fill=MUTED, font_size="11")
    for tick in ticks:
        y = _fmt(y_of(tick))
        _el(grid, "line", x1=str(PLOT_LEFT), x2=str(PLOT_RIGHT), y1=y, y2=y)
        tick_text = format_number(tick, locale)
        if indicator.kind == IndicatorKind.proportion:
            tick_text += " %"
        _el(labels, "text", tick_text, x=str(PLOT_LEFT - 8), y=y, text_anchor="end", dy="4")
    axis_title = "%" if indicator.kind == IndicatorKind.proportion else indicator.unit
    if axis_title:
        _el(labels, "text", _truncate(axis_title, 30), x=str(PLOT_LEFT - 56), y=str(plot_top - 10))
    _el(
        root,
        "line",
        x1=str(PLOT_LEFT),
        x2=str(PLOT_RIGHT),
        y1=str(plot_bottom),
        y2=str(plot_bottom),
        stroke=MUTED,
        stroke_width="1",
        class_="rc-axis-line",
    )
    step = max(1, math.ceil(len(analysis.points) / MAX_X_LABELS))
    for index, point in enumerate(analysis.points):
        tick_x = _fmt(x_at(point.period))
        _el(grid, "line", x1=tick_x, x2=tick_x, y1=str(plot_bottom), y2=str(plot_bottom + 4))
        if index % step == 0:
            _el(
                labels,
                "text",
                _short_period(point.period, frequency, _, locale),
                x=tick_x,
                y=str(plot_bottom + 18),
                text_anchor="middle",
            )

    # Signalling runs: a shaded band with a label (the points become diamonds below).
    bands = _el(root, "g", class_="rc-signal-runs")
    for segment in analysis.segments:
        for run in segment.signalling_runs:
            left = x_at(run.first_period) - 10
            right = x_at(run.last_period) + 10
            _el(
                bands,
                "rect",
                x=_fmt(left),
                y=str(plot_top),
                width=_fmt(right - left),
                height=str(PLOT_HEIGHT),
                fill=SIGNAL,
                fill_opacity="0.08",
                stroke=SIGNAL,
                stroke_width="1",
                stroke_dasharray="1 3",
            )
            _el(
                bands,
                "text",
                _("Langt løp: {length}").format(length=run.length),
                x=_fmt(left + 4),
                y=str(plot_top + 14),
                fill=SIGNAL,
                font_size="11",
                font_weight="bold",
            )

    # Measures: a dotted vertical line with its number; the legend names them.
    marks = _el(root, "g", class_="rc-measures", font_size="11")
    for number, mark in enumerate(measures, start=1):
        mark_x = _fmt(x_of(_period_position(mark.start_date, frequency) - 0.5))
        _el(
            marks,
            "line",
            x1=mark_x,
            x2=mark_x,
            y1=str(plot_top - 14),
            y2=str(plot_bottom),
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=MEASURE_DASH,
        )
        _el(
            marks,
            "text",
            _("T{number}").format(number=number),
            x=mark_x,
            y=str(plot_top - 18),
            text_anchor="middle",
            font_weight="bold",
        )

    # Target line.
    if indicator.target is not None and ticks[0] <= indicator.target <= ticks[-1]:
        y = _fmt(y_of(indicator.target))
        target = _el(root, "g", class_="rc-target")
        _el(
            target,
            "line",
            x1=str(PLOT_LEFT),
            x2=str(PLOT_RIGHT),
            y1=y,
            y2=y,
            stroke=TARGET,
            stroke_width="2",
            stroke_dasharray=TARGET_DASH,
        )
        _el(
            target,
            "text",
            _("Mål: {value}").format(
                value=format_value(indicator.target, indicator.kind, "", locale)
            ),
            x=str(PLOT_LEFT + 4),
            y=_fmt(float(y) - 5),
            fill=TARGET,
            font_size="11",
        )

    # Centre lines, one per segment.
    centre = _el(root, "g", class_="rc-centre")
    for segment in analysis.segments:
        if segment.centre_line is None:
            continue
        y = _fmt(y_of(segment.centre_line))
        left = x_at(segment.first_period) - 6
        right = x_at(segment.last_period) + 6
        _el(
            centre,
            "line",
            x1=_fmt(left),
            x2=_fmt(right),
            y1=y,
            y2=y,
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=CENTRE_DASH,
        )
        _el(
            centre,
            "text",
            _("Median {value}").format(
                value=format_value(segment.centre_line, indicator.kind, "", locale)
            ),
            x=_fmt(right),
            y=_fmt(float(y) - 5),
            text_anchor="end",
            fill=MUTED,
            font_size="11",
        )

    # The series: lines between shown points (broken where a point is hidden), then markers.
    series = _el(root, "g", class_="rc-series")
    stretch: list[AnalysisPointRead] = []
    stretches: list[list[AnalysisPointRead]] = []
    for point in analysis.points:
        if point.value is None:
            stretches.append(stretch)
            stretch = []
        else:
            stretch.append(point)
    stretches.append(stretch)
    for points in stretches:
        if len(points) > 1:
            _el(
                series,
                "polyline",
                points=" ".join(
                    f"{_fmt(x_at(p.period))},{_fmt(y_of(p.value or 0))}" for p in points
                ),
                fill="none",
                stroke=INK,
                stroke_width="2",
                stroke_linejoin="round",
            )
    hidden = _el(root, "g", class_="rc-suppressed", fill=MUTED, font_size="10")
    for point in analysis.points:
        x = x_at(point.period)
        label = format_period(point.period, frequency, _, locale)
        if point.value is None:
            _el(
                hidden,
                "text",
                point.suppressed or "",
                x=_fmt(x),
                y=str(plot_bottom - 6),
                text_anchor="middle",
            )
            continue
        point_y = y_of(point.value)
        shown = format_value(point.value, indicator.kind, indicator.unit, locale)
        if point.in_signalling_run:
            marker = _el(
                series,
                "path",
                d=_diamond(x, point_y, 6.5),
                fill=SIGNAL,
                stroke=INK,
                stroke_width="1.5",
                class_="rc-point rc-point-signal",
            )
        else:
            marker = _el(
                series,
                "circle",
                cx=_fmt(x),
                cy=_fmt(point_y),
                r="3.5",
                fill=INK,
                class_="rc-point",
            )
        _el(marker, "title", f"{label}: {shown}")

    _legend(root, chart, measures, signalling, legend_top, _, locale)
    return ET.tostring(root, encoding="unicode")


def _legend(
    root: ET.Element,
    chart: ChartInput,
    measures: Sequence[MeasureMark],
    signalling: bool,
    top: int,
    _: Translate,
    locale: str,
) -> None:
    legend = _el(root, "g", class_="rc-legend", font_size="11")
    x = PLOT_LEFT - 56
    y = top
    _el(
        legend,
        "text",
        signal_summary(chart.analysis, _),
        x=_fmt(x),
        y=str(y),
        font_size="12",
        font_weight="bold",
        class_="rc-verdict",
    )
    y += LEGEND_ROW + 4
    entries = [("series", _("Målinger"))]
    if any(s.centre_line is not None for s in chart.analysis.segments):
        entries.append(("centre", _("Midtlinje (median)")))
    if chart.indicator.target is not None:
        entries.append(("target", _("Mål")))
    if signalling:
        entries.append(("signal", _("Punkt i et uvanlig langt løp")))
    for what, text in entries:
        line = {"x1": _fmt(x), "x2": _fmt(x + 28), "y1": str(y - 4), "y2": str(y - 4)}
        if what == "series":
            _el(legend, "line", **line, stroke=INK, stroke_width="2")
            _el(legend, "circle", cx=_fmt(x + 14), cy=str(y - 4), r="3.5", fill=INK)
        elif what == "centre":
            _el(
                legend,
                "line",
                **line,
                stroke=MUTED,
                stroke_width="1.5",
                stroke_dasharray=CENTRE_DASH,
            )
        elif what == "target":
            _el(
                legend,
                "line",
                **line,
                stroke=TARGET,
                stroke_width="2",
                stroke_dasharray=TARGET_DASH,
            )
        else:
            _el(
                legend,
                "path",
                d=_diamond(x + 14, y - 4, 6),
                fill=SIGNAL,
                stroke=INK,
                stroke_width="1.5",
            )
        _el(legend, "text", text, x=_fmt(x + 34), y=str(y))
        x += 34 + 7 * len(text) + 24
    for number, mark in enumerate(measures, start=1):
        y += LEGEND_ROW
        x = PLOT_LEFT - 56
        _el(
            legend,
            "line",
            x1=_fmt(x + 14),
            x2=_fmt(x + 14),
            y1=str(y - 12),
            y2=str(y + 3),
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=MEASURE_DASH,
        )
        _el(
            legend,
            "text",
            _truncate(
                _("T{number}: {title} (startet {date})").format(
                    number=number,
                    title=mark.title,
                    date=_long_date(mark.start_date, locale),
                ),
                110,
            ),
            x=_fmt(x + 34),
            y=str(y),
        )
    if chart.analysis.suppressed_points:
        y += LEGEND_ROW
        label = next(p.suppressed for p in chart.analysis.points if p.suppressed)
        _el(
            legend,
            "text",
            _("{label}: små tall vises ikke").format(label=label),
            x=_fmt(PLOT_LEFT - 22),
            y=str(y),
        )


def svg_document(chart: ChartInput, *, translate: Translate = nb, locale: str = "nb") -> str:
    """A standalone SVG file (with the XML declaration), as served by the API."""
    return XML_DECLARATION + render_chart(chart, translate=translate, locale=locale) + "\n"
