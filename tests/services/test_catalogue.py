"""The catalogues: phases in order, offering types and the current checklist, in nb and en."""

from __future__ import annotations

from sqlmodel import Session

from app.services import catalogue


def test_phases_come_in_their_order_in_both_languages(session: Session) -> None:
    keys = catalogue.phase_keys(session)
    assert len(keys) == 6
    norwegian = catalogue.list_phases(session, "nb")
    english = catalogue.list_phases(session, "en")
    assert [p.key for p in norwegian] == keys
    assert [p.key for p in english] == keys
    assert [p.name for p in norwegian] != [p.name for p in english]


def test_the_checklist_is_the_current_versions_items(session: Session) -> None:
    version = catalogue.current_checklist_version(session)
    assert version.id is not None
    items = catalogue.checklist_items(session, version.id)
    checklist = catalogue.get_checklist(session)
    assert [i.key for i in checklist.items] == [i.key for i in items]
    assert items, "the seeded checklist has items"
    assert len({i.key for i in items}) == len(items)
