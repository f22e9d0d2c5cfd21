"""One observation of an indicator (`/app/malinger/{id}/perioder/{period}`): its page, saved
and deleted with the data version as If-Match."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from app.errors import Invalid, NotFound, PreconditionFailed
from app.models.measurement import IndicatorRead, ObservationList, ObservationRead
from app.routers.web.indicator_data import (
    OBSERVATION,
    DataState,
    editable,
    is_proportion,
    main_field,
    number_fields,
    render_data,
    saved_numbers,
    typed_observation,
    url,
)
from app.services import measurement
from app.services.workspace import Need, workspace_of
from app.web.core import FormDep, SignedInDep, Web
from app.web.forms import Form, form_version, row_message, validate
from app.web.i18n import N_
from app.web.indicators import (
    AGGREGATES_ONLY,
    period_label,
)

router = APIRouter(include_in_schema=False)


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
    ws = workspace_of(web.db, web.principal, municipality, Need.edit)
    read = measurement.indicator_read(indicator)
    saved = _saved_observation(web, indicator_id, period)
    form = Form(
        {
            **saved_numbers(read, saved),
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
        "proportion": is_proportion(read),
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
    indicator, _ = editable(web, indicator_id)
    day = _period(indicator, period)
    form = Form.posted(data)
    item, errors = typed_observation(indicator, form, "")
    errors = {k: web._(v) for k, v in errors.items()}
    main = main_field(indicator)
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
                    web.db, web.principal, indicator_id, model, form_version(form, "data_version")
                )
            except Invalid as exc:
                errors = {main: " ".join(row_message(e.message, web.lang) for e in exc.errors)}
            except PreconditionFailed:
                saved = _saved_observation(web, indicator_id, day)
                mine = " / ".join(form.value(n).strip() for n in number_fields(indicator))
                theirs = " / ".join(saved_numbers(indicator, saved).values())
                rows = [(period_label(day, indicator.frequency, web.lang), mine, theirs)]
                if saved and saved.comment != form.value("comment"):
                    rows.append((web._(N_("Kommentar")), form.value("comment"), saved.comment))
                context = _observation_context(
                    web, indicator_id, day, ObservationState(form=form, conflict_rows=rows)
                )
                form.values["data_version"] = str(context["indicator"].data_version)
                return web.render(OBSERVATION, context, block="observation_form", status=409)
            else:
                return web.redirect(url(indicator_id, "alle"), flash="saved")
    form.errors = errors
    context = _observation_context(web, indicator_id, day, ObservationState(form=form))
    return web.render(OBSERVATION, context, block="observation_form", status=422)


@router.post("/app/malinger/{indicator_id:id}/perioder/{period}/slett")
def delete_observation(indicator_id: int, period: str, web: SignedInDep, data: FormDep) -> Response:
    indicator, _ = editable(web, indicator_id)
    day = _period(indicator, period)
    form = Form.posted(data)
    label = period_label(day, indicator.frequency, web.lang)
    try:
        measurement.delete_observation(
            web.db, web.principal, indicator_id, day, form_version(form, "data_version")
        )
    except PreconditionFailed:
        message = web._(
            N_(
                "Tallene ble endret av noen andre, så ingenting er slettet. Her er tallene "
                "slik de er lagret nå."
            )
        )
        state = DataState(table_message=message, table_error=True)
        return render_data(web, indicator_id, state, status=409)
    if not web.is_fragment:
        return web.redirect(url(indicator_id, "alle"), flash="deleted")
    message = web._(N_("Tallet for %(period)s er slettet."), period=label)
    return render_data(web, indicator_id, DataState(table_message=message))
