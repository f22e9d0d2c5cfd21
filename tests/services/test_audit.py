"""The audit trail: every write leaves an event, readable by who may read the municipality."""

from __future__ import annotations

from sqlmodel import Session

from app.services import audit
from tests import factories


def test_a_write_leaves_an_event_its_readers_see(session: Session) -> None:
    strength_id = factories.strength(session, "5501", "Godt samarbeid")
    coordinator = factories.coordinator(session, "5501")
    events = audit.list_events(
        session, coordinator, municipality_number="5501", entity_type="strength"
    )
    (event,) = events.items
    assert (event.action, event.entity_id, event.municipality) == (
        "create",
        str(strength_id),
        "5501",
    )
    assert event.before is None
    assert event.after is not None
    assert event.after["text"] == "Godt samarbeid"
    outsider = factories.coordinator(session, "5503")
    seen = audit.list_events(session, outsider, entity_type="strength", limit=500)
    assert all(e.municipality != "5501" for e in seen.items)
