"""Example content for five municipalities of the Troms demo: every phase described,
strengths, measures with progress notes, 22 months of aggregated numbers, one published
version and a few comment threads. Loaded with `demensforlop seed --demo`; the
municipalities are marked as example data, and the texts say so where they are read.

The content is invented in the spirit of the Troms report (seeds 000): each municipality
keeps the improvement areas it chose there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models.feedback import CommentCreate
from app.models.improvement import ImprovementArea, MeasureCreate, ProgressNoteCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.municipality import Municipality
from app.models.pathway import PhaseSectionInput, Strength, StrengthCreate
from app.models.publishing import PublishInput
from app.services import (
    feedback,
    improvement,
    measurement,
    pathway,
    progress_notes,
    publishing,
    strengths,
)
from app.services.access import Principal, PrincipalKind

#: Writes the example content: an administrator's rights, a label that says what it is.
EXAMPLE = Principal(kind=PrincipalKind.system, label="Eksempeldata")

#: Months of numbers: March 2022 to December 2023.
FIRST_MONTH = date(2022, 3, 1)
MONTHS = 22


@dataclass(frozen=True)
class Example:
    number: str
    contact: str
    phone: str
    strengths: tuple[str, str, str]
    #: Per phase key: (description, maturity, offering type keys).
    phases: dict[str, tuple[str, str, tuple[str, ...]]]
    #: Per improvement area (by priority): measures as (title, status, start, due, note).
    measures: tuple[tuple[tuple[str, str, date, date, str], ...], ...]
    indicator: tuple[str, str, str]  # name, kind (count/proportion), definition
    #: Monthly level at the start and at the end (count, or % for a proportion).
    levels: tuple[float, float]
    denominator: int = 0


def _phases(
    suspicion: str, assessment: str, support: str, home: str, care: str, end: str
) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return {
        "suspicion": (suspicion, "established", ("drop_in", "dementia_friendly")),
        "assessment": (assessment, "established", ("memory_team", "dementia_coordinator")),
        "independent_with_support": (
            support,
            "planned",
            ("post_diagnostic_follow_up", "carers_school", "contact_person"),
        ),
        "home_with_services": (home, "established", ("day_activities", "respite", "home_nursing")),
        "round_the_clock_care": (care, "established", ("sheltered_unit",)),
        "end_of_life": (end, "planned", ("advance_care_planning", "palliative_care")),
    }


D = date

EXAMPLES: tuple[Example, ...] = (
    Example(
        number="5501",
        contact="Hukommelsesteamet i Tromsø",
        phone="+47 77 79 00 00",
        strengths=(
            "Hukommelsesteamet er utvidet fra én til flere stillinger",
            "Pårørendeskolen har lange tradisjoner og gode tilbakemeldinger",
            "Godt samarbeid med geriatrisk poliklinikk ved UNN",
        ),
        phases=_phases(
            "Er du bekymret for hukommelsen, kan du ringe hukommelsesteamet eller snakke med "
            "fastlegen. Du trenger ikke henvisning for å ta kontakt.",
            "Fastlegen gjør en basal utredning sammen med hukommelsesteamet. Ved behov "
            "henvises du til geriatrisk poliklinikk.",
            "Etter diagnosen får du og dine pårørende en oppfølgingssamtale og tilbud om "
            "pårørendeskole og samtalegruppe.",
            "Dagaktivitetstilbud, avlastning og hjemmetjenester tilpasses det som er viktig "
            "for deg.",
            "Skjermede enheter og bofellesskap med personale som kjenner demens.",
            "Forhåndssamtaler og lindrende behandling i samarbeid med deg og dine nærmeste.",
        ),
        measures=(
            (
                (
                    "Demensskole for personer med demens",
                    "in_progress",
                    D(2022, 9, 1),
                    D(2023, 12, 31),
                    "Første kull startet høsten 2022 med seks deltakere.",
                ),
                (
                    "Nytt opplegg for pårørendeskolen",
                    "done",
                    D(2022, 4, 1),
                    D(2023, 3, 31),
                    "Pårørendeskolen går nå to ganger i året.",
                ),
            ),
            (
                (
                    "Flere plasser i dagaktivitetstilbudet",
                    "in_progress",
                    D(2022, 6, 1),
                    D(2024, 6, 30),
                    "Ti nye plasser fra januar 2023.",
                ),
            ),
            (
                (
                    "Faste stillinger i hukommelsesteamet",
                    "done",
                    D(2022, 3, 1),
                    D(2022, 12, 31),
                    "Stillingene ble permanente i handlingsprogrammet for 2023.",
                ),
            ),
        ),
        indicator=(
            "Andel med ny diagnose som fikk oppfølgingssamtale innen fire uker",
            "proportion",
            "Teller: personer med ny demensdiagnose som fikk samtale innen fire uker. "
            "Nevner: alle med ny diagnose i måneden. Bare samlede tall.",
        ),
        levels=(35.0, 80.0),
        denominator=12,
    ),
    Example(
        number="5540",
        contact="Demenskontakten i Kåfjord",
        phone="+47 77 71 90 00",
        strengths=(
            "Kulturforståelse og samisk språk i møte med personer med demens",
            "Demenskontakten er godt kjent i bygda",
            "Kort vei mellom fastlege, hjemmetjeneste og sykehjem",
        ),
        phases=_phases(
            "Demenskontakten har fast kontordag og kan treffes uten avtale.",
            "Fastlegen og demenskontakten utreder sammen, på samisk eller norsk.",
            "Vi følger opp med samtale etter diagnose og tilbyr samtalegruppe for pårørende.",
            "Hjemmetjenesten og dagtilbudet legger vekt på det som er viktig for deg.",
            "Skjermet enhet på sykehjemmet.",
            "Forhåndssamtaler i god tid, med tolk ved behov.",
        ),
        measures=(
            (
                (
                    "Rutine for å fange opp tidlige tegn i hjemmetjenesten",
                    "done",
                    D(2022, 5, 1),
                    D(2022, 12, 31),
                    "Rutinen er tatt i bruk i begge soner.",
                ),
            ),
            (
                (
                    "Oppfølgingssamtale hvert halvår etter diagnose",
                    "in_progress",
                    D(2022, 9, 1),
                    D(2023, 12, 31),
                    "De fleste har hatt sin første samtale.",
                ),
            ),
            (
                (
                    "Sjekkliste for trygge hjemmeforhold",
                    "in_progress",
                    D(2023, 1, 1),
                    D(2023, 10, 31),
                    "Testes ut sammen med ergoterapeuten.",
                ),
            ),
        ),
        indicator=(
            "Henvendelser til demenskontakten",
            "count",
            "Antall henvendelser i måneden fra personer med demens, pårørende og andre.",
        ),
        levels=(3.0, 9.0),
    ),
    Example(
        number="5532",
        contact="Demenskoordinator i Balsfjord",
        phone="+47 77 72 20 00",
        strengths=(
            "Engasjerte ansatte i hjemmetjenesten",
            "Godt dagaktivitetstilbud på Nordkjosbotn",
            "Gode rutiner for samarbeid med legekontoret",
        ),
        phases=_phases(
            "Informasjon om hvor du kan henvende deg står på kommunens nettsider.",
            "Fastlegen og hukommelsesteamet samarbeider om utredningen.",
            "Vi tilbyr samtale etter diagnosen og informasjon til pårørende.",
            "Hjemmetjenesten følger opp og fanger opp økt hjelpebehov tidlig.",
            "Skjermet avdeling og bofellesskap.",
            "Lindrende omsorg i samarbeid med de pårørende.",
        ),
        measures=(
            (
                (
                    "Kartleggingsverktøy for økt hjelpebehov",
                    "in_progress",
                    D(2022, 9, 1),
                    D(2023, 9, 30),
                    "Verktøyet er testet på to soner.",
                ),
            ),
            (
                (
                    "Felles møte mellom enhetene hver måned",
                    "done",
                    D(2022, 4, 1),
                    D(2022, 12, 31),
                    "Møtene er faste og har fått god oppslutning.",
                ),
            ),
            (
                (
                    "Egen side om demens på kommunens nettsted",
                    "done",
                    D(2022, 6, 1),
                    D(2022, 10, 31),
                    "Siden ble publisert i oktober 2022.",
                ),
            ),
        ),
        indicator=(
            "Besøk på nettsiden om demens",
            "count",
            "Antall besøk i måneden på kommunens side om demens.",
        ),
        levels=(20.0, 85.0),
    ),
    Example(
        number="5503",
        contact="Hukommelsesteamet i Harstad",
        phone="+47 77 02 60 00",
        strengths=(
            "Etablert hukommelsesteam med lang erfaring",
            "Pårørendeskole i samarbeid med demensforeningen",
            "Gode informasjonsmøter for innbyggerne",
        ),
        phases=_phases(
            "Informasjonsmøter og brosjyrer gjør det lettere å ta kontakt tidlig.",
            "Hukommelsesteamet utreder sammen med fastlegen.",
            "Oppfølgingssamtale, pårørendeskole og samtalegrupper.",
            "Dagaktivitetstilbud og avlastning tilpasset den enkelte.",
            "Skjermede enheter og forsterket skjermet enhet.",
            "Forhåndssamtaler og palliativt team.",
        ),
        measures=(
            (
                (
                    "Folkemøter om demens i bydelene",
                    "done",
                    D(2022, 9, 1),
                    D(2023, 6, 30),
                    "Fire folkemøter med godt oppmøte.",
                ),
            ),
            (
                (
                    "Samtalegruppe for pårørende",
                    "in_progress",
                    D(2022, 10, 1),
                    D(2023, 12, 31),
                    "To grupper i gang.",
                ),
            ),
            (
                (
                    "Revidert demensplan til politisk behandling",
                    "in_progress",
                    D(2023, 1, 1),
                    D(2024, 3, 31),
                    "Høringsutkastet er sendt ut.",
                ),
            ),
        ),
        indicator=(
            "Deltakere på pårørendeskole og samtalegrupper",
            "count",
            "Antall pårørende som deltok i måneden.",
        ),
        levels=(6.0, 18.0),
    ),
    Example(
        number="5536",
        contact="Demenskoordinator i Lyngen",
        phone="+47 77 70 10 00",
        strengths=(
            "Brukerrepresentant i forbedringsteamet",
            "Kort vei til tjenestene",
            "Godt samarbeid med frivilligsentralen",
        ),
        phases=_phases(
            "Demenskoordinatoren har åpen kontordag på biblioteket hver uke.",
            "Fastlegen utreder sammen med demenskoordinatoren.",
            "Fast kontaktperson og oppfølging etter diagnosen.",
            "Dagtilbud og avlastning, også i helgene.",
            "Skjermet enhet på sykehjemmet.",
            "Forhåndssamtaler når det passer for deg.",
        ),
        measures=(
            (
                (
                    "Brukerundersøkelse blant pårørende",
                    "done",
                    D(2022, 8, 1),
                    D(2022, 12, 31),
                    "Svarene er brukt i planarbeidet.",
                ),
            ),
            (
                (
                    "Lavterskeltilbud på biblioteket",
                    "done",
                    D(2022, 9, 1),
                    D(2023, 3, 31),
                    "Demenskoordinatoren treffer én eller flere hver gang.",
                ),
            ),
            (
                (
                    "Oppfølgingsplan for alle med diagnose",
                    "in_progress",
                    D(2023, 1, 1),
                    D(2023, 12, 31),
                    "Planmalen er klar.",
                ),
            ),
        ),
        indicator=(
            "Besøk på lavterskeltilbudet",
            "count",
            "Antall som kom innom demenskoordinatoren på biblioteket i måneden.",
        ),
        levels=(2.0, 7.0),
    ),
)


def _wobble(key: str, month: int) -> float:
    """A small, repeatable variation around the trend (−1 … 1)."""
    digest = hashlib.sha256(f"{key}:{month}".encode()).digest()
    return (digest[0] / 255.0) * 2 - 1


def _month(index: int) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + index, 12)
    return date(FIRST_MONTH.year + year, month + 1, 1)


def _observations(example: Example) -> ObservationList:
    start, end = example.levels
    items = []
    for i in range(MONTHS):
        level = start + (end - start) * min(1.0, i / (MONTHS * 0.7))
        if example.indicator[1] == "proportion":
            denominator = max(4, example.denominator + round(_wobble(example.number, i) * 3))
            share = min(1.0, max(0.0, level / 100 + _wobble(example.number + "p", i) * 0.08))
            items.append(
                {"period": _month(i), "numerator": round(share * denominator),
                 "denominator": denominator}
            )  # fmt: skip
        else:
            value = max(0, round(level + _wobble(example.number, i) * max(1.0, level * 0.15)))
            items.append({"period": _month(i), "value": value})
    return ObservationList.model_validate({"items": items})


def _fill_phases(session: Session, example: Example) -> None:
    for phase, (text, maturity, offerings) in example.phases.items():
        version = pathway.section_version(session, EXAMPLE, example.number, phase)
        data = PhaseSectionInput.model_validate(
            {
                "description": text,
                "responsible": example.contact,
                "contact": {"name": example.contact, "phone": example.phone},
                "maturity": maturity,
                "offerings": [{"type": key, "status": "available"} for key in offerings],
            }
        )
        pathway.update_section(session, EXAMPLE, example.number, phase, data, version)


def _improvement_work(session: Session, example: Example, municipality: Municipality) -> None:
    areas = session.exec(
        select(ImprovementArea)
        .where(col(ImprovementArea.municipality_id) == municipality.id)
        .order_by(col(ImprovementArea.priority))
    ).all()
    for area, measures in zip(areas, example.measures, strict=False):
        area_id = area.id or 0
        for title, status, start, due, note in measures:
            created = improvement.create_measure(
                session,
                EXAMPLE,
                area_id,
                MeasureCreate.model_validate(
                    {"title": title, "status": status, "start_date": start, "due_date": due}
                ),
            )
            progress_notes.create_note(
                session,
                EXAMPLE,
                ProgressNoteCreate(date=min(due, date(2023, 11, 1)), text=note),
                measure_id=created.id,
            )
        progress_notes.create_note(
            session,
            EXAMPLE,
            ProgressNoteCreate(
                date=date(2023, 11, 16),
                text="Presentert på sluttsamlingen i læringsnettverket (eksempeldata).",
            ),
            area_id=area_id,
        )
    if areas:
        name, kind, definition = example.indicator
        indicator = measurement.create_indicator(
            session,
            EXAMPLE,
            areas[0].id or 0,
            IndicatorCreate.model_validate(
                {"name": name, "kind": kind, "definition": definition, "frequency": "month"}
            ),
        )
        measurement.upsert_observations(
            session, EXAMPLE, indicator.id, _observations(example), indicator.data_version
        )


def _comments(session: Session, number: str, adviser: Principal, coordinator: Principal) -> None:
    question = feedback.create_comment(
        session,
        adviser,
        number,
        CommentCreate.model_validate(
            {
                "target": "phase_section",
                "phase": "independent_with_support",
                "text": "Så fint at dere har fått i gang oppfølgingssamtalene! Vil dere dele "
                "malen dere bruker på neste samling?",
            }
        ),
    )
    feedback.create_comment(
        session,
        coordinator,
        number,
        CommentCreate(parent_id=question.id, text="Gjerne! Vi tar den med på samlingen."),
    )
    feedback.create_comment(
        session,
        coordinator,
        number,
        CommentCreate(text="Har andre kommuner erfaring med demensskole for yngre?"),
    )


def _fill(session: Session, example: Example, municipality: Municipality) -> None:
    for text in example.strengths:
        strengths.create_strength(session, EXAMPLE, example.number, StrengthCreate(text=text))
    _fill_phases(session, example)
    _improvement_work(session, example, municipality)


def fill_example(session: Session, number: str) -> None:
    """Writes one example municipality's content (strengths, phases, measures, its
    indicator with figures) into its draft, unpublished: the poster's screenshot test."""
    example = next(e for e in EXAMPLES if e.number == number)
    municipality = session.exec(
        select(Municipality).where(col(Municipality.number) == number)
    ).one()
    _fill(session, example, municipality)


def seed_example_content(
    session: Session, adviser: Principal, coordinators: dict[str, Principal]
) -> int:
    """Fill the example municipalities that have no strengths yet; returns how many."""
    filled = 0
    for example in EXAMPLES:
        municipality = session.exec(
            select(Municipality).where(col(Municipality.number) == example.number)
        ).one()
        has_strengths = session.exec(
            select(Strength.id).where(col(Strength.municipality_id) == municipality.id)
        ).first()
        if has_strengths is not None:
            continue
        _fill(session, example, municipality)
        publishing.publish(
            session,
            EXAMPLE,
            example.number,
            PublishInput(summary="Første versjon (eksempeldata)"),
        )
        if example.number in coordinators:
            _comments(session, example.number, adviser, coordinators[example.number])
        filled += 1
    return filled
