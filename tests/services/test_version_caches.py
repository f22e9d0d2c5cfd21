"""The renderings kept by version are exact: a new version is read afresh, and a copy is
never filed under a version other than the one it shows."""

from __future__ import annotations

from sqlmodel import Session

from app.models.pathway import Offering, PhaseSection
from app.services import pathway
from app.services.common import get_municipality
from tests import factories
from tests.conftest import TransactionalDatabase


def _description(sections: list[tuple[PhaseSection, list[Offering]]], phase: str) -> str:
    return next(s.description for s, _ in sections if s.phase == phase)


def test_sections_follow_the_version_and_copies_are_shared(
    session: Session, db: TransactionalDatabase
) -> None:
    factories.fill_section(session, "5501", "assessment", offerings=2, text="Første tekst.")
    municipality = get_municipality(session, "5501")
    first = pathway.draft_sections(session, municipality)
    assert _description(first, "assessment") == "Første tekst."
    # Read again at the same version: the very same shared copies.
    assert pathway.draft_sections(session, municipality) is first

    factories.fill_section(session, "5501", "assessment", offerings=2, text="Andre tekst.")
    municipality = get_municipality(session, "5501")
    second = pathway.draft_sections(session, municipality)
    assert _description(second, "assessment") == "Andre tekst."
    assert second is not first


def test_a_copy_read_after_a_newer_write_is_not_filed_under_the_old_version(
    session: Session, db: TransactionalDatabase
) -> None:
    factories.fill_section(session, "5501", "assessment", offerings=1, text="Gammel tekst.")
    stale = get_municipality(session, "5501")
    session.expunge(stale)  # what a request holds from before the next write
    factories.fill_section(session, "5501", "assessment", offerings=1, text="Ny tekst.")
    # The sections now show the newer write, so they must not be kept as `stale.version`.
    shown = pathway.draft_sections(session, stale)
    assert _description(shown, "assessment") == "Ny tekst."
    again = pathway.draft_sections(session, stale)
    assert again is not shown
