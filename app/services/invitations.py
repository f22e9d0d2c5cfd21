"""Inviting people by e-mail, and who may give whom which rights.

Administrators may invite anyone with any role. An adviser invites coordinators for
municipalities of their own regions; a coordinator invites colleagues (coordinators) to
their own municipalities. Nobody but an administrator hands out rights wider than their
own: anything else is refused (403). The invited person is an inactive user until they
choose a password through the single-use link (valid 72 hours) in the e-mail; who invited
whom is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.models.base import Role
from app.models.identity import User, UserMunicipality, UserRegion
from app.models.mail import AccessLink, InvitationCreate, InvitationRead, LinkPurpose
from app.models.municipality import Municipality, Region
from app.services import access_links, audit, outbox
from app.services.access import Principal, require_authenticated
from app.services.common import commit
from app.services.identity import add_user, municipality_ids_of, region_ids_of

ROLE_NAMES = {
    "nb": {"coordinator": "demenskoordinator", "adviser": "rådgiver", "admin": "administrator"},
    "nn": {"coordinator": "demenskoordinator", "adviser": "rådgivar", "admin": "administrator"},
    "en": {"coordinator": "dementia coordinator", "adviser": "adviser", "admin": "administrator"},
}


def role_named(text: str) -> Role:
    """The role a form or file names by its value; 422 on the role field otherwise."""
    for role in Role:
        if role.value == text:
            return role
    raise Invalid(FieldError("role", "choose one of the roles"))


def may_invite(principal: Principal) -> bool:
    """Whether the person may invite anyone at all (and so sees the users page)."""
    return principal.is_admin or principal.is_adviser or principal.is_coordinator


def require_may_invite(principal: Principal) -> None:
    require_authenticated(principal)
    if not may_invite(principal):
        raise Forbidden("Only people who sign in may invite others.")


def check_may_assign(
    session: Session,
    principal: Principal,
    role: Role,
    municipality_ids: Sequence[int],
    region_ids: Sequence[int],
) -> None:
    """Refuses (403) rights wider than the acting person's own (see the module docstring)."""
    require_authenticated(principal)
    if principal.is_admin:
        return
    if not (principal.is_adviser or principal.is_coordinator):
        raise Forbidden("Only people who sign in may invite others.")
    if role != Role.coordinator or region_ids:
        raise Forbidden("Only administrators may give the adviser or administrator role.")
    if principal.is_coordinator:
        if not set(municipality_ids) <= principal.municipality_ids:
            raise Forbidden("You may invite colleagues to your own municipalities only.")
        return
    regions = set(
        session.exec(
            select(Municipality.region_id).where(col(Municipality.id).in_(municipality_ids))
        ).all()
    )
    if not regions <= principal.region_ids:
        raise Forbidden("You may invite coordinators for municipalities of your regions only.")


def check_may_manage(session: Session, principal: Principal, user_id: int) -> User:
    """The user, if the acting person may change them: administrators anyone; an adviser
    or coordinator a coordinator all of whose municipalities they may give (never
    themselves)."""
    require_authenticated(principal)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    if principal.is_admin:
        return user
    if user_id == principal.user_id or user.role != Role.coordinator:
        raise Forbidden("You may not change this user.")
    municipality_ids = session.exec(
        select(UserMunicipality.municipality_id).where(col(UserMunicipality.user_id) == user_id)
    ).all()
    check_may_assign(session, principal, Role.coordinator, municipality_ids, [])
    return user


def _scope_text(session: Session, municipalities: Sequence[str], regions: Sequence[str]) -> str:
    names = list(
        session.exec(
            select(Municipality.name)
            .where(col(Municipality.number).in_(municipalities))
            .order_by(col(Municipality.name))
        ).all()
    )
    names += list(
        session.exec(
            select(Region.name).where(col(Region.slug).in_(regions)).order_by(col(Region.name))
        ).all()
    )
    return ", ".join(names) or "Demensforløp"


def invite(
    session: Session,
    principal: Principal,
    *,
    email: str,
    role: Role,
    base_url: str,
    language: str = "nb",
    name: str = "",
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
) -> User:
    """A new inactive user and an e-mail with their invitation link, in one transaction."""
    municipality_numbers = sorted({m.strip() for m in municipalities if m.strip()})
    region_slugs = sorted({r.strip() for r in regions if r.strip()})
    if role == Role.admin and (municipality_numbers or region_slugs):
        raise Invalid(FieldError("role", "an administrator has no municipalities or regions"))
    check_may_assign(
        session,
        principal,
        role,
        municipality_ids_of(session, municipality_numbers),
        region_ids_of(session, region_slugs),
    )
    user = add_user(
        session,
        principal,
        email=email,
        role=role,
        password=None,
        name=name,
        municipalities=municipality_numbers,
        regions=region_slugs,
        action="invite",
    )
    _send_invitation(session, principal, user, base_url, language)
    commit(session)
    return user


def invite_from_api(
    session: Session, principal: Principal, data: InvitationCreate, *, base_url: str
) -> InvitationRead:
    """`invite` for the JSON API: what was made, and when its link stops working."""
    user = invite(
        session,
        principal,
        email=data.email,
        role=data.role,
        base_url=base_url,
        language=data.language,
        name=data.name,
        municipalities=data.municipalities,
        regions=data.regions,
    )
    assert user.id is not None
    link = session.exec(
        select(AccessLink)
        .where(col(AccessLink.user_id) == user.id)
        .where(col(AccessLink.purpose) == LinkPurpose.invite.value)
        .order_by(col(AccessLink.id).desc())
    ).first()
    assert link is not None
    return InvitationRead(
        user_id=user.id,
        email=user.email,
        role=user.role,
        municipalities=sorted({m.strip() for m in data.municipalities if m.strip()}),
        regions=sorted({r.strip() for r in data.regions if r.strip()}),
        expires_at=link.expires_at,
    )


def _send_invitation(
    session: Session, principal: Principal, user: User, base_url: str, language: str
) -> None:
    token = access_links.issue(session, user, LinkPurpose.invite, created_by=principal.user_id)
    municipalities = session.exec(
        select(Municipality.number)
        .join(UserMunicipality, col(UserMunicipality.municipality_id) == col(Municipality.id))
        .where(col(UserMunicipality.user_id) == user.id)
    ).all()
    regions = session.exec(
        select(Region.slug)
        .join(UserRegion, col(UserRegion.region_id) == col(Region.id))
        .where(col(UserRegion.user_id) == user.id)
    ).all()
    language = language if language in ROLE_NAMES else "nb"
    outbox.queue(
        session,
        to=user.email,
        template="invitation",
        language=language,
        context={
            "inviter": principal.label,
            "role": ROLE_NAMES[language].get(user.role, user.role),
            "scope": _scope_text(session, municipalities, regions),
            "email": user.email,
            "link": access_links.link_url(base_url, LinkPurpose.invite, token),
        },
    )


def resend(
    session: Session, principal: Principal, user_id: int, *, base_url: str, language: str = "nb"
) -> None:
    """A new invitation link for someone invited who has not yet chosen a password (the
    earlier link stops working)."""
    user = check_may_manage(session, principal, user_id)
    used = {
        link.used_at is not None
        for link in session.exec(
            select(AccessLink)
            .where(col(AccessLink.user_id) == user_id)
            .where(col(AccessLink.purpose) == LinkPurpose.invite.value)
        ).all()
    }
    if user.is_active or used != {False}:
        raise Invalid(FieldError("user", "only someone invited who has not started can be"))
    _send_invitation(session, principal, user, base_url, language)
    audit.record(
        session,
        principal,
        action="reinvite",
        entity_type="user",
        entity_id=user_id,
        municipality=None,
        before=None,
        after={"email": user.email},
    )
    commit(session)
