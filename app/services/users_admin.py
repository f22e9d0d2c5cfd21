"""The users page: who the acting person may see and change, changing a user's role and
assignments, deactivating a user (every session, unused link and token of an API client
they made ends at once) and reactivating them. The rules of who may give which rights are
in `services.invitations`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, false, func, or_, update
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid
from app.models.base import Role, utcnow
from app.models.identity import (
    ApiClient,
    ApiToken,
    User,
    UserMunicipality,
    UserRegion,
    WebSession,
)
from app.models.mail import AccessLink
from app.models.municipality import Municipality, Region
from app.services import audit
from app.services.access import Principal
from app.services.common import Page, clamp_paging, commit, count
from app.services.identity import municipality_ids_of, region_ids_of
from app.services.invitations import check_may_assign, check_may_manage, may_invite

PAGE_SIZE = 25


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    #: Invited and not yet started (no password chosen).
    invited: bool
    municipalities: list[tuple[str, str]]
    regions: list[tuple[str, str]]


def _visible(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """Which users the person sees: administrators everyone; others the coordinators of
    the municipalities they may invite to (None: everyone)."""
    if principal.is_admin:
        return None
    if principal.is_coordinator:
        municipality_ids: Sequence[int] = sorted(principal.municipality_ids)
    elif principal.is_adviser:
        municipality_ids = [
            m
            for m in session.exec(
                select(Municipality.id).where(
                    col(Municipality.region_id).in_(sorted(principal.region_ids))
                )
            ).all()
            if m is not None
        ]
    else:
        return false()
    members = select(UserMunicipality.user_id).where(
        col(UserMunicipality.municipality_id).in_(municipality_ids)
    )
    return col(User.id).in_(members)


def list_users(
    session: Session,
    principal: Principal,
    *,
    search: str = "",
    limit: int | None = PAGE_SIZE,
    offset: int | None = 0,
) -> Page[UserRow]:
    """Users the person may see, by name, filtered by a search in name and e-mail."""
    if not may_invite(principal):
        raise Forbidden("Only signed-in people may see users.")
    limit, offset = clamp_paging(limit, offset)
    statement = select(User)
    if (visible := _visible(session, principal)) is not None:
        statement = statement.where(visible)
    if text := search.strip().lower()[:100]:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(col(User.name)).like(pattern, escape="\\"),
                col(User.email).like(pattern, escape="\\"),
            )
        )
    total = count(session, statement)
    users = session.exec(
        statement.order_by(func.lower(col(User.name)), col(User.email)).limit(limit).offset(offset)
    ).all()
    return Page(items=_rows(session, users), total=total, limit=limit, offset=offset)


def _rows(session: Session, users: Sequence[User]) -> list[UserRow]:
    ids = [u.id for u in users if u.id is not None]
    municipalities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, number, name in session.exec(
        select(UserMunicipality.user_id, Municipality.number, Municipality.name)
        .join(Municipality, col(Municipality.id) == col(UserMunicipality.municipality_id))
        .where(col(UserMunicipality.user_id).in_(ids))
        .order_by(col(Municipality.name))
    ).all():
        municipalities[user_id].append((number, name))
    regions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, slug, name in session.exec(
        select(UserRegion.user_id, Region.slug, Region.name)
        .join(Region, col(Region.id) == col(UserRegion.region_id))
        .where(col(UserRegion.user_id).in_(ids))
        .order_by(col(Region.name))
    ).all():
        regions[user_id].append((slug, name))
    invited = set(
        session.exec(
            select(AccessLink.user_id)
            .where(col(AccessLink.user_id).in_(ids))
            .where(col(AccessLink.purpose) == "invite")
            .where(col(AccessLink.used_at).is_(None))
        ).all()
    )
    return [
        UserRow(
            id=u.id,
            email=u.email,
            name=u.name,
            role=u.role,
            is_active=u.is_active,
            invited=not u.is_active and u.id in invited,
            municipalities=municipalities[u.id],
            regions=regions[u.id],
        )
        for u in users
        if u.id is not None
    ]


def get_user(session: Session, principal: Principal, user_id: int) -> UserRow:
    user = check_may_manage(session, principal, user_id)
    return _rows(session, [user])[0]


def change_user(
    session: Session,
    principal: Principal,
    user_id: int,
    *,
    role: Role,
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
) -> None:
    """New role and assignments, within the acting person's own rights; audited."""
    user = check_may_manage(session, principal, user_id)
    numbers = sorted({m.strip() for m in municipalities if m.strip()})
    slugs = sorted({r.strip() for r in regions if r.strip()})
    if role == Role.coordinator and not numbers:
        raise Invalid(FieldError("municipality", "a coordinator needs at least one municipality"))
    if role == Role.adviser and not slugs:
        raise Invalid(FieldError("region", "an adviser needs at least one region"))
    if role == Role.admin and (numbers or slugs):
        raise Invalid(FieldError("role", "an administrator has no municipalities or regions"))
    municipality_ids = municipality_ids_of(session, numbers)
    region_ids = region_ids_of(session, slugs)
    check_may_assign(session, principal, role, municipality_ids, region_ids)
    before = get_user(session, principal, user_id)
    after_numbers = [n for n, _ in before.municipalities]
    after_slugs = [s for s, _ in before.regions]
    if (user.role, after_numbers, after_slugs) == (role.value, numbers, slugs):
        session.rollback()
        return
    user.role = role.value
    session.exec(delete(UserMunicipality).where(col(UserMunicipality.user_id) == user_id))
    session.exec(delete(UserRegion).where(col(UserRegion.user_id) == user_id))
    for mid in municipality_ids:
        session.add(UserMunicipality(user_id=user_id, municipality_id=mid))
    for rid in region_ids:
        session.add(UserRegion(user_id=user_id, region_id=rid))
    audit.record(
        session,
        principal,
        action="change_rights",
        entity_type="user",
        entity_id=user_id,
        municipality=None,
        before={"role": before.role, "municipalities": after_numbers, "regions": after_slugs},
        after={"role": role.value, "municipalities": numbers, "regions": slugs},
    )
    commit(session)


def deactivate(session: Session, principal: Principal, user_id: int) -> None:
    """The user can no longer sign in: their sessions end, their unused links stop working
    and the tokens of the API clients they made are revoked, all at once. Nobody
    deactivates themselves."""
    if user_id == principal.user_id:
        raise Forbidden("You cannot deactivate yourself.")
    user = check_may_manage(session, principal, user_id)
    if not user.is_active and not get_user(session, principal, user_id).invited:
        session.rollback()
        return
    now = utcnow()
    user.is_active = False
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))
    session.execute(
        update(AccessLink)
        .where(col(AccessLink.user_id) == user_id)
        .where(col(AccessLink.used_at).is_(None))
        .values(expires_at=now)
    )
    revoked = _revoke_client_tokens(session, user_id, now)
    audit.record(
        session,
        principal,
        action="deactivate",
        entity_type="user",
        entity_id=user_id,
        municipality=None,
        before={"is_active": True},
        after={"is_active": False, "revoked_tokens": revoked},
    )
    commit(session)


def _revoke_client_tokens(session: Session, user_id: int, now: datetime) -> list[int]:
    """Revoke every live token of the API clients the user made; their ids, for the audit."""
    client_ids = select(ApiClient.id).where(col(ApiClient.created_by_user_id) == user_id)
    ids = list(
        session.exec(
            select(ApiToken.id)
            .where(col(ApiToken.api_client_id).in_(client_ids))
            .where(col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.id))
        ).all()
    )
    if ids:
        session.execute(update(ApiToken).where(col(ApiToken.id).in_(ids)).values(revoked_at=now))
    return [i for i in ids if i is not None]


def reactivate(session: Session, principal: Principal, user_id: int) -> None:
    """A deactivated user may sign in again with their password. Sessions, links and
    revoked tokens stay ended: new tokens must be made."""
    user = check_may_manage(session, principal, user_id)
    if user.is_active or get_user(session, principal, user_id).invited:
        session.rollback()
        return
    user.is_active = True
    audit.record(
        session,
        principal,
        action="reactivate",
        entity_type="user",
        entity_id=user_id,
        municipality=None,
        before={"is_active": False},
        after={"is_active": True},
    )
    commit(session)


@dataclass(frozen=True)
class InviteChoices:
    """What the acting person may hand out: roles, regions, and the municipalities (None:
    any municipality)."""

    roles: list[Role]
    regions: list[tuple[str, str]]
    municipalities: list[tuple[str, str]] | None


def invite_choices(session: Session, principal: Principal) -> InviteChoices:
    if not may_invite(principal):
        raise Forbidden("Only signed-in people may invite others.")
    if principal.is_admin:
        regions = session.exec(select(Region.slug, Region.name).order_by(col(Region.name))).all()
        return InviteChoices(roles=list(Role), regions=list(regions), municipalities=None)
    statement = select(Municipality.number, Municipality.name).order_by(col(Municipality.name))
    if principal.is_coordinator:
        statement = statement.where(col(Municipality.id).in_(sorted(principal.municipality_ids)))
    else:
        statement = statement.where(col(Municipality.region_id).in_(sorted(principal.region_ids)))
    return InviteChoices(
        roles=[Role.coordinator], regions=[], municipalities=list(session.exec(statement).all())
    )
