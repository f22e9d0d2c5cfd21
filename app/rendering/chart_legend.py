"""The run chart's legend: the verdict in words, what each line and marker means, the
measures by number and the label of hidden small numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from app.rendering.chart_text import (
    Annotation,
    ChartInput,
    MeasureMark,
    Translate,
    format_period,
    long_date,
    mark_label,
    numbered_marks,
    truncate,
    verdict_text,
)
from app.rendering.svg import (
    CENTRE_DASH,
    INK,
    LEGEND_ROW,
    MEASURE_DASH,
    MUTED,
    PLOT_LEFT,
    SIGNAL,
    TARGET,
    TARGET_DASH,
    diamond,
    el,
    fmt,
)


def draw_legend(
    root: ET.Element,
    chart: ChartInput,
    measures: Sequence[MeasureMark],
    signalling: bool,
    top: int,
    _: Translate,
    locale: str,
    notes: Sequence[Annotation] = (),
    *,
    scale: float = 1.0,
) -> None:
    """The legend under the plot; `scale` spaces it for texts drawn `scale` times larger."""
    row = round(LEGEND_ROW * scale)
    legend = el(root, "g", class_="rc-legend", font_size="11")
    x: float = PLOT_LEFT - 56
    y = top
    el(
        legend,
        "text",
        verdict_text(chart.analysis.verdict, chart.indicator.frequency, _, locale),
        x=fmt(x),
        y=str(y),
        font_size="12",
        font_weight="bold",
        class_="rc-verdict",
    )
    y += row + 4
    entries = [("series", _("Målinger"))]
    if any(s.centre_line is not None for s in chart.analysis.segments):
        entries.append(("centre", _("Midtlinje (median)")))
    if chart.indicator.target is not None:
        entries.append(("target", _("Mål")))
    if signalling:
        entries.append(("signal", _("Punkt i et uvanlig langt løp")))
    for what, text in entries:
        line = {"x1": fmt(x), "x2": fmt(x + 28), "y1": str(y - 4), "y2": str(y - 4)}
        if what == "series":
            el(legend, "line", **line, stroke=INK, stroke_width="2")
            el(legend, "circle", cx=fmt(x + 14), cy=str(y - 4), r="3.5", fill=INK)
        elif what == "centre":
            el(
                legend,
                "line",
                **line,
                stroke=MUTED,
                stroke_width="1.5",
                stroke_dasharray=CENTRE_DASH,
            )
        elif what == "target":
            el(
                legend,
                "line",
                **line,
                stroke=TARGET,
                stroke_width="2",
                stroke_dasharray=TARGET_DASH,
            )
        else:
            el(
                legend,
                "path",
                d=diamond(x + 14, y - 4, 6),
                fill=SIGNAL,
                stroke=INK,
                stroke_width="1.5",
            )
        el(legend, "text", text, x=fmt(x + 34), y=str(y))
        x += 34 + 7 * scale * len(text) + 24
    for number, mark in numbered_marks(measures):
        y += row
        x = PLOT_LEFT - 56
        el(
            legend,
            "line",
            x1=fmt(x + 14),
            x2=fmt(x + 14),
            y1=str(y - 12),
            y2=str(y + 3),
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=MEASURE_DASH,
        )
        el(
            legend,
            "text",
            truncate(
                _("{label}: {title} (startet {date})").format(
                    label=mark_label(number, mark, _),
                    title=mark.title if mark.kind != "pdsa" else f"PDSA – {mark.title}",
                    date=long_date(mark.start_date, locale),
                ),
                110,
            ),
            x=fmt(x + 34),
            y=str(y),
        )
    for note in notes:
        y += row
        el(
            legend,
            "text",
            truncate(
                _("A{number} ({period}): {text}").format(
                    number=note.number,
                    period=format_period(note.period, chart.indicator.frequency, _, locale),
                    text=note.text,
                ),
                110,
            ),
            x=fmt(PLOT_LEFT - 56),
            y=str(y),
        )
    if chart.analysis.suppressed_points:
        y += row
        label = next(p.suppressed for p in chart.analysis.points if p.suppressed)
        el(
            legend,
            "text",
            _("{label}: små tall vises ikke").format(label=label),
            x=fmt(PLOT_LEFT - 22),
            y=str(y),
        )
