"""Stored content can never run as script: markup in every kind of text a coordinator or
adviser can write is saved, then every page that shows it is opened in Chromium, and no
script from it runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page

from app.models.feedback import CommentCreate
from app.models.improvement import ImprovementAreaCreate, MeasureCreate, ProgressNoteCreate
from app.models.pathway import PhaseSectionInput, StrengthCreate
from app.services import feedback, improvement, pathway, progress_notes, strengths
from app.services.access import SYSTEM
from tests.browser.conftest import KAFJORD, LiveServer, sign_in

pytestmark = pytest.mark.browser

NUMBER = "5540"
PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    '"><img src=x onerror="window.__pwned = \'img\'">',
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    "[lenke](javascript:window.__pwned='link')",
    "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>",
    "{{ 7 * 7 }} ${7*7} <% 7 %>",
]
HOSTILE = " ".join(PAYLOADS)


def _store_hostile_content(server: LiveServer) -> int:
    database = server.database()
    try:
        with database.session(write=True) as session:
            version = pathway.section_version(session, SYSTEM, NUMBER, "suspicion")
            pathway.update_section(
                session,
                SYSTEM,
                NUMBER,
                "suspicion",
                PhaseSectionInput.model_validate(
                    {
                        "description": HOSTILE,
                        "responsible": PAYLOADS[1],
                        "contact": {"name": PAYLOADS[0], "hours": PAYLOADS[2]},
                        "offerings": [
                            {"name": PAYLOADS[1], "description": PAYLOADS[0]},
                        ],
                    }
                ),
                version,
            )
        with database.session(write=True) as session:
            strengths.create_strength(
                session, SYSTEM, NUMBER, StrengthCreate(text=PAYLOADS[0][:400])
            )
        with database.session(write=True) as session:
            area = improvement.create_area(
                session,
                SYSTEM,
                NUMBER,
                ImprovementAreaCreate(
                    title=PAYLOADS[1][:190],
                    rationale=HOSTILE,
                    aim=PAYLOADS[2],
                    tags=["<b>tagg</b>"],
                ),
            )
        with database.session(write=True) as session:
            measure = improvement.create_measure(
                session,
                SYSTEM,
                area.id,
                MeasureCreate(title=PAYLOADS[2][:190], description=HOSTILE),
            )
        with database.session(write=True) as session:
            progress_notes.create_note(
                session, SYSTEM, ProgressNoteCreate(text=HOSTILE), measure_id=measure.id
            )
        with database.session(write=True) as session:
            feedback.create_comment(session, SYSTEM, NUMBER, CommentCreate(text=HOSTILE))
        return area.id
    finally:
        database.dispose()


def test_no_script_from_stored_content_runs(page: Page, live_server: LiveServer) -> None:
    area_id = _store_hostile_content(live_server)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, live_server, KAFJORD)
    paths = [
        "/app",
        f"/app/kommuner/{NUMBER}/forlop",
        f"/app/kommuner/{NUMBER}/styrker",
        f"/app/kommuner/{NUMBER}/forbedringsomrader",
        f"/app/forbedringsomrader/{area_id}",
        f"/app/kommuner/{NUMBER}/framdriftsplan",
        f"/app/kommuner/{NUMBER}/kommentarer",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        # Nothing from the content became markup: no inline scripts, no event handlers, no
        # frames, no javascript: links.
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
        assert (
            page.evaluate(
                "[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                ".some(a => a.name.startsWith('on'))).length"
            )
            == 0
        ), path
        assert page.evaluate("document.querySelectorAll('iframe, object, embed').length") == 0
        assert (
            page.evaluate(
                "[...document.querySelectorAll('a[href]')]"
                ".filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length"
            )
            == 0
        ), path
    # The text itself is there, as text, on the editor.
    page.goto(f"{live_server.url}/app/kommuner/{NUMBER}/forlop")
    assert "window.__pwned" in page.inner_text("main")
    assert dialogs == []
