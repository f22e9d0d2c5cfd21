"""The renderings kept by version are exact: a new version is read afresh, and a copy is
never filed under a version other than the one it shows."""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import Session

from app.changes import VersionCache
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


def test_a_value_asked_for_while_it_is_built_is_built_once() -> None:
    cache: VersionCache[str, list[int]] = VersionCache(4)
    builds: list[int] = []
    started = threading.Event()

    def build() -> list[int]:
        builds.append(1)
        started.set()
        time.sleep(0.3)  # long enough for every other caller to arrive meanwhile
        return [len(builds)]

    results: list[list[int]] = []
    first = threading.Thread(target=lambda: results.append(cache.once("key", build)))
    first.start()
    assert started.wait(5)
    others = [
        threading.Thread(target=lambda: results.append(cache.once("key", build))) for _ in range(4)
    ]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(10)
    assert builds == [1]
    assert len(results) == 5
    assert all(r is results[0] for r in results)


def test_a_build_that_fails_leaves_the_next_caller_to_build() -> None:
    cache: VersionCache[str, str] = VersionCache(4)

    def broken() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cache.once("key", broken)
    assert cache.once("key", lambda: "built") == "built"
    assert cache.get("key") == "built"
