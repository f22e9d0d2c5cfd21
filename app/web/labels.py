"""What the UI calls the values of the domain's enumerations (bokmål message ids)."""

from __future__ import annotations

from collections.abc import Mapping

from app.models.audit import AuditEventRead
from app.web.i18n import N_, translate

#: The guided start's steps (services/guided_start.py): the words, and the municipality's
#: page where each is done.
GUIDE_STEPS = {
    "phases": (N_("Beskriv fasene"), "forlop"),
    "strengths": (N_("Velg styrker"), "styrker"),
    "improvement_areas": (N_("Velg forbedringsområder"), "forbedringsomrader"),
    "measure": (N_("Legg til et tiltak"), "forbedringsomrader"),
    "publish": (N_("Publiser forløpet"), "publiser"),
}

MATURITY = {
    "unknown": N_("Ikke vurdert"),
    "not_established": N_("Ikke etablert"),
    "planned": N_("Planlagt"),
    "established": N_("Etablert"),
}
#: Municipality size groups in the anonymous summary (`SizeGroup`).
SIZE = {
    "small": N_("Under 5 000 innbyggere"),
    "medium": N_("5 000–20 000 innbyggere"),
    "large": N_("Over 20 000 innbyggere"),
    "unknown": N_("Ukjent innbyggertall"),
}
#: The wording of the regional survey of dementia services (USHT), so answers to the two can
#: be set side by side.
MATURITY_HINT = {
    "unknown": N_("Ikke vurdert ennå."),
    "not_established": N_("Vi har ikke en slik ordning og det prioriteres ikke nå."),
    "planned": N_("Vi har besluttet plan for å starte etablering."),
    "established": N_(
        "Vi har etablert ordning og jobber systematisk for å sikre sammenheng i hele forløpet."
    ),
}
OFFERING_STATUS = {
    "available": N_("Tilgjengelig"),
    "planned": N_("Planlagt"),
    "not_available": N_("Ikke tilgjengelig"),
}
PROVIDER = {
    "own": N_("Egen kommune"),
    "inter_municipal": N_("Interkommunalt"),
    "specialist": N_("Spesialisthelsetjenesten"),
    "voluntary": N_("Frivillige"),
}
ANSWER = {
    "yes": N_("Ja"),
    "partly": N_("Delvis"),
    "no": N_("Nei"),
    "not_applicable": N_("Ikke aktuelt"),
}
IMPROVEMENT_STATUS = {
    "not_started": N_("Ikke startet"),
    "in_progress": N_("Pågår"),
    "implemented": N_("I daglig drift"),
    "paused": N_("Satt på vent"),
}
MEASURE_STATUS = {
    "not_started": N_("Ikke startet"),
    "in_progress": N_("Pågår"),
    "done": N_("Gjennomført"),
    "stopped": N_("Stoppet"),
}
INDICATOR_KIND = {
    "count": N_("Antall"),
    "proportion": N_("Andel"),
    "value": N_("Verdi"),
}
INDICATOR_KIND_HINT = {
    "count": N_("Et helt tall per periode, for eksempel antall nye brukere."),
    "proportion": N_("Teller og nevner per periode, vist i prosent."),
    "value": N_("Et tall med desimaler, for eksempel ventetid i uker."),
}
INDICATOR_ROLE = {
    "process": N_("Prosessmål"),
    "outcome": N_("Resultatmål"),
    "balancing": N_("Balansemål"),
}
INDICATOR_ROLE_HINT = {
    "process": N_("Gjør vi det vi har bestemt? For eksempel andelen der sjekklisten ble fulgt."),
    "outcome": N_("Blir det bedre for personen? For eksempel endring i funksjon (PSFS)."),
    "balancing": N_("Blir noe annet verre av endringen? For eksempel reinnleggelser."),
}
CONTROL_CHART = {
    "xmr": N_("XmR-diagram (I-diagram)"),
    "p": N_("P-diagram"),
    "p_prime": N_("P′-diagram (Laney)"),
    "u": N_("U-diagram"),
}
PDSA_ACT = {
    "adopt": N_("Ta i bruk"),
    "adapt": N_("Justere og prøve igjen"),
    "abandon": N_("Forkaste"),
}
DIRECTION = {
    "up": N_("Høyere er bedre"),
    "down": N_("Lavere er bedre"),
    "neither": N_("Verken høyere eller lavere er bedre (balansemål)"),
}
FREQUENCY = {
    "week": N_("Per uke"),
    "month": N_("Per måned"),
    "quarter": N_("Per kvartal"),
}
#: The period that holds today, as the quick-entry table marks it.
CURRENT_PERIOD = {
    "week": N_("denne uken"),
    "month": N_("denne måneden"),
    "quarter": N_("dette kvartalet"),
}
#: What a person did, in the past tense, before what it was done to (`AuditEvent.action`).
ACTION = {
    "create": N_("opprettet"),
    "update": N_("endret"),
    "delete": N_("slettet"),
    "reorder": N_("endret rekkefølgen på"),
    "seed": N_("lastet inn eksempeldata for"),
    "publish": N_("publiserte"),
    "restore": N_("hentet tilbake tekst i"),
    "import": N_("importerte"),
    "upsert": N_("registrerte"),
    "change_password": N_("endret passordet for"),
    "reset_password": N_("valgte nytt passord for"),
    "accept_invitation": N_("tok imot invitasjonen for"),
    "invite": N_("inviterte"),
    "reinvite": N_("sendte ny invitasjon til"),
    "change_rights": N_("endret rolle og tilganger for"),
    "deactivate": N_("deaktiverte"),
    "reactivate": N_("aktiverte igjen"),
    "sign_in_sso": N_("logget inn med felles innlogging"),
    "revoke": N_("trakk tilbake"),
    "resolve": N_("løste"),
    "reopen": N_("gjenåpnet"),
}
#: What an action was done to (`AuditEvent.entity_type`), as it reads after the action.
ENTITY = {
    "phase_section": N_("fase"),
    "checklist_answer": N_("svar i sjekklisten"),
    "strength": N_("styrke"),
    "improvement_area": N_("forbedringsområde"),
    "improvement_area_order": N_("prioriteringen av forbedringsområder"),
    "measure": N_("tiltak"),
    "progress_note": N_("framdriftsnotat"),
    "indicator": N_("måling"),
    "observation": N_("måleverdi"),
    "observations": N_("måleverdier"),
    "municipality": N_("kommune"),
    "comment": N_("kommentar"),
    "review": N_("veiledningssamtale"),
    "published_version": N_("publisert versjon"),
    "user": N_("bruker"),
    "api_token": N_("API-nøkkel"),
    "further_work_plan": N_("plan for videre arbeid"),
    "anchoring": N_("forankring"),
    "improvement_team": N_("forbedringsteam"),
    "network": N_("læringsnettverk"),
    "network_member": N_("medlem i læringsnettverk"),
    "network_task": N_("mellomarbeid"),
    "network_evaluation": N_("evaluering av læringsnettverk"),
    "gathering": N_("samling"),
    "task_answer": N_("svar på mellomarbeid"),
    "pdsa_cycle": N_("PDSA-sirkel"),
    "annotation": N_("merknad på en måleverdi"),
    "webhook": N_("webhook"),
    "citizen_message": N_("tilbakemelding fra en innbygger"),
}
#: Pairs that read badly as action + entity, said as a whole.
PHRASES = {
    ("sign_in_sso", "user"): N_("logget inn med felles innlogging"),
    ("create", "checklist_answer"): N_("svarte på et punkt i sjekklisten"),
    ("update", "checklist_answer"): N_("endret et svar i sjekklisten"),
    ("import", "checklist_answer"): N_("importerte et svar i sjekklisten"),
    ("publish", "published_version"): N_("publiserte en ny versjon"),
    ("import", "published_version"): N_("importerte en publisert versjon"),
    ("upsert", "observations"): N_("registrerte måleverdier"),
    ("import", "observations"): N_("importerte måleverdier"),
    ("import", "observation"): N_("importerte en måleverdi"),
    ("delete", "observation"): N_("slettet en måleverdi"),
    ("update", "observation"): N_("endret en måleverdi"),
    ("create", "annotation"): N_("skrev en merknad på en måleverdi"),
    ("update", "annotation"): N_("endret en merknad på en måleverdi"),
    ("delete", "annotation"): N_("slettet en merknad på en måleverdi"),
    ("seed", "municipality"): N_("lastet inn eksempeldata for kommunen"),
    ("seed", "network"): N_("lastet inn eksempeldata for læringsnettverket"),
    ("reorder", "improvement_area_order"): N_("endret prioriteringen av forbedringsområder"),
    ("update", "improvement_area_order"): N_("endret prioriteringen av forbedringsområder"),
    ("restore", "phase_section"): N_("hentet tilbake tekst i fasen"),
    ("create", "comment"): N_("skrev en kommentar"),
    ("import", "comment"): N_("importerte en kommentar"),
    ("resolve", "comment"): N_("merket en kommentartråd som løst"),
    ("reopen", "comment"): N_("gjenåpnet en kommentartråd"),
    ("create", "review"): N_("skrev ned en veiledningssamtale"),
    ("update", "municipality"): N_("endret opplysningene om kommunen"),
    ("import", "municipality"): N_("importerte opplysningene om kommunen"),
    ("create", "further_work_plan"): N_("skrev planen for videre arbeid"),
    ("update", "further_work_plan"): N_("endret planen for videre arbeid"),
    ("update", "citizen_message"): N_("merket en tilbakemelding fra en innbygger"),
}
#: For an action or entity the lists above do not know yet: never a code word on a page.
UNKNOWN_ACTION = N_("endret")
UNKNOWN_ENTITY = N_("innhold")
CROSS_CUTTING = N_("Gjennomgående")


def entity_label(entity_type: str, lang: str) -> str:
    """An entity type as a filter option: "Måleverdier", "Svar i sjekklisten"."""
    text = translate(lang, ENTITY.get(entity_type, UNKNOWN_ENTITY))
    return text[:1].upper() + text[1:]


def event_phrase(action: str, entity_type: str, lang: str) -> str:
    """What was done, in words: "svarte på et punkt i sjekklisten", "slettet tiltak"."""
    phrase = PHRASES.get((action, entity_type))
    if phrase is not None:
        return translate(lang, phrase)
    verb = translate(lang, ACTION.get(action, UNKNOWN_ACTION))
    return f"{verb} {translate(lang, ENTITY.get(entity_type, UNKNOWN_ENTITY))}"


def describe_event(
    event: AuditEventRead, lang: str, phase_names: Mapping[str, str] | None = None
) -> str:
    """One audit event in words: "endret fase «Utredning og diagnose»"."""
    what = event_phrase(event.action, event.entity_type, lang)
    subject = ""
    after = event.after or event.before or {}
    if event.entity_type in ("phase_section", "checklist_answer"):
        key = event.entity_id.split("/", 1)[-1]
        subject = (phase_names or {}).get(key, "") if event.entity_type == "phase_section" else ""
    elif isinstance(after.get("title"), str):
        subject = after["title"]
    elif isinstance(after.get("text"), str):
        subject = after["text"]
    if len(subject) > 80:
        subject = subject[:79] + "…"
    if not subject:
        return what
    opening, closing = ("“", "”") if lang == "en" else ("«", "»")
    return f"{what} {opening}{subject}{closing}"
