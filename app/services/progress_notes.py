"""Progress notes on an improvement area: written by its editors, corrected by their author
within a day (`NOTE_EDIT_WINDOW`), never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid
from app.kit.text import clean_text
from app.models.base import OSLO, utcnow
from app.models.improvement import (
    MAX_NOTES,
    ImprovementArea,
    Measure,
    ProgressNote,
    ProgressNoteCreate,
    ProgressNoteRead,
    ProgressNoteUpdate,
)
from app.models.municipality import Municipality
from app.services import audit
from app.services.access import Principal, require_edit, require_visible
from app.services.common import (
    Page,
    check_version,
    commit,
    count,
    lock_municipality,
    touch,
)
from app.services.improvement import (
    NOTE_EDIT_WINDOW,
    find_area,
    find_measure,
    locked_area,
    locked_measure,
)

# ---- progress notes ----------------------------------------------------------------------


def note_read(note: ProgressNote) -> ProgressNoteRead:
    return ProgressNoteRead(
        id=note.id or 0,
        date=note.date,
        text=note.text,
        author=note.author,
        improvement_area_id=note.improvement_area_id,
        measure_id=note.measure_id,
        editable_until=note.created_at + NOTE_EDIT_WINDOW,
        version=note.version,
        created_at=note.created_at,
    )


def list_notes(
    session: Session,
    principal: Principal,
    *,
    area_id: int | None = None,
    measure_id: int | None = None,
) -> Page[ProgressNoteRead]:
    """Newest first."""
    statement = select(ProgressNote)
    if measure_id is not None:
        find_measure(session, principal, measure_id)
        statement = statement.where(col(ProgressNote.measure_id) == measure_id)
    else:
        find_area(session, principal, area_id or 0)
        statement = statement.where(col(ProgressNote.improvement_area_id) == area_id)
    notes = session.exec(
        statement.order_by(col(ProgressNote.date).desc(), col(ProgressNote.id).desc())
    ).all()
    items = [note_read(n) for n in notes]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def create_note(
    session: Session,
    principal: Principal,
    data: ProgressNoteCreate,
    *,
    area_id: int | None = None,
    measure_id: int | None = None,
) -> ProgressNoteRead:
    if measure_id is not None:
        _, municipality, _ = locked_measure(session, principal, measure_id, None)
    else:
        _, municipality, _ = locked_area(session, principal, area_id or 0, None)
    text = clean_text(data.text)
    if not text:
        raise Invalid(FieldError("text", "cannot be empty"))
    parent = (
        col(ProgressNote.measure_id) == measure_id
        if measure_id is not None
        else col(ProgressNote.improvement_area_id) == area_id
    )
    if count(session, select(ProgressNote.id).where(parent)) >= MAX_NOTES:
        raise Invalid(FieldError("text", f"at most {MAX_NOTES} progress notes"))
    now = utcnow()
    note = ProgressNote(
        improvement_area_id=None if measure_id is not None else area_id,
        measure_id=measure_id,
        # Today in Norway: between midnight and 01:00 (02:00 in summer) UTC is a day behind.
        date=data.date or now.astimezone(OSLO).date(),
        text=text,
        author=principal.label,
        author_user_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    touch(municipality, now)
    session.flush()
    result = note_read(note)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="progress_note",
        entity_id=note.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def _note(
    session: Session, principal: Principal, note_id: int
) -> tuple[ProgressNote, Municipality]:
    area_of_note = func.coalesce(
        col(ProgressNote.improvement_area_id),
        select(Measure.improvement_area_id)
        .where(col(Measure.id) == col(ProgressNote.measure_id))
        .scalar_subquery(),
    )
    row = session.exec(
        select(ProgressNote, Municipality)
        .select_from(ProgressNote)
        .join(ImprovementArea, col(ImprovementArea.id) == area_of_note)
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(ProgressNote.id) == note_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "progress note")
    assert row is not None
    return row[0], row[1]


def get_note(session: Session, principal: Principal, note_id: int) -> ProgressNoteRead:
    return note_read(_note(session, principal, note_id)[0])


def note_to_correct(
    session: Session, principal: Principal, note_id: int, now: datetime | None = None
) -> tuple[ProgressNote, Municipality]:
    """A note the caller may correct: their own (any, for an administrator), in a
    municipality they edit, within 24 hours of writing it."""
    note, municipality = _note(session, principal, note_id)
    require_edit(principal, municipality)
    if (now or utcnow()) > note.created_at + NOTE_EDIT_WINDOW:
        raise Forbidden("Notes can only be changed within 24 hours. Write a new note instead.")
    if not principal.is_admin and (
        note.author_user_id is None or note.author_user_id != principal.user_id
    ):
        raise Forbidden("Only the author can correct a note.")
    return note, municipality


def update_note(
    session: Session,
    principal: Principal,
    note_id: int,
    data: ProgressNoteUpdate,
    expected_version: int,
    now: datetime | None = None,
) -> ProgressNoteRead:
    """A note can be corrected by its author within 24 hours; after that, corrections are
    new notes, so the follow-up history stays as it was written."""
    now = now or utcnow()
    note, municipality = note_to_correct(session, principal, note_id, now)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(note)
    before = note_read(note)
    check_version(note.version, expected_version, before.model_dump(mode="json"))
    text = clean_text(data.text)
    if not text:
        raise Invalid(FieldError("text", "cannot be empty"))
    if text == note.text:
        session.rollback()
        return before
    note.text = text
    note.version += 1
    note.updated_at = now
    touch(municipality, now)
    after = note_read(note)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="progress_note",
        entity_id=note.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after
