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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.models.base import IndicatorKind
from app.models.measurement import AnalysisPointRead
from app.rendering.chart_legend import draw_legend
from app.rendering.chart_text import (
    Annotation,
    ChartInput,
    MeasureMark,
    Translate,
    chart_annotations,
    chart_description,
    format_number,
    format_period,
    format_value,
    mark_label,
    nb,
    numbered_marks,
    period_position,
    short_period,
    truncate,
    visible_measures,
)
from app.rendering.svg import (
    CENTRE_DASH,
    GRID,
    INK,
    LEGEND_ROW,
    MAX_X_LABELS,
    MEASURE_DASH,
    MUTED,
    PLOT_HEIGHT,
    PLOT_LEFT,
    PLOT_RIGHT,
    SIGNAL,
    SVG_NAMESPACE,
    TARGET,
    TARGET_DASH,
    WIDTH,
    XML_DECLARATION,
    diamond,
    el,
    fmt,
)

# ---- drawing -----------------------------------------------------------------------------


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


class _Scale:
    def __init__(self, low: float, high: float, top: float, bottom: float) -> None:
        self.low, self.high, self.top, self.bottom = low, high, top, bottom

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


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


@dataclass(frozen=True)
class _Canvas:
    """One chart being drawn: its root element, its scales and its language."""

    root: ET.Element
    chart: ChartInput
    translate: Translate
    locale: str
    plot_top: int
    plot_bottom: int
    x_low: float
    x_high: float
    ticks: list[float]
    y_of: _Scale

    @property
    def kind(self) -> str:
        return self.chart.indicator.kind

    @property
    def frequency(self) -> str:
        return self.chart.indicator.frequency

    def x_of(self, position: float) -> float:
        span = self.x_high - self.x_low
        return PLOT_LEFT + (position - self.x_low) / span * (PLOT_RIGHT - PLOT_LEFT)

    def x_at(self, period: date) -> float:
        return self.x_of(period_position(period, self.frequency))


def _svg_root(prefix: str, height: int, locale: str) -> ET.Element:
    return ET.Element(
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


def render_chart(
    chart: ChartInput,
    *,
    translate: Translate = nb,
    locale: str = "nb",
    id_prefix: str | None = None,
    heading: bool = True,
    scale: float = 1.0,
) -> str:
    """The chart as an `<svg>` element, ready to inline in an HTML page (mark it safe) or to
    serve with `svg_document`. `id_prefix` keeps ids unique when a page shows several
    charts; `heading=False` leaves out the visible title when the page has its own.
    `scale` enlarges the texts, lines and markers (not the plot): the poster, read from a
    couple of metres, draws the same chart with `POSTER_SCALE`."""
    _ = translate
    indicator, analysis = chart.indicator, chart.analysis
    prefix = id_prefix or f"run-chart-{indicator.id}"
    measures = visible_measures(chart)
    signalling = any(p.in_signalling_run for p in analysis.points)

    plot_top = (40 if heading else 12) + 22
    plot_bottom = plot_top + PLOT_HEIGHT
    legend_top = plot_bottom + 44 + round(12 * (scale - 1))
    notes = chart_annotations(chart)
    legend_rows = 2 + len(measures) + len(notes) + (1 if analysis.suppressed_points else 0)
    height = legend_top + round(legend_rows * LEGEND_ROW * scale) + 8

    root = _svg_root(prefix, height, locale)
    el(
        root,
        "title",
        _("Seriediagram: {name}").format(name=indicator.name),
        id=f"{prefix}-title",
    )
    el(root, "desc", chart_description(chart, _, locale), id=f"{prefix}-desc")
    el(root, "rect", x="0", y="0", width=str(WIDTH), height=str(height), fill="#ffffff")
    if heading:
        el(
            root,
            "text",
            truncate(indicator.name, 90),
            x=str(PLOT_LEFT - 56),
            y="26",
            font_size="16",
            font_weight="bold",
            class_="rc-heading",
        )

    if not analysis.points:
        el(
            root,
            "text",
            _("Ingen målinger ennå."),
            x=fmt((PLOT_LEFT + PLOT_RIGHT) / 2),
            y=fmt((plot_top + plot_bottom) / 2),
            text_anchor="middle",
            fill=MUTED,
            class_="rc-empty",
        )
        return ET.tostring(root, encoding="unicode")

    canvas = _canvas(root, chart, translate, locale, plot_top, plot_bottom)
    _draw_axes(canvas)
    _draw_signalling_runs(canvas)
    _draw_measures(canvas, measures)
    _draw_target(canvas)
    _draw_centre_lines(canvas)
    _draw_series(canvas)
    _draw_annotations(canvas, notes)
    draw_legend(root, chart, measures, signalling, legend_top, _, locale, notes, scale=scale)
    if scale != 1.0:
        enlarge(root, scale)
    return ET.tostring(root, encoding="unicode")


#: How much larger the poster draws texts, lines and markers than the screen.
POSTER_SCALE = 1.5
_SCALED = ("font-size", "stroke-width", "r")


def enlarge(root: ET.Element, scale: float) -> None:
    """Multiplies every font size, line width and marker radius of a drawn chart."""
    for element in root.iter():
        for name in _SCALED:
            value = element.get(name)
            if value is not None:
                element.set(name, fmt(float(value) * scale))


def _canvas(
    root: ET.Element,
    chart: ChartInput,
    translate: Translate,
    locale: str,
    plot_top: int,
    plot_bottom: int,
) -> _Canvas:
    points, frequency = chart.analysis.points, chart.indicator.frequency
    first_x = period_position(points[0].period, frequency)
    last_x = period_position(points[-1].period, frequency)
    low, high = _y_range(chart)
    ticks = nice_ticks(low, high)
    if chart.indicator.kind == IndicatorKind.proportion:
        ticks = [t for t in ticks if t <= 100] or [0.0, 100.0]
    return _Canvas(
        root=root,
        chart=chart,
        translate=translate,
        locale=locale,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        x_low=first_x - 0.5,
        x_high=last_x + 0.5,
        ticks=ticks,
        y_of=_Scale(ticks[0], ticks[-1], plot_top, plot_bottom),
    )


def _draw_axes(c: _Canvas) -> None:
    """Grid and axes."""
    indicator, points = c.chart.indicator, c.chart.analysis.points
    proportion = indicator.kind == IndicatorKind.proportion
    grid = el(c.root, "g", class_="rc-grid", stroke=GRID, stroke_width="1")
    labels = el(c.root, "g", class_="rc-axis", fill=MUTED, font_size="11")
    for tick in c.ticks:
        y = fmt(c.y_of(tick))
        el(grid, "line", x1=str(PLOT_LEFT), x2=str(PLOT_RIGHT), y1=y, y2=y)
        tick_text = format_number(tick, c.locale)
        if proportion:
            tick_text += " %"
        el(labels, "text", tick_text, x=str(PLOT_LEFT - 8), y=y, text_anchor="end", dy="4")
    axis_title = "%" if proportion else indicator.unit
    if axis_title:
        el(labels, "text", truncate(axis_title, 30), x=str(PLOT_LEFT - 56), y=str(c.plot_top - 10))
    el(
        c.root,
        "line",
        x1=str(PLOT_LEFT),
        x2=str(PLOT_RIGHT),
        y1=str(c.plot_bottom),
        y2=str(c.plot_bottom),
        stroke=MUTED,
        stroke_width="1",
        class_="rc-axis-line",
    )
    step = max(1, math.ceil(len(points) / MAX_X_LABELS))
    for index, point in enumerate(points):
        tick_x = fmt(c.x_at(point.period))
        el(grid, "line", x1=tick_x, x2=tick_x, y1=str(c.plot_bottom), y2=str(c.plot_bottom + 4))
        if index % step == 0:
            el(
                labels,
                "text",
                short_period(point.period, c.frequency, c.translate, c.locale),
                x=tick_x,
                y=str(c.plot_bottom + 18),
                text_anchor="middle",
            )


def _draw_signalling_runs(c: _Canvas) -> None:
    """Signalling runs: a shaded band with a label (the points become diamonds)."""
    _ = c.translate
    bands = el(c.root, "g", class_="rc-signal-runs")
    for segment in c.chart.analysis.segments:
        for run in segment.signalling_runs:
            left = c.x_at(run.first_period) - 10
            right = c.x_at(run.last_period) + 10
            el(
                bands,
                "rect",
                x=fmt(left),
                y=str(c.plot_top),
                width=fmt(right - left),
                height=str(PLOT_HEIGHT),
                fill=SIGNAL,
                fill_opacity="0.08",
                stroke=SIGNAL,
                stroke_width="1",
                stroke_dasharray="1 3",
            )
            el(
                bands,
                "text",
                _("Langt løp: {length}").format(length=run.length),
                x=fmt(left + 4),
                y=str(c.plot_top + 14),
                fill=SIGNAL,
                font_size="11",
                font_weight="bold",
            )


def _draw_measures(c: _Canvas, measures: Sequence[MeasureMark]) -> None:
    """Measures: a dotted vertical line with its number; the legend names them."""
    _ = c.translate
    marks = el(c.root, "g", class_="rc-measures", font_size="11")
    for number, mark in numbered_marks(measures):
        mark_x = fmt(c.x_of(period_position(mark.start_date, c.frequency) - 0.5))
        el(
            marks,
            "line",
            x1=mark_x,
            x2=mark_x,
            y1=str(c.plot_top - 14),
            y2=str(c.plot_bottom),
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=MEASURE_DASH,
        )
        el(
            marks,
            "text",
            mark_label(number, mark, _),
            x=mark_x,
            y=str(c.plot_top - 18),
            text_anchor="middle",
            font_weight="bold",
        )


def _draw_annotations(c: _Canvas, notes: Sequence[Annotation]) -> None:
    """Notes on single points: "A1" above the point; the legend has the text."""
    values = {p.period: p.value for p in c.chart.analysis.points}
    labels = el(c.root, "g", class_="rc-annotations", font_size="11", font_weight="bold")
    for note in notes:
        value = values.get(note.period)
        if value is None:
            continue
        el(
            labels,
            "text",
            f"A{note.number}",
            x=fmt(c.x_at(note.period)),
            y=fmt(max(c.y_of(value) - 10, c.plot_top + 10)),
            text_anchor="middle",
            fill=TARGET,
        )


def _draw_target(c: _Canvas) -> None:
    _ = c.translate
    indicator = c.chart.indicator
    if indicator.target is None or not c.ticks[0] <= indicator.target <= c.ticks[-1]:
        return
    y = fmt(c.y_of(indicator.target))
    target = el(c.root, "g", class_="rc-target")
    el(
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
    el(
        target,
        "text",
        _("Mål: {value}").format(
            value=format_value(indicator.target, indicator.kind, "", c.locale)
        ),
        x=str(PLOT_LEFT + 4),
        y=fmt(float(y) - 5),
        fill=TARGET,
        font_size="11",
    )


def _draw_centre_lines(c: _Canvas) -> None:
    """Centre lines, one per segment."""
    _ = c.translate
    centre = el(c.root, "g", class_="rc-centre")
    for segment in c.chart.analysis.segments:
        if segment.centre_line is None:
            continue
        y = fmt(c.y_of(segment.centre_line))
        left = c.x_at(segment.first_period) - 6
        right = c.x_at(segment.last_period) + 6
        el(
            centre,
            "line",
            x1=fmt(left),
            x2=fmt(right),
            y1=y,
            y2=y,
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=CENTRE_DASH,
        )
        el(
            centre,
            "text",
            _("Median {value}").format(
                value=format_value(segment.centre_line, c.kind, "", c.locale)
            ),
            x=fmt(right),
            y=fmt(float(y) - 5),
            text_anchor="end",
            fill=MUTED,
            font_size="11",
        )


def _stretches(points: Sequence[AnalysisPointRead]) -> list[list[AnalysisPointRead]]:
    """The shown points in runs between hidden ones."""
    stretch: list[AnalysisPointRead] = []
    stretches: list[list[AnalysisPointRead]] = []
    for point in points:
        if point.value is None:
            stretches.append(stretch)
            stretch = []
        else:
            stretch.append(point)
    stretches.append(stretch)
    return stretches


def _draw_series(c: _Canvas) -> None:
    """The series: lines between shown points (broken where a point is hidden), then
    markers."""
    indicator, analysis = c.chart.indicator, c.chart.analysis
    series = el(c.root, "g", class_="rc-series")
    for points in _stretches(analysis.points):
        if len(points) > 1:
            el(
                series,
                "polyline",
                points=" ".join(
                    f"{fmt(c.x_at(p.period))},{fmt(c.y_of(p.value or 0))}" for p in points
                ),
                fill="none",
                stroke=INK,
                stroke_width="2",
                stroke_linejoin="round",
            )
    hidden = el(c.root, "g", class_="rc-suppressed", fill=MUTED, font_size="10")
    for point in analysis.points:
        x = c.x_at(point.period)
        if point.value is None:
            el(
                hidden,
                "text",
                point.suppressed or "",
                x=fmt(x),
                y=str(c.plot_bottom - 6),
                text_anchor="middle",
            )
            continue
        label = format_period(point.period, c.frequency, c.translate, c.locale)
        shown = format_value(point.value, indicator.kind, indicator.unit, c.locale)
        marker = _marker(series, x, c.y_of(point.value), point.in_signalling_run)
        el(marker, "title", f"{label}: {shown}")


def _marker(series: ET.Element, x: float, y: float, signalling: bool) -> ET.Element:
    if signalling:
        return el(
            series,
            "path",
            d=diamond(x, y, 6.5),
            fill=SIGNAL,
            stroke=INK,
            stroke_width="1.5",
            class_="rc-point rc-point-signal",
        )
    return el(
        series,
        "circle",
        cx=fmt(x),
        cy=fmt(y),
        r="3.5",
        fill=INK,
        class_="rc-point",
    )


def svg_document(chart: ChartInput, *, translate: Translate = nb, locale: str = "nb") -> str:
    """A standalone SVG file (with the XML declaration), as served by the API."""
    return XML_DECLARATION + render_chart(chart, translate=translate, locale=locale) + "\n"
