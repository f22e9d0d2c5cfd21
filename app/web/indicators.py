"""What the pages with run charts share: a chart made ready for a template (the SVG in the
person's language, the rules' verdict in words, the data table), and the indicator form
used to create an indicator (improvement area page) and to change it (indicator page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from app.kit.observation_text import CellError, parse_number
from app.kit.observation_text import format_number as plain_number
from app.models.base import ControlChart, Direction, Frequency, IndicatorKind, IndicatorRole
from app.models.measurement import IndicatorRead, ObservationRead
from app.rendering import chart_svg, chart_text
from app.rendering import spc_svg as spc_svg_module
from app.rendering.chart_text import ChartInput, DataTable
from app.web import labels
from app.web.forms import Form, date_value
from app.web.i18n import N_, babel_locale, translate, translations

#: The privacy rule, said wherever numbers are entered (PRODUCT.md §3).
AGGREGATES_ONLY = N_(
    "Her lagres bare samlede tall for en gruppe, aldri opplysninger om enkeltpersoner."
)


def chart_translator(lang: str) -> Callable[[str], str]:
    """The chart's texts (bokmål message ids with {placeholders}) in the person's language."""
    return translations(lang).gettext


def chart_locale(lang: str) -> str:
    return str(babel_locale(lang))


@dataclass(frozen=True)
class ChartView:
    """One indicator's run chart as a page shows it."""

    indicator: IndicatorRead
    #: The `<svg>` element (escaped by the drawing code), to inline.
    svg: Markup
    #: The verdict in plain words (e.g. "Forbedring: målingene har gått ned siden mars 2026.").
    summary: str
    #: What the rules say, sentence by sentence.
    sentences: list[str]
    #: Whether a rule signals a real change.
    signal: bool
    table: DataTable
    #: The period of each table row.
    periods: list[date]
    #: The observations as this person may see them (small numbers suppressed).
    observations: list[ObservationRead]
    #: How the chart is read, in plain words.
    explanations: list[str]
    data_version: int
    #: The control chart (`<svg>`) with its name and what it says; None without one.
    spc_svg: Markup | None = None
    spc_name: str = ""
    spc_sentences: tuple[str, ...] = ()

    @property
    def id(self) -> int:
        return self.indicator.id

    @property
    def rows(self) -> list[tuple[date, tuple[str, ...]]]:
        return list(zip(self.periods, self.table.rows, strict=True))


def chart_view(chart: ChartInput, lang: str, id_prefix: str, *, scale: float = 1.0) -> ChartView:
    """A chart for a page; the poster passes `chart_svg.POSTER_SCALE` for larger texts."""
    _ = chart_translator(lang)
    locale = chart_locale(lang)
    indicator, analysis = chart.indicator, chart.analysis
    spc_svg = spc_svg_module.render_spc(
        chart, translate=_, locale=locale, id_prefix=f"{id_prefix}-spc"
    )
    return ChartView(
        indicator=indicator,
        svg=Markup(  # noqa: S704  # built with ElementTree, which escapes every text
            chart_svg.render_chart(
                chart,
                translate=_,
                locale=locale,
                id_prefix=id_prefix,
                heading=False,
                scale=scale,
            )
        ),
        summary=chart_text.verdict_text(analysis.verdict, indicator.frequency, _, locale),
        sentences=[
            chart_text.signal_summary(analysis, _),
            *chart_text.rule_sentences(
                analysis, indicator.direction, indicator.frequency, _, locale
            ),
        ]
        if analysis.n_points
        else chart_text.rule_sentences(analysis, indicator.direction, indicator.frequency, _),
        signal=analysis.signals.long_run or analysis.signals.few_crossings,
        table=chart_text.chart_table(chart, _, locale),
        periods=[p.period for p in analysis.points],
        observations=list(chart.observations),
        explanations=chart_text.rule_explanations(_),
        data_version=indicator.data_version,
        # Built with ElementTree, which escapes every text.
        spc_svg=None if spc_svg is None else Markup(spc_svg),  # noqa: S704
        spc_name="" if analysis.spc is None else spc_svg_module.chart_name(analysis.spc, _),
        spc_sentences=tuple(spc_svg_module.spc_sentences(chart, _, locale)),
    )


def period_label(period: date, frequency: str, lang: str) -> str:
    """ "mars 2025", "2. kvartal 2025", "uke 12 2025" in the person's language."""
    return chart_text.format_period(period, frequency, chart_translator(lang), chart_locale(lang))


def target_text(indicator: IndicatorRead, lang: str) -> str:
    """The target as the chart shows it ("80 %", "12 uker"); empty without a target."""
    if indicator.target is None:
        return ""
    return chart_text.format_value(
        indicator.target, indicator.kind, indicator.unit, chart_locale(lang)
    )


def number_text(value: float | int | None) -> str:
    """A saved number as a Norwegian types it back (decimal comma, no grouping)."""
    if value is None:
        return ""
    return plain_number(float(value), ";")


def number_value(raw: str) -> float | str | None:
    """A number as typed (decimal comma or point); empty is None, and anything else is left
    for the input model to refuse with a message."""
    if not raw.strip():
        return None
    try:
        return parse_number(raw)
    except CellError:
        return raw


# ---- the indicator form ------------------------------------------------------------------


def indicator_form(indicator: IndicatorRead) -> Form:
    return Form(
        {
            "name": indicator.name,
            "definition": indicator.definition,
            "kind": indicator.kind.value,
            "role": indicator.role.value,
            "unit": indicator.unit,
            "direction": indicator.direction.value,
            "target": number_text(indicator.target),
            "frequency": indicator.frequency.value,
            "control_chart": indicator.control_chart.value if indicator.control_chart else "",
            "baseline_points": str(indicator.baseline_points or ""),
            "baseline_restart": (
                indicator.baseline_restart.isoformat() if indicator.baseline_restart else ""
            ),
            "version": str(indicator.version),
        }
    )


def new_indicator_form() -> Form:
    return Form(
        {
            "kind": IndicatorKind.count.value,
            "role": IndicatorRole.process.value,
            "direction": Direction.up.value,
            "frequency": Frequency.month.value,
        }
    )


def indicator_input(form: Form, *, settings: bool = False) -> dict[str, Any]:
    """The posted indicator form as input for `IndicatorCreate` (or, with the baseline
    settings, `IndicatorUpdate`)."""
    data: dict[str, Any] = {
        "name": form.value("name"),
        "definition": form.value("definition"),
        "kind": form.value("kind"),
        "role": form.value("role") or IndicatorRole.process.value,
        "unit": form.value("unit"),
        "direction": form.value("direction") or Direction.up.value,
        "target": number_value(form.value("target")),
        "frequency": form.value("frequency") or Frequency.month.value,
    }
    if settings:
        points = form.value("baseline_points").strip()
        data["baseline_points"] = points or None
        data["baseline_restart"] = date_value(form.value("baseline_restart"))
        data["control_chart"] = form.value("control_chart") or None
    return data


def indicator_field_names(lang: str) -> dict[str, str]:
    return {
        name: translate(lang, label)
        for name, label in (
            ("name", N_("Navn")),
            ("definition", N_("Definisjon")),
            ("kind", N_("Type tall")),
            ("role", N_("Type mål")),
            ("unit", N_("Enhet")),
            ("direction", N_("Hva er bedre")),
            ("target", N_("Målverdi")),
            ("frequency", N_("Hvor ofte")),
            ("baseline_points", N_("Punkter i grunnlaget for midtlinjen")),
            ("baseline_restart", N_("Ny midtlinje fra")),
            ("control_chart", N_("Styringsdiagram")),
        )
    }


def indicator_options(lang: str) -> dict[str, list[Any]]:
    """The choices of the indicator form, labelled in the person's language."""
    return {
        "kind": [
            (
                kind.value,
                translate(lang, labels.INDICATOR_KIND[kind.value]),
                translate(lang, labels.INDICATOR_KIND_HINT[kind.value]),
            )
            for kind in IndicatorKind
        ],
        "role": [
            (
                role.value,
                translate(lang, labels.INDICATOR_ROLE[role.value]),
                translate(lang, labels.INDICATOR_ROLE_HINT[role.value]),
            )
            for role in IndicatorRole
        ],
        "direction": [
            (d.value, translate(lang, labels.DIRECTION[d.value]), None) for d in Direction
        ],
        "frequency": [(f.value, translate(lang, labels.FREQUENCY[f.value])) for f in Frequency],
        "control_chart": [
            ("", translate(lang, N_("Velges ut fra tallene"))),
            *((c.value, translate(lang, labels.CONTROL_CHART[c.value])) for c in ControlChart),
        ],
    }
