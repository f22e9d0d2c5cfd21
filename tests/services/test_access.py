"""The access rules a principal carries."""

from __future__ import annotations

from sqlmodel import Session

from app.services.access import ANONYMOUS
from tests import factories


def test_access_rules(session: Session) -> None:
    tromso = factories.municipality(session, "5501")
    kafjord = factories.municipality(session, "5540")
    oslo = factories.municipality(session, "0301")
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    admin = factories.admin(session)
    assert coordinator.can_edit(tromso)
    assert not coordinator.can_read(kafjord)
    assert adviser.can_read(kafjord)
    assert not adviser.can_edit(kafjord)
    assert adviser.can_comment(kafjord)
    assert not adviser.can_read(oslo)
    assert admin.can_edit(oslo)
    assert not ANONYMOUS.can_read(tromso)
