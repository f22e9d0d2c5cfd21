"""Error pages of the web app, given to `app.problems.install_error_handlers`: the sign-in
page for 401, a friendly page in the person's language for everything else."""

from __future__ import annotations

from fastapi import Request, Response

from app.errors import CsrfRejected
from app.web.core import is_fragment_request, sign_in_url, web_for_error
from app.web.forms import Form
from app.web.i18n import N_

TITLES = {
    400: N_("Forespørselen kunne ikke leses"),
    403: N_("Ingen tilgang"),
    404: N_("Fant ikke siden"),
    405: N_("Det går ikke an her"),
    409: N_("Lagret samtidig av noen andre"),
    412: N_("Noen andre har lagret først"),
    413: N_("For mye data"),
    422: N_("Opplysningene er ikke gyldige"),
    429: N_("For mange forsøk"),
    500: N_("Noe gikk galt"),
}
EXPLANATIONS = {
    400: N_("Siden fikk noe den ikke forstod. Gå tilbake og prøv igjen."),
    403: N_(
        "Du har ikke tilgang til denne siden. Koordinatorer redigerer kommunene de er "
        "tildelt; rådgivere leser kommunene i sin region."
    ),
    404: N_("Adressen finnes ikke, eller du har ikke tilgang til det som lå her."),
    405: N_("Denne adressen tar ikke imot denne typen forespørsel."),
    409: N_("Endringen kom i konflikt med noe som ble lagret samtidig. Last siden og prøv igjen."),
    412: N_("Noen andre lagret en nyere versjon. Last siden for å se den."),
    413: N_("Det du sendte var for stort."),
    422: N_("Noe av det som ble sendt, er ikke gyldig."),
    429: N_("Vent litt før du prøver igjen."),
    500: N_("Det oppstod en feil hos oss. Ingenting ble lagret. Prøv igjen om litt."),
}


#: On the public pages (everything outside the signed-in app), said to citizens.
PUBLIC_EXPLANATIONS = {
    403: N_("Denne siden er ikke åpen for alle."),
    404: N_(
        "Vi fant ikke siden. Kanskje adressen er skrevet feil, eller kommunenummeret finnes "
        "ikke. Søk etter kommunen din her."
    ),
}
#: Paths of the signed-in app; errors anywhere else get the public error page.
STAFF_PREFIXES = ("/app",)

STALE_FORM_TITLE = N_("Skjemaet er utløpt")
STALE_FORM = N_(
    "Siden ble åpnet i en økt som er avsluttet, eller forespørselen kom ikke fra denne "
    "tjenesten. Ingenting ble lagret. Last siden på nytt og prøv igjen."
)


def render_error(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method != "GET":
            target = "/app"
        location = sign_in_url(target)
        if is_fragment_request(request):
            return Response(status_code=401, headers={"HX-Redirect": location})
        return Response(status_code=303, headers={"Location": location})
    web = web_for_error(request)
    key = status if status in TITLES else (500 if status >= 500 else 400)
    heading, explanation = TITLES[key], EXPLANATIONS[key]
    if title == CsrfRejected.title:
        heading, explanation = STALE_FORM_TITLE, STALE_FORM
    if not request.url.path.startswith(STAFF_PREFIXES):
        return web.render(
            "errors/public_error.html",
            {
                "status": status,
                "title": web._(heading),
                "explanation": web._(PUBLIC_EXPLANATIONS.get(key, explanation)),
                "form": Form(),
                "query": "",
            },
            status=status,
        )
    return web.render(
        "errors/error.html",
        {
            "status": status,
            "title": web._(heading),
            "explanation": web._(explanation),
            "detail": detail,
        },
        status=status,
    )
