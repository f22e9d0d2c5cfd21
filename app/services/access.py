"""Who is acting, and what they may see and change. Every service checks access here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound, Unauthenticated
from app.models.base import Role, Scope
from app.models.municipality import Municipality


class PrincipalKind(StrEnum):
    anonymous = "anonymous"
    user = "user"
    api_client = "api_client"
    system = "system"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    label: str
    id: int | None = None
    role: Role | None = None
    scope: Scope | None = None
    municipality_ids: frozenset[int] = field(default_factory=frozenset)
    region_ids: frozenset[int] = field(default_factory=frozenset)
    #: Set for browser sessions: the language the person chose.
    language: str = "nb"

    # ---- identity ----------------------------------------------------------------------

    @property
    def is_anonymous(self) -> bool:
        return self.kind == PrincipalKind.anonymous

    @property
    def is_admin(self) -> bool:
        return self.kind == PrincipalKind.system or (
            self.kind == PrincipalKind.user and self.role == Role.admin
        )

    @property
    def is_adviser(self) -> bool:
        return self.kind == PrincipalKind.user and self.role == Role.adviser

    @property
    def is_coordinator(self) -> bool:
        return self.kind == PrincipalKind.user and self.role == Role.coordinator

    @property
    def is_api_client(self) -> bool:
        return self.kind == PrincipalKind.api_client

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == PrincipalKind.user else None

    # ---- rules -------------------------------------------------------------------------

    def _bound_to(self, municipality: Municipality) -> bool:
        return municipality.id in self.municipality_ids or municipality.region_id in self.region_ids

    def can_read(self, municipality: Municipality) -> bool:
        return self.can_read_ids(municipality.id, municipality.region_id)

    def can_read_ids(self, municipality_id: int | None, region_id: int | None) -> bool:
        """Drafts and internal content: admins; coordinators of the municipality; advisers of
        its region; API clients bound to it or its region."""
        if self.is_admin:
            return True
        if self.is_coordinator:
            return municipality_id in self.municipality_ids
        if self.is_adviser:
            return region_id in self.region_ids
        if self.is_api_client:
            return municipality_id in self.municipality_ids or region_id in self.region_ids
        return False

    def can_edit(self, municipality: Municipality) -> bool:
        """Content: admins, assigned coordinators, write-scoped API clients bound to it.
        Advisers never edit a municipality's content."""
        if self.is_admin:
            return True
        if self.is_coordinator:
            return municipality.id in self.municipality_ids
        if self.is_api_client:
            return self.scope == Scope.write and self._bound_to(municipality)
        return False

    def can_comment(self, municipality: Municipality) -> bool:
        """Comments: editors of the municipality and advisers of its region."""
        if self.is_adviser:
            return municipality.region_id in self.region_ids
        return self.can_edit(municipality)

    def can_review(self, municipality: Municipality) -> bool:
        if self.is_admin:
            return True
        return self.is_adviser and municipality.region_id in self.region_ids

    def can_read_region(self, region_id: int) -> bool:
        if self.is_admin:
            return True
        if self.is_adviser:
            return region_id in self.region_ids
        if self.is_api_client:
            return region_id in self.region_ids
        return False

    def sees_small_numbers(self, municipality: Municipality) -> bool:
        """Small counts are shown only to the municipality's own editors."""
        return self.can_edit(municipality)


ANONYMOUS = Principal(kind=PrincipalKind.anonymous, label="anonymous")
SYSTEM = Principal(kind=PrincipalKind.system, label="system")


def require_authenticated(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthenticated("Sign in or send an API token.")


def require_admin(principal: Principal) -> None:
    require_authenticated(principal)
    if not principal.is_admin:
        raise Forbidden("Only an administrator may do this.")


def require_read(principal: Principal, municipality: Municipality) -> None:
    require_read_ids(principal, municipality.id, municipality.region_id, municipality.name)


def require_read_ids(
    principal: Principal, municipality_id: int | None, region_id: int | None, name: str
) -> None:
    """`require_read` for a municipality known by its ids (and named in the refusal)."""
    require_authenticated(principal)
    if not principal.can_read_ids(municipality_id, region_id):
        raise Forbidden(f"You do not have access to {name}.")


def require_edit(principal: Principal, municipality: Municipality) -> None:
    require_authenticated(principal)
    if not principal.can_read(municipality):
        raise Forbidden(f"You do not have access to {municipality.name}.")
    if not principal.can_edit(municipality):
        raise Forbidden(f"You may read but not change {municipality.name}.")


def require_visible(principal: Principal, municipality: Municipality | None, what: str) -> None:
    """For resources addressed by id: one the caller may not see does not exist for them."""
    require_authenticated(principal)
    if municipality is None or not principal.can_read(municipality):
        raise NotFound(f"No {what} with that id.")


def visible_municipality_ids(session: Session, principal: Principal) -> list[int]:
    """The municipalities whose internal content a non-administrator may read (callers
    handle administrators, who read everything, without the list)."""
    rows = session.exec(
        select(Municipality.id, Municipality.region_id).where(
            col(Municipality.id).in_(principal.municipality_ids)
            | col(Municipality.region_id).in_(principal.region_ids)
        )
    ).all()
    return [
        mid for mid, region_id in rows if mid is not None and principal.can_read_ids(mid, region_id)
    ]
