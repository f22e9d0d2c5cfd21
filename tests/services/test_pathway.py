"""Phase sections: one version compare per write, an identical write a no-op, enum values
stored as their text."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, PreconditionFailed
from app.models.base import Maturity, OfferingStatus
from app.models.pathway import PhaseSectionInput
from app.services import pathway
from app.services.access import SYSTEM
from tests import factories


def _input(description: str) -> PhaseSectionInput:
    return PhaseSectionInput.model_validate(
        {
            "description": description,
            "responsible": "Hukommelsesteamet",
            "contact": {"name": "Demenskoordinator"},
            "maturity": "planned",
            "offerings": [{"name": "Samtalegruppe", "status": "planned"}],
        }
    )


def test_a_section_is_saved_once_and_a_stale_version_is_refused(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    version = pathway.section_version(session, coordinator, "5501", "assessment")
    pathway.update_section(
        session, coordinator, "5501", "assessment", _input("Utredning hos fastlegen"), version
    )
    saved = pathway.get_section(session, coordinator, "5501", "assessment")
    assert (saved.description, saved.version) == ("Utredning hos fastlegen", version + 1)
    assert saved.maturity is Maturity.planned
    assert saved.offerings[0].status is OfferingStatus.planned
    pathway.update_section(
        session, coordinator, "5501", "assessment", _input("Utredning hos fastlegen"), version + 1
    )
    assert pathway.section_version(session, coordinator, "5501", "assessment") == version + 1
    with pytest.raises(PreconditionFailed):
        pathway.update_section(session, coordinator, "5501", "assessment", _input("Ny"), version)


def test_an_adviser_reads_the_section_but_does_not_write_it(session: Session) -> None:
    adviser = factories.adviser(session, "troms")
    version = pathway.section_version(session, adviser, "5501", "assessment")
    with pytest.raises(Forbidden):
        pathway.update_section(session, adviser, "5501", "assessment", _input("Nei"), version)
    assert pathway.get_section(session, SYSTEM, "5501", "assessment").version == version
