"""Published versions and what the public sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models.municipality import Municipality
from app.models.publishing import PublishedVersion, PublishedVersionRead
from app.services.common import get_municipality


@dataclass(frozen=True)
class PublishedStamp:
    number: str
    version: int
    published_at: datetime


def latest_stamp(session: Session, number: str) -> PublishedStamp:
    """The number and time of the latest published version, in one small query: enough to
    answer a conditional request."""
    row = session.exec(
        select(PublishedVersion.number, PublishedVersion.published_at)
        .join(Municipality, col(Municipality.id) == col(PublishedVersion.municipality_id))
        .where(col(Municipality.number) == number)
        .order_by(col(PublishedVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        get_municipality(session, number)  # 404 for an unknown number, same as unpublished
        raise NotFound(f"Municipality {number} has not published its pathway yet.")
    return PublishedStamp(number=number, version=row[0], published_at=row[1])


def cache_headers(stamp: PublishedStamp) -> dict[str, str]:
    return {
        "ETag": f'"p{stamp.number}-{stamp.version}"',
        "Last-Modified": format_datetime(stamp.published_at, usegmt=True),
        "Cache-Control": "public, max-age=60, stale-while-revalidate=600",
    }


def get_public(session: Session, number: str) -> PublishedVersionRead:
    row = session.exec(
        select(PublishedVersion)
        .join(Municipality, col(Municipality.id) == col(PublishedVersion.municipality_id))
        .where(col(Municipality.number) == number)
        .order_by(col(PublishedVersion.number).desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"Municipality {number} has not published its pathway yet.")
    return PublishedVersionRead(
        number=row.number,
        published_at=row.published_at,
        published_by=row.published_by,
        summary=row.summary,
        pathway=row.snapshot,
    )
