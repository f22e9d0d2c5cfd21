"""What every service shares: paging bounds, version checks, municipalities by number."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Invalid, NotFound, PreconditionFailed
from app.services import common


def test_paging_has_a_default_and_bounds() -> None:
    limit, offset = common.clamp_paging(None, None)
    assert (limit, offset) == (common.DEFAULT_LIMIT, 0)
    with pytest.raises(Invalid):
        common.clamp_paging(common.MAX_LIMIT + 1, 0)
    with pytest.raises(Invalid):
        common.clamp_paging(10, -1)


def test_a_stale_version_is_refused_with_the_current_one() -> None:
    common.check_version(3, 3)
    with pytest.raises(PreconditionFailed) as refused:
        common.check_version(3, 2, {"version": 3})
    assert refused.value.current_version == 3


def test_an_unknown_municipality_is_not_found(session: Session) -> None:
    assert common.get_municipality(session, "5501").number == "5501"
    with pytest.raises(NotFound):
        common.get_municipality(session, "0000")
