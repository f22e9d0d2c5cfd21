"""The write checks the API runs before it reads a body: each names who may write."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.services import write_access
from tests import factories


def test_editing_a_municipality_and_its_content(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    area_id = factories.area(session, "5501")
    write_access.edit_municipality(session, coordinator, "5501")
    write_access.edit_area(session, coordinator, area_id)
    with pytest.raises(Forbidden):
        write_access.edit_municipality(session, adviser, "5501")
    with pytest.raises(Forbidden):
        write_access.edit_area(session, adviser, area_id)


def test_reviewing_is_for_advisers_and_administering_for_administrators(
    session: Session,
) -> None:
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    write_access.review_municipality(session, adviser, "5501")
    write_access.comment_on_municipality(session, coordinator, "5501")
    with pytest.raises(Forbidden):
        write_access.review_municipality(session, coordinator, "5501")
    with pytest.raises(Forbidden):
        write_access.administer(session, adviser)
    write_access.administer(session, factories.admin(session))
