"""The control chart (SPC) of an indicator as accessible SVG, beside its run chart: the
points, the centre line (the mean), the control limits (stepped when the denominators
vary), and the points of a special-cause signal as diamonds. Drawn with the run chart's
primitives and look (`rendering.svg`), in black-and-white readable patterns, with the
Making Data Count verdicts in words.

Pure: it takes the analysis the service built (`IndicatorAnalysisRead.spc`)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable

from app.models.base import IndicatorKind
from app.models.measurement import SpcRead
from app.rendering.chart_svg import nice_ticks
from app.rendering.chart_text import (
    ChartInput,
    Translate,
    format_number,
    format_period,
    format_value,
    nb,
    short_period,
)
from app.rendering.svg import (
    CENTRE_DASH,
    GRID,
    INK,
    LEGEND_ROW,
    MAX_X_LABELS,
    MUTED,
    PLOT_HEIGHT,
    PLOT_LEFT,
    PLOT_RIGHT,
    SIGNAL,
    SVG_NAMESPACE,
    WIDTH,
    diamond,
    el,
    fmt,
)

LIMIT_DASH = "3 3"
YScale = Callable[[float], float]
XScale = Callable[[int], float]


def chart_name(spc: SpcRead, _: Translate = nb) -> str:
    names = {
        "xmr": _("XmR-diagram (I-diagram)"),
        "p": _("P-diagram"),
        "p_prime": _("P′-diagram (Laney)"),
        "u": _("U-diagram"),
    }
    return names[spc.chart]


def rule_text(rule: str, _: Translate = nb) -> str:
    texts = {
        "outside_limits": _("et punkt utenfor kontrollgrensene"),
        "shift": _("7 punkter eller flere på rad på samme side av midtlinjen"),
        "trend": _("6 punkter eller flere på rad som stiger eller synker"),
        "near_limit": _("2 av 3 punkter nær samme kontrollgrense"),
    }
    return texts[rule]


def variation_text(spc: SpcRead, _: Translate = nb) -> str:
    texts = {
        "common_cause": _("Vanlig variasjon: det siste punktet viser ingen spesiell årsak."),
        "improving_high": _("Spesiell variasjon som er en forbedring (høye verdier)."),
        "improving_low": _("Spesiell variasjon som er en forbedring (lave verdier)."),
        "concerning_high": _("Spesiell variasjon som gir grunn til bekymring (høye verdier)."),
        "concerning_low": _("Spesiell variasjon som gir grunn til bekymring (lave verdier)."),
        "neither_high": _("Spesiell variasjon (høye verdier)."),
        "neither_low": _("Spesiell variasjon (lave verdier)."),
    }
    return texts[spc.variation]


def assurance_text(spc: SpcRead, _: Translate = nb) -> str | None:
    if spc.assurance is None:
        return None
    texts = {
        "hit_and_miss": _(
            "Målet ligger innenfor kontrollgrensene: det nås noen ganger og andre ganger ikke."
        ),
        "pass": _("Målet nås jevnt: hele området mellom kontrollgrensene er på riktig side."),
        "fail": _("Målet nås ikke uten at noe endres: hele området er på feil side av målet."),
    }
    return texts[spc.assurance]


def spc_sentences(chart: ChartInput, _: Translate = nb, locale: str = "nb") -> list[str]:
    """The control chart in words: type, centre line and limits, the signals, the icons."""
    spc = chart.analysis.spc
    if spc is None:
        return []
    indicator = chart.indicator
    latest = spc.points[-1]

    def value(number: float) -> str:
        return format_value(number, indicator.kind, indicator.unit, locale)

    sentences = [
        _("{chart}: midtlinjen (gjennomsnittet) er {centre}.").format(
            chart=chart_name(spc, _), centre=value(spc.centre_line)
        ),
        _("Kontrollgrensene for siste punkt er {lower} og {upper}.").format(
            lower=value(latest.lower_limit), upper=value(latest.upper_limit)
        ),
    ]
    for signal in spc.signals:
        sentences.append(
            _("Signal fra {first} til {last}: {rule}.").format(
                first=format_period(signal.first_period, indicator.frequency, _, locale),
                last=format_period(signal.last_period, indicator.frequency, _, locale),
                rule=rule_text(signal.rule, _),
            )
        )
    if not spc.signals:
        sentences.append(_("Ingen regel for spesiell variasjon slår til."))
    sentences.append(variation_text(spc, _))
    assurance = assurance_text(spc, _)
    if assurance:
        sentences.append(assurance)
    return sentences


def render_spc(
    chart: ChartInput, *, translate: Translate = nb, locale: str = "nb", id_prefix: str
) -> str | None:
    """The control chart as an inline `<svg>`, or None when there is none to show."""
    spc = chart.analysis.spc
    if spc is None:
        return None
    _ = translate
    indicator = chart.indicator
    plot_top, plot_bottom = 34, 34 + PLOT_HEIGHT
    height = plot_bottom + 44 + 2 * LEGEND_ROW + 8
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{id_prefix}-title {id_prefix}-desc",
            "class": "run-chart spc-chart",
            "lang": locale.split("_")[0],
            "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
            "font-size": "12",
            "fill": INK,
        },
    )
    el(
        root,
        "title",
        _("{chart}: {name}").format(chart=chart_name(spc, _), name=indicator.name),
        id=f"{id_prefix}-title",
    )
    el(root, "desc", " ".join(spc_sentences(chart, _, locale)), id=f"{id_prefix}-desc")
    el(root, "rect", x="0", y="0", width=str(WIDTH), height=str(height), fill="#ffffff")

    values = [v for p in spc.points for v in (p.value, p.lower_limit, p.upper_limit)]
    low, high = min(values), max(values)
    pad = 0.05 * ((high - low) or abs(high) or 1.0)
    low, high = low - pad, high + pad
    if indicator.kind in (IndicatorKind.count, IndicatorKind.proportion):
        low = max(low, 0.0)
    span = (high - low) or 1.0

    def y_of(v: float) -> float:
        return plot_bottom - (v - low) / span * (plot_bottom - plot_top)

    n = len(spc.points)

    def x_of(i: int) -> float:
        return PLOT_LEFT + (i + 0.5) / n * (PLOT_RIGHT - PLOT_LEFT)

    _draw_frame(root, chart, spc, low, high, y_of, x_of, plot_top, plot_bottom, _, locale)
    _draw_lines(root, spc, y_of, x_of)
    _draw_legend(root, plot_bottom + 44, _)
    return ET.tostring(root, encoding="unicode")


def _draw_frame(
    root: ET.Element,
    chart: ChartInput,
    spc: SpcRead,
    low: float,
    high: float,
    y_of: YScale,
    x_of: XScale,
    plot_top: int,
    plot_bottom: int,
    _: Translate,
    locale: str,
) -> None:
    grid = el(root, "g", class_="rc-grid", stroke=GRID, stroke_width="1")
    labels = el(root, "g", class_="rc-axis", fill=MUTED, font_size="11")
    proportion = chart.indicator.kind == IndicatorKind.proportion
    for tick in nice_ticks(low, high):
        if not low <= tick <= high:
            continue
        y = fmt(y_of(tick))
        el(grid, "line", x1=str(PLOT_LEFT), x2=str(PLOT_RIGHT), y1=y, y2=y)
        text = format_number(tick, locale) + (" %" if proportion else "")
        el(labels, "text", text, x=str(PLOT_LEFT - 8), y=y, text_anchor="end", dy="4")
    el(
        root,
        "text",
        chart_name(spc, _),
        x=str(PLOT_LEFT - 56),
        y="20",
        font_size="13",
        font_weight="bold",
    )
    step = max(1, math.ceil(len(spc.points) / MAX_X_LABELS))
    for index, point in enumerate(spc.points):
        if index % step == 0:
            el(
                labels,
                "text",
                short_period(point.period, chart.indicator.frequency, _, locale),
                x=fmt(x_of(index)),
                y=str(plot_bottom + 18),
                text_anchor="middle",
            )
    el(
        root,
        "line",
        x1=str(PLOT_LEFT),
        x2=str(PLOT_RIGHT),
        y1=str(plot_bottom),
        y2=str(plot_bottom),
        stroke=MUTED,
        stroke_width="1",
    )


def _steps(spc: SpcRead, y_of: YScale, x_of: XScale, upper: bool) -> str:
    """A limit line, stepped at each point (limits vary with the denominator)."""
    n = len(spc.points)
    half = (x_of(1) - x_of(0)) / 2 if n > 1 else (PLOT_RIGHT - PLOT_LEFT) / 2
    parts = []
    for i, point in enumerate(spc.points):
        limit = point.upper_limit if upper else point.lower_limit
        y = fmt(y_of(limit))
        command = "M" if i == 0 else "L"
        parts.append(f"{command} {fmt(x_of(i) - half)} {y} L {fmt(x_of(i) + half)} {y}")
    return " ".join(parts)


def _draw_lines(root: ET.Element, spc: SpcRead, y_of: YScale, x_of: XScale) -> None:
    for upper in (True, False):
        el(
            root,
            "path",
            d=_steps(spc, y_of, x_of, upper),
            fill="none",
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=LIMIT_DASH,
            class_="spc-limit",
        )
    centre = fmt(y_of(spc.centre_line))
    el(
        root,
        "line",
        x1=str(PLOT_LEFT),
        x2=str(PLOT_RIGHT),
        y1=centre,
        y2=centre,
        stroke=MUTED,
        stroke_width="1.5",
        stroke_dasharray=CENTRE_DASH,
        class_="spc-centre",
    )
    path = " ".join(
        f"{'M' if i == 0 else 'L'} {fmt(x_of(i))} {fmt(y_of(p.value))}"
        for i, p in enumerate(spc.points)
    )
    el(root, "path", d=path, fill="none", stroke=INK, stroke_width="2", class_="spc-series")
    dots = el(root, "g", class_="spc-points")
    for i, point in enumerate(spc.points):
        x, y = x_of(i), y_of(point.value)
        if point.signal:
            el(dots, "path", d=diamond(x, y, 6), fill=SIGNAL, stroke=INK, stroke_width="1")
        else:
            el(dots, "circle", cx=fmt(x), cy=fmt(y), r="3.5", fill=INK)


def _draw_legend(root: ET.Element, top: int, _: Translate) -> None:
    legend = el(root, "g", class_="rc-legend", font_size="11")
    entries = [
        (CENTRE_DASH, _("Midtlinje (gjennomsnitt)")),
        (LIMIT_DASH, _("Kontrollgrenser (3 sigma)")),
    ]
    x = PLOT_LEFT - 56
    for dash, label in entries:
        el(
            legend,
            "line",
            x1=str(x),
            x2=str(x + 40),
            y1=str(top),
            y2=str(top),
            stroke=MUTED,
            stroke_width="1.5",
            stroke_dasharray=dash,
        )
        el(legend, "text", label, x=str(x + 48), y=str(top), dy="4")
        x += 250
    row = top + LEGEND_ROW
    el(legend, "path", d=diamond(PLOT_LEFT - 36, row, 6), fill=SIGNAL, stroke=INK, stroke_width="1")
    el(legend, "text", _("Punkt med spesiell variasjon"), x=str(PLOT_LEFT - 8), y=str(row), dy="4")
