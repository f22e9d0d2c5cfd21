"""Words for the coded values that the overview and its exports show as text (bokmål, with
English for callers that ask for it). Phase and offering-type names come from the
catalogues; these are the fixed scales."""

from __future__ import annotations

from app.models.base import Answer, ImprovementStatus, Maturity, MeasureStatus
from app.models.overview import ReviewStatus

_NB: dict[str, str] = {
    f"maturity.{Maturity.unknown}": "Ikke vurdert",
    f"maturity.{Maturity.not_established}": "Ikke etablert",
    f"maturity.{Maturity.planned}": "Planlagt",
    f"maturity.{Maturity.established}": "Etablert",
    f"answer.{Answer.yes}": "Ja",
    f"answer.{Answer.partly}": "Delvis",
    f"answer.{Answer.no}": "Nei",
    f"answer.{Answer.not_applicable}": "Ikke aktuelt",
    "answer.unanswered": "Ikke besvart",
    f"measure.{MeasureStatus.not_started}": "Ikke startet",
    f"measure.{MeasureStatus.in_progress}": "Pågår",
    f"measure.{MeasureStatus.done}": "Gjennomført",
    f"measure.{MeasureStatus.stopped}": "Stoppet",
    f"area.{ImprovementStatus.not_started}": "Ikke startet",
    f"area.{ImprovementStatus.in_progress}": "Pågår",
    f"area.{ImprovementStatus.implemented}": "I daglig drift",
    f"area.{ImprovementStatus.paused}": "Satt på vent",
    f"review.{ReviewStatus.not_published}": "Aldri gjennomgått eller publisert",
    f"review.{ReviewStatus.ok}": "Ikke forfalt",
    f"review.{ReviewStatus.due}": "Forfaller snart",
    f"review.{ReviewStatus.overdue}": "Forfalt",
    "no_phase": "Uten fase",
    "other_tags": "Andre stikkord (brukt av færre enn {n} kommuner)",
    "yes": "Ja",
    "no": "Nei",
    "size.small": "Kommuner under 5 000 innbyggere",
    "size.medium": "Kommuner med 5 000–20 000 innbyggere",
    "size.large": "Kommuner over 20 000 innbyggere",
    "size.unknown": "Kommuner uten registrert innbyggertall",
}

_EN: dict[str, str] = {
    f"maturity.{Maturity.unknown}": "Not assessed",
    f"maturity.{Maturity.not_established}": "Not established",
    f"maturity.{Maturity.planned}": "Planned",
    f"maturity.{Maturity.established}": "Established",
    f"answer.{Answer.yes}": "Yes",
    f"answer.{Answer.partly}": "Partly",
    f"answer.{Answer.no}": "No",
    f"answer.{Answer.not_applicable}": "Not applicable",
    "answer.unanswered": "Not answered",
    f"measure.{MeasureStatus.not_started}": "Not started",
    f"measure.{MeasureStatus.in_progress}": "In progress",
    f"measure.{MeasureStatus.done}": "Done",
    f"measure.{MeasureStatus.stopped}": "Stopped",
    f"area.{ImprovementStatus.not_started}": "Not started",
    f"area.{ImprovementStatus.in_progress}": "In progress",
    f"area.{ImprovementStatus.implemented}": "In daily operation",
    f"area.{ImprovementStatus.paused}": "Paused",
    f"review.{ReviewStatus.not_published}": "Never reviewed or published",
    f"review.{ReviewStatus.ok}": "Not due",
    f"review.{ReviewStatus.due}": "Due soon",
    f"review.{ReviewStatus.overdue}": "Overdue",
    "no_phase": "No phase",
    "other_tags": "Other tags (used by fewer than {n} municipalities)",
    "yes": "Yes",
    "no": "No",
    "size.small": "Municipalities under 5,000 inhabitants",
    "size.medium": "Municipalities of 5,000–20,000 inhabitants",
    "size.large": "Municipalities over 20,000 inhabitants",
    "size.unknown": "Municipalities without registered figures",
}


def label(key: str, lang: str = "nb", **values: object) -> str:
    text = (_EN if lang == "en" else _NB).get(key, key)
    return text.format(**values) if values else text
