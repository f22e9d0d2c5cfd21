"""The municipality a person works on in the web app: what they may do there, and which
municipalities they can switch between."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from app.kit.collation import norwegian_key
from app.models.municipality import Municipality, Region
from app.services import feedback
from app.services.access import Principal, require_edit, require_read
from app.services.common import municipality_and_region


@dataclass(frozen=True)
class Workspace:
    municipality: Municipality
    region_name: str
    region_slug: str
    #: Editors change content; advisers of the region see the same pages read-only.
    can_edit: bool
    can_comment: bool

    @property
    def number(self) -> str:
        return self.municipality.number


@dataclass(frozen=True)
class MunicipalityLink:
    number: str
    name: str
    is_example: bool


class Need(StrEnum):
    """What a page is about to do in a workspace, beyond reading it."""

    read = "read"
    edit = "edit"
    comment = "comment"
    review = "review"


def _require(principal: Principal, municipality: Municipality, need: Need) -> None:
    """The guard the writes themselves use, so pages and the API refuse alike."""
    if need is Need.edit:
        require_edit(principal, municipality)
    elif need is Need.comment:
        feedback.require_comment(principal, municipality)
    elif need is Need.review:
        feedback.require_review(principal, municipality)


def workspace_of(
    session: Session, principal: Principal, municipality: Municipality, need: Need = Need.read
) -> Workspace:
    """The workspace of a municipality the caller may read (checked here again); with a
    `need` beyond reading, 403 for a caller who may read but not do that."""
    require_read(principal, municipality)
    _require(principal, municipality, need)
    region = session.get(Region, municipality.region_id)
    assert region is not None
    return _workspace(principal, municipality, region)


#: Finds a municipality and its region by number (404 for none): `municipality_and_region`,
#: or the kept rows of `app.cache`.
Finder = Callable[[str], tuple[Municipality, Region]]


def open_workspace(
    session: Session,
    principal: Principal,
    number: str,
    need: Need = Need.read,
    *,
    find: Finder | None = None,
) -> Workspace:
    """A municipality's pages: readable by its coordinators, the advisers of its region and
    administrators; anyone else gets 403 (and so does a reader asking for more, see `need`).
    The municipality and its region are read in one query, or found by `find`."""
    if find is None:
        municipality, region = municipality_and_region(session, number)
    else:
        municipality, region = find(number)
    require_read(principal, municipality)
    _require(principal, municipality, need)
    return _workspace(principal, municipality, region)


def _workspace(principal: Principal, municipality: Municipality, region: Region) -> Workspace:
    return Workspace(
        municipality=municipality,
        region_name=region.name,
        region_slug=region.slug,
        can_edit=principal.can_edit(municipality),
        can_comment=principal.can_comment(municipality),
    )


def my_municipalities(session: Session, principal: Principal) -> list[MunicipalityLink]:
    """The municipalities a person works with, in Norwegian alphabetical order:
    coordinators their own, advisers those of their regions. Administrators reach every
    municipality by number instead of a list of 357."""
    if not principal.municipality_ids and not principal.region_ids:
        return []

    def load() -> list[MunicipalityLink]:
        rows = session.exec(
            select(Municipality).where(
                col(Municipality.id).in_(principal.municipality_ids)
                | col(Municipality.region_id).in_(principal.region_ids)
            )
        ).all()
        links = [
            MunicipalityLink(number=m.number, name=m.name, is_example=m.is_example)
            for m in rows
            if principal.can_read(m)
        ]
        return sorted(links, key=lambda link: norwegian_key(link.name))

    return load()
