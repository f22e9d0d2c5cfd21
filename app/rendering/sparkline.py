"""A chart thumbnail: the series as a small line (an inline `<svg>`), for the overview of
every measurement. Decorative beside the words it stands with: the page says the latest
value and the verdict in text, so the picture is hidden from screen readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.rendering.chart_text import ChartInput
from app.rendering.svg import INK, MUTED, SIGNAL, SVG_NAMESPACE, el, fmt

WIDTH = 160
HEIGHT = 40
PAD = 4


def sparkline(chart: ChartInput) -> str | None:
    """The shown points as a line (None with fewer than two); the centre line of the current
    segment dotted; points in a signalling run marked."""
    points = [p for p in chart.analysis.points if p.value is not None]
    if len(points) < 2:
        return None
    values = [p.value or 0.0 for p in points]
    centre = chart.analysis.centre_line
    low = min([*values, centre] if centre is not None else values)
    high = max([*values, centre] if centre is not None else values)
    span = (high - low) or 1.0

    def x_of(i: int) -> float:
        return PAD + i / (len(points) - 1) * (WIDTH - 2 * PAD)

    def y_of(v: float) -> float:
        return HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD)

    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "aria-hidden": "true",
            "focusable": "false",
            "class": "sparkline",
        },
    )
    if centre is not None:
        y = fmt(y_of(centre))
        el(root, "line", x1=str(PAD), x2=str(WIDTH - PAD), y1=y, y2=y, stroke=MUTED,
           stroke_width="1", stroke_dasharray="3 3")  # fmt: skip
    el(
        root,
        "polyline",
        points=" ".join(f"{fmt(x_of(i))},{fmt(y_of(v))}" for i, v in enumerate(values)),
        fill="none",
        stroke=INK,
        stroke_width="1.5",
    )
    for i, point in enumerate(points):
        if point.in_signalling_run:
            el(root, "circle", cx=fmt(x_of(i)), cy=fmt(y_of(values[i])), r="2.5", fill=SIGNAL)
    return ET.tostring(root, encoding="unicode")
