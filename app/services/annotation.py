"""Annotations on single data points ("ny rutine for henvisning", "ferieavvikling"): a short
plain-text note on one observation, shown on the chart as A1, A2 … and in its table. Stored
as the observation's comment, so it lives and dies with the observation and travels with it
(export, import, CSV). Written in the shape of every other write: lock the municipality,
compare the indicator's data version (the ETag of its observations and their notes), an
identical write changes nothing, audited in the same transaction, one commit."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, NotFound
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.measurement import (
    AnnotationInput,
    AnnotationRead,
    AnnotationsRead,
    Indicator,
    Observation,
)
from app.models.municipality import Municipality
from app.services import audit, measurement
from app.services.access import Principal
from app.services.common import check_version, commit, touch

_MARKUP = re.compile(r"</?[A-Za-z!][^<>]*>|&[A-Za-z#][A-Za-z0-9]*;")


def annotation_read(observation: Observation) -> AnnotationRead:
    return AnnotationRead(
        period=observation.period, text=observation.comment, updated=observation.updated_at
    )


def plain_text(text: str) -> str:
    """One line of plain text: control characters gone, runs of white space one space. Markup
    (tags, entities) is refused rather than stripped, so nobody is surprised by what is kept."""
    cleaned = " ".join(clean_text(text).split())
    if not cleaned:
        raise Invalid(FieldError("text", "cannot be empty; DELETE removes an annotation"))
    if _MARKUP.search(cleaned):
        raise Invalid(FieldError("text", "plain text only: no HTML tags or entities"))
    return cleaned


def list_annotations(session: Session, principal: Principal, indicator_id: int) -> AnnotationsRead:
    """The indicator's annotated data points in period order."""
    indicator, _ = measurement.indicator_municipality(session, principal, indicator_id)
    items = [
        annotation_read(o)
        for o in measurement.observations_of(session, indicator_id)
        if o.comment.strip()
    ]
    return AnnotationsRead(
        indicator_id=indicator_id,
        data_version=indicator.data_version,
        items=items,
        total=len(items),
    )


def annotations_version(session: Session, principal: Principal, indicator_id: int) -> int:
    indicator, _ = measurement.indicator_municipality(session, principal, indicator_id)
    return indicator.data_version


def _observation(session: Session, indicator_id: int, period: date) -> Observation:
    observation = session.exec(
        select(Observation)
        .where(col(Observation.indicator_id) == indicator_id)
        .where(col(Observation.period) == period)
    ).one_or_none()
    if observation is None:
        raise NotFound(
            f"No observation for {period.isoformat()}: an annotation is on a data point, "
            "so save the observation first."
        )
    return observation


def _record(
    session: Session,
    principal: Principal,
    action: str,
    indicator: Indicator,
    municipality: Municipality,
    period: date,
    before: str,
    after: str | None,
) -> None:
    key = period.isoformat()
    audit.record(
        session,
        principal,
        action=action,
        entity_type="annotation",
        entity_id=f"{indicator.id}/{key}",
        municipality=municipality,
        before={"period": key, "text": before} if before else None,
        after=(
            {"period": key, "text": after, "version": indicator.data_version}
            if after is not None
            else None
        ),
    )


def put_annotation(
    session: Session,
    principal: Principal,
    indicator_id: int,
    period: date,
    data: AnnotationInput,
    expected_version: int,
) -> tuple[AnnotationRead, int]:
    """Create or replace the note on one data point. Returns the note and the indicator's
    data version. The same text again changes nothing."""
    indicator, municipality = measurement.locked_indicator(session, principal, indicator_id)
    check_version(indicator.data_version, expected_version)
    text = plain_text(data.text)
    observation = _observation(session, indicator_id, period)
    before = observation.comment
    if before == text:
        session.rollback()
        return annotation_read(observation), indicator.data_version
    now = utcnow()
    observation.comment = text
    observation.updated_at = now
    indicator.data_version += 1
    touch(municipality, now)
    _record(
        session,
        principal,
        "update" if before else "create",
        indicator,
        municipality,
        period,
        before,
        text,
    )
    result = annotation_read(observation)
    version = indicator.data_version
    commit(session)
    return result, version


def delete_annotation(
    session: Session, principal: Principal, indicator_id: int, period: date, expected_version: int
) -> int:
    """Remove the note (the observation stays). Returns the new data version."""
    indicator, municipality = measurement.locked_indicator(session, principal, indicator_id)
    check_version(indicator.data_version, expected_version)
    observation = _observation(session, indicator_id, period)
    before = observation.comment
    if not before:
        raise NotFound(f"No annotation for {period.isoformat()}.")
    now = utcnow()
    observation.comment = ""
    observation.updated_at = now
    indicator.data_version += 1
    touch(municipality, now)
    _record(session, principal, "delete", indicator, municipality, period, before, None)
    version = indicator.data_version
    commit(session)
    return version
