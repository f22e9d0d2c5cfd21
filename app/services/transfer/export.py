"""The export: everything the format holds about one municipality."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.models.transfer import FORMAT, FORMAT_VERSION
from app.services.access import Principal, require_read
from app.services.common import get_municipality
from app.services.transfer.state import (
    SmallNumbers,
    answer_item,
    area_item,
    jsonable,
    load,
    municipality_item,
    section_item,
    strength_item,
    version_item,
)


@dataclass(frozen=True)
class Exported:
    #: The document, ready for JSON.
    document: dict[str, Any]
    #: The pathway's version when it was read: the ETag `If-Match` takes on import.
    version: int


def export_municipality(session: Session, principal: Principal, number: str) -> Exported:
    """Everything the format holds about one municipality, for anyone who may read it, in a
    fixed number of queries. A reader who may not see small numbers (an adviser, a read
    token) gets "<5" without the numbers, as in the observation list. The document is built
    from what is stored, never validated against the input limits, so it is always served."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    stored = load(session, municipality)
    small = SmallNumbers(
        shown=principal.sees_small_numbers(municipality),
        threshold=get_settings().small_number_threshold,
    )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "municipality": municipality_item(municipality),
        "sections": [section_item(s) for s in stored.sections],
        "checklist_answers": [answer_item(a, i) for a, i in stored.answers],
        "strengths": [strength_item(s) for s in stored.strengths],
        "improvement_areas": [area_item(a, small) for a in stored.areas],
        "published_versions": [version_item(v) for v in stored.versions],
    }
    return Exported(document=jsonable(document), version=municipality.version)
