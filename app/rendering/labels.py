"""Words for the coded values that the overview and its exports show as text (bokmål, with
nynorsk and English for callers that ask for them). Phase and offering-type names come from the
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
    f"review.{ReviewStatus.not_published}": "Ikke publisert ennå",
    f"review.{ReviewStatus.ok}": "Ny samtale senere",
    f"review.{ReviewStatus.due}": "Snart tid for ny samtale",
    f"review.{ReviewStatus.overdue}": "Tid for ny samtale",
    "size.small": "Under 5 000 innbyggere",
    "size.medium": "5 000–20 000 innbyggere",
    "size.large": "Over 20 000 innbyggere",
    "size.unknown": "Ukjent innbyggertall",
    "no_phase": "Uten fase",
    "other_tags": "Andre stikkord (brukt av færre enn {n} kommuner)",
    "yes": "Ja",
    "no": "Nei",
}

_NN: dict[str, str] = {
    f"maturity.{Maturity.unknown}": "Ikkje vurdert",
    f"maturity.{Maturity.not_established}": "Ikkje etablert",
    f"maturity.{Maturity.planned}": "Planlagt",
    f"maturity.{Maturity.established}": "Etablert",
    f"answer.{Answer.yes}": "Ja",
    f"answer.{Answer.partly}": "Delvis",
    f"answer.{Answer.no}": "Nei",
    f"answer.{Answer.not_applicable}": "Ikkje aktuelt",
    "answer.unanswered": "Ikkje svart på",
    f"measure.{MeasureStatus.not_started}": "Ikkje starta",
    f"measure.{MeasureStatus.in_progress}": "Pågår",
    f"measure.{MeasureStatus.done}": "Gjennomført",
    f"measure.{MeasureStatus.stopped}": "Stoppa",
    f"area.{ImprovementStatus.not_started}": "Ikkje starta",
    f"area.{ImprovementStatus.in_progress}": "Pågår",
    f"area.{ImprovementStatus.implemented}": "I dagleg drift",
    f"area.{ImprovementStatus.paused}": "Sett på vent",
    f"review.{ReviewStatus.not_published}": "Ikkje publisert enno",
    f"review.{ReviewStatus.ok}": "Ny samtale seinare",
    f"review.{ReviewStatus.due}": "Snart tid for ny samtale",
    f"review.{ReviewStatus.overdue}": "Tid for ny samtale",
    "size.small": "Under 5 000 innbyggjarar",
    "size.medium": "5 000–20 000 innbyggjarar",
    "size.large": "Over 20 000 innbyggjarar",
    "size.unknown": "Ukjent innbyggjartal",
    "no_phase": "Utan fase",
    "other_tags": "Andre stikkord (brukte av færre enn {n} kommunar)",
    "yes": "Ja",
    "no": "Nei",
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
    f"review.{ReviewStatus.not_published}": "Not published yet",
    f"review.{ReviewStatus.ok}": "New conversation later",
    f"review.{ReviewStatus.due}": "Soon time for a new conversation",
    f"review.{ReviewStatus.overdue}": "Time for a new conversation",
    "size.small": "Under 5,000 inhabitants",
    "size.medium": "5,000–20,000 inhabitants",
    "size.large": "Over 20,000 inhabitants",
    "size.unknown": "Population not known",
    "no_phase": "No phase",
    "other_tags": "Other tags (used by fewer than {n} municipalities)",
    "yes": "Yes",
    "no": "No",
}


def label(key: str, lang: str = "nb", **values: object) -> str:
    text = {"en": _EN, "nn": _NN}.get(lang, _NB).get(key, key)
    return text.format(**values) if values else text
