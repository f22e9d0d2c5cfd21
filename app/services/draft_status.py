"""Saved is not public: how a municipality's draft stands against its latest published
version, and what the public page would lack if the draft were published now.

- The draft has unpublished changes when what the public would read (the snapshot a
  publication takes) differs from the latest published version, or when nothing has been
  published yet. Changes the public never reads (measurements, checklist answers, notes)
  do not count.
- A phase is empty when it has no description; it lacks a contact when it names no
  responsible service, contact person, phone or e-mail. Both are warnings: publishing is
  still the editor's choice.
- The cost does not grow with the data: one small query when nothing has changed since the
  latest publication, otherwise the snapshot's fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models.municipality import Municipality
from app.models.publishing import (
    DraftStatus,
    PathwayDiff,
    PathwaySnapshot,
    PublishedVersion,
    SnapshotPhase,
)
from app.services import diff, publishing
from app.services.access import Principal, require_read
from app.services.common import get_municipality


@dataclass(frozen=True)
class DraftReview:
    """What the publish page shows: the status, the draft as the public would read it, and
    the changes since the latest published version (None before the first)."""

    status: DraftStatus
    draft: PathwaySnapshot
    changes: PathwayDiff | None


def _latest(session: Session, municipality_id: int) -> PublishedVersion | None:
    return session.exec(
        select(PublishedVersion)
        .where(col(PublishedVersion.municipality_id) == municipality_id)
        .order_by(col(PublishedVersion.number).desc())
        .limit(1)
    ).first()


def _has_contact(phase: SnapshotPhase) -> bool:
    contact = phase.contact
    return any((phase.responsible, contact.name, contact.phone, contact.email or ""))


def _status(
    municipality: Municipality,
    latest: PublishedVersion | None,
    draft: PathwaySnapshot,
    changes: PathwayDiff | None,
) -> DraftStatus:
    if latest is None:
        changed = True
    elif changes is None:
        changed = False
    else:
        changed = (
            bool(changes.changed_phases)
            or bool(changes.municipality_fields)
            or _changed_lists(changes)
        )
    return DraftStatus(
        municipality=municipality.number,
        published_version=latest.number if latest else None,
        published_at=latest.published_at if latest else None,
        has_unpublished_changes=changed,
        changed_phases=list(changes.changed_phases) if changes else [],
        empty_phases=[p.phase for p in draft.phases if not p.description.strip()],
        phases_without_contact=[p.phase for p in draft.phases if not _has_contact(p)],
        has_contact=bool(draft.contacts),
    )


def _changed_lists(changes: PathwayDiff) -> bool:
    s, a = changes.strengths, changes.improvement_areas
    return bool(s.added or s.removed or a.added or a.removed or a.changed)


def review_draft(session: Session, principal: Principal, number: str) -> DraftReview:
    """The draft against the latest published version, for those who may read the draft."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return _review(session, principal, municipality, _latest(session, municipality.id or 0))


def _review(
    session: Session,
    principal: Principal,
    municipality: Municipality,
    latest: PublishedVersion | None,
    *,
    words: bool = True,
) -> DraftReview:
    draft = publishing.build_snapshot(session, principal, municipality)
    changes = None
    if latest is not None:
        before = publishing.read_snapshot(latest.snapshot)
        changes = diff.diff_snapshots(before, draft, latest.number, "draft", words=words)
    return DraftReview(
        status=_status(municipality, latest, draft, changes), draft=draft, changes=changes
    )


def draft_status(session: Session, principal: Principal, number: str) -> DraftStatus:
    """The status alone: one small query when the municipality is unchanged since the
    latest publication."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    return status_of(session, principal, municipality)


def status_of(
    session: Session, principal: Principal, municipality: Municipality, *, details: bool = True
) -> DraftStatus:
    """`draft_status` for a municipality the caller has been allowed to read. Without
    `details`, a municipality never published is answered from one query, without its
    empty phases and contacts (enough for a badge)."""
    latest = _latest(session, municipality.id or 0)
    if latest is None and not details:
        return DraftStatus(
            municipality=municipality.number,
            published_version=None,
            published_at=None,
            has_unpublished_changes=True,
        )
    if latest is not None and latest.source_version == municipality.version:
        published = publishing.read_snapshot(latest.snapshot)
        return _status(municipality, latest, published, None)
    # The status is whether things changed, not how: no word-level segments.
    return _review(session, principal, municipality, latest, words=False).status
