"""Workspaces: who may open a municipality's pages, and with which rights."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden
from app.services import workspace
from tests import factories


def test_editors_edit_advisers_read_and_others_are_refused(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    outsider = factories.coordinator(session, "5503")
    mine = workspace.open_workspace(session, coordinator, "5501")
    assert (mine.number, mine.region_slug, mine.can_edit) == ("5501", "troms", True)
    theirs = workspace.open_workspace(session, adviser, "5501")
    assert (theirs.can_edit, theirs.can_comment) == (False, True)
    with pytest.raises(Forbidden):
        workspace.open_workspace(session, outsider, "5501")


def test_my_municipalities_are_a_coordinators_own(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501", "5503")
    numbers = [m.number for m in workspace.my_municipalities(session, coordinator)]
    assert sorted(numbers) == ["5501", "5503"]


def test_a_need_beyond_reading_is_refused_to_those_without_it(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    adviser = factories.adviser(session, "troms")
    admin = factories.admin(session)
    Need = workspace.Need
    assert workspace.open_workspace(session, coordinator, "5501", Need.edit).can_edit
    assert workspace.open_workspace(session, coordinator, "5501", Need.comment).can_comment
    assert workspace.open_workspace(session, adviser, "5501", Need.comment).can_comment
    workspace.open_workspace(session, adviser, "5501", Need.review)
    workspace.open_workspace(session, admin, "5501", Need.edit)
    with pytest.raises(Forbidden, match="read but not change Tromsø"):
        workspace.open_workspace(session, adviser, "5501", Need.edit)
    with pytest.raises(Forbidden, match="region's advisers"):
        workspace.open_workspace(session, coordinator, "5501", Need.review)
