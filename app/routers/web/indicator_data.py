"""What the handlers of an indicator's page share: the page and its data area (entry table,
chart, import, table of all numbers) as contexts, and the numbers of one observation read
from a form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Response

from app.kit.observation_text import CellError, parse_number
from app.models.base import IndicatorKind, local_today
from app.models.measurement import IndicatorRead, ObservationRead
from app.services import improvement, measurement, run_charts
from app.services.workspace import Need, Workspace, workspace_of
from app.web import labels
from app.web.core import Web
from app.web.forms import Form
from app.web.i18n import N_
from app.web.indicators import (
    AGGREGATES_ONLY,
    ChartView,
    chart_view,
    indicator_field_names,
    indicator_form,
    indicator_options,
    number_text,
    period_label,
    target_text,
)

INDICATOR = "measurement/indicator.html"
OBSERVATION = "measurement/observation.html"
#: The quick-entry table: the period holding today and the six before it.
ENTRY_ROWS = 7
#: Bad pasted lines listed one by one; more are counted.
MAX_LISTED_PROBLEMS = 50


def url(indicator_id: int, anchor: str = "") -> str:
    return f"/app/malinger/{indicator_id}" + (f"#{anchor}" if anchor else "")


def is_proportion(indicator: IndicatorRead) -> bool:
    return indicator.kind == IndicatorKind.proportion


def number_fields(indicator: IndicatorRead) -> tuple[str, ...]:
    return ("numerator", "denominator") if is_proportion(indicator) else ("value",)


def saved_numbers(indicator: IndicatorRead, saved: ObservationRead | None) -> dict[str, str]:
    """What a saved observation puts in the form's number fields."""
    if saved is None:
        return dict.fromkeys(number_fields(indicator), "")
    if is_proportion(indicator):
        return {
            "numerator": "" if saved.numerator is None else str(saved.numerator),
            "denominator": "" if saved.denominator is None else str(saved.denominator),
        }
    return {"value": number_text(saved.value)}


def typed_observation(
    indicator: IndicatorRead, form: Form, prefix: str
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """One observation as typed (numbers with a decimal comma or point): the input for
    `ObservationInput`, None when no number was typed, and errors by field name."""
    errors: dict[str, str] = {}
    numbers: dict[str, Any] = {}
    for name in number_fields(indicator):
        raw = form.value(f"{prefix}{name}").strip()
        if not raw:
            continue
        try:
            number = parse_number(raw)
        except CellError:
            errors[f"{prefix}{name}"] = N_("Skriv et tall, for eksempel 12 eller 12,5.")
            continue
        numbers[name] = int(number) if name != "value" and number == int(number) else number
    if errors:
        return None, errors
    if not numbers:
        return None, {}
    return {**numbers, "comment": form.value(f"{prefix}comment")}, {}


def main_field(indicator: IndicatorRead) -> str:
    return "numerator" if is_proportion(indicator) else "value"


# ---- the data area: quick entry, chart, import, table ------------------------------------


@dataclass
class EntryRow:
    index: int
    period: date
    label: str
    current: bool


@dataclass
class LineProblem:
    line: int
    message: str
    #: The line as pasted, so the person sees what is wrong with it.
    text: str


@dataclass
class DataState:
    """What the data area shows besides the saved data: a form as typed with its errors,
    a confirmation, a conflict."""

    entry: Form | None = None
    entry_message: str | None = None
    entry_conflict: list[tuple[str, str, str]] = field(default_factory=list)
    paste: Form | None = None
    paste_message: str | None = None
    paste_problems: list[LineProblem] = field(default_factory=list)
    #: Bad lines beyond the ones listed (a file that is not rows at all can have thousands).
    paste_more_problems: int = 0
    paste_conflict: bool = False
    table_message: str | None = None
    table_error: bool = False


def entry_form(view: ChartView, periods: list[date]) -> Form:
    """The quick-entry table prefilled with what is saved for its periods."""
    saved = {o.period: o for o in view.observations}
    values: dict[str, Any] = {"data_version": str(view.data_version)}
    for index, period in enumerate(periods):
        prefix = f"items-{index}-"
        observation = saved.get(period)
        values[prefix + "period"] = period.isoformat()
        for name, text in saved_numbers(view.indicator, observation).items():
            values[prefix + name] = text
        values[prefix + "comment"] = observation.comment if observation else ""
    return Form(values)


def entry_periods(form: Form) -> list[date | None]:
    periods: list[date | None] = []
    for index in range(ENTRY_ROWS):
        try:
            periods.append(date.fromisoformat(form.value(f"items-{index}-period")))
        except ValueError:
            periods.append(None)
    return periods


def entry_rows(web: Web, view: ChartView, form: Form) -> list[EntryRow]:
    frequency = view.indicator.frequency
    current = measurement.period_containing(local_today(), frequency)
    return [
        EntryRow(
            index=index,
            period=period,
            label=period_label(period, frequency, web.lang),
            current=period == current,
        )
        for index, period in enumerate(entry_periods(form))
        if period is not None
    ]


def entry_field_names(web: Web, view: ChartView, rows: list[EntryRow]) -> dict[str, str]:
    columns = {
        "value": view.indicator.unit or web._(N_("Tall")),
        "numerator": web._(N_("Teller")),
        "denominator": web._(N_("Nevner")),
        "comment": web._(N_("Kommentar")),
    }
    return {
        f"items-{row.index}-{name}": f"{row.label}, {column}"
        for row in rows
        for name, column in columns.items()
    }


def paste_form(view: ChartView) -> Form:
    return Form({"text": "", "data_version": str(view.data_version)})


def data_context(web: Web, indicator_id: int, state: DataState | None = None) -> dict[str, Any]:
    state = state or DataState()
    indicator, municipality = measurement.indicator_municipality(
        web.db, web.principal, indicator_id
    )
    ws = workspace_of(web.db, web.principal, municipality)
    chart = run_charts.get_chart(web.db, web.principal, indicator_id)
    view = chart_view(chart, web.lang, "diagram")
    periods = measurement.recent_periods(view.indicator.frequency, local_today(), ENTRY_ROWS)
    # A form as typed keeps its periods and the data version it was read at (after a
    # conflict, the routes give it the current one: saving again keeps what was typed).
    entry = state.entry or entry_form(view, periods)
    paste = state.paste or paste_form(view)
    rows = entry_rows(web, view, entry)
    proportion = is_proportion(view.indicator)
    return {
        "ws": ws,
        "indicator": view.indicator,
        "view": view,
        "state": state,
        "entry": entry,
        "entry_rows": rows,
        "entry_field_names": entry_field_names(web, view, rows),
        "paste": paste,
        "proportion": proportion,
        "aggregates_only": web._(AGGREGATES_ONLY),
        "kind_label": web._(labels.INDICATOR_KIND[view.indicator.kind.value]),
        "role_label": web._(labels.INDICATOR_ROLE[view.indicator.role.value]),
        "frequency_label": web._(labels.FREQUENCY[view.indicator.frequency.value]),
        "direction_label": web._(labels.DIRECTION[view.indicator.direction.value]),
        "current_period_label": web._(labels.CURRENT_PERIOD[view.indicator.frequency.value]),
        "area_id": indicator.improvement_area_id,
    }


@dataclass
class SettingsState:
    form: Form
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def page_context(
    web: Web,
    indicator_id: int,
    *,
    data: DataState | None = None,
    settings: SettingsState | None = None,
) -> dict[str, Any]:
    context = data_context(web, indicator_id, data)
    view: ChartView = context["view"]
    area = improvement.get_area(web.db, web.principal, context["area_id"])
    saved_restart = view.indicator.baseline_restart
    restart_options = [("", web._(N_("Ingen ny midtlinje")))]
    restart_options += [
        (p.isoformat(), period_label(p, view.indicator.frequency, web.lang)) for p in view.periods
    ]
    if saved_restart and saved_restart not in view.periods:
        restart_options.append((saved_restart.isoformat(), saved_restart.isoformat()))
    return {
        **context,
        "area": area,
        "active_tab": "forbedringsomrader",
        "page_title": view.indicator.name,
        "settings": settings or SettingsState(form=indicator_form(view.indicator)),
        "indicator_field_names": indicator_field_names(web.lang),
        "indicator_options": indicator_options(web.lang),
        "restart_options": restart_options,
        "target_text": target_text(view.indicator, web.lang),
    }


def render_data(
    web: Web, indicator_id: int, state: DataState, *, status: int = 200, anchor: str = ""
) -> Response:
    """The data area as htmx asks for it, or the whole page (a plain post that failed)."""
    if web.is_fragment:
        return web.render(
            INDICATOR, data_context(web, indicator_id, state), block="data", status=status
        )
    return web.render(INDICATOR, page_context(web, indicator_id, data=state), status=status)


def editable(web: Web, indicator_id: int) -> tuple[IndicatorRead, Workspace]:
    indicator, municipality = measurement.indicator_municipality(
        web.db, web.principal, indicator_id
    )
    ws = workspace_of(web.db, web.principal, municipality, Need.edit)
    return measurement.indicator_read(indicator), ws
