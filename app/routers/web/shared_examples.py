"""Good examples across the country, searched by words, phase and tag and grouped by
municipality size (`services.shared_examples`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.errors import Invalid
from app.models.municipality import SizeGroup
from app.models.shared import SharedExampleQuery
from app.services import catalogue, shared_examples
from app.web.core import SignedInDep
from app.web.forms import Form, service_errors, validate
from app.web.i18n import N_

router = APIRouter(include_in_schema=False)

PER_GROUP = 10
PER_PAGE = 30


def _page(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) <= 1000 else 1


RENAME = {"phase": "fase", "tag": "stikkord"}


@router.get("/app/gode-eksempler")
def examples_page(web: SignedInDep) -> Response:
    params = web.request.query_params
    form = Form({k: params.get(k, "") for k in ("q", "fase", "stikkord", "storrelse", "side")})
    size = form.value("storrelse")
    one = SizeGroup(size) if size in {s.value for s in SizeGroup} else None
    page_number = _page(form.value("side"))
    limit = PER_PAGE if one else PER_GROUP
    wanted = {
        "q": form.value("q") or None,
        "phase": form.value("fase") or None,
        "tag": form.value("stikkord") or None,
        "size": one,
        "limit": limit,
        "offset": (page_number - 1) * limit if one else 0,
    }
    query, errors = validate(SharedExampleQuery, wanted, web.lang, rename=RENAME)
    result = None
    if query is not None:
        try:
            result = shared_examples.search(web.db, web.principal, query, web.lang)
        except Invalid as exc:
            errors = service_errors(exc.errors, web.lang, RENAME)
    if result is None:
        # Bad input: say so beside the field, keep what was typed, show every example.
        everything = SharedExampleQuery(limit=PER_GROUP)
        result = shared_examples.search(web.db, web.principal, everything, web.lang)
    form.errors = errors
    context = {
        "form": form,
        "result": result,
        "one": one,
        "page_number": page_number,
        "per_page": limit,
        "phase_options": [("", web._(N_("Alle faser")))]
        + [(p.key, p.name) for p in catalogue.list_phases(web.db, web.lang)],
        "page_title": web._(N_("Gode eksempler fra hele landet")),
    }
    return web.render("examples/national.html", context, status=422 if errors else 200)
