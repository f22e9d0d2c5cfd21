"""Indicators and their observations. Only aggregated numbers are stored, never data about
a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import FieldError, Invalid, NotFound
from app.kit.observation_text import Separator, observations_csv, parse_observations
from app.kit.small_numbers import is_small, suppression_label
from app.kit.text import clean_text
from app.models.base import Frequency, IndicatorKind, utcnow
from app.models.improvement import ImprovementArea
from app.models.measurement import (
    MAX_INDICATORS,
    MAX_OBSERVATIONS_PER_WRITE,
    Indicator,
    IndicatorCreate,
    IndicatorRead,
    IndicatorUpdate,
    Observation,
    ObservationInput,
    ObservationList,
    ObservationRead,
)
from app.models.municipality import Municipality
from app.services import audit, changes
from app.services.access import Principal, require_edit, require_visible
from app.services.common import Page, check_version, commit, lock_municipality, touch
from app.services.improvement import area_municipality


def indicator_read(indicator: Indicator) -> IndicatorRead:
    return IndicatorRead(
        id=indicator.id or 0,
        improvement_area_id=indicator.improvement_area_id,
        name=indicator.name,
        definition=indicator.definition,
        kind=indicator.kind,
        role=indicator.role,
        unit=indicator.unit,
        direction=indicator.direction,
        target=indicator.target,
        frequency=indicator.frequency,
        control_chart=indicator.control_chart,
        baseline_points=indicator.baseline_points,
        baseline_restart=indicator.baseline_restart,
        version=indicator.version,
        data_version=indicator.data_version,
        updated_at=indicator.updated_at,
    )


def period_problem(period: date, frequency: str) -> str | None:
    """Observations belong to the first day of their period."""
    if frequency == Frequency.month and period.day != 1:
        return "a monthly period starts on the first day of the month"
    if frequency == Frequency.quarter and (period.day != 1 or period.month not in (1, 4, 7, 10)):
        return "a quarterly period starts on 1 January, 1 April, 1 July or 1 October"
    if frequency == Frequency.week and period.weekday() != 0:
        return "a weekly period starts on a Monday"
    return None


def period_containing(day: date, frequency: str) -> date:
    """The first day of the period (week from Monday, month, quarter) that holds `day`."""
    if frequency == Frequency.week:
        return day - timedelta(days=day.weekday())
    if frequency == Frequency.quarter:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def shift_period(period: date, frequency: str, steps: int) -> date:
    """The period `steps` periods after `period` (before it when negative)."""
    if frequency == Frequency.week:
        return period + timedelta(weeks=steps)
    months = (
        period.year * 12 + period.month - 1 + steps * (3 if frequency == Frequency.quarter else 1)
    )
    return date(months // 12, months % 12 + 1, 1)


def recent_periods(frequency: str, today: date, count: int = 7) -> list[date]:
    """The period holding `today` and the ones before it, newest first: the rows of the
    quick-entry table, where this period's number is entered."""
    current = period_containing(today, frequency)
    return [shift_period(current, frequency, -steps) for steps in range(count)]


def value_problem(observation: ObservationInput, kind: str) -> str | None:
    if kind == IndicatorKind.proportion:
        if observation.numerator is None:
            return "a proportion needs numerator and denominator"
    elif observation.value is None:
        return f"a {kind} indicator takes a value, not numerator and denominator"
    elif kind == IndicatorKind.count and (
        observation.value < 0 or observation.value != int(observation.value)
    ):
        return "a count is a whole number, 0 or more"
    return None


def observation_read(
    observation: Observation, kind: str, show_small_numbers: bool, threshold: int
) -> ObservationRead:
    """Counts below the threshold, and percentages built on them, are hidden from anyone
    who is not an editor of the municipality (`kit.small_numbers`)."""
    if not show_small_numbers and is_small(
        kind, observation.value, observation.numerator, observation.denominator, threshold
    ):
        return ObservationRead(
            period=observation.period,
            value=None,
            numerator=None,
            denominator=None,
            suppressed=suppression_label(threshold),
            comment=observation.comment,
        )
    if kind == IndicatorKind.proportion:
        numerator, denominator = observation.numerator or 0, observation.denominator or 1
        return ObservationRead(
            period=observation.period,
            value=round(100.0 * numerator / denominator, 2),
            numerator=observation.numerator,
            denominator=observation.denominator,
            comment=observation.comment,
        )
    return ObservationRead(
        period=observation.period,
        value=observation.value,
        numerator=None,
        denominator=None,
        comment=observation.comment,
    )


# ---- indicators --------------------------------------------------------------------------


def list_indicators(session: Session, principal: Principal, area_id: int) -> Page[IndicatorRead]:
    area_municipality(session, principal, area_id)
    rows = session.exec(
        select(Indicator)
        .where(col(Indicator.improvement_area_id) == area_id)
        .order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    items = [indicator_read(i) for i in rows]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def _indicator(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, Municipality]:
    row = session.exec(
        select(Indicator, Municipality)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Indicator.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(Indicator.id) == indicator_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "indicator")
    assert row is not None
    return row[0], row[1]


def indicator_municipality(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, Municipality]:
    return _indicator(session, principal, indicator_id)


def get_indicator(session: Session, principal: Principal, indicator_id: int) -> IndicatorRead:
    return indicator_read(_indicator(session, principal, indicator_id)[0])


def indicator_values(data: IndicatorCreate) -> dict[str, Any]:
    """An indicator's stored columns as the API saves them."""
    return {
        "name": clean_text(data.name),
        "definition": clean_text(data.definition),
        "kind": data.kind.value,
        "role": data.role.value,
        "unit": clean_text(data.unit),
        "direction": data.direction.value,
        "target": data.target,
        "frequency": data.frequency.value,
        "control_chart": data.control_chart.value if data.control_chart else None,
        "baseline_points": data.baseline_points,
        "baseline_restart": data.baseline_restart,
    }


def observation_values(item: ObservationInput) -> dict[str, Any]:
    """An observation's stored numbers and comment (its period aside) as the API saves them."""
    return {
        "value": item.value,
        "numerator": item.numerator,
        "denominator": item.denominator,
        "comment": clean_text(item.comment),
    }


def create_indicator(
    session: Session, principal: Principal, area_id: int, data: IndicatorCreate
) -> IndicatorRead:
    municipality = area_municipality(session, principal, area_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    existing = session.exec(
        select(Indicator.position).where(col(Indicator.improvement_area_id) == area_id)
    ).all()
    if len(existing) >= MAX_INDICATORS:
        raise Invalid(FieldError("name", f"at most {MAX_INDICATORS} indicators per area"))
    values = indicator_values(data)
    if not values["name"]:
        raise Invalid(FieldError("name", "cannot be empty"))
    now = utcnow()
    indicator = Indicator(
        improvement_area_id=area_id,
        position=max(existing, default=0) + 1,
        **values,
        created_at=now,
        updated_at=now,
    )
    session.add(indicator)
    touch(municipality, now)
    session.flush()
    result = indicator_read(indicator)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="indicator",
        entity_id=indicator.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def _locked_indicator(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, Municipality]:
    indicator, municipality = _indicator(session, principal, indicator_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(indicator)
    return indicator, municipality


def locked_indicator(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[Indicator, Municipality]:
    """The indicator to write to, its municipality locked (the caller may edit it)."""
    return _locked_indicator(session, principal, indicator_id)


def update_indicator(
    session: Session,
    principal: Principal,
    indicator_id: int,
    data: IndicatorUpdate,
    expected_version: int,
) -> IndicatorRead:
    indicator, municipality = _locked_indicator(session, principal, indicator_id)
    before = indicator_read(indicator)
    check_version(indicator.version, expected_version, before.model_dump(mode="json"))
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for key in ("name", "definition", "unit"):
        if key in changes:
            changes[key] = clean_text(changes[key])
    if "name" in changes and not changes["name"]:
        raise Invalid(FieldError("name", "cannot be empty"))
    for key in ("kind", "role", "direction", "frequency", "control_chart"):
        if key in changes and changes[key] is not None:
            changes[key] = changes[key].value
    has_observations = session.exec(
        select(Observation.id).where(col(Observation.indicator_id) == indicator.id).limit(1)
    ).first()
    for key in ("kind", "frequency"):
        if key in changes and changes[key] != getattr(indicator, key) and has_observations:
            raise Invalid(FieldError(key, "cannot change while the indicator has observations"))
    if all(getattr(indicator, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    now = utcnow()
    for key, value in changes.items():
        setattr(indicator, key, value)
    indicator.version += 1
    indicator.updated_at = now
    touch(municipality, now)
    after = indicator_read(indicator)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="indicator",
        entity_id=indicator.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def delete_indicator(
    session: Session, principal: Principal, indicator_id: int, expected_version: int
) -> None:
    indicator, municipality = _locked_indicator(session, principal, indicator_id)
    before = indicator_read(indicator)
    check_version(indicator.version, expected_version, before.model_dump(mode="json"))
    changes.stage_indicator_cascade(session, municipality, indicator_id)
    session.delete(indicator)
    touch(municipality)
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="indicator",
        entity_id=indicator_id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=None,
    )
    commit(session)


# ---- observations ------------------------------------------------------------------------


def observations_of(session: Session, indicator_id: int) -> list[Observation]:
    return list(
        session.exec(
            select(Observation)
            .where(col(Observation.indicator_id) == indicator_id)
            .order_by(col(Observation.period))
        ).all()
    )


def list_observations(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[IndicatorRead, list[ObservationRead], bool]:
    """The observations as this caller may see them, and whether small numbers were shown."""
    indicator, municipality = _indicator(session, principal, indicator_id)
    show = principal.sees_small_numbers(municipality)
    threshold = get_settings().small_number_threshold
    items = [
        observation_read(o, indicator.kind, show, threshold)
        for o in observations_of(session, indicator_id)
    ]
    return indicator_read(indicator), items, show


def observations_version(
    session: Session, principal: Principal, indicator_id: int
) -> tuple[int, bool]:
    """The data version and whether the caller sees small numbers: what the observation
    list (and its CSV) depends on."""
    indicator, municipality = _indicator(session, principal, indicator_id)
    return indicator.data_version, principal.sees_small_numbers(municipality)


def validate_observations(
    indicator: Indicator, items: Sequence[ObservationInput], lines: Sequence[int] | None = None
) -> list[FieldError]:
    """Every row is checked against the indicator (period aligned to the frequency, one row
    per period, the right kind of number); each problem names its row, or with `lines` the
    line of the imported text it came from. Returns the problems; the caller saves nothing
    when there are any."""
    errors: list[FieldError] = []
    seen: dict[date, int] = {}

    def where(i: int) -> tuple[str, str]:
        if lines is None:
            return f"items.{i}", f"row {i + 1}"
        return f"line.{lines[i]}", f"line {lines[i]}"

    for i, item in enumerate(items):
        field, label = where(i)
        problem = period_problem(item.period, indicator.frequency) or value_problem(
            item, indicator.kind
        )
        if problem:
            errors.append(FieldError(field, f"{label} ({item.period}): {problem}"))
        if item.period in seen:
            errors.append(
                FieldError(
                    f"{field}.period" if lines is None else field,
                    f"{label}: period {item.period} is also in {where(seen[item.period])[1]}",
                )
            )
        seen.setdefault(item.period, i)
    return errors


def raw_observation(observation: Observation) -> dict[str, Any]:
    """An observation as the audit trail records it."""
    return {
        "period": observation.period.isoformat(),
        "value": observation.value,
        "numerator": observation.numerator,
        "denominator": observation.denominator,
        "comment": observation.comment,
    }


def _save_observations(
    session: Session,
    principal: Principal,
    indicator: Indicator,
    municipality: Municipality,
    items: Sequence[ObservationInput],
    action: str,
) -> int:
    """Insert or replace observations by period, in the caller's locked transaction. An
    identical list changes nothing (no new data version, no audit event). Returns how many
    periods were added or changed."""
    existing = {o.period: o for o in observations_of(session, indicator.id or 0)}
    now = utcnow()
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for item in items:
        values = observation_values(item)
        current = existing.get(item.period)
        if current is not None:
            if all(getattr(current, k) == v for k, v in values.items()):
                continue
            before.append(raw_observation(current))
            for key, value in values.items():
                setattr(current, key, value)
            current.updated_at = now
            after.append(raw_observation(current))
        else:
            observation = Observation(
                indicator_id=indicator.id or 0,
                period=item.period,
                **values,
                created_at=now,
                updated_at=now,
            )
            session.add(observation)
            after.append(raw_observation(observation))
    if not after:
        session.rollback()
        return 0
    indicator.data_version += 1
    touch(municipality, now)
    audit.record(
        session,
        principal,
        action=action,
        entity_type="observations",
        entity_id=indicator.id,
        municipality=municipality,
        before={"items": before},
        after={"items": after},
    )
    commit(session)
    return len(after)


def upsert_observations(
    session: Session,
    principal: Principal,
    indicator_id: int,
    data: ObservationList,
    expected_version: int,
) -> int:
    """Insert or replace observations by period (idempotent: the same list twice changes
    nothing and keeps the version). Returns the new data version."""
    indicator, municipality = _locked_indicator(session, principal, indicator_id)
    check_version(indicator.data_version, expected_version)
    errors = validate_observations(indicator, data.items)
    if errors:
        raise Invalid(errors)
    _save_observations(session, principal, indicator, municipality, data.items, "upsert")
    return indicator.data_version


def import_observations(
    session: Session, principal: Principal, indicator_id: int, text: str, expected_version: int
) -> tuple[int, int]:
    """Observations pasted from a spreadsheet or sent as CSV (see `observation_text`),
    inserted or replaced by period. All or nothing: one bad row and nothing is saved, and
    the error names every bad row by its line. Returns (rows read, periods changed)."""
    indicator, municipality = _locked_indicator(session, principal, indicator_id)
    check_version(indicator.data_version, expected_version)
    parsed = parse_observations(
        text,
        indicator.kind,
        indicator.frequency,
        model=ObservationInput,
        max_rows=MAX_OBSERVATIONS_PER_WRITE,
    )
    items = [row.observation for row in parsed.rows]
    errors = [FieldError(f"line.{e.line}", f"line {e.line}: {e.message}") for e in parsed.errors]
    errors += validate_observations(indicator, items, [row.line for row in parsed.rows])
    if errors:
        errors.sort(key=lambda e: int(e.field.split(".")[1]))
        raise Invalid(errors, _import_summary(errors))
    changed = _save_observations(session, principal, indicator, municipality, items, "import")
    return len(items), changed


def _import_summary(errors: Sequence[FieldError]) -> str:
    lines = sorted({int(e.field.split(".")[1]) for e in errors})
    shown = ", ".join(str(n) for n in lines[:20]) + (", …" if len(lines) > 20 else "")
    noun = "line" if len(lines) == 1 else "lines"
    return f"Nothing was saved. Fix {noun} {shown} and import again."


def export_observations_csv(
    session: Session, principal: Principal, indicator_id: int, separator: Separator = ";"
) -> tuple[IndicatorRead, str]:
    """The observations as CSV that the import reads back unchanged; small numbers are
    suppressed exactly as in the observation list."""
    indicator, items, _ = list_observations(session, principal, indicator_id)
    return indicator, observations_csv(items, indicator.kind, separator)


def delete_observation(
    session: Session, principal: Principal, indicator_id: int, period: date, expected_version: int
) -> int:
    indicator, municipality = _locked_indicator(session, principal, indicator_id)
    check_version(indicator.data_version, expected_version)
    observation = session.exec(
        select(Observation)
        .where(col(Observation.indicator_id) == indicator_id)
        .where(col(Observation.period) == period)
    ).one_or_none()
    if observation is None:
        raise NotFound(f"No observation for {period.isoformat()}.")
    before = raw_observation(observation)
    if observation.comment:
        changes.stage(
            session,
            action="delete",
            entity_type="annotation",
            entity_id=f"{indicator_id}/{period.isoformat()}",
            municipality=municipality,
        )
    session.delete(observation)
    indicator.data_version += 1
    touch(municipality)
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="observation",
        entity_id=f"{indicator_id}/{period.isoformat()}",
        municipality=municipality,
        before=before,
        after=None,
    )
    commit(session)
    return indicator.data_version
