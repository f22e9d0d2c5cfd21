"""Whole-municipality export and import at the service level: the export reads back as an
identical import, the import obeys the editors' access and the version."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Forbidden, PreconditionFailed
from app.models.transfer import MunicipalityExport
from app.services import transfer
from app.services.access import SYSTEM
from tests import factories


def _exported(session: Session, number: str) -> tuple[MunicipalityExport, int]:
    exported = transfer.export_municipality(session, SYSTEM, number)
    return MunicipalityExport.model_validate(exported.document), exported.version


def test_an_exported_municipality_imports_back_unchanged(session: Session) -> None:
    factories.fill_section(session, "5501", "assessment")
    factories.strength(session, "5501", "Godt samarbeid")
    factories.measure(session, factories.area(session, "5501", "Bedre oppfølging"))
    document, version = _exported(session, "5501")
    coordinator = factories.coordinator(session, "5501")
    result = transfer.import_municipality(session, coordinator, "5501", document, version)
    assert not result.changed
    assert result.version == version
    again, again_version = _exported(session, "5501")
    assert again == document
    assert again_version == version


def test_an_import_needs_an_editor_and_the_current_version(session: Session) -> None:
    document, version = _exported(session, "5501")
    with pytest.raises(Forbidden):
        transfer.import_municipality(
            session, factories.adviser(session, "troms"), "5501", document, version
        )
    with pytest.raises(PreconditionFailed):
        transfer.import_municipality(
            session, factories.coordinator(session, "5501"), "5501", document, version - 1
        )
