"""What the UI calls the values of the domain's enumerations (bokmål message ids)."""

from __future__ import annotations

from collections.abc import Mapping

from app.models.audit import AuditEventRead
from app.web.i18n import N_, translate

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
ACTION = {
    "create": N_("opprettet"),
    "update": N_("endret"),
    "delete": N_("slettet"),
    "reorder": N_("endret rekkefølgen på"),
    "seed": N_("lastet inn eksempeldata for"),
    "publish": N_("publiserte"),
    "restore": N_("hentet tilbake tekst i"),
    "import": N_("importerte"),
    "change_password": N_("endret passordet for"),
}
ENTITY = {
    "phase_section": N_("fase"),
    "checklist_answer": N_("svar i sjekklisten"),
    "strength": N_("styrke"),
    "improvement_area": N_("forbedringsområde"),
    "improvement_area_order": N_("prioriteringen av forbedringsområder"),
    "measure": N_("tiltak"),
    "progress_note": N_("framdriftsnotat"),
    "indicator": N_("måling"),
    "observation": N_("måleverdier"),
    "municipality": N_("kommune"),
    "comment": N_("kommentar"),
    "review": N_("veiledningssamtale"),
    "published_version": N_("publisert versjon"),
    "user": N_("bruker"),
}
CROSS_CUTTING = N_("Gjennomgående")


def describe_event(
    event: AuditEventRead, lang: str, phase_names: Mapping[str, str] | None = None
) -> str:
    """One audit event in words: "changed phase Utredning og diagnose"."""
    action = translate(lang, ACTION.get(event.action, event.action))
    entity = translate(lang, ENTITY[event.entity_type]) if event.entity_type in ENTITY else ""
    if not entity:
        entity = event.entity_type.replace("_", " ")
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
        return f"{action} {entity}"
    opening, closing = ("“", "”") if lang == "en" else ("«", "»")
    return f"{action} {entity} {opening}{subject}{closing}"
