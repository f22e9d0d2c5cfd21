"""Where the national guidance says what should happen in each phase of the pathway.

The Directorate of Health's national guideline on dementia (Nasjonal faglig retningslinje om
demens) and its guide for municipalities (Veiviser demens, also linked from the public
pages' national help). Phases without a chapter of their own link to the guideline's start.
"""

from __future__ import annotations

GUIDE = "https://www.helsedirektoratet.no/veiledere/veiviser-demens"
GUIDELINE = "https://www.helsedirektoratet.no/retningslinjer/demens"
_ASSESSMENT = f"{GUIDELINE}/utredning-ved-mistanke-om-demens-og-leges-oppfolging-etter-diagnose"

#: Per phase key, the national text for that phase.
PHASE_GUIDE: dict[str, str] = {
    "suspicion": _ASSESSMENT,
    "assessment": _ASSESSMENT,
    "independent_with_support": f"{GUIDE}#selvstendig-med-stotte",
    "home_with_services": f"{GUIDE}#hjemme-med-tjenester",
    "round_the_clock_care": f"{GUIDE}#heldogns-omsorg",
    "end_of_life": f"{GUIDE}#omsorg-ved-livets-slutt",
}


def phase_guide(phase: str) -> str:
    return PHASE_GUIDE.get(phase, GUIDELINE)
