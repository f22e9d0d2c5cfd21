"""One indicator's page (`/app/malinger/{id}`): its run chart and what the rules say, a
quick-entry table for the latest periods, rows pasted from a spreadsheet, CSV upload and
download, single observations changed and deleted, and the indicator's own settings.

Only aggregated numbers are stored, never data about a person; the page says so where
numbers are entered. Everything works as plain form posts; with htmx the data area (entry,
chart, import, table) is swapped in place, so the chart updates without a page load."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from starlette.datastructures import UploadFile

from app.errors import Invalid, PreconditionFailed
from app.kit.observation_text import decode_text
from app.models.measurement import IndicatorRead, IndicatorUpdate, ObservationList, ObservationRead
from app.routers.web import observation
from app.routers.web.indicator_data import (
    INDICATOR,
    MAX_LISTED_PROBLEMS,
    DataState,
    LineProblem,
    SettingsState,
    editable,
    entry_periods,
    main_field,
    number_fields,
    page_context,
    render_data,
    saved_numbers,
    typed_observation,
    url,
)
from app.services import measurement, run_charts
from app.web import labels
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, row_message, service_errors, validate
from app.web.i18n import N_
from app.web.indicators import (
    indicator_field_names,
    indicator_form,
    indicator_input,
    period_label,
)

router = APIRouter(include_in_schema=False)


@router.get("/app/malinger/{indicator_id:id}")
def indicator_page(indicator_id: int, web: SignedInDep) -> Response:
    return web.render(INDICATOR, page_context(web, indicator_id))


def _entry_items(
    web: Web, indicator: IndicatorRead, form: Form, saved: dict[date, ObservationRead]
) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    """The rows of the quick-entry table that carry a number, the table row of each, and the
    errors of the rest (an emptied saved number, a comment without a number)."""
    items: list[dict[str, Any]] = []
    rows_of_items: list[int] = []
    errors: dict[str, str] = {}
    main = main_field(indicator)
    for index, period in enumerate(entry_periods(form)):
        prefix = f"items-{index}-"
        if period is None:
            continue
        item, row_errors = typed_observation(indicator, form, prefix)
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
    return items, rows_of_items, errors


def _entry_row_field(name: str, rows_of_items: list[int], main: str) -> str:
    """items-3-value (the third item sent) → items-<its table row>-value"""
    parts = name.split("-")
    if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(rows_of_items):
        return "items-0-" + main
    field_name = parts[2] if len(parts) > 2 and parts[2] != "period" else main
    return f"items-{rows_of_items[int(parts[1])]}-{field_name}"


@router.post("/app/malinger/{indicator_id:id}/registrer")
def save_entry(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    """The quick-entry table: rows with a number are inserted or replaced by period (rows
    left empty are left alone), all or nothing, with the data version as If-Match."""
    indicator, _ = editable(web, indicator_id)
    form = Form.posted(data)
    chart = run_charts.get_chart(web.db, web.principal, indicator_id)
    saved = {o.period: o for o in chart.observations}
    items, rows_of_items, errors = _entry_items(web, indicator, form, saved)
    main = main_field(indicator)

    def to_row(name: str) -> str:
        return _entry_row_field(name, rows_of_items, main)

    if not errors:
        model, invalid = validate(ObservationList, {"items": items}, web.lang)
        errors = {to_row(k): v for k, v in invalid.items()}
        if model is not None:
            before = indicator.data_version
            try:
                after = measurement.upsert_observations(
                    web.db, web.principal, indicator_id, model, form_version(form, "data_version")
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
                    return web.redirect(url(indicator_id, "registrer"), flash="saved")
                message = (
                    web._(N_("Tallene er lagret, og diagrammet er oppdatert."))
                    if after != before
                    else web._(N_("Ingen endringer: tallene var allerede lagret."))
                )
                state = DataState(entry_message=message)
                return render_data(web, indicator_id, state)
    form.errors = errors
    state = DataState(entry=form)
    return render_data(web, indicator_id, state, status=422)


def _entry_conflict(web: Web, indicator_id: int, form: Form) -> Response:
    """Someone saved numbers since the table was read: show theirs beside what was typed;
    saving again keeps what was typed."""
    chart = run_charts.get_chart(web.db, web.principal, indicator_id)
    indicator = chart.indicator
    saved = {o.period: o for o in chart.observations}
    rows: list[tuple[str, str, str]] = []
    for index, period in enumerate(entry_periods(form)):
        if period is None:
            continue
        prefix = f"items-{index}-"
        numbers = " / ".join(form.value(prefix + n).strip() for n in number_fields(indicator))
        observation = saved.get(period)
        mine = _with_comment(numbers, form.value(prefix + "comment"))
        theirs = _with_comment(
            " / ".join(saved_numbers(indicator, observation).values()),
            observation.comment if observation else "",
        )
        if numbers.strip(" /") and mine != theirs:
            rows.append((period_label(period, indicator.frequency, web.lang), mine, theirs))
    form.values["data_version"] = str(indicator.data_version)
    state = DataState(entry=form, entry_conflict=rows)
    return render_data(web, indicator_id, state, status=409)


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
    editable(web, indicator_id)
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
        return render_data(web, indicator_id, DataState(paste=paste), status=422)
    try:
        rows, changed = measurement.import_observations(
            web.db, web.principal, indicator_id, text, form_version(form, "data_version")
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
        return render_data(web, indicator_id, state, status=422)
    except PreconditionFailed as exc:
        paste.values["data_version"] = str(exc.current_version)
        state = DataState(paste=paste, paste_conflict=True)
        return render_data(web, indicator_id, state, status=409)
    if not web.is_fragment:
        return web.redirect(url(indicator_id, "importer"), flash="saved")
    message = web._(
        N_("Rader lest: %(rows)s. Perioder lagt til eller endret: %(changed)s."),
        rows=rows,
        changed=changed,
    )
    return render_data(web, indicator_id, DataState(paste_message=message))


# ---- the indicator's settings ------------------------------------------------------------


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
    current, _ = editable(web, indicator_id)
    form = Form.posted(data)
    model, errors = validate(IndicatorUpdate, indicator_input(form, settings=True), web.lang)
    if model is not None:
        try:
            measurement.update_indicator(
                web.db, web.principal, indicator_id, model, form_version(form)
            )
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang)
        except PreconditionFailed as exc:
            form.values["version"] = str(exc.current_version)
            state = SettingsState(form=form, conflict_rows=_settings_conflict(web, form, current))
            context = page_context(web, indicator_id, settings=state)
            return web.render(INDICATOR, context, block="settings", status=409)
        else:
            return web.redirect(url(indicator_id), flash="saved")
    form.errors = errors
    context = page_context(web, indicator_id, settings=SettingsState(form=form))
    return web.render(INDICATOR, context, block="settings", status=422)


@router.post("/app/malinger/{indicator_id:id}/slett")
def delete_indicator(indicator_id: int, web: SignedInDep, data: FormDep) -> Response:
    indicator, _ = editable(web, indicator_id)
    form = Form.posted(data)
    try:
        measurement.delete_indicator(web.db, web.principal, indicator_id, form_version(form))
    except PreconditionFailed:
        current = measurement.get_indicator(web.db, web.principal, indicator_id)
        state = SettingsState(
            form=indicator_form(current),
            message=web._(N_("Målingen ble endret av noen andre og er ikke slettet.")),
        )
        context = page_context(web, indicator_id, settings=state)
        return web.render(INDICATOR, context, block="settings", status=409)
    return web.redirect(
        f"/app/forbedringsomrader/{indicator.improvement_area_id}#malinger", flash="deleted"
    )


router.include_router(observation.router)
