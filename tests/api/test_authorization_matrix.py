"""The authorisation matrix: every route of the app × every kind of principal → the expected
outcome.

The routes are enumerated from the app itself, so a route without a row in `ROUTES` fails
(and so does a row for a route that no longer exists). Each route belongs to exactly one
*class* (`RULES`), and a class says what each principal gets:

- `ok`: past authorisation. Any status below 500 except 401, 403 and 404, and no redirect
  to the sign-in page. The requests use real objects of Tromsø (5501) and valid bodies, so
  `ok` normally means 2xx/3xx; a 4xx such as 409, 412 or 422 would still count, because it
  can only come from the handler after the access check.
- `401`: not authenticated (anonymous, expired or revoked token) on the JSON API.
- `sign-in`: the same on a page: a 303 to `/logg-inn?next=...`.
- `403`: authenticated but not allowed (municipalities are addressed by their public
  number, so refusing them reveals nothing).
- `404`: a resource addressed by id that the caller may not see: it does not exist for
  them (docs/security.md).

Tokens authenticate only the JSON API. On a page a bearer token (valid or not) is ignored,
so there every token principal gets what `anonymous` gets.

Browser sessions are real: each person signs in through the sign-in form, and every unsafe
request carries that session's CSRF token (a form field on pages, `X-CSRF-Token` on the
API), so a 403 in the matrix is never a CSRF refusal. Page POSTs submit the form the page
itself shows (read once, as the administrator), unchanged; rows give a body only where no
page shows the form. API writes send a valid body and the current ETag in If-Match.

Everything runs in the test's one transaction; each request runs inside a SAVEPOINT that
is rolled back afterwards, so every request sees the same data. All mismatches are collected
and reported together as one table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.config import Settings
from app.models.base import Role, Scope, utcnow
from app.models.citizen import CitizenMessageInput
from app.models.feedback import CommentCreate, ReviewCreate
from app.models.identity import ApiToken
from app.models.improvement import ProgressNoteCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.network import GatheringCreate, NetworkCreate, TaskCreate
from app.models.pdsa import PdsaCycleCreate
from app.models.publishing import PublishInput
from app.models.webhooks import WebhookCreate
from app.routers.web.citizens import FORM_COOKIE
from app.services import (
    api_clients,
    citizen_messages,
    feedback,
    gatherings,
    identity,
    measurement,
    network_tasks,
    networks,
    pdsa,
    progress_notes,
    publishing,
    webhooks,
)
from app.services import review as review_service
from app.services.access import SYSTEM
from app.web.core import SESSION_COOKIE, SIGN_IN_COOKIE
from tests import factories
from tests.conftest import TransactionalDatabase
from tests.webtools import form_fields, page, sign_in

# ---- principals ---------------------------------------------------------------------------

ANONYMOUS = "anonymous"
COORDINATOR = "coordinator"  # of Tromsø (5501), region troms
OTHER_COORDINATOR = "other coordinator"  # of Kåfjord (5540), same region, acting on 5501
ADVISER = "adviser"  # of troms
OTHER_ADVISER = "other adviser"  # of innlandet
ADMIN = "admin"
READ_TOKEN = "read token"  # bound to 5501, scope read
WRITE_TOKEN = "write token"  # bound to 5501, scope write
OTHER_TOKEN = "other token"  # bound to 5540, scope write, acting on 5501
EXPIRED_TOKEN = "expired token"  # bound to 5501, scope write, expired
REVOKED_TOKEN = "revoked token"  # bound to 5501, scope write, revoked

PEOPLE = (COORDINATOR, OTHER_COORDINATOR, ADVISER, OTHER_ADVISER, ADMIN)
TOKENS = (READ_TOKEN, WRITE_TOKEN, OTHER_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN)
PRINCIPALS = (ANONYMOUS, *PEOPLE, *TOKENS)
UNAUTHENTICATED = frozenset({ANONYMOUS, EXPIRED_TOKEN, REVOKED_TOKEN})

# ---- outcomes and classes ------------------------------------------------------------------

OK, UNAUTH, FORBIDDEN, HIDDEN, SIGN_IN = "ok", "401", "403", "404", "sign-in"

READERS = frozenset({COORDINATOR, ADVISER, ADMIN, READ_TOKEN, WRITE_TOKEN})
EDITORS = frozenset({COORDINATOR, ADMIN, WRITE_TOKEN})
COMMENTERS = frozenset({COORDINATOR, ADVISER, ADMIN, WRITE_TOKEN})
#: Those who may not even see a resource of Tromsø addressed by id.
OUTSIDERS = frozenset({OTHER_COORDINATOR, OTHER_ADVISER, OTHER_TOKEN})


def rule(
    allowed: frozenset[str] | set[str], hidden: frozenset[str] = frozenset()
) -> dict[str, str]:
    """`allowed` pass; the unauthenticated get 401; `hidden` get 404; the rest 403."""
    outcomes = {}
    for principal in PRINCIPALS:
        if principal in allowed:
            outcomes[principal] = OK
        elif principal in UNAUTHENTICATED:
            outcomes[principal] = UNAUTH
        elif principal in hidden:
            outcomes[principal] = HIDDEN
        else:
            outcomes[principal] = FORBIDDEN
    return outcomes


PUBLIC = "public"
SIGNED_IN = "signed-in"
MUNICIPALITY_READ = "municipality-read"
MUNICIPALITY_WRITE = "municipality-write"
MUNICIPALITY_COMMENT = "municipality-comment"
MUNICIPALITY_REVIEW = "municipality-review"
ITEM_READ = "item-read"
ITEM_WRITE = "item-write"
ITEM_COMMENT = "item-comment"
ITEM_AUTHOR = "item-author"
REGION_READ = "region-read"
REGION_MEMBERS = "region-members"
ADMIN_ONLY = "admin-only"
NO_SUCH_PROVIDER = "no-such-provider"
OPERATORS = "operators"
NETWORK_START = "network-start"
NETWORK_RUN = "network-run"
TOKENS_MAKE = "tokens-make"
TOKENS_REVOKE = "tokens-revoke"
#: Webhooks belong to API clients (and administrators, nationally).
WEBHOOKS = "webhooks"
#: A webhook of the write token's client: its own and administrators'; other clients' 404.
WEBHOOK_ITEM = "webhook-item"
#: Inviting to Tromsø, or changing a coordinator of Tromsø: never wider than one's own rights.
USER_MANAGERS = "user-managers"

#: What each principal gets, per class, on the JSON API. Pages: see `expected()`.
RULES: dict[str, dict[str, str]] = {
    # Open to everyone; a bad token is not even looked at.
    PUBLIC: rule(set(PRINCIPALS)),
    # Any authenticated principal (lists are filtered to what the caller may read).
    SIGNED_IN: rule(set(PRINCIPALS) - UNAUTHENTICATED),
    # Addressed by municipality number (public knowledge): refusals are 403.
    MUNICIPALITY_READ: rule(READERS),
    MUNICIPALITY_WRITE: rule(EDITORS),
    MUNICIPALITY_COMMENT: rule(COMMENTERS),
    MUNICIPALITY_REVIEW: rule({ADVISER, ADMIN}),
    # Addressed by id: who may not read the municipality gets 404; who may read but not
    # change it gets 403.
    ITEM_READ: rule(READERS, hidden=OUTSIDERS),
    ITEM_WRITE: rule(EDITORS, hidden=OUTSIDERS),
    ITEM_COMMENT: rule(COMMENTERS, hidden=OUTSIDERS),
    # What only its author (here the coordinator) or an administrator may change.
    ITEM_AUTHOR: rule({COORDINATOR, ADMIN}, hidden=OUTSIDERS),
    # A region's overview: its advisers and administrators (and tokens bound to the region).
    REGION_READ: rule({ADVISER, ADMIN}),
    # A region's good examples: also the coordinators of its municipalities.
    REGION_MEMBERS: rule({COORDINATOR, OTHER_COORDINATOR, ADVISER, ADMIN}),
    ADMIN_ONLY: rule({ADMIN}),
    # Learning networks of troms (Tromsø a member): read by its members (ITEM_READ), run by
    # the region's advisers and administrators; members answer their own tasks (ITEM_WRITE).
    NETWORK_START: rule({ADVISER, ADMIN}),
    NETWORK_RUN: rule({ADVISER, ADMIN}, hidden=OUTSIDERS),
    OPERATORS: dict.fromkeys(PRINCIPALS, HIDDEN),
    # API tokens bound to Tromsø: made by its coordinator, the region's advisers (read
    # scope) and administrators; revoked by the same, and invisible to the others.
    TOKENS_MAKE: rule({COORDINATOR, ADVISER, ADMIN}),
    TOKENS_REVOKE: rule({COORDINATOR, ADVISER, ADMIN}, hidden=OUTSIDERS),
    USER_MANAGERS: rule({COORDINATOR, ADVISER, ADMIN}),
    # Single sign-on through a provider that is not configured (the matrix configures none;
    # tests/web/test_sso_pages.py drives a real one): the same 404 page for everyone.
    NO_SUCH_PROVIDER: dict.fromkeys(PRINCIPALS, HIDDEN),
    WEBHOOKS: rule({ADMIN, READ_TOKEN, WRITE_TOKEN, OTHER_TOKEN}),
    WEBHOOK_ITEM: rule({ADMIN, WRITE_TOKEN}, hidden=frozenset({READ_TOKEN, OTHER_TOKEN})),
}


@dataclass(frozen=True)
class Row:
    rule: str
    #: Appended to the path (filters that make a route about Tromsø).
    query: str = ""
    #: JSON for the API. For pages: the fields changed in the form the page shows, or the
    #: whole form where no page shows it.
    body: Any = None
    #: Path whose ETag (read as the administrator) goes into If-Match; "same": the path.
    etag: str | None = None
    #: Sent as-is with this content type instead of JSON.
    content_type: str | None = None


def row(rule_name: str, **kwargs: Any) -> Row:
    return Row(rule_name, **kwargs)


A = "/api/v1"
N = f"{A}/municipalities/{{number}}"
SAME = "same"

#: Every route of the app: (method, path as the app declares it) → its row. Adding a route
#: means adding one line here.
ROUTES: dict[tuple[str, str], Row] = {
    # ---- operations and documentation
    ("GET", "/healthz"): row(PUBLIC),
    ("GET", "/readyz"): row(PUBLIC),
    # Only for the operators' scraper (METRICS_TOKEN or METRICS_ALLOW): 404 to everyone here.
    ("GET", "/metrics"): row(OPERATORS),
    ("GET", f"{A}/openapi.json"): row(PUBLIC),
    # What a problem `type` means (app.problem_types).
    ("GET", "/problems/{problem}"): row(PUBLIC),
    ("GET", f"{A}/docs"): row(PUBLIC),
    # ---- catalogues, regions, municipalities
    ("GET", f"{A}/phases"): row(PUBLIC),
    ("GET", f"{A}/offering-types"): row(PUBLIC),
    ("GET", f"{A}/checklist"): row(PUBLIC),
    ("GET", f"{A}/indicator-templates"): row(PUBLIC),
    ("GET", f"{A}/regions"): row(SIGNED_IN),
    ("GET", f"{A}/regions/{{slug}}"): row(SIGNED_IN),
    ("GET", f"{A}/municipalities"): row(SIGNED_IN),
    ("POST", f"{A}/municipalities"): row(
        ADMIN_ONLY, body={"number": "9901", "name": "Prøvekommune", "region": "troms"}
    ),
    ("GET", N): row(SIGNED_IN),
    ("PATCH", N): row(MUNICIPALITY_WRITE, body={"population": 77000}, etag=SAME),
    # ---- pathway and publishing
    ("GET", f"{N}/pathway"): row(MUNICIPALITY_READ),
    ("GET", f"{N}/pathway/phases/{{phase}}"): row(MUNICIPALITY_READ),
    ("PUT", f"{N}/pathway/phases/{{phase}}"): row(
        MUNICIPALITY_WRITE, body={"description": "Ny tekst"}, etag=SAME
    ),
    ("GET", f"{N}/pathway/versions"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/pathway/versions"): row(MUNICIPALITY_WRITE, body={"summary": "Ny versjon"}),
    ("GET", f"{N}/pathway/versions/{{version}}"): row(MUNICIPALITY_READ),
    ("GET", f"{N}/pathway/versions/{{version}}/diff"): row(MUNICIPALITY_READ),
    ("GET", f"{N}/pathway/draft-status"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/pathway/phases/{{phase}}/restore"): row(
        MUNICIPALITY_WRITE, body={"from_version": 1}, etag=f"{N}/pathway/phases/{{phase}}"
    ),
    ("GET", f"{N}/checklist"): row(MUNICIPALITY_READ),
    ("GET", f"{N}/checklist/{{item_key}}"): row(MUNICIPALITY_READ),
    ("PUT", f"{N}/checklist/{{item_key}}"): row(
        MUNICIPALITY_WRITE, body={"answer": "yes"}, etag=SAME
    ),
    # ---- strengths and improvement work
    ("GET", f"{N}/strengths"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/strengths"): row(MUNICIPALITY_WRITE, body={"text": "Godt team"}),
    ("GET", f"{A}/strengths/{{strength_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/strengths/{{strength_id}}"): row(ITEM_WRITE, body={"text": "Ny"}, etag=SAME),
    ("DELETE", f"{A}/strengths/{{strength_id}}"): row(ITEM_WRITE, etag=SAME),
    ("GET", f"{N}/improvement-areas"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/improvement-areas"): row(MUNICIPALITY_WRITE, body={"title": "Nytt område"}),
    ("PUT", f"{N}/improvement-areas/order"): row(
        MUNICIPALITY_WRITE,
        body={"ids": ["{other_area_id}", "{area_id}"]},
        etag=f"{N}/improvement-areas",
    ),
    ("GET", f"{A}/improvement-areas/{{area_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/improvement-areas/{{area_id}}"): row(
        ITEM_WRITE, body={"title": "Nytt navn"}, etag=SAME
    ),
    ("DELETE", f"{A}/improvement-areas/{{area_id}}"): row(ITEM_WRITE, etag=SAME),
    ("GET", f"{A}/improvement-areas/{{area_id}}/measures"): row(ITEM_READ),
    ("POST", f"{A}/improvement-areas/{{area_id}}/measures"): row(
        ITEM_WRITE, body={"title": "Nytt tiltak"}
    ),
    ("GET", f"{A}/measures/{{measure_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/measures/{{measure_id}}"): row(
        ITEM_WRITE, body={"status": "in_progress"}, etag=SAME
    ),
    ("DELETE", f"{A}/measures/{{measure_id}}"): row(ITEM_WRITE, etag=SAME),
    ("GET", f"{A}/measures/{{measure_id}}/notes"): row(ITEM_READ),
    ("POST", f"{A}/measures/{{measure_id}}/notes"): row(ITEM_WRITE, body={"text": "Notat"}),
    ("GET", f"{A}/improvement-areas/{{area_id}}/notes"): row(ITEM_READ),
    ("POST", f"{A}/improvement-areas/{{area_id}}/notes"): row(ITEM_WRITE, body={"text": "Notat"}),
    ("GET", f"{A}/measures/{{measure_id}}/pdsa-cycles"): row(ITEM_READ),
    ("POST", f"{A}/measures/{{measure_id}}/pdsa-cycles"): row(
        ITEM_WRITE, body={"title": "Prøve ut samtalegruppe"}
    ),
    ("GET", f"{A}/pdsa-cycles/{{cycle_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/pdsa-cycles/{{cycle_id}}"): row(
        ITEM_WRITE, body={"studied": "Gikk bra"}, etag=SAME
    ),
    ("DELETE", f"{A}/pdsa-cycles/{{cycle_id}}"): row(ITEM_WRITE, etag=SAME),
    ("GET", f"{A}/progress-notes/{{note_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/progress-notes/{{note_id}}"): row(
        ITEM_AUTHOR, body={"text": "Endret"}, etag=SAME
    ),
    # ---- measurement
    ("GET", f"{A}/improvement-areas/{{area_id}}/indicators"): row(ITEM_READ),
    ("POST", f"{A}/improvement-areas/{{area_id}}/indicators"): row(
        ITEM_WRITE, body={"name": "Antall", "kind": "count"}
    ),
    ("POST", f"{A}/improvement-areas/{{area_id}}/indicators/from-template"): row(
        ITEM_WRITE, body={"template": "readmissions"}
    ),
    ("GET", f"{A}/indicators/{{indicator_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/indicators/{{indicator_id}}"): row(
        ITEM_WRITE, body={"unit": "personer"}, etag=SAME
    ),
    ("DELETE", f"{A}/indicators/{{indicator_id}}"): row(ITEM_WRITE, etag=SAME),
    ("GET", f"{A}/indicators/{{indicator_id}}/observations"): row(ITEM_READ),
    ("PUT", f"{A}/indicators/{{indicator_id}}/observations"): row(
        ITEM_WRITE, body={"items": [{"period": "2024-02-01", "value": 7}]}, etag=SAME
    ),
    ("GET", f"{A}/indicators/{{indicator_id}}/observations.csv"): row(ITEM_READ),
    ("POST", f"{A}/indicators/{{indicator_id}}/observations/import"): row(
        ITEM_WRITE,
        body="2024-03-01;4\n",
        content_type="text/csv",
        etag=f"{A}/indicators/{{indicator_id}}/observations",
    ),
    ("DELETE", f"{A}/indicators/{{indicator_id}}/observations/{{period}}"): row(
        ITEM_WRITE, etag=f"{A}/indicators/{{indicator_id}}/observations"
    ),
    ("GET", f"{A}/indicators/{{indicator_id}}/annotations"): row(ITEM_READ),
    ("PUT", f"{A}/indicators/{{indicator_id}}/annotations/{{period}}"): row(
        ITEM_WRITE,
        body={"text": "Ny rutine for henvisning"},
        etag=f"{A}/indicators/{{indicator_id}}/annotations",
    ),
    ("DELETE", f"{A}/indicators/{{indicator_id}}/annotations/{{period}}"): row(
        ITEM_WRITE, etag=f"{A}/indicators/{{indicator_id}}/annotations"
    ),
    ("GET", f"{A}/indicators/{{indicator_id}}/analysis"): row(ITEM_READ),
    ("GET", f"{A}/indicators/{{indicator_id}}/chart.svg"): row(ITEM_READ),
    ("GET", f"{A}/indicators/{{indicator_id}}/chart.png"): row(ITEM_READ),
    # ---- comments and reviews
    ("GET", f"{N}/comments"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/comments"): row(MUNICIPALITY_COMMENT, body={"text": "Spørsmål"}),
    ("GET", f"{A}/comments/{{comment_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/comments/{{comment_id}}"): row(
        ITEM_COMMENT, body={"resolved": True}, etag=SAME
    ),
    ("GET", f"{A}/comment-threads"): row(MUNICIPALITY_READ, query="municipality={number}"),
    ("GET", f"{N}/reviews"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/reviews"): row(MUNICIPALITY_REVIEW, body={"note": "Gjennomgått"}),
    ("GET", f"{A}/reviews/{{review_id}}"): row(ITEM_READ),
    # ---- overviews, history, public, transfer
    ("GET", f"{A}/regions/{{slug}}/overview"): row(REGION_READ),
    ("GET", f"{A}/regions/{{slug}}/overview.csv"): row(REGION_READ),
    ("GET", f"{A}/regions/{{slug}}/overview.xlsx"): row(REGION_READ),
    ("GET", f"{A}/overview"): row(ADMIN_ONLY),
    ("GET", f"{A}/overview.csv"): row(ADMIN_ONLY),
    ("GET", f"{A}/overview.xlsx"): row(ADMIN_ONLY),
    ("GET", f"{A}/regions/{{slug}}/good-examples"): row(REGION_MEMBERS),
    ("GET", f"{A}/good-examples"): row(SIGNED_IN),
    ("GET", f"{A}/audit-events"): row(MUNICIPALITY_READ, query="municipality={number}"),
    ("GET", f"{A}/audit-events/filters"): row(MUNICIPALITY_READ, query="municipality={number}"),
    # ---- the change feed and webhooks (lists filtered to what the caller may read)
    ("GET", f"{A}/events"): row(SIGNED_IN),
    ("GET", f"{A}/webhooks"): row(WEBHOOKS),
    ("POST", f"{A}/webhooks"): row(WEBHOOKS, body={"url": "https://hooks.example.no/ny"}),
    ("GET", f"{A}/webhooks/{{webhook_id}}"): row(WEBHOOK_ITEM),
    ("PATCH", f"{A}/webhooks/{{webhook_id}}"): row(
        WEBHOOK_ITEM, body={"event_types": ["measure.deleted"]}, etag=SAME
    ),
    ("DELETE", f"{A}/webhooks/{{webhook_id}}"): row(WEBHOOK_ITEM, etag=SAME),
    ("GET", f"{A}/webhooks/{{webhook_id}}/deliveries"): row(WEBHOOK_ITEM),
    ("GET", f"{A}/public/municipalities"): row(PUBLIC),
    ("GET", f"{A}/public/municipalities/{{number}}/pathway"): row(PUBLIC),
    ("GET", f"{N}/export"): row(MUNICIPALITY_READ),
    ("POST", f"{N}/import"): row(MUNICIPALITY_WRITE, body="export", etag=f"{N}/pathway"),
    # ---- learning networks, anchoring and teams
    ("GET", f"{A}/networks"): row(SIGNED_IN),
    ("POST", f"{A}/networks"): row(
        NETWORK_START,
        body={"name": "N", "region": "troms", "starts_on": "2024-01-01", "ends_on": "2024-12-31"},
    ),
    ("GET", f"{A}/networks/{{network_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/networks/{{network_id}}"): row(NETWORK_RUN, body={"name": "Ny"}, etag=SAME),
    ("GET", f"{A}/networks/{{network_id}}/members"): row(ITEM_READ),
    ("GET", f"{A}/networks/{{network_id}}/members/{{number}}"): row(ITEM_READ),
    ("PUT", f"{A}/networks/{{network_id}}/members/{{number}}"): row(
        NETWORK_RUN, body={"status": "completed"}, etag=SAME
    ),
    ("GET", f"{A}/networks/{{network_id}}/gatherings"): row(ITEM_READ),
    ("POST", f"{A}/networks/{{network_id}}/gatherings"): row(
        NETWORK_RUN, body={"title": "Samling", "starts_on": "2024-03-01"}
    ),
    ("GET", f"{A}/gatherings/{{gathering_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/gatherings/{{gathering_id}}"): row(
        NETWORK_RUN, body={"place": "Tromsø"}, etag=SAME
    ),
    ("DELETE", f"{A}/gatherings/{{gathering_id}}"): row(NETWORK_RUN, etag=SAME),
    ("GET", f"{A}/networks/{{network_id}}/tasks"): row(ITEM_READ),
    ("POST", f"{A}/networks/{{network_id}}/tasks"): row(NETWORK_RUN, body={"title": "Oppgave"}),
    ("GET", f"{A}/tasks/{{task_id}}"): row(ITEM_READ),
    ("PATCH", f"{A}/tasks/{{task_id}}"): row(NETWORK_RUN, body={"title": "Ny"}, etag=SAME),
    ("DELETE", f"{A}/tasks/{{task_id}}"): row(NETWORK_RUN, etag=SAME),
    ("GET", f"{A}/tasks/{{task_id}}/answers/{{number}}"): row(ITEM_READ),
    ("PUT", f"{A}/tasks/{{task_id}}/answers/{{number}}"): row(
        ITEM_WRITE, body={"status": "done", "report": "Gjort"}, etag=SAME
    ),
    ("GET", f"{A}/networks/{{network_id}}/evaluation"): row(ITEM_READ),
    ("GET", f"{A}/networks/{{network_id}}/evaluations/{{number}}"): row(ITEM_READ),
    ("PUT", f"{A}/networks/{{network_id}}/evaluations/{{number}}"): row(
        ITEM_WRITE, body={"relevance": 5, "best": "Samlingene"}, etag=SAME
    ),
    ("GET", f"{N}/anchoring"): row(MUNICIPALITY_READ),
    ("PUT", f"{N}/anchoring"): row(MUNICIPALITY_WRITE, body={"management": "anchored"}, etag=SAME),
    ("GET", f"{N}/further-work-plan"): row(MUNICIPALITY_READ),
    ("PUT", f"{N}/further-work-plan"): row(MUNICIPALITY_WRITE, body={"plan": "Videre"}, etag=SAME),
    ("GET", f"{N}/team"): row(MUNICIPALITY_READ),
    ("PUT", f"{N}/team"): row(
        MUNICIPALITY_WRITE, body={"members": [{"role": "leader"}]}, etag=SAME
    ),
    ("POST", f"{A}/invitations"): row(
        USER_MANAGERS,
        body={"email": "matrix-api@example.no", "role": "coordinator", "municipalities": ["5501"]},
    ),
    # ---- pages: signing in, the person's own settings
    ("GET", "/logg-inn"): row(PUBLIC),
    ("POST", "/logg-inn"): row(PUBLIC, body="sign-in form"),
    ("POST", "/logg-ut"): row(PUBLIC, body={}),
    ("POST", "/sprak"): row(PUBLIC, body={"lang": "en", "next": "/app"}),
    # The second step of a sign-in: without the proof of the password step, back to sign-in.
    ("GET", "/logg-inn/kode"): row(PUBLIC),
    ("POST", "/logg-inn/kode"): row(PUBLIC, body={"code": "123456", "next": "/app"}),
    ("GET", "/logg-inn/totp-oppsett"): row(PUBLIC),
    ("POST", "/logg-inn/totp-oppsett"): row(PUBLIC, body={"code": "123456", "next": "/app"}),
    ("GET", "/logg-inn/sso/{provider_key}"): row(NO_SUCH_PROVIDER),
    ("GET", "/logg-inn/sso/{provider_key}/svar"): row(NO_SUCH_PROVIDER, query="code=c&state=s"),
    ("GET", "/glemt-passord"): row(PUBLIC),
    ("POST", "/glemt-passord"): row(PUBLIC, body={"email": "matrix-nobody@example.no"}),
    ("GET", "/glemt-passord/sendt"): row(PUBLIC),
    ("GET", "/glemt-passord/ny/{token}"): row(PUBLIC),
    ("POST", "/glemt-passord/ny/{token}"): row(
        PUBLIC, body={"new_password": "x", "repeat_password": "x"}
    ),
    ("GET", "/invitasjon/{token}"): row(PUBLIC),
    ("POST", "/invitasjon/{token}"): row(
        PUBLIC, body={"new_password": "x", "repeat_password": "x"}
    ),
    ("GET", "/app/admin/brukere"): row(SIGNED_IN),
    ("POST", "/app/admin/brukere"): row(
        USER_MANAGERS,
        body={"email": "matrix-invited@example.no", "role": "coordinator", "municipality": "5501"},
    ),
    ("GET", "/app/admin/brukere/{user_id}"): row(USER_MANAGERS),
    ("POST", "/app/admin/brukere/{user_id}"): row(
        USER_MANAGERS, body={"role": "coordinator", "municipality": "5501"}
    ),
    ("POST", "/app/admin/brukere/{user_id}/deaktiver"): row(USER_MANAGERS, body={}),
    ("POST", "/app/admin/brukere/{user_id}/aktiver"): row(USER_MANAGERS, body={}),
    ("POST", "/app/admin/brukere/{user_id}/inviter-igjen"): row(USER_MANAGERS, body={}),
    ("GET", "/app/passord"): row(SIGNED_IN),
    ("GET", "/app/totp"): row(SIGNED_IN),
    # The one-click unsubscribe link in notification e-mails: the signed token allows it.
    ("GET", "/varsler/avmeld/{token}"): row(PUBLIC),
    ("POST", "/varsler/avmeld/{token}"): row(PUBLIC, body={"List-Unsubscribe": "One-Click"}),
    ("GET", "/app/varsler"): row(SIGNED_IN),
    ("POST", "/app/varsler"): row(SIGNED_IN, body={"comment": "immediate"}),
    ("POST", "/app/totp"): row(SIGNED_IN, body={"code": "000000"}),
    ("POST", "/app/totp/av"): row(SIGNED_IN, body={"code": "000000"}),
    # ---- pages: API clients (people manage the tokens of what they are responsible for)
    ("GET", "/app/admin/api-klienter"): row(SIGNED_IN),
    ("POST", "/app/admin/api-klienter"): row(
        TOKENS_MAKE, body={"name": "Matrise", "scope": "read", "municipality": "5501"}
    ),
    ("POST", "/app/admin/api-klienter/{token_id:id}/trekk-tilbake"): row(TOKENS_REVOKE, body={}),
    ("POST", "/app/passord"): row(
        SIGNED_IN,
        body={"current_password": "not-it", "new_password": "x", "repeat_password": "x"},
    ),
    # ---- pages: the signed-in app
    ("GET", "/app"): row(SIGNED_IN),
    ("GET", "/app/kommuner"): row(MUNICIPALITY_READ, query="kommune={number}"),
    ("GET", "/app/kommuner/{number}"): row(MUNICIPALITY_READ),
    ("GET", "/app/kommuner/{number}/forlop"): row(MUNICIPALITY_READ),
    ("GET", "/app/kommuner/{number}/forlop/{phase}"): row(MUNICIPALITY_WRITE),  # the editor
    ("POST", "/app/kommuner/{number}/forlop/{phase}"): row(MUNICIPALITY_WRITE),
    ("GET", "/app/kommuner/{number}/sjekkliste"): row(MUNICIPALITY_READ),
    ("POST", "/app/kommuner/{number}/sjekkliste"): row(MUNICIPALITY_WRITE),
    ("POST", "/app/kommuner/{number}/sjekkliste/{key}"): row(
        MUNICIPALITY_WRITE, body={"answer": "yes"}
    ),
    ("GET", "/app/kommuner/{number}/styrker"): row(MUNICIPALITY_READ),
    ("POST", "/app/kommuner/{number}/styrker"): row(MUNICIPALITY_WRITE, body={"text": "Godt team"}),
    # Addressed by the municipality first: an outsider is refused (403) before the id is read.
    ("POST", "/app/kommuner/{number}/styrker/{strength_id:id}"): row(MUNICIPALITY_WRITE),
    ("POST", "/app/kommuner/{number}/styrker/{strength_id:id}/slett"): row(MUNICIPALITY_WRITE),
    ("GET", "/app/kommuner/{number}/forbedringsomrader"): row(MUNICIPALITY_READ),
    ("GET", "/app/kommuner/{number}/malinger"): row(MUNICIPALITY_READ),
    ("POST", "/app/tiltak/{measure_id:id}/pdsa"): row(ITEM_WRITE, body={"title": "Prøve"}),
    ("POST", "/app/pdsa/{cycle_id:id}"): row(ITEM_WRITE, body={"title": "Prøve", "version": "1"}),
    ("POST", "/app/pdsa/{cycle_id:id}/slett"): row(ITEM_WRITE, body={"version": "1"}),
    ("POST", "/app/kommuner/{number}/forbedringsomrader"): row(
        MUNICIPALITY_WRITE, body={"title": "Nytt område", "status": "not_started"}
    ),
    ("POST", "/app/forbedringsomrader/{area_id:id}/flytt"): row(ITEM_WRITE),
    ("GET", "/app/forbedringsomrader/{area_id:id}"): row(ITEM_READ),
    ("POST", "/app/forbedringsomrader/{area_id:id}"): row(ITEM_WRITE),
    ("POST", "/app/forbedringsomrader/{area_id:id}/slett"): row(ITEM_WRITE),
    ("POST", "/app/forbedringsomrader/{area_id:id}/tiltak"): row(
        ITEM_WRITE, body={"title": "Nytt tiltak", "status": "not_started"}
    ),
    ("GET", "/app/tiltak/{measure_id:id}"): row(ITEM_READ),
    ("POST", "/app/tiltak/{measure_id:id}"): row(ITEM_WRITE),
    ("POST", "/app/tiltak/{measure_id:id}/slett"): row(ITEM_WRITE),
    ("POST", "/app/forbedringsomrader/{area_id:id}/malinger"): row(
        ITEM_WRITE, body={"name": "Antall", "kind": "count", "frequency": "month"}
    ),
    ("POST", "/app/forbedringsomrader/{area_id:id}/malinger/fra-mal"): row(
        ITEM_WRITE, body={"template": "readmissions"}
    ),
    ("POST", "/app/forbedringsomrader/{area_id:id}/notater"): row(
        ITEM_WRITE, body={"text": "Notat", "date": "2024-05-01"}
    ),
    ("POST", "/app/tiltak/{measure_id:id}/notater"): row(
        ITEM_WRITE, body={"text": "Notat", "date": "2024-05-01"}
    ),
    ("GET", "/app/kommuner/{number}/framdriftsplan"): row(MUNICIPALITY_READ),
    ("POST", "/app/kommuner/{number}/videre-arbeid"): row(MUNICIPALITY_WRITE),
    # ---- publishing, history, the poster and the public pages
    ("GET", "/"): row(PUBLIC),
    ("GET", "/kommuner/{number}"): row(PUBLIC),
    ("GET", "/kommuner/{number}/tilbakemelding"): row(PUBLIC),
    ("POST", "/kommuner/{number}/tilbakemelding"): row(PUBLIC, body="citizen message form"),
    ("GET", "/kommuner/{number}/tilbakemelding/takk"): row(PUBLIC),
    ("GET", "/app/kommuner/{number}/tilbakemeldinger"): row(MUNICIPALITY_WRITE),
    ("POST", "/app/kommuner/{number}/tilbakemeldinger/{message_id:id}"): row(
        MUNICIPALITY_WRITE, body={"handled": "1"}
    ),
    ("POST", "/app/kommuner/{number}/kontakt"): row(MUNICIPALITY_WRITE),
    ("GET", "/app/kommuner/{number}/publiser"): row(MUNICIPALITY_READ),
    ("POST", "/app/kommuner/{number}/malform"): row(
        MUNICIPALITY_WRITE, body={"language_form": "nn"}
    ),
    ("POST", "/app/kommuner/{number}/publiser"): row(
        MUNICIPALITY_WRITE, body={"summary": "Ny versjon"}
    ),
    ("GET", "/app/kommuner/{number}/publiser/forhandsvisning"): row(MUNICIPALITY_READ),
    ("GET", "/app/kommuner/{number}/historikk"): row(MUNICIPALITY_READ),
    ("GET", "/app/kommuner/{number}/historikk/sammenlign"): row(
        MUNICIPALITY_READ, query="fra=1&til=utkast"
    ),
    ("POST", "/app/kommuner/{number}/historikk/gjenopprett"): row(MUNICIPALITY_WRITE),
    ("GET", "/app/kommuner/{number}/plakat"): row(MUNICIPALITY_READ),
    # ---- comments, reviews and the overviews
    ("GET", "/app/kommuner/{number}/kommentarer"): row(MUNICIPALITY_READ),
    ("POST", "/app/kommuner/{number}/kommentarer"): row(
        MUNICIPALITY_COMMENT, body={"text": "Et spørsmål"}
    ),
    ("POST", "/app/kommuner/{number}/kommentarer/{comment_id:id}/status"): row(
        MUNICIPALITY_COMMENT
    ),
    ("POST", "/app/kommuner/{number}/gjennomgang"): row(
        MUNICIPALITY_REVIEW, body={"note": "Gjennomgått"}
    ),
    ("GET", "/app/regioner/{slug}"): row(REGION_READ),
    ("GET", "/app/regioner/{slug}/eksport.csv"): row(REGION_READ),
    ("GET", "/app/regioner/{slug}/eksport.xlsx"): row(REGION_READ),
    ("GET", "/app/regioner/{slug}/gode-eksempler"): row(REGION_MEMBERS),
    ("GET", "/app/regioner/{slug}/sammendrag"): row(REGION_READ),
    ("GET", "/app/regioner/{slug}/sammendrag.csv"): row(REGION_READ),
    ("GET", "/app/regioner/{slug}/sammendrag.xlsx"): row(REGION_READ),
    ("GET", "/app/nasjonalt"): row(ADMIN_ONLY),
    ("GET", "/app/nasjonalt/eksport.csv"): row(ADMIN_ONLY),
    ("GET", "/app/nasjonalt/eksport.xlsx"): row(ADMIN_ONLY),
    ("GET", "/app/nasjonalt/sammendrag"): row(ADMIN_ONLY),
    ("GET", "/app/nasjonalt/sammendrag.csv"): row(ADMIN_ONLY),
    ("GET", "/app/nasjonalt/sammendrag.xlsx"): row(ADMIN_ONLY),
    ("GET", "/app/malinger/{indicator_id:id}"): row(ITEM_READ),
    ("POST", "/app/malinger/{indicator_id:id}/registrer"): row(
        ITEM_WRITE, body={"items-0-value": "5"}
    ),
    ("POST", "/app/malinger/{indicator_id:id}/importer"): row(
        ITEM_WRITE, body={"text": "2024-03-01;4"}
    ),
    ("GET", "/app/malinger/{indicator_id:id}/perioder/{period}"): row(ITEM_WRITE),  # a form
    ("POST", "/app/malinger/{indicator_id:id}/perioder/{period}"): row(ITEM_WRITE),
    ("POST", "/app/malinger/{indicator_id:id}/perioder/{period}/slett"): row(ITEM_WRITE),
    ("POST", "/app/malinger/{indicator_id:id}"): row(ITEM_WRITE),
    ("POST", "/app/malinger/{indicator_id:id}/slett"): row(ITEM_WRITE),
    # ---- learning networks
    ("GET", "/app/nettverk"): row(SIGNED_IN),
    ("GET", "/app/nettverk/{network_id:id}"): row(ITEM_READ),
    ("GET", "/app/nettverk/{network_id:id}/plakater"): row(ITEM_READ),
    ("GET", "/app/gode-eksempler"): row(SIGNED_IN),
    ("POST", "/app/nettverk/{network_id:id}/samlinger"): row(
        NETWORK_RUN, body={"title": "Samling", "starts_on": "2024-03-01"}
    ),
    ("POST", "/app/nettverk/{network_id:id}/oppgaver"): row(NETWORK_RUN, body={"title": "Oppgave"}),
    ("POST", "/app/nettverk/{network_id:id}/evaluering/{number}"): row(
        ITEM_WRITE, body={"relevance": "5", "best": "Samlingene", "version": "0"}
    ),
    ("GET", "/app/samlinger/{gathering_id:id}"): row(ITEM_READ),
    ("GET", "/app/oppgaver/{task_id:id}"): row(ITEM_READ),
    ("POST", "/app/oppgaver/{task_id:id}/svar/{number}"): row(
        ITEM_WRITE, body={"status": "done", "report": "Gjort", "version": "0"}
    ),
}

#: Paths the matrix does not request, with the reason.
EXEMPT: dict[str, str] = {
    "/static": "vendored files (CSS, JavaScript, fonts), the same for everyone",
}


def is_page(path: str) -> bool:
    return not path.startswith(("/api/", "/healthz", "/readyz", "/metrics"))


def expected(method: str, path: str, principal: str) -> str:
    """The expected outcome of a principal on a route. Pages authenticate people only by
    the browser session: a token there is nobody, so tokens get what anonymous gets, and
    the unauthenticated are sent to sign in."""
    outcomes = RULES[ROUTES[(method, path)].rule]
    if not is_page(path):
        return outcomes[principal]
    outcome = outcomes[ANONYMOUS if principal in TOKENS else principal]
    return SIGN_IN if outcome == UNAUTH else outcome


def outcome_of(response: Response) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    if status in (302, 303, 307) and location.startswith("/logg-inn?"):
        return SIGN_IN
    if status in (401, 403, 404) or status >= 500:
        return str(status)
    return OK


# ---- the app's routes ---------------------------------------------------------------------


def app_routes(app: FastAPI) -> tuple[set[tuple[str, str]], set[str]]:
    """Every (method, path) the app answers, and the mounted paths."""
    routes: set[tuple[str, str]] = set()
    mounts: set[str] = set()
    for route in iter_route_contexts(app.routes):
        if route.path is None:
            continue
        methods = route.methods
        if methods is None:
            mounts.add(route.path)
            continue
        for method in methods:
            if method != "HEAD":  # answered by the GET handler
                routes.add((method, route.path))
    return routes, mounts


def test_every_route_has_a_row(app: FastAPI) -> None:
    routes, mounts = app_routes(app)
    missing = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    unknown_mounts = sorted(mounts - EXEMPT.keys())
    problems = [f"route without a row in ROUTES: {m} {p}" for m, p in missing]
    problems += [f"row for a route the app does not have: {m} {p}" for m, p in stale]
    problems += [f"mounted path neither in the matrix nor EXEMPT: {p}" for p in unknown_mounts]
    problems += [f"EXEMPT path the app does not mount: {p}" for p in EXEMPT.keys() - mounts]
    assert not problems, "\n".join(problems)
    assert all(r.rule in RULES for r in ROUTES.values())


# ---- the data and the principals ------------------------------------------------------------


@dataclass
class World:
    values: dict[str, Any]
    #: Per person: the session cookie and the CSRF token of that session.
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def build_world(session: Session, client: TestClient) -> World:
    number = "5501"
    people = {
        COORDINATOR: factories.user(session, Role.coordinator, municipalities=[number]),
        OTHER_COORDINATOR: factories.user(session, Role.coordinator, municipalities=["5540"]),
        ADVISER: factories.user(session, Role.adviser, regions=["troms"]),
        OTHER_ADVISER: factories.user(session, Role.adviser, regions=["innlandet"]),
        ADMIN: factories.user(session, Role.admin),
    }
    strength_id = factories.strength(session, number)
    area_id = factories.area(session, number, phases=["assessment"])
    other_area_id = factories.area(session, number, title="Et område til, så det kan flyttes")
    measure_id = factories.measure(session, area_id)
    note = progress_notes.create_note(
        session,
        people[COORDINATOR],
        ProgressNoteCreate.model_validate({"text": "Notat"}),
        area_id=area_id,
    )
    progress_notes.create_note(
        session,
        SYSTEM,
        ProgressNoteCreate.model_validate({"text": "Notat"}),
        measure_id=measure_id,
    )
    indicator = measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate.model_validate({"name": "Antall", "kind": "count"}),
    )
    measurement.upsert_observations(
        session,
        SYSTEM,
        indicator.id,
        ObservationList.model_validate(
            {"items": [{"period": "2024-01-01", "value": 12, "comment": "Ferieavvikling"}]}
        ),
        indicator.data_version,
    )
    factories.fill_section(session, number, "assessment")
    publishing.publish(session, SYSTEM, number, PublishInput(summary="Første versjon"))
    factories.fill_section(session, number, "assessment", text="Endret etterpå")

    message = citizen_messages.send(
        session, number, CitizenMessageInput(text="Telefonnummeret mangler.")
    )
    comment = feedback.create_comment(
        session, people[COORDINATOR], number, CommentCreate(text="Hva mener dere?")
    )
    review = review_service.create_review(session, SYSTEM, number, ReviewCreate(note="Fint"))

    network = networks.create_network(
        session,
        SYSTEM,
        NetworkCreate(
            name="Nettverk",
            region="troms",
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
            members=[number, "5503"],
        ),
    )
    gathering = gatherings.create_gathering(
        session, SYSTEM, network.id, GatheringCreate(title="Samling", starts_on=date(2024, 2, 1))
    )
    task = network_tasks.create_task(
        session, SYSTEM, network.id, TaskCreate(title="Oppgave", gathering_id=gathering.id)
    )

    world = World(
        values={
            "network_id": network.id,
            "gathering_id": gathering.id,
            "task_id": task.id,
            "number": number,
            "slug": "troms",
            "phase": "assessment",
            "item_key": "website_information",
            "key": "website_information",
            "strength_id": strength_id,
            "area_id": area_id,
            "other_area_id": other_area_id,
            "measure_id": measure_id,
            "note_id": note.id,
            "cycle_id": pdsa.create_cycle(
                session, SYSTEM, measure_id, PdsaCycleCreate(title="Prøve ut")
            ).id,
            "indicator_id": indicator.id,
            "period": "2024-01-01",
            "comment_id": comment.id,
            "message_id": message.id,
            "review_id": review.id,
            "version": 1,
            # A coordinator of Tromsø: managed by Tromsø's coordinator, troms's adviser, admins.
            "user_id": factories.user(session, Role.coordinator, municipalities=[number]).id,
            # A link token nobody was sent: its pages explain that it cannot be used.
            "token": "no-such-link",
            "provider_key": "not-configured",
        }
    )
    for name, principal in people.items():
        email = f"matrix-{name.replace(' ', '-')}@example.no"
        assert principal.user_id is not None
        _set_email(session, principal.user_id, email)
        client.cookies.clear()
        csrf = sign_in(client, email, factories.PASSWORD)
        cookie = client.cookies.get(SESSION_COOKIE)
        assert cookie, f"{name} has no session cookie"
        world.sessions[name] = (cookie, csrf)
    client.cookies.clear()

    def token(scope: Scope, bound: str, **kwargs: Any) -> api_clients.IssuedToken:
        return api_clients.create_token(
            session,
            SYSTEM,
            name=f"matrix {scope} {bound}",
            scope=scope,
            municipalities=[bound],
            **kwargs,
        )

    world.tokens[READ_TOKEN] = token(Scope.read, number).token
    write = token(Scope.write, number)
    world.tokens[WRITE_TOKEN] = write.token
    world.values["token_id"] = write.token_id
    resolved = identity.resolve_token(session, write.token)
    assert resolved is not None
    world.values["webhook_id"] = webhooks.create(
        session,
        resolved.principal,
        WebhookCreate(url="https://hooks.example.no/matrise"),
        Settings(environment="test"),
    ).id
    world.values["problem"] = "stale-version"
    world.tokens[OTHER_TOKEN] = token(Scope.write, "5540").token
    expired = token(Scope.write, number, expires_at=utcnow() + timedelta(hours=1))
    row = session.get(ApiToken, expired.token_id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    world.tokens[EXPIRED_TOKEN] = expired.token
    revoked = token(Scope.write, number)
    api_clients.revoke_token(session, SYSTEM, revoked.token_id)
    world.tokens[REVOKED_TOKEN] = revoked.token
    return world


def _set_email(session: Session, user_id: int, email: str) -> None:
    from app.models.identity import User

    user = session.get(User, user_id)
    assert user is not None
    user.email = email
    session.add(user)
    session.commit()


# ---- requests -------------------------------------------------------------------------------

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def fill(template: str, values: Mapping[str, Any]) -> str:
    return _PARAMETER.sub(lambda m: str(values[m.group(1)]), template)


def fill_body(body: Any, values: Mapping[str, Any]) -> Any:
    """Placeholders like "{area_id}" inside a JSON body become the (integer) ids."""
    if isinstance(body, dict):
        return {k: fill_body(v, values) for k, v in body.items()}
    if isinstance(body, list):
        return [fill_body(v, values) for v in body]
    if isinstance(body, str) and (m := _PARAMETER.fullmatch(body)):
        return values[m.group(1)]
    return body


class Runner:
    """Sends requests as any principal, each inside a savepoint rolled back afterwards."""

    def __init__(self, client: TestClient, db: TransactionalDatabase, world: World) -> None:
        self.client = client
        self.db = db
        self.world = world

    def send(
        self,
        principal: str,
        method: str,
        url: str,
        *,
        json: Any = None,
        form: dict[str, Any] | None = None,
        content: str | None = None,
        headers: Mapping[str, str] | None = None,
        cookie: str | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        cookies = [cookie] if cookie else []
        if principal in self.world.sessions:
            session_cookie, csrf = self.world.sessions[principal]
            cookies.append(f"{SESSION_COOKIE}={session_cookie}")
            if method != "GET":
                if form is not None:
                    form = {**form, "csrf_token": csrf}
                else:
                    all_headers["X-CSRF-Token"] = csrf
        elif principal in self.world.tokens:
            all_headers["Authorization"] = f"Bearer {self.world.tokens[principal]}"
        if cookies:
            all_headers["Cookie"] = "; ".join(cookies)
        savepoint = self.db.connection.begin_nested()
        try:
            self.client.cookies.clear()
            response: Response = self.client.request(
                method,
                url,
                json=json,
                data=form,
                content=content,
                headers=all_headers,
                follow_redirects=False,
            )
            return response
        finally:
            if savepoint.is_active:
                savepoint.rollback()


def page_forms(runner: Runner, get_paths: list[str]) -> dict[str, dict[str, Any]]:
    """The post forms the pages show the administrator, by action."""
    forms: dict[str, dict[str, Any]] = {}
    for path in get_paths:
        response = runner.send(ADMIN, "GET", path)
        if response.status_code != 200 or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        for form in page(response).find_all("form", method="post"):
            action = form.get("action") or path
            fields = form_fields(form)
            fields.pop("csrf_token", None)
            forms.setdefault(action.split("?")[0], fields)
    return forms


def test_authorization_matrix(
    app: FastAPI, client: TestClient, session: Session, db: TransactionalDatabase
) -> None:
    world = build_world(session, client)
    runner = Runner(client, db, world)
    values = world.values

    def url_of(method: str, path: str) -> str:
        spec = ROUTES[(method, path)]
        url = fill(path, values)
        return f"{url}?{fill(spec.query, values)}" if spec.query else url

    routes = sorted(ROUTES)
    page_gets = [url_of(m, p) for m, p in routes if m == "GET" and is_page(p) and "{" in p]
    forms = page_forms(runner, page_gets)

    # What each request carries, prepared once (as the administrator, before any change).
    prepared: dict[tuple[str, str], dict[str, Any]] = {}
    problems: list[str] = []
    for method, path in routes:
        spec = ROUTES[(method, path)]
        url = url_of(method, path)
        kwargs: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if spec.etag is not None:
            source = url if spec.etag == SAME else fill(spec.etag, values)
            tag = runner.send(ADMIN, "GET", source).headers.get("etag")
            if tag is None:
                problems.append(f"{method} {path}: no ETag at {source}")
            else:
                headers["If-Match"] = tag
        if is_page(path) and method == "POST":
            if spec.body in ("sign-in form", "citizen message form"):
                kwargs["form"] = spec.body
            elif url in forms or spec.body is not None:
                kwargs["form"] = {**forms.get(url, {}), **fill_body(spec.body or {}, values)}
            else:
                problems.append(f"{method} {path}: no page shows a form posting to {url}")
                continue
        elif spec.body == "export":
            kwargs["json"] = runner.send(ADMIN, "GET", fill(f"{N}/export", values)).json()
        elif spec.content_type is not None:
            kwargs["content"] = spec.body
            headers["Content-Type"] = spec.content_type
        elif spec.body is not None:
            kwargs["json"] = fill_body(spec.body, values)
        kwargs["headers"] = headers
        prepared[(method, path)] = kwargs
    assert not problems, "\n".join(problems)

    mismatches: list[tuple[str, str, str, str, int]] = []
    count = 0
    for method, path in routes:
        url = url_of(method, path)
        for principal in PRINCIPALS:
            kwargs = dict(prepared[(method, path)])
            if kwargs.get("form") == "sign-in form":
                kwargs["form"], kwargs["cookie"] = sign_in_form(runner, principal)
            elif kwargs.get("form") == "citizen message form":
                kwargs["form"], kwargs["cookie"] = citizen_message_form(runner, principal, url)
            want = expected(method, path, principal)
            response = runner.send(principal, method, url, **kwargs)
            count += 1
            got = outcome_of(response)
            if got != want:
                mismatches.append((f"{method} {path}", principal, want, got, response.status_code))
    assert count == len(ROUTES) * len(PRINCIPALS)
    assert not mismatches, report(mismatches, count)


def sign_in_form(runner: Runner, principal: str) -> tuple[dict[str, Any], str]:
    """The sign-in form as this principal's browser gets it, with its double-submit cookie,
    filled with a wrong password: the answer is the form again with the error (422)."""
    response = runner.send(principal, "GET", "/logg-inn")
    fields = form_fields(page(response).one("form", action="/logg-inn"))
    token = response.cookies.get(SIGN_IN_COOKIE)
    assert token, "the sign-in page sets no double-submit cookie"
    fields.update({"email": "nobody@example.no", "password": "wrong"})
    return fields, f"{SIGN_IN_COOKIE}={token}"


def citizen_message_form(runner: Runner, principal: str, url: str) -> tuple[dict[str, Any], str]:
    """The public feedback form as this principal's browser gets it, with its double-submit
    cookie, sent empty: the answer is the form again with the error (422)."""
    response = runner.send(principal, "GET", url)
    fields = form_fields(page(response).one("form", action=url))
    token = response.cookies.get(FORM_COOKIE)
    assert token, "the feedback form sets no double-submit cookie"
    return fields, f"{FORM_COOKIE}={token}"


def report(mismatches: list[tuple[str, str, str, str, int]], count: int) -> str:
    width = max(len(route) for route, *_ in mismatches)
    lines = [
        f"{len(mismatches)} of {count} requests did not get the expected outcome:",
        f"{'route':<{width}}  {'principal':<17} expected  got",
    ]
    for route, principal, want, got, status in mismatches:
        lines.append(f"{route:<{width}}  {principal:<17} {want:<9} {got} ({status})")
    return "\n".join(lines)
