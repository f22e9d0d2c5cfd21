"""Importing published versions: history from another installation.

A published version never changes. One the municipality already has (same number) stays as
it is, and the document must agree with it; one it lacks is added as *imported*: its
snapshot is built again from the document's Markdown — the HTML rendered by the editor's
renderer and cleaner, the names and contact points derived here — and it is recorded as
published and imported by the importer at the time of the import, never by whom or when the
document claims. A version the document leaves out is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import FieldError, Invalid
from app.kit.text import clean_text, render_markdown
from app.models.base import MeasureStatus
from app.models.municipality import Municipality
from app.models.pathway import Offering
from app.models.publishing import (
    PathwaySnapshot,
    PublishedVersion,
    SnapshotContact,
    SnapshotImprovementArea,
    SnapshotOffering,
    SnapshotPhase,
    SnapshotStrength,
)
from app.models.transfer import ExportedSnapshot, ExportedSnapshotPhase, MunicipalityExport
from app.services.pathway import Catalogue, offering_values, text_values
from app.services.publishing import contact_points
from app.services.strengths import strength_values
from app.services.transfer.state import Stored, jsonable, snapshot_item, version_item
from app.services.transfer.sync import VERSION, Run


@dataclass(frozen=True)
class NewVersion:
    path: str
    number: int
    summary: str
    snapshot: PathwaySnapshot


def snapshot_of(
    item: ExportedSnapshot, municipality: Municipality, catalogue: Catalogue
) -> PathwaySnapshot:
    """A published version's snapshot from the document, built as publishing builds one."""
    phases = [_phase(phase, catalogue) for phase in item.phases]
    return PathwaySnapshot(
        municipality=municipality.number,
        name=municipality.name,
        website=item.website,
        contacts=contact_points(phases),
        phases=phases,
        strengths=[SnapshotStrength(**strength_values(s)) for s in item.strengths],
        improvement_areas=[
            SnapshotImprovementArea(
                priority=n,
                title=clean_text(area.title),
                phases=list(area.phases),
                status=area.status.value,
                measure_counts={s.value: area.measure_counts.get(s, 0) for s in MeasureStatus},
            )
            for n, area in enumerate(item.improvement_areas, start=1)
        ],
    )


def _phase(item: ExportedSnapshotPhase, catalogue: Catalogue) -> SnapshotPhase:
    values = text_values(item)
    offerings = [offering_values(o) for o in item.offerings]
    return SnapshotPhase(
        phase=item.phase,
        phase_name=catalogue.phase_name(item.phase),
        description=values["description"],
        description_html=render_markdown(values["description"]),
        responsible=values["responsible"],
        contact=SnapshotContact(
            name=values["contact_name"],
            phone=values["contact_phone"],
            email=values["contact_email"] or None,
            hours=values["contact_hours"],
        ),
        offerings=[
            SnapshotOffering(**{**o, "name": catalogue.offering_name(Offering(**o))})
            for o in offerings
        ],
    )


def plan_versions(
    stored: Stored, data: MunicipalityExport, catalogue: Catalogue
) -> list[NewVersion]:
    """The versions to add. A version the municipality has must be the same in the
    document (422 otherwise: a published version never changes)."""
    existing = {v.number: v for v in stored.versions}
    new: list[NewVersion] = []
    errors: list[FieldError] = []
    for n, item in enumerate(data.published_versions):
        path = f"published_versions.{n}"
        summary = clean_text(item.summary)
        snapshot = snapshot_of(item.pathway, stored.municipality, catalogue)
        row = existing.get(item.number)
        if row is None:
            new.append(NewVersion(path, item.number, summary, snapshot))
            continue
        wanted = {"number": item.number, "summary": summary, "pathway": snapshot_item(snapshot)}
        if jsonable(wanted) != jsonable(version_item(row)):
            errors.append(
                FieldError(
                    path,
                    f"version {item.number} is published here with other content, and a "
                    "published version never changes; leave it out or give it as it is here",
                )
            )
    if errors:
        raise Invalid(errors)
    return new


def add_versions(run: Run, versions: list[NewVersion]) -> None:
    """Add the new versions as imported by the importer, now."""
    label = run.principal.label[:200]
    for version in versions:
        row = PublishedVersion(
            municipality_id=run.municipality.id or 0,
            number=version.number,
            published_at=run.now,
            published_by=label,
            published_by_user_id=run.principal.user_id,
            summary=version.summary,
            source_version=0,
            snapshot=version.snapshot.model_dump(mode="json"),
            imported_by=label,
            imported_at=run.now,
        )
        run.session.add(row)
        run.record(
            VERSION,
            "created",
            f"{run.municipality.number}/{version.number}",
            path=version.path,
            after=_summary(row),
        )
    run.session.flush()


def _summary(row: PublishedVersion) -> dict[str, Any]:
    return jsonable(
        {
            "number": row.number,
            "summary": row.summary,
            "imported_by": row.imported_by,
            "imported_at": row.imported_at,
        }
    )
