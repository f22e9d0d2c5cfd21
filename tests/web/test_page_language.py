"""Every page speaks the reader's language: each page of the app (the authorisation
matrix's routes, with its data) is rendered in bokmål and nynorsk, and fails on an English
word, a code word (`observation`, `upsert`, `phase_section` …) or, in nynorsk, a bokmål
text the catalogue translates but the page shows untranslated (a string past the
catalogue). The audit trail's actions and entity types all have words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models.audit import AuditEventRead
from app.models.base import Answer, utcnow
from app.models.measurement import Indicator
from app.models.network import NetworkTask
from app.models.pathway import ChecklistAnswerInput
from app.services import checklist
from app.services.access import SYSTEM
from app.web import labels
from tests.api.test_authorization_matrix import (
    ADMIN,
    OTHER_ADVISER,
    ROUTES,
    Runner,
    build_world,
    fill,
    is_page,
)
from tests.conftest import TransactionalDatabase

ROOT = Path(__file__).resolve().parents[2]
#: Attributes a person reads (or hears) besides the text.
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
#: Words that are English and never Norwegian (bokmål or nynorsk), as whole words.
ENGLISH = frozenset(
    {
        "the",
        "and",
        "not",
        "Not",
        "allowed",
        "found",
        "Nothing",
        "nothing",
        "Invalid",
        "invalid",
        "input",
        "Sign",
        "Save",
        "Delete",
        "Cancel",
        "Back",
        "Error",
        "error",
        "Please",
        "please",
        "required",
        "cannot",
        "must",
        "should",
        "has",
        "been",
        "was",
        "were",
        "Observations",
        "observations",
        "observation",
        "Observation",
        "Strength",
        "strength",
        "Measure",
        "measure",
        "Indicator",
        "indicator",
        "municipality",
        "Municipality",
        "comment",
        "Comment",
        "upsert",
        "Upsert",
        "created",
        "changed",
        "deleted",
        "published",
        "imported",
        "Forbidden",
        "Conflict",
        "Unauthorized",
        "page",
    }
)
#: The factories' own words in the test data (a phase's text), never translated.
TEST_DATA = frozenset({"Beskrivelse"})
#: A code name: snake_case, as audit entity types and enum values are written.
CODE_WORD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
WORD = re.compile(r"[A-Za-zÆØÅæøå]+")
#: Elements whose text is not words: scripts, styles and literal data such as token prefixes.
SKIPPED = frozenset({"script", "style", "code"})


class _Reader(HTMLParser):
    """The texts of a page a person reads: text nodes outside script, style and code (a
    token's prefix, a command: literal data, not words), and the attributes read aloud, each
    as one stripped string."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag in SKIPPED:
            self._skip += 1
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(str(values[name]).strip())
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(str(values["value"]).strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def _untranslated_in_nynorsk() -> frozenset[str]:
    """The bokmål message ids (without placeholders) that nynorsk writes differently: seen
    on a nynorsk page, such a text bypassed the catalogue."""
    with (ROOT / "app/locale/nn/LC_MESSAGES/messages.po").open("rb") as source:
        catalogue = read_po(source, locale="nn")
    found = set()
    for message in catalogue:
        msgid = message.id
        if not isinstance(msgid, str) or not msgid or "%(" in msgid or "{" in msgid:
            continue
        if not message.string or message.string == msgid:
            continue
        found.add(" ".join(msgid.split()))
    return frozenset(found)


def language_problems(html: str, lang: str, bokmaal_only: frozenset[str]) -> list[str]:
    reader = read_page(html)
    problems = []
    if reader.lang != lang:
        problems.append(f'<html lang="{reader.lang}">')
    for text in reader.texts:
        english = sorted({w for w in WORD.findall(text) if w in ENGLISH})
        if english:
            problems.append(f"English {english} in {text!r}")
        code = CODE_WORD.findall(text)
        if code:
            problems.append(f"code word {code} in {text!r}")
        if lang == "nn" and text in bokmaal_only and text not in TEST_DATA:
            problems.append(f"bokmål, not through the catalogue: {text!r}")
    return problems


def test_the_checks_find_what_they_look_for() -> None:
    bokmaal_only = frozenset({"Lagre svar"})
    page = (
        '<html lang="nn"><body><h1>upsert observations</h1><p title="Not found">x</p>'
        "<button>Lagre svar</button><p>svar i phase_section</p>"
        "<script>const observation_text = 1;</script></body></html>"
    )
    problems = language_problems(page, "nn", bokmaal_only)
    assert problems == [
        "English ['observations', 'upsert'] in 'upsert observations'",
        "English ['Not', 'found'] in 'Not found'",
        "bokmål, not through the catalogue: 'Lagre svar'",
        "code word ['phase_section'] in 'svar i phase_section'",
    ]
    assert language_problems(page.replace('lang="nn"', 'lang="nb"'), "nn", bokmaal_only)[0] == (
        '<html lang="nb">'
    )
    good = (
        '<html lang="nn"><body><h1>Lagre svaret</h1><p>registrerte måleverdiar</p>'
        "<p>Nøkkel <code>dfl_y-DbYlIB…</code></p></body></html>"
    )
    assert language_problems(good, "nn", bokmaal_only) == []


def _pages() -> list[tuple[str, str]]:
    return sorted((m, p) for m, p in ROUTES if m == "GET" and is_page(p))


def _url(path: str, values: dict[str, Any], lang: str) -> str:
    spec = ROUTES[("GET", path)]
    url = fill(path, values)
    query = fill(spec.query, values) if spec.query else ""
    return f"{url}?{query + '&' if query else ''}lang={lang}"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_page_is_in_the_language_asked_for(
    app: FastAPI, client: TestClient, session: Session, db: TransactionalDatabase, lang: str
) -> None:
    world = build_world(session, client)
    # Names in the matrix's data that are also message ids ("Antall", "Oppgave") would read
    # as untranslated text: people's own words are never translated.
    indicator = session.get(Indicator, world.values["indicator_id"])
    task = session.get(NetworkTask, world.values["task_id"])
    assert indicator is not None
    assert task is not None
    indicator.name, task.title = "Nye brukere i pårørendeskolen", "Forbered postervandringen"
    session.add_all([indicator, task])
    session.commit()
    # Events the history shows beside those of building the world.
    checklist.put_answer(
        session, SYSTEM, "5501", "website_information", ChecklistAnswerInput(answer=Answer.yes), 0
    )
    runner = Runner(client, db, world)
    bokmaal_only = _untranslated_in_nynorsk()
    problems: list[str] = []
    seen = 0
    requests = [(ADMIN, path) for _method, path in _pages()]
    # Refusals and unknown addresses, signed in and not.
    requests += [
        (OTHER_ADVISER, "/app/kommuner/{number}/forlop"),
        (OTHER_ADVISER, "/app/kommuner/{number}/historikk"),
        (ADMIN, "/app/kommuner/9999/forlop"),
        ("anonymous", "/kommuner/9999"),
        ("anonymous", "/"),
        ("anonymous", "/kommuner/{number}"),
    ]
    for principal, path in requests:
        url = (
            _url(path, world.values, lang)
            if ("GET", path) in ROUTES
            else f"{fill(path, world.values)}?lang={lang}"
        )
        response = runner.send(principal, "GET", url)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen += 1
        for problem in language_problems(response.text, lang, bokmaal_only):
            problems.append(f"{principal} {url} ({response.status_code}): {problem}")
    assert seen > 40
    assert problems == [], "\n".join(problems)


def _literals_on_lines(*markers: str) -> set[str]:
    """The quoted lower-case words on the lines of the services that hold a marker."""
    found: set[str] = set()
    for source in (ROOT / "app" / "services").rglob("*.py"):
        lines = source.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if any(marker in line for marker in markers):
                # `_audit(` calls may continue on the next line.
                window = line + (lines[number + 1] if "_audit(" in line else "")
                found.update(re.findall(r'"([a-z]+(?:_[a-z]+)*)"', window))
    return found


def test_every_audit_action_and_entity_type_has_words() -> None:
    sync = (ROOT / "app/services/transfer/sync.py").read_text(encoding="utf-8")
    entity_types = _literals_on_lines("entity_type=") | set(
        re.findall(r'Kind\("\w+", "(\w+)"', sync)
    )
    actions = _literals_on_lines(
        "action=", "actions.append(", "AUDIT_ACTION:", "_save_observations(", "_audit("
    )
    assert {"observations", "observation", "checklist_answer", "api_token"} <= entity_types
    assert {"upsert", "import", "resolve", "publish", "seed", "network_task"} <= actions
    assert entity_types - labels.ENTITY.keys() == set()
    # `_audit(` lines name both the action and the entity type; `Kind(` lines a collection.
    words = labels.ACTION.keys() | labels.ENTITY.keys()
    # (`"resolved"` is the field a comment change reads, beside its `"resolve"` action.)
    assert actions - words - {"created", "changed", "removed", "resolved"} == set()


@pytest.mark.parametrize(
    ("action", "entity_type", "nb", "nn", "en"),
    [
        (
            "upsert",
            "observations",
            "registrerte måleverdier",
            "registrerte måleverdiar",
            "recorded observations",
        ),
        (
            "import",
            "observations",
            "importerte måleverdier",
            "importerte måleverdiar",
            "imported observations",
        ),
        (
            "publish",
            "published_version",
            "publiserte en ny versjon",
            "publiserte ein ny versjon",
            "published a new version",
        ),
        (
            "create",
            "checklist_answer",
            "svarte på et punkt i sjekklisten",
            "svarte på eit punkt i sjekklista",
            "answered a checklist item",
        ),
        ("delete", "measure", "slettet tiltak", "sletta tiltak", "deleted measure"),
        ("frobnicate", "widget_thing", "endret innhold", "endra innhald", "changed content"),
    ],
)
def test_audit_events_read_as_sentences(
    action: str, entity_type: str, nb: str, nn: str, en: str
) -> None:
    event = AuditEventRead(
        id=1,
        occurred_at=utcnow(),
        actor_type="user",
        actor="Kari",
        action=action,
        entity_type=entity_type,
        entity_id="1",
        municipality="5501",
        before=None,
        after=None,
    )
    assert [labels.describe_event(event, lang) for lang in ("nb", "nn", "en")] == [nb, nn, en]


def test_history_filter_names_every_type_in_words() -> None:
    assert labels.entity_label("observations", "nb") == "Måleverdier"
    assert labels.entity_label("observations", "nn") == "Måleverdiar"
    assert labels.entity_label("checklist_answer", "nn") == "Svar i sjekklista"
    assert labels.entity_label("no_such_type", "nb") == "Innhold"


def test_a_nynorsk_municipality_speaks_nynorsk_unless_the_visitor_chooses(
    anonymous: TestClient, session: Session
) -> None:
    from app.models.municipality import Municipality
    from app.models.publishing import PublishInput
    from app.services import publishing
    from tests import factories

    factories.fill_section(session, "5501", "assessment")
    publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Første versjon"))
    tromso = session.exec(select(Municipality).where(col(Municipality.number) == "5501")).one()
    tromso.language_form = "nn"
    session.add(tromso)
    session.commit()

    def language(**headers: str) -> tuple[str | None, str]:
        response = anonymous.get("/kommuner/5501", headers=headers)
        assert response.status_code == 200
        return read_page(response.text).lang, response.headers["etag"]

    assert language()[0] == "nn"
    assert language(**{"Accept-Language": "nb-NO,nb;q=0.9"})[0] == "nn"
    assert language(**{"Accept-Language": "en-GB"})[0] == "en"
    response = anonymous.get("/kommuner/5501?lang=nb")
    assert read_page(response.text).lang == "nb"
    # The representation is per language, so a cached nynorsk page is never served as bokmål.
    assert language()[1].endswith('-nn"')
    # Unpublished municipalities speak their form too.
    kaafjord = session.exec(select(Municipality).where(col(Municipality.number) == "5540")).one()
    kaafjord.language_form = "nn"
    session.add(kaafjord)
    session.commit()
    assert read_page(anonymous.get("/kommuner/5540").text).lang == "nn"
    kaafjord.language_form = "neutral"
    session.add(kaafjord)
    session.commit()
    assert read_page(anonymous.get("/kommuner/5540").text).lang == "nb"
