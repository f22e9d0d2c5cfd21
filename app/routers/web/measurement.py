"""One indicator's page (`/app/malinger/{id}`): its run chart and what the rules say, a
quick-entry table for the latest periods, rows pasted from a spreadsheet, CSV upload and
download, single observations changed and deleted, and the indicator's own settings.

Only aggregated numbers are stored, never data about a person; the page says so where
numbers are entered. Everything works as plain form posts; with htmx the data area (entry,
chart, import, table) is swapped in place, so the chart updates without a page load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from starlette.datastructures import UploadFile

from app.errors import Forbidden, Invalid, NotFound, PreconditionFailed
from app.kit.observation_text import CellError, decode_text, parse_number
from app.models.base import IndicatorKind, local_today
from app.models.measurement import IndicatorRead, IndicatorUpdate, ObservationList, ObservationRead
from app.services import improvement, measurement
from app.services.workspace import Workspace, workspace_of
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, row_message, service_errors, validate
from app.web.i18n import N_
from app.web.indicators import (
    AGGREGATES_ONLY,
    ChartView,
    chart_view,
    indicator_field_names,
    indicator_form,
    indicator_input,
    indicator_options,
    number_text,
    period_label,
    target_text,
)

router = APIRouter(include_in_schema=False)

INDICATOR = "measurement/indicator.html"
OBSERVATION = "measurement/observation.html"
#: The quick-entry table: the period holding today and the six before it.
ENTRY_ROWS = 7
#: Bad pasted lines listed one by one; more are counted.
MAX_LISTED_PROBLEMS = 50


def _url(indicator_id: int, anchor: str = "") -> str:
    return f"/app/malinger/{indicator_id}" + (f"#{anchor}" if anchor else "")


def _require_edit(ws: Workspace) -> None:
    if not ws.can_edit:
        raise Forbidden(f"You may read but not change {ws.municipality.name}.")


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        return -1


def _is_proportion(indicator: IndicatorRead) -> bool:
    return indicator.kind == IndicatorKind.proportion


def _number_fields(indicator: IndicatorRead) -> tuple[str, ...]:
    return ("numerator", "denominator") if _is_proportion(indicator) else ("value",)


def _saved_numbers(indicator: IndicatorRead, saved: ObservationRead | None) -> dict[str, str]:
    """What a saved observation puts in the form's number fields."""
    if saved is None:
        return dict.fromkeys(_number_fields(indicator), "")
    if _is_proportion(indicator):
        return {
            "numerator": "" if saved.numerator is None else str(saved.numerator),
            "denominator": "" if saved.denominator is None else str(saved.denominator),
        }
    return {"value": number_text(saved.value)}


def _typed_observation(
    indicator: IndicatorRead, form: Form, prefix: str
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """One observation as typed (numbers with a decimal comma or point): the input for
    `ObservationInput`, None when no number was typed, and errors by field name."""
    errors: dict[str, str] = {}
    numbers: dict[str, Any] = {}
    for name in _number_fields(indicator):
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


def _main_field(indicator: IndicatorRead) -> str:
    return "numerator" if _is_proportion(indicator) else "value"


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
        for name, text in _saved_numbers(view.indicator, observation).items():
            values[prefix + name] = text
        values[prefix + "comment"] = observation.comment if observation else ""
    return Form(values)


def _entry_periods(form: Form) -> list[date | None]:
    periods: list[date | None] = []
    for index in range(ENTRY_ROWS):
        try:
            periods.append(date.fromisoformat(form.value(f"items-{index}-period")))
        except ValueError:
            periods.append(None)
    return periods


def _entry_rows(web: Web, view: ChartView, form: Form) -> list[EntryRow]:
    frequency = view.indicator.frequency
    current = measurement.period_containing(local_today(), frequency)
    return [
        EntryRow(
            index=index,
            period=period,
            label=period_label(period, frequency, web.lang),
            current=period == current,
        )
        for index, period in enumerate(_entry_periods(form))
        if period is not None
    ]


def _entry_field_names(web: Web, view: ChartView, rows: list[EntryRow]) -> dict[str, str]:
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


def _paste_form(view: ChartView) -> Form:
    return Form({"text": "", "data_version": str(view.data_version)})


def _data_context(web: Web, indicator_id: int, state: DataState | None = None) -> dict[str, Any]:
    state = state or DataState()
    indicator, municipality = measurement.indicator_municipality(
        web.db, web.principal, indicator_id
    )
    ws = workspace_of(web.db, web.principal, municipality)
    chart = measurement.get_chart(web.db, web.principal, indicator_id)
    view = chart_view(chart, web.lang, "diagram")
    periods = measurement.recent_periods(view.indicator.frequency, local_today(), ENTRY_ROWS)
    # A form as typed keeps its periods and the data version it was read at (after a
    # conflict, the routes give it the current one: saving again keeps what was typed).
    entry = state.entry or entry_form(view, periods)
    paste = state.paste or _paste_form(view)
    rows = _entry_rows(web, view, entry)
    proportion = _is_proportion(view.indicator)
    return {
        "ws": ws,
        "indicator": view.indicator,
        "view": view,
        "state": state,
        "entry": entry,
        "entry_rows": rows,
        "entry_field_names": _entry_field_names(web, view, rows),
        "paste": paste,
        "proportion": proportion,
        "aggregates_only": web._(AGGREGATES_ONLY),
        "kind_label": web._(labels.INDICATOR_KIND[view.indicator.kind.value]),
        "frequency_label": web._(labels.FREQUENCY[view.indicator.frequency.value]),
        "direction_label": web._(labels.DIRECTION[view.indicator.direction.value]),
        "current_period_label": web._(labels.CURRENT_PERIOD[view.indicator.frequency.value]),
        "area_id": indicator.improvement_area_id,
    }


def _page_context(
    web: Web,
    indicator_id: int,
    *,
    data: DataState | None = None,
    settings: SettingsState | None = None,
) -> dict[str, Any]:
    context = _data_context(web, indicator_id, data)
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


def _render_data(
    web: Web, indicator_id: int, state: DataState, *, status: int = 200, anchor: str = ""
) -> Response:
    """The data area as htmx asks for it, or the whole page (a plain post that failed)."""
    if web.is_fragment:
        return web.render(
            INDICATOR, _data_context(web, indicator_id, state), block="data", status=status
        )
    return web.render(INDICATOR, _page_context(web, indicator_id, data=state), status=status)


@router.get("/app/malinger/{indicator_id:id}")
def indicator_page(indicator_id: int, web: SignedInDep) -> Response:
    return web.render(INDICATOR, _page_context(web, indicator_id))


def _editable(web: Web, indicator_id: int) -> tuple[IndicatorRead, Workspace]:
    indicator, municipality = measurement.indicator_municipality(
        web.db, web.principal, indicator_id
    )
    ws = workspace_of(web.db, web.principal, municipality)
    _require_edit(ws)
    return measurement.indicator_read(indicator), ws


@router.post("/app/malinger/{indicator_id:id}/registrer")
def save_entry(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    """The quick-entry table: rows with a number are inserted or replaced by period (rows
    left empty are left alone), all or nothing, with the data version as If-Match."""
    indicator, _ = _editable(web, indicator_id)
    form = Form.posted(data)
    chart = measurement.get_chart(web.db, web.principal, indicator_id)
    saved = {o.period: o for o in chart.observations}
    items: list[dict[str, Any]] = []
    rows_of_items: list[int] = []
    errors: dict[str, str] = {}
    main = _main_field(indicator)
    for index, period in enumerate(_entry_periods(form)):
        prefix = f"items-{index}-"
        if period is None:
            continue
        item, row_errors = _typed_observation(indicator, form, prefix)
        errors.update({k: web._(v) for k, v in row_errors.items()})
        if item is not None:
            items.append({"period": period.isoformat(), **item})
            rows_of_items.append(index)
        elif not row_errors and period in saved:
            errors[prefix + main] = web._(
                N_(
                    "Et tomt felt sletter ikke det som er lagret. Skriv tallet, eller bruk "
                    "«Slett» i tabellen over alle tall."
                )
            )
        elif not row_errors and form.value(prefix + "comment").strip():
            errors[prefix + main] = web._(N_("Fyll ut tallet."))
    if not items and not errors:
        errors["items-0-" + main] = web._(N_("Skriv inn minst ett tall."))

    def to_row(name: str) -> str:
        # items-3-value (the third item sent) → items-<its table row>-value
        parts = name.split("-")
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(rows_of_items):
            return "items-0-" + main
        field_name = parts[2] if len(parts) > 2 and parts[2] != "period" else main
        return f"items-{rows_of_items[int(parts[1])]}-{field_name}"

    if not errors:
        model, invalid = validate(ObservationList, {"items": items}, web.lang)
        errors = {to_row(k): v for k, v in invalid.items()}
        if model is not None:
            before = indicator.data_version
            try:
                after = measurement.upsert_observations(
                    web.db, web.principal, indicator_id, model, _int(form.value("data_version"))
                )
            except Invalid as exc:
                for error in exc.errors:
                    errors.setdefault(
                        to_row(error.field.replace(".", "-")), row_message(error.message, web.lang)
                    )
            except PreconditionFailed:
                return _entry_conflict(web, indicator_id, form)
            else:
                if not web.is_fragment:
                    return web.redirect(_url(indicator_id, "registrer"), flash="saved")
                message = (
                    web._(N_("Tallene er lagret, og diagrammet er oppdatert."))
                    if after != before
                    else web._(N_("Ingen endringer: tallene var allerede lagret."))
                )
                state = DataState(entry_message=message)
                return _render_data(web, indicator_id, state)
    form.errors = errors
    state = DataState(entry=form)
    return _render_data(web, indicator_id, state, status=422)


def _entry_conflict(web: Web, indicator_id: int, form: Form) -> Response:
    """Someone saved numbers since the table was read: show theirs beside what was typed;
    saving again keeps what was typed."""
    chart = measurement.get_chart(web.db, web.principal, indicator_id)
    indicator = chart.indicator
    saved = {o.period: o for o in chart.observations}
    rows: list[tuple[str, str, str]] = []
    for index, period in enumerate(_entry_periods(form)):
        if period is None:
            continue
        prefix = f"items-{index}-"
        numbers = " / ".join(form.value(prefix + n).strip() for n in _number_fields(indicator))
        observation = saved.get(period)
        mine = _with_comment(numbers, form.value(prefix + "comment"))
        theirs = _with_comment(
            " / ".join(_saved_numbers(indicator, observation).values()),
            observation.comment if observation else "",
        )
        if numbers.strip(" /") and mine != theirs:
            rows.append((period_label(period, indicator.frequency, web.lang), mine, theirs))
    form.values["data_version"] = str(indicator.data_version)
    state = DataState(entry=form, entry_conflict=rows)
    return _render_data(web, indicator_id, state, status=409)


def _with_comment(numbers: str, comment: str) -> str:
    return f"{numbers} ({comment.strip()})" if comment.strip() else numbers


def _line_problems(web: Web, exc: Invalid, text: str) -> list[LineProblem]:
    lines = text.removeprefix("\ufeff").splitlines()
    problems: list[LineProblem] = []
    for error in exc.errors:
        _, _, number = error.field.partition(".")
        line = int(number) if number.isdigit() else 0
        shown = lines[line - 1] if 0 < line <= len(lines) else ""
        problems.append(LineProblem(line, row_message(error.message, web.lang), shown))
    return problems


@router.post("/app/malinger/{indicator_id:id}/importer")
def import_rows(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    """Rows pasted from a spreadsheet, or a CSV file: saved all or nothing; every bad line
    is named. A file that fails lands in the paste box, to be corrected there."""
    _editable(web, indicator_id)
    form = Form.posted(data)
    text = form.value("text")
    upload = data.get("file")
    file_name = ""
    if isinstance(upload, UploadFile) and upload.filename:
        file_name = upload.filename
        text = decode_text(upload.file.read())
    paste = Form({"text": text, "data_version": form.value("data_version")})
    if not text.strip():
        paste.errors["text"] = web._(N_("Lim inn rader fra regnearket, eller velg en fil."))
        return _render_data(web, indicator_id, DataState(paste=paste), status=422)
    try:
        rows, changed = measurement.import_observations(
            web.db, web.principal, indicator_id, text, _int(form.value("data_version"))
        )
    except Invalid as exc:
        problems = _line_problems(web, exc, text)
        lines = sorted({p.line for p in problems if p.line})
        paste.errors["text"] = web._(
            N_("Ingenting er lagret. Rett linjene under og lagre på nytt.")
            if len(lines) != 1
            else N_("Ingenting er lagret. Rett linjen under og lagre på nytt.")
        )
        message = (
            web._(
                N_("Filen «%(name)s» er ikke lagret. Innholdet står i feltet under."),
                name=file_name,
            )
            if file_name
            else None
        )
        state = DataState(
            paste=paste,
            paste_problems=problems[:MAX_LISTED_PROBLEMS],
            paste_more_problems=max(0, len(problems) - MAX_LISTED_PROBLEMS),
            paste_message=message,
        )
        return _render_data(web, indicator_id, state, status=422)
    except PreconditionFailed as exc:
        paste.values["data_version"] = str(exc.current_version)
        state = DataState(paste=paste, paste_conflict=True)
        return _render_data(web, indicator_id, state, status=409)
    if not web.is_fragment:
        return web.redirect(_url(indicator_id, "importer"), flash="saved")
    message = web._(
        N_("Rader lest: %(rows)s. Perioder lagt til eller endret: %(changed)s."),
        rows=rows,
        changed=changed,
    )
    return _render_data(web, indicator_id, DataState(paste_message=message))


# ---- one observation ---------------------------------------------------------------------


def _period(indicator: IndicatorRead, raw: str) -> date:
    """A period from the address; one that cannot be a period of this indicator is 404."""
    try:
        period = date.fromisoformat(raw)
    except ValueError:
        raise NotFound("No such period.") from None
    if measurement.period_problem(period, indicator.frequency):
        raise NotFound("No such period.")
    return period


@dataclass
class ObservationState:
    form: Form
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _observation_context(
    web: Web, indicator_id: int, period: date, state: ObservationState | None = None
) -> dict[str, Any]:
    indicator, municipality = measurement.indicator_municipality(
        web.db, web.principal, indicator_id
    )
    ws = workspace_of(web.db, web.principal, municipality)
    _require_edit(ws)
    read = measurement.indicator_read(indicator)
    saved = _saved_observation(web, indicator_id, period)
    form = Form(
        {
            **_saved_numbers(read, saved),
            "comment": saved.comment if saved else "",
            "data_version": str(read.data_version),
        }
    )
    label = period_label(period, read.frequency, web.lang)
    return {
        "ws": ws,
        "indicator": read,
        "period": period,
        "period_label": label,
        "saved": saved,
        "state": state or ObservationState(form=form),
        "proportion": _is_proportion(read),
        "aggregates_only": web._(AGGREGATES_ONLY),
        "active_tab": "forbedringsomrader",
        "page_title": web._(N_("%(indicator)s: %(period)s"), indicator=read.name, period=label),
        "field_names": {
            "value": read.unit or web._(N_("Tall")),
            "numerator": web._(N_("Teller")),
            "denominator": web._(N_("Nevner")),
            "comment": web._(N_("Kommentar")),
        },
    }


def _saved_observation(web: Web, indicator_id: int, period: date) -> ObservationRead | None:
    _, items, _ = measurement.list_observations(web.db, web.principal, indicator_id)
    return next((o for o in items if o.period == period), None)


@router.get("/app/malinger/{indicator_id:id}/perioder/{period}")
def observation_page(indicator_id: int, period: str, web: SignedInDep) -> Response:
    indicator = measurement.get_indicator(web.db, web.principal, indicator_id)
    day = _period(indicator, period)
    return web.render(OBSERVATION, _observation_context(web, indicator_id, day))


@router.post("/app/malinger/{indicator_id:id}/perioder/{period}")
def save_observation(indicator_id: int, period: str, web: SignedInDep, data: FormDep) -> Response:
    indicator, _ = _editable(web, indicator_id)
    day = _period(indicator, period)
    form = Form.posted(data)
    item, errors = _typed_observation(indicator, form, "")
    errors = {k: web._(v) for k, v in errors.items()}
    main = _main_field(indicator)
    if item is None and not errors:
        errors[main] = web._(N_("Fyll ut tallet."))
    if item is not None:
        model, invalid = validate(
            ObservationList, {"items": [{"period": day.isoformat(), **item}]}, web.lang
        )
        errors = {
            (k.split("-", 2)[2] if k.count("-") >= 2 and not k.endswith("period") else main): v
            for k, v in invalid.items()
        }
        if model is not None:
            try:
                measurement.upsert_observations(
                    web.db, web.principal, indicator_id, model, _int(form.value("data_version"))
                )
            except Invalid as exc:
                errors = {main: " ".join(row_message(e.message, web.lang) for e in exc.errors)}
            except PreconditionFailed:
                saved = _saved_observation(web, indicator_id, day)
                mine = " / ".join(form.value(n).strip() for n in _number_fields(indicator))
                theirs = " / ".join(_saved_numbers(indicator, saved).values())
                rows = [(period_label(day, indicator.frequency, web.lang), mine, theirs)]
                if saved and saved.comment != form.value("comment"):
                    rows.append((web._(N_("Kommentar")), form.value("comment"), saved.comment))
                context = _observation_context(
                    web, indicator_id, day, ObservationState(form=form, conflict_rows=rows)
                )
                form.values["data_version"] = str(context["indicator"].data_version)
                return web.render(OBSERVATION, context, block="observation_form", status=409)
            else:
                return web.redirect(_url(indicator_id, "alle"), flash="saved")
    form.errors = errors
    context = _observation_context(web, indicator_id, day, ObservationState(form=form))
    return web.render(OBSERVATION, context, block="observation_form", status=422)


@router.post("/app/malinger/{indicator_id:id}/perioder/{period}/slett")
def delete_observation(indicator_id: int, period: str, web: SignedInDep, data: FormDep) -> Response:
    indicator, _ = _editable(web, indicator_id)
    day = _period(indicator, period)
    form = Form.posted(data)
    label = period_label(day, indicator.frequency, web.lang)
    try:
        measurement.delete_observation(
            web.db, web.principal, indicator_id, day, _int(form.value("data_version"))
        )
    except PreconditionFailed:
        message = web._(
            N_(
                "Tallene ble endret av noen andre, så ingenting er slettet. Her er tallene "
                "slik de er lagret nå."
            )
        )
        state = DataState(table_message=message, table_error=True)
        return _render_data(web, indicator_id, state, status=409)
    if not web.is_fragment:
        return web.redirect(_url(indicator_id, "alle"), flash="deleted")
    message = web._(N_("Tallet for %(period)s er slettet."), period=label)
    return _render_data(web, indicator_id, DataState(table_message=message))


# ---- the indicator's settings ------------------------------------------------------------


@dataclass
class SettingsState:
    form: Form
    conflict_rows: list[tuple[str, str, str]] = field(default_factory=list)
    message: str | None = None


def _settings_conflict(web: Web, form: Form, current: IndicatorRead) -> list[tuple[str, str, str]]:
    names = indicator_field_names(web.lang)
    saved = indicator_form(current)
    rows = []
    for name in names:
        mine, theirs = form.value(name).strip(), saved.value(name)
        if name in ("kind", "direction", "frequency"):
            table = {
                "kind": labels.INDICATOR_KIND,
                "direction": labels.DIRECTION,
                "frequency": labels.FREQUENCY,
            }[name]
            mine, theirs = web._(table.get(mine, mine)), web._(table.get(theirs, theirs))
        if mine != theirs:
            rows.append((names[name], mine, theirs))
    return rows


@router.post("/app/malinger/{indicator_id:id}")
def update_indicator(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    current, _ = _editable(web, indicator_id)
    form = Form.posted(data)
    model, errors = validate(IndicatorUpdate, indicator_input(form, settings=True), web.lang)
    if model is not None:
        try:
            measurement.update_indicator(
                web.db, web.principal, indicator_id, model, _int(form.value("version"))
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = SettingsState(form=form, conflict_rows=_settings_conflict(web, form, current))
            context = _page_context(web, indicator_id, settings=state)
            return web.render(INDICATOR, context, block="settings", status=409)
        else:
            return web.redirect(_url(indicator_id), flash="saved")
    form.errors = errors
    context = _page_context(web, indicator_id, settings=SettingsState(form=form))
    return web.render(INDICATOR, context, block="settings", status=422)


@router.post("/app/malinger/{indicator_id:id}/slett")
def delete_indicator(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    indicator, _ = _editable(web, indicator_id)
    form = Form.posted(data)
    try:
        measurement.delete_indicator(
            web.db, web.principal, indicator_id, _int(form.value("version"))
        )
    except PreconditionFailed:
        current = measurement.get_indicator(web.db, web.principal, indicator_id)
        state = SettingsState(
            form=indicator_form(current),
            message=web._(N_("Målingen ble endret av noen andre og er ikke slettet.")),
        )
        context = _page_context(web, indicator_id, settings=state)
        return web.render(INDICATOR, context, block="settings", status=409)
    return web.redirect(
        f"/app/forbedringsomrader/{indicator.improvement_area_id}#malinger", flash="deleted"
    )
