"""Helpers every service uses: finding and locking a municipality, bumping its version,
conditional writes, paging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, bindparam, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldError, Invalid, NotFound, PreconditionFailed
from app.models.base import utcnow
from app.models.municipality import Municipality, Region

T = TypeVar("T")

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    offset: int


#: With its region, which a municipality's pages show (`municipality_and_region`).
_BY_NUMBER = (
    select(Municipality, Region)
    .join(Region, col(Region.id) == col(Municipality.region_id))
    .where(col(Municipality.number) == bindparam("number"))
)


def get_municipality(session: Session, number: str) -> Municipality:
    return municipality_and_region(session, number)[0]


def municipality_and_region(session: Session, number: str) -> tuple[Municipality, Region]:
    """The municipality and its region, in one query; 404 for a number that has none."""
    if not (len(number) == 4 and number.isdigit()):
        raise NotFound(f"No municipality with number {number!r}; numbers have four digits.")
    row = session.exec(_BY_NUMBER, params={"number": number}).one_or_none()
    if row is None:
        raise NotFound(f"No municipality with number {number}.")
    municipality, region = row
    return municipality, region


def lock_municipality(session: Session, municipality_id: int) -> Municipality:
    """Take the municipality's row lock for the rest of the transaction, and reload it.

    Every write to a municipality's content goes through here first, so writers queue per
    municipality and each one checks versions against committed data (PostgreSQL
    `SELECT … FOR UPDATE`; SQLite writers are already serialised by `BEGIN IMMEDIATE`).
    """
    return session.exec(
        select(Municipality)
        .where(col(Municipality.id) == municipality_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def touch(municipality: Municipality, now: datetime | None = None) -> None:
    """Record that something in the municipality changed."""
    municipality.version += 1
    municipality.updated_at = now or utcnow()


@dataclass(frozen=True)
class Stamps:
    """Both stamps (`app.models.stamp`) at one moment: the content's and the callers'."""

    content: int
    access: int


#: Plain SQL both backends read alike: the hottest statement of all (every request that
#: finds its caller or content kept), so it skips SQLAlchemy's statement compilation.
STAMPS_SQL = (
    "SELECT (SELECT coalesce(sum(stamp), 0) FROM content_stamp), "
    "(SELECT coalesce(sum(stamp), 0) FROM access_stamp)"
)


def stamps(session: Session) -> Stamps:
    """Both stamps as the session sees them now, in one small query."""
    return stamps_on(session.connection())


def stamps_on(connection: Connection) -> Stamps:
    """`stamps` on a connection of its own."""
    content, access = connection.exec_driver_sql(STAMPS_SQL).one()
    return stamps_of_row((content, access))


def stamps_of_row(row: tuple[Any, ...]) -> Stamps:
    """The stamps in the row `STAMPS_SQL` returns."""
    content, access = row
    return Stamps(content=int(content), access=int(access))


def check_version(current: int, expected: int, representation: Any = None) -> None:
    if current != expected:
        raise PreconditionFailed(current_version=current, current=representation)


def commit(session: Session) -> None:
    """Commit, turning a constraint violation into a conflict rather than a server error."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "The change conflicts with data saved at the same time. Reload and try again."
        ) from exc


def clamp_paging(limit: int | None, offset: int | None) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(FieldError("limit", f"must be between 1 and {MAX_LIMIT}"))
    if offset < 0:
        raise Invalid(FieldError("offset", "must be 0 or more"))
    return limit, offset


def count(session: Session, statement: Any) -> int:
    total = session.exec(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).one()
    return int(total)
