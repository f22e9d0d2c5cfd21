"""The import: a document brings one municipality in line with it, in one transaction."""

from __future__ import annotations

from sqlmodel import Session

from app.models.base import utcnow
from app.models.transfer import ImportResult, MunicipalityExport
from app.services.access import Principal, require_edit
from app.services.common import check_version, commit, get_municipality, lock_municipality, touch
from app.services.pathway import Catalogue
from app.services.transfer.areas import check_notes, import_areas
from app.services.transfer.checks import catalogue, check_document
from app.services.transfer.content import (
    import_answers,
    import_municipality_fields,
    import_sections,
    import_strengths,
)
from app.services.transfer.history import add_versions, plan_versions
from app.services.transfer.state import load
from app.services.transfer.sync import Run


def check_import_access(session: Session, principal: Principal, number: str) -> None:
    """Who may import into the municipality (its editors): decided before anything about
    the request itself is looked at."""
    require_edit(principal, get_municipality(session, number))


def import_municipality(
    session: Session,
    principal: Principal,
    number: str,
    data: MunicipalityExport,
    expected_version: int | None,
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Bring the municipality in line with the document, if the caller holds the pathway's
    current version (`expected_version`: its ETag; None only from the trusted command line
    with --force). Editors of the municipality only.

    Objects are matched by id (sections by phase, checklist answers by item, observations
    by period): a matched object whose values differ is changed, one without a match is
    created with a new id, a stored one the document leaves out is removed. Progress notes
    and published versions are history: new ones are added as the importer's, existing ones
    never change or go (see `areas` and `history`). Comments, reviews and the audit trail
    are not part of the format; comments go only with an improvement area the import
    removes. Each object created, changed or removed is one audit event and one entry of
    the result. An identical document changes nothing; `dry_run` answers the same result
    and keeps nothing."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    if expected_version is not None:
        check_version(municipality.version, expected_version)
    known = catalogue(session)
    check_document(number, data, known)
    stored = load(session, municipality)
    check_notes(stored, data)
    versions = plan_versions(stored, data, Catalogue(session, "nb"))

    version_before = municipality.version
    run = Run(session, principal, municipality, utcnow(), dry_run)
    import_municipality_fields(run, data)
    import_sections(run, stored, data.sections)
    import_answers(run, stored, data.checklist_answers, known.items)
    import_strengths(run, stored, data)
    order_changed = import_areas(run, stored, data.improvement_areas)
    add_versions(run, versions)
    if run.content_changed:
        touch(municipality, run.now)
    if order_changed:
        municipality.priority_version += 1
    result = ImportResult(
        number=number,
        dry_run=dry_run,
        changed=run.events > 0,
        version=version_before if dry_run else municipality.version,
        changes=run.changes,
    )
    if dry_run or not run.events:
        session.rollback()
    else:
        commit(session)
    return result
