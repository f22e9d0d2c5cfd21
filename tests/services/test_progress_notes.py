"""Progress notes: written by editors, corrected by their author within a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.models.base import utcnow
from app.models.improvement import ProgressNoteCreate, ProgressNoteUpdate
from app.services import progress_notes
from app.services.improvement import NOTE_EDIT_WINDOW
from tests import factories


def test_a_note_is_corrected_by_its_author_within_the_window(session: Session) -> None:
    author = factories.coordinator(session, "5501")
    colleague = factories.coordinator(session, "5501")
    area_id = factories.area(session, "5501")
    note = progress_notes.create_note(
        session, author, ProgressNoteCreate(text="Første møte holdt"), area_id=area_id
    )
    assert [n.id for n in progress_notes.list_notes(session, author, area_id=area_id).items] == [
        note.id
    ]
    with pytest.raises(Forbidden):
        progress_notes.update_note(
            session, colleague, note.id, ProgressNoteUpdate(text="Endret"), note.version
        )
    later = utcnow() + NOTE_EDIT_WINDOW + timedelta(minutes=1)
    with pytest.raises(Forbidden):
        progress_notes.update_note(
            session, author, note.id, ProgressNoteUpdate(text="For sent"), note.version, now=later
        )
    corrected = progress_notes.update_note(
        session, author, note.id, ProgressNoteUpdate(text="Første møte holdt 3. mai"), note.version
    )
    assert corrected.text == "Første møte holdt 3. mai"
    assert progress_notes.get_note(session, author, note.id).text == corrected.text


def test_a_note_on_a_measure_is_listed_with_the_measure(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    measure_id = factories.measure(session, factories.area(session, "5501"))
    progress_notes.create_note(
        session, coordinator, ProgressNoteCreate(text="Startet"), measure_id=measure_id
    )
    listed = progress_notes.list_notes(session, coordinator, measure_id=measure_id)
    assert [n.text for n in listed.items] == ["Startet"]
