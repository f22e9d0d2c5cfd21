"""Indicator templates: the measures the learning networks used (the pathway checklist,
«Hva er viktig for deg?» and PSFS, time from referral to diagnosis, readmissions), which a
municipality adds to an improvement area in one click. Every template counts aggregated
numbers for a group, never data about a person."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.models.base import Direction, Frequency, IndicatorKind, IndicatorRole
from app.models.measurement import (
    Indicator,
    IndicatorCreate,
    IndicatorRead,
    IndicatorTemplateKey,
    IndicatorTemplateRead,
)
from app.services import measurement
from app.services.access import Principal, require_edit
from app.services.improvement import area_municipality

#: The networks the measures come from.
FHI_NETWORKS = "FHI og KS: læringsnettverk for gode pasientforløp"
TROMS_NETWORK = "USHT Troms: læringsnettverk demens 2021–2023"


class Template(NamedTuple):
    key: IndicatorTemplateKey
    name_nb: str
    name_en: str
    definition_nb: str
    definition_en: str
    kind: IndicatorKind
    role: IndicatorRole
    unit_nb: str
    unit_en: str
    direction: Direction
    frequency: Frequency
    source: str


TEMPLATES: tuple[Template, ...] = (
    Template(
        IndicatorTemplateKey.pathway_checklist,
        "Sjekkliste for pasientforløp fulgt",
        "Pathway checklist followed",
        "Andel personer i forløpet der sjekklisten for pasientforløpet ble fulgt (alle aktuelle "
        "punkter utført) denne måneden. Teller: personer der sjekklisten ble fulgt. Nevner: "
        "personer i forløpet som ble gått gjennom. Tallene telles sammen per måned.",
        "Share of the persons in the pathway whose pathway checklist was followed (every "
        "applicable item done) this month. Numerator: persons whose checklist was followed. "
        "Denominator: persons in the pathway who were reviewed. Counted together per month.",
        IndicatorKind.proportion,
        IndicatorRole.process,
        "personer",
        "persons",
        Direction.up,
        Frequency.month,
        FHI_NETWORKS,
    ),
    Template(
        IndicatorTemplateKey.what_matters_asked,
        "«Hva er viktig for deg?» spurt i uke 1",
        "\u201cWhat matters to you?\u201d asked in week 1",
        "Andel nye brukere som ble spurt «Hva er viktig for deg?» og fikk målene sine skrevet "
        "ned (PSFS-skjema) i første uke av forløpet. Teller: nye brukere som ble spurt. Nevner: "
        "alle nye brukere i måneden.",
        "Share of new users who were asked \u201cWhat matters to you?\u201d and had their goals "
        "written down (PSFS form) in the first week of the pathway. Numerator: new users who "
        "were asked. Denominator: all new users in the month.",
        IndicatorKind.proportion,
        IndicatorRole.process,
        "brukere",
        "users",
        Direction.up,
        Frequency.month,
        FHI_NETWORKS,
    ),
    Template(
        IndicatorTemplateKey.psfs_measured_twice,
        "PSFS målt i uke 1 og etter ca. 4 uker",
        "PSFS measured in week 1 and after about 4 weeks",
        "Andel av brukerne med PSFS (pasientspesifikk funksjonsskala) i uke 1 som ble målt på "
        "nytt etter ca. 4 uker. Teller: brukere målt begge gangene. Nevner: brukere målt i "
        "uke 1, talt i måneden da de skulle måles på nytt.",
        "Share of the users with a PSFS (Patient-Specific Functional Scale) score in week 1 who "
        "were scored again after about 4 weeks. Numerator: users scored both times. "
        "Denominator: users scored in week 1, counted in the month their second score was due.",
        IndicatorKind.proportion,
        IndicatorRole.process,
        "brukere",
        "users",
        Direction.up,
        Frequency.month,
        FHI_NETWORKS,
    ),
    Template(
        IndicatorTemplateKey.psfs_mean_change,
        "Endring i funksjon (PSFS), gjennomsnitt",
        "Change in function (PSFS), mean",
        "Gjennomsnittlig endring i PSFS-skår (0–10) fra uke 1 til etter ca. 4 uker, for "
        "brukerne som ble målt begge gangene i måneden. Gjennomsnittet regnes ut der skjemaene "
        "ligger; bare det samlede tallet registreres her.",
        "Mean change in the PSFS score (0–10) from week 1 to after about 4 weeks, for the users "
        "scored both times in the month. The mean is worked out where the forms are kept; only "
        "the aggregated number is entered here.",
        IndicatorKind.value,
        IndicatorRole.outcome,
        "poeng",
        "points",
        Direction.up,
        Frequency.month,
        FHI_NETWORKS,
    ),
    Template(
        IndicatorTemplateKey.referral_to_diagnosis,
        "Tid fra henvisning til diagnose",
        "Time from referral to diagnosis",
        "Median antall uker fra henvisning til utredning til diagnosen er satt, for personene "
        "som fikk diagnosen i måneden.",
        "Median number of weeks from the referral for assessment to the diagnosis, for the "
        "persons diagnosed in the month.",
        IndicatorKind.value,
        IndicatorRole.process,
        "uker",
        "weeks",
        Direction.down,
        Frequency.month,
        TROMS_NETWORK,
    ),
    Template(
        IndicatorTemplateKey.readmissions,
        "Reinnleggelser innen 30 dager",
        "Readmissions within 30 days",
        "Antall reinnleggelser i sykehus innen 30 dager blant hjemmeboende med demens i "
        "kvartalet, fra egne registreringer eller Helsedirektoratets kvartalstall. Følges for "
        "å se at endringene ikke gjør noe annet verre.",
        "Number of hospital readmissions within 30 days among people with dementia living at "
        "home in the quarter, from the municipality's own records or the Directorate of "
        "Health's quarterly figures. Followed to see that the changes make nothing else worse.",
        IndicatorKind.count,
        IndicatorRole.balancing,
        "innleggelser",
        "readmissions",
        Direction.down,
        Frequency.quarter,
        FHI_NETWORKS,
    ),
)

_BY_KEY = {t.key: t for t in TEMPLATES}


def _read(template: Template, lang: str) -> IndicatorTemplateRead:
    english = lang == "en"
    return IndicatorTemplateRead(
        key=template.key,
        name=template.name_en if english else template.name_nb,
        definition=template.definition_en if english else template.definition_nb,
        kind=template.kind,
        role=template.role,
        unit=template.unit_en if english else template.unit_nb,
        direction=template.direction,
        frequency=template.frequency,
        source=template.source,
    )


def list_templates(lang: str = "nb") -> list[IndicatorTemplateRead]:
    """Every template, in the language asked for; open to everyone."""
    return [_read(t, lang) for t in TEMPLATES]


def template_input(key: IndicatorTemplateKey, lang: str = "nb") -> IndicatorCreate:
    """The indicator a template makes, named in the language of the person adding it."""
    read = _read(_BY_KEY[key], lang)
    return IndicatorCreate(
        name=read.name,
        definition=read.definition,
        kind=read.kind,
        role=read.role,
        unit=read.unit,
        direction=read.direction,
        frequency=read.frequency,
    )


def add_from_template(
    session: Session,
    principal: Principal,
    area_id: int,
    key: IndicatorTemplateKey,
    lang: str = "nb",
) -> IndicatorRead:
    """Add the template's indicator to the area. An area that already has an indicator of
    that name (in either language) gets no second one: the answer names the template."""
    municipality = area_municipality(session, principal, area_id)
    require_edit(principal, municipality)
    template = _BY_KEY[key]
    existing = session.exec(
        select(Indicator.id)
        .where(col(Indicator.improvement_area_id) == area_id)
        .where(col(Indicator.name).in_([template.name_nb, template.name_en]))
        .limit(1)
    ).first()
    if existing is not None:
        raise Invalid(FieldError("template", "the improvement area already has this indicator"))
    return measurement.create_indicator(session, principal, area_id, template_input(key, lang))
