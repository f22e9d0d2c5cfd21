"""Where the national guidance says what should happen in each phase of the pathway.

Veiviser demens (the national guide for municipalities, made by the Norwegian centre for
ageing and health for the Directorate of Health) describes the same six phases as this
product, all on its front page; where it has a page of its own on a phase's work, or the
Directorate's national guideline on dementia has a chapter for it, the phase links there.
Every address here is one that the national services publish; none is guessed.
"""

from __future__ import annotations

GUIDE = "https://veiviserdemens.aldringoghelse.no/"
GUIDELINE = "https://www.helsedirektoratet.no/retningslinjer/demens"
_ASSESSMENT = f"{GUIDELINE}/utredning-ved-mistanke-om-demens-og-leges-oppfolging-etter-diagnose"

#: Per phase key, the national text for that phase.
PHASE_GUIDE: dict[str, str] = {
    "suspicion": _ASSESSMENT,
    "assessment": _ASSESSMENT,
    "independent_with_support": f"{GUIDE}stotte-og-informasjon-2/",
    "home_with_services": f"{GUIDE}hjemme-med-tjenester-medisinsk-og-helsefaglig-oppfolging/",
    "round_the_clock_care": GUIDE,
    "end_of_life": GUIDE,
}


def phase_guide(phase: str) -> str:
    return PHASE_GUIDE.get(phase, GUIDE)
