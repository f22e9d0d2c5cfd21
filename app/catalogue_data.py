"""The reference catalogues as shipped: phases, offering types and the checklist, version 1
(kept, so answers to it stay readable) and version 2 (the current one).

Migration `catalogue_v2` brings a database seeded with the first catalogue to this one;
`tests/services/test_migrations_catalogue.py` checks that both end the same."""

from __future__ import annotations

from typing import NamedTuple


class PhaseDef(NamedTuple):
    key: str
    name_nb: str
    name_en: str
    summary_nb: str
    summary_en: str


PHASES: tuple[PhaseDef, ...] = (
    PhaseDef(
        "suspicion",
        "Mistanke",
        "Suspicion",
        "Noen merker endringer i hukommelse eller fungering og lurer på hvor de skal henvende seg.",
        "Someone notices changes in memory or functioning and wonders where to turn.",
    ),
    PhaseDef(
        "assessment",
        "Utredning og diagnose",
        "Assessment and diagnosis",
        "Fastlegen utreder sammen med kommunens hukommelsesteam eller ressursperson, og "
        "spesialisthelsetjenesten ved behov.",
        "The GP assesses with the municipality's memory team or resource person, and "
        "specialist services when needed.",
    ),
    PhaseDef(
        "independent_with_support",
        "Selvstendig med støtte",
        "Independent with support",
        "Etter diagnosen: oppfølging, informasjon, kurs og tilbud som gjør hverdagen lettere.",
        "After the diagnosis: follow-up, information, courses and offers that ease daily life.",
    ),
    PhaseDef(
        "home_with_services",
        "Hjemme med tjenester",
        "At home with services",
        "Hjemmetjenester, dagaktivitet, avlastning og velferdsteknologi gjør det trygt å bo "
        "hjemme.",
        "Home services, day activities, respite and welfare technology help people live at home.",
    ),
    PhaseDef(
        "round_the_clock_care",
        "Heldøgns omsorg",
        "Round-the-clock care",
        "Når det ikke lenger er trygt hjemme: bolig med heldøgns tjenester eller sykehjem.",
        "When home is no longer safe: housing with round-the-clock services or a nursing home.",
    ),
    PhaseDef(
        "end_of_life",
        "Omsorg ved livets slutt",
        "Care at the end of life",
        "Lindrende behandling og omsorg, og støtte til de pårørende.",
        "Palliative treatment and care, and support for the relatives.",
    ),
)

PHASE_KEYS: tuple[str, ...] = tuple(p.key for p in PHASES)


class OfferingTypeDef(NamedTuple):
    key: str
    name_nb: str
    name_en: str
    default_phase: str
    survey_category: str


# Categories follow the national survey of dementia services (Nasjonal kartlegging av
# tilbudet til personer med demens), so local data can be set beside it.
OFFERING_TYPES: tuple[OfferingTypeDef, ...] = (
    OfferingTypeDef(
        "memory_team",
        "Hukommelsesteam eller ressursperson",
        "Memory team or resource person",
        "assessment",
        "Utredning",
    ),
    OfferingTypeDef(
        "dementia_coordinator",
        "Demenskoordinator",
        "Dementia coordinator",
        "assessment",
        "Organisering",
    ),
    OfferingTypeDef(
        "contact_person",
        "Fast kontaktperson",
        "Named contact person",
        "independent_with_support",
        "Oppfølging etter diagnose",
    ),
    OfferingTypeDef(
        "post_diagnostic_follow_up",
        "Oppfølgingsrutine etter diagnose",
        "Follow-up routine after diagnosis",
        "independent_with_support",
        "Oppfølging etter diagnose",
    ),
    OfferingTypeDef(
        "carers_school",
        "Pårørendeskole",
        "Carers' school",
        "independent_with_support",
        "Pårørendestøtte",
    ),
    OfferingTypeDef(
        "carers_group",
        "Samtalegruppe for pårørende",
        "Carers' conversation group",
        "independent_with_support",
        "Pårørendestøtte",
    ),
    OfferingTypeDef(
        "coping_course",
        "Brukerskole / mestringskurs",
        "Course for people with dementia",
        "independent_with_support",
        "Oppfølging etter diagnose",
    ),
    OfferingTypeDef(
        "day_activities",
        "Dagaktivitetstilbud",
        "Adapted day activities",
        "home_with_services",
        "Dagaktivitetstilbud",
    ),
    OfferingTypeDef("respite", "Avlastning", "Respite", "home_with_services", "Avlastning"),
    OfferingTypeDef(
        "safety_alarm",
        "Trygghetsalarm",
        "Safety alarm",
        "home_with_services",
        "Velferdsteknologi",
    ),
    OfferingTypeDef(
        "location_technology",
        "Lokaliseringsteknologi (GPS)",
        "Location technology (GPS)",
        "home_with_services",
        "Velferdsteknologi",
    ),
    OfferingTypeDef(
        "digital_supervision",
        "Digitalt tilsyn",
        "Digital supervision",
        "home_with_services",
        "Velferdsteknologi",
    ),
    OfferingTypeDef(
        "coordinator_individual_plan",
        "Koordinator og individuell plan",
        "Coordinator and individual plan",
        "home_with_services",
        "Organisering",
    ),
    OfferingTypeDef(
        "home_nursing",
        "Hjemmesykepleie og praktisk bistand",
        "Home nursing and home help",
        "home_with_services",
        "Hjemmetjenester",
    ),
    OfferingTypeDef(
        "life_story",
        "Min livshistorie",
        "Life story (\u201cMin livshistorie\u201d)",
        "independent_with_support",
        "Personsentrert omsorg",
    ),
    OfferingTypeDef(
        "carer_agreement",
        "Pårørendeavtale",
        "Carer agreement",
        "home_with_services",
        "Pårørendestøtte",
    ),
    OfferingTypeDef(
        "drop_in",
        "Lavterskeltilbud",
        "Low-threshold drop-in",
        "suspicion",
        "Informasjon og tilgjengelighet",
    ),
    OfferingTypeDef(
        "dementia_friendly",
        "Demensvennlig samfunn",
        "Dementia-friendly community work",
        "suspicion",
        "Informasjon og tilgjengelighet",
    ),
    OfferingTypeDef(
        "sheltered_unit",
        "Skjermet enhet",
        "Sheltered unit",
        "round_the_clock_care",
        "Heldøgns omsorg",
    ),
    OfferingTypeDef(
        "reinforced_sheltered_unit",
        "Forsterket skjermet enhet",
        "Reinforced sheltered unit",
        "round_the_clock_care",
        "Heldøgns omsorg",
    ),
    OfferingTypeDef(
        "shared_housing",
        "Bofellesskap",
        "Shared housing",
        "round_the_clock_care",
        "Heldøgns omsorg",
    ),
    OfferingTypeDef(
        "advance_care_planning",
        "Forhåndssamtaler",
        "Advance care planning conversations",
        "end_of_life",
        "Lindrende omsorg",
    ),
    OfferingTypeDef(
        "palliative_care",
        "Lindrende omsorg",
        "Palliative care",
        "end_of_life",
        "Lindrende omsorg",
    ),
    # Added in catalogue version 2.
    OfferingTypeDef(
        "primary_contact",
        "Primærkontakt i hjemmetjenesten",
        "Primary contact in the home services",
        "home_with_services",
        "Hjemmetjenester",
    ),
    OfferingTypeDef(
        "dementia_contact",
        "Demenskontakt i hjemmetjenesten",
        "Dementia contact in the home services",
        "home_with_services",
        "Hjemmetjenester",
    ),
    OfferingTypeDef(
        "young_onset_activities",
        "Aktivitetstilbud for yngre personer med demens",
        "Activities for younger people with dementia",
        "independent_with_support",
        "Dagaktivitetstilbud",
    ),
    OfferingTypeDef(
        "lasting_power_of_attorney",
        "Informasjon om fremtidsfullmakt",
        "Information about lasting power of attorney",
        "independent_with_support",
        "Oppfølging etter diagnose",
    ),
    OfferingTypeDef(
        "preventive_home_visits",
        "Forebyggende hjemmebesøk",
        "Preventive home visits",
        "suspicion",
        "Informasjon og tilgjengelighet",
    ),
)


class ChecklistItemDef(NamedTuple):
    key: str
    phase: str
    text_nb: str
    text_en: str


CHECKLIST_V1_TITLE = "Nasjonal faglig retningslinje om demens – sjekkliste, versjon 1"

CHECKLIST_V1: tuple[ChecklistItemDef, ...] = (
    ChecklistItemDef(
        "website_information",
        "suspicion",
        "Kommunens nettside forteller hvor man henvender seg ved mistanke om demens.",
        "The municipality's website says where to turn when dementia is suspected.",
    ),
    ChecklistItemDef(
        "gp_basic_assessment",
        "assessment",
        "Fastlegen tilbyr basal utredning ved mistanke om demens, sammen med hukommelsesteamet.",
        "The GP offers a basic assessment when dementia is suspected, with the memory team.",
    ),
    ChecklistItemDef(
        "memory_team",
        "assessment",
        "Kommunen har eget eller interkommunalt hukommelsesteam eller en ressursperson.",
        "The municipality has its own or an inter-municipal memory team or resource person.",
    ),
    ChecklistItemDef(
        "team_gp_routines",
        "assessment",
        "Det finnes skriftlige rutiner for samarbeid mellom hukommelsesteam og fastlege.",
        "There are written routines for cooperation between the memory team and the GP.",
    ),
    ChecklistItemDef(
        "specialist_referral_criteria",
        "assessment",
        "Kriterier for henvisning til spesialisthelsetjenesten er kjent (yngre personer, samisk "
        "eller minoritetsbakgrunn, utviklingshemming, sammensatte tilfeller).",
        "Criteria for referral to specialist services are known (young onset, Sami or minority "
        "background, intellectual disability, complex cases).",
    ),
    ChecklistItemDef(
        "active_follow_up",
        "independent_with_support",
        "Personer som får diagnosen, får aktiv oppfølging med kartlegging av behov.",
        "People who are diagnosed get active follow-up with a needs assessment.",
    ),
    ChecklistItemDef(
        "named_contact",
        "independent_with_support",
        "Personen og pårørende har en fast kontaktperson fra diagnose til heldøgns omsorg.",
        "The person and relatives have a named contact person from diagnosis to "
        "round-the-clock care.",
    ),
    ChecklistItemDef(
        "gp_follow_up",
        "independent_with_support",
        "Fastlegen følger opp personen hver 6.–12. måned.",
        "The GP follows the person up every 6–12 months.",
    ),
    ChecklistItemDef(
        "carer_support",
        "cross_cutting",
        "Pårørende får informasjon, oppfølging og tilbud om avlastning og pårørendestøtte.",
        "Carers get information, follow-up and offers of respite and carer support.",
    ),
    ChecklistItemDef(
        "day_activities",
        "home_with_services",
        "Det finnes tilrettelagt dagaktivitetstilbud for hjemmeboende personer med demens.",
        "There are adapted day activities for people with dementia living at home.",
    ),
    ChecklistItemDef(
        "welfare_technology",
        "home_with_services",
        "Personer med demens får informasjon om og tilbud om velferdsteknologi.",
        "People with dementia get information about and the offer of welfare technology.",
    ),
    ChecklistItemDef(
        "coordinator_ip",
        "home_with_services",
        "Koordinator og individuell plan tilbys ved behov.",
        "A coordinator and an individual plan are offered when needed.",
    ),
    ChecklistItemDef(
        "planned_transition",
        "round_the_clock_care",
        "Overgangen til heldøgns omsorg planlegges sammen med personen og pårørende.",
        "The transition to round-the-clock care is planned with the person and relatives.",
    ),
    ChecklistItemDef(
        "advance_care_planning",
        "end_of_life",
        "Forhåndssamtaler og lindrende behandling tilbys gjennom hele forløpet.",
        "Advance care planning and palliative care are offered throughout the pathway.",
    ),
    ChecklistItemDef(
        "staff_training",
        "cross_cutting",
        "Det finnes et system for opplæring av ansatte i demensomsorg.",
        "There is a system for staff training in dementia care.",
    ),
    ChecklistItemDef(
        "user_involvement",
        "cross_cutting",
        "Personer med demens og pårørende er med når tjenestene planlegges.",
        "People with dementia and relatives are involved in planning the services.",
    ),
)

CHECKLIST_V2_TITLE = (
    "Sjekkliste for demensforløpet, bygd på Nasjonal faglig retningslinje om demens – versjon 2"
)

_V2_TEXTS: dict[str, tuple[str, str]] = {
    "gp_basic_assessment": (
        "Fastlegen tilbyr basal utredning ved mistanke om demens, sammen med hukommelsesteamet "
        "eller ressurspersonen.",
        "The GP offers a basic assessment when dementia is suspected, with the memory team or "
        "resource person.",
    ),
    "team_gp_routines": (
        "Det finnes skriftlige rutiner for samarbeid mellom fastlegen og hukommelsesteamet eller "
        "ressurspersonen.",
        "There are written routines for cooperation between the GP and the memory team or "
        "resource person.",
    ),
    "gp_follow_up": (
        "Fastlegen følger opp personen minst hver 6.–12. måned.",
        "The GP follows the person up at least every 6–12 months.",
    ),
}

#: New in version 2, each placed after the item named.
_V2_NEW: tuple[tuple[str, ChecklistItemDef], ...] = (
    (
        "gp_follow_up",
        ChecklistItemDef(
            "what_matters",
            "cross_cutting",
            "Personen blir spurt «Hva er viktig for deg?», og oppfølgingen bygger på svaret.",
            "The person is asked \u201cWhat matters to you?\u201d, and the follow-up builds on "
            "the answer.",
        ),
    ),
    (
        "what_matters",
        ChecklistItemDef(
            "lasting_power_of_attorney",
            "independent_with_support",
            "Personen og pårørende får informasjon om fremtidsfullmakt tidlig i forløpet.",
            "The person and relatives get information about a lasting power of attorney early "
            "in the pathway.",
        ),
    ),
)


def _checklist_v2() -> tuple[ChecklistItemDef, ...]:
    items: list[ChecklistItemDef] = []
    for item in CHECKLIST_V1:
        text_nb, text_en = _V2_TEXTS.get(item.key, (item.text_nb, item.text_en))
        items.append(item._replace(text_nb=text_nb, text_en=text_en))
    for after, new in _V2_NEW:
        index = next(i for i, item in enumerate(items) if item.key == after)
        items.insert(index + 1, new)
    return tuple(items)


#: Every item of version 1 carries over under its own key (its answers are copied to
#: version 2); three have new wording, two are new.
CHECKLIST_V2: tuple[ChecklistItemDef, ...] = _checklist_v2()

#: The checklist versions as shipped; the last one is the current one.
CHECKLISTS: tuple[tuple[int, str, tuple[ChecklistItemDef, ...]], ...] = (
    (1, CHECKLIST_V1_TITLE, CHECKLIST_V1),
    (2, CHECKLIST_V2_TITLE, CHECKLIST_V2),
)

# One region per county, named by the county (slug, display name, development centre).
REGIONS: dict[str, tuple[str, str]] = {
    "03": ("oslo", "Oslo"),
    "11": ("rogaland", "Rogaland"),
    "15": ("more-og-romsdal", "Møre og Romsdal"),
    "18": ("nordland", "Nordland"),
    "31": ("ostfold", "Østfold"),
    "32": ("akershus", "Akershus"),
    "33": ("buskerud", "Buskerud"),
    "34": ("innlandet", "Innlandet"),
    "39": ("vestfold", "Vestfold"),
    "40": ("telemark", "Telemark"),
    "42": ("agder", "Agder"),
    "46": ("vestland", "Vestland"),
    "50": ("trondelag", "Trøndelag"),
    "55": ("troms", "Troms"),
    "56": ("finnmark", "Finnmark"),
}
