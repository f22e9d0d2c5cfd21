"""Users, API clients and tokens; turning credentials into a principal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid
from app.kit.text import clean_text
from app.models.base import Role, Scope, utcnow
from app.models.identity import (
    ApiClient,
    ApiClientMunicipality,
    ApiClientRegion,
    ApiToken,
    User,
    UserMunicipality,
    UserRegion,
)
from app.models.municipality import Municipality, Region
from app.security import hash_password, password_problem, sha256_hex
from app.services import audit
from app.services.access import Principal, PrincipalKind, require_admin
from app.services.common import commit

#: The password hash of someone invited who has not chosen a password: nothing verifies.
INVITED_PASSWORD_HASH = "!invited"  # noqa: S105 - no password at all


_NUMBER = re.compile(r"\d{4}")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def municipality_ids_of(session: Session, numbers: Sequence[str]) -> list[int]:
    """The ids of these municipalities; Invalid names each unknown one. Only numbers of four
    digits are looked up (text with a NUL would fail on PostgreSQL)."""
    lookable = [n for n in numbers if _NUMBER.fullmatch(n)]
    rows = session.exec(
        select(Municipality.number, Municipality.id).where(col(Municipality.number).in_(lookable))
    ).all()
    found = dict(rows)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid(FieldError("municipality", f"unknown municipality {', '.join(missing)}"))
    return [found_id for n in numbers if (found_id := found[n]) is not None]


def region_ids_of(session: Session, slugs: Sequence[str]) -> list[int]:
    lookable = [s for s in slugs if _SLUG.fullmatch(s)]
    rows = session.exec(select(Region.slug, Region.id).where(col(Region.slug).in_(lookable))).all()
    found = dict(rows)
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Invalid(FieldError("region", f"unknown region {', '.join(missing)}"))
    return [found_id for s in slugs if (found_id := found[s]) is not None]


def user_principal(session: Session, user: User) -> Principal:
    assert user.id is not None
    municipality_ids = session.exec(
        select(UserMunicipality.municipality_id).where(col(UserMunicipality.user_id) == user.id)
    ).all()
    region_ids = session.exec(
        select(UserRegion.region_id).where(col(UserRegion.user_id) == user.id)
    ).all()
    return Principal(
        kind=PrincipalKind.user,
        id=user.id,
        label=user.name or user.email,
        role=Role(user.role),
        municipality_ids=frozenset(municipality_ids),
        region_ids=frozenset(region_ids),
        language=user.language,
    )


def add_user(
    session: Session,
    principal: Principal,
    *,
    email: str,
    role: Role,
    password: str | None,
    name: str = "",
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    is_demo: bool = False,
    action: str = "create",
) -> User:
    """The rules every new user follows, whoever makes them (the CLI, an invitation):
    coordinators are assigned municipalities, advisers regions, administrators neither; one
    user per e-mail. Without a password the user is inactive until they set one through an
    invitation. Added to the caller's transaction and audited there; not committed. Who may
    add whom is the caller's check."""
    email = email.strip().lower()
    readable = all(c.isprintable() and not c.isspace() for c in email)
    if "@" not in email or len(email) > 254 or not readable:
        raise Invalid(FieldError("email", "not an e-mail address"))
    if password is not None and (problem := password_problem(password)):
        raise Invalid(FieldError("password", problem))
    if role == Role.coordinator and not municipalities:
        raise Invalid(FieldError("municipality", "a coordinator needs at least one municipality"))
    if role == Role.adviser and not regions:
        raise Invalid(FieldError("region", "an adviser needs at least one region"))
    if session.exec(select(User.id).where(col(User.email) == email)).first() is not None:
        raise Invalid(FieldError("email", f"a user with e-mail {email} already exists"))
    municipality_ids = municipality_ids_of(session, municipalities)
    region_ids = region_ids_of(session, regions)
    user = User(
        email=email,
        name=clean_text(name)[:200],
        # An invited person has no password until they choose one: nothing verifies.
        password_hash=hash_password(password) if password is not None else INVITED_PASSWORD_HASH,
        role=role.value,
        is_active=password is not None,
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for mid in municipality_ids:
        session.add(UserMunicipality(user_id=user.id, municipality_id=mid))
    for rid in region_ids:
        session.add(UserRegion(user_id=user.id, region_id=rid))
    audit.record(
        session,
        principal,
        action=action,
        entity_type="user",
        entity_id=user.id,
        municipality=None,
        before=None,
        after={
            "email": email,
            "role": role.value,
            "municipalities": list(municipalities),
            "regions": list(regions),
        },
    )
    return user


def create_user(
    session: Session,
    principal: Principal,
    *,
    email: str,
    role: Role,
    password: str,
    name: str = "",
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    is_demo: bool = False,
) -> User:
    """An active user with a password, made by an administrator (the CLI, the seed)."""
    require_admin(principal)
    user = add_user(
        session,
        principal,
        email=email,
        role=role,
        password=password,
        name=name,
        municipalities=municipalities,
        regions=regions,
        is_demo=is_demo,
    )
    commit(session)
    return user


def _id_list(session: Session, column: Any, owner: Any, client_id: Any) -> Any:
    """A correlated subquery giving the client's bound ids as one comma-separated string,
    so the whole principal is read in a single query."""
    as_text = cast(column, String)
    aggregate = (
        func.string_agg(as_text, ",")
        if session.get_bind().dialect.name == "postgresql"
        else func.group_concat(as_text, ",")
    )
    return select(aggregate).where(owner == client_id).scalar_subquery()


def _ids(value: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in value.split(",")) if value else frozenset()


@dataclass(frozen=True)
class ResolvedToken:
    principal: Principal
    token_id: int
    #: The token's `last_used_at` is more than a minute old (or unset): worth a write.
    needs_use_recorded: bool


@dataclass(frozen=True)
class StoredToken:
    """A token as stored, with its client's principal: what `resolve_token` judges at the
    time of each request (`app/cache.py` keeps it under the access stamp)."""

    token_id: int
    principal: Principal
    client_active: bool
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def resolved(self, now: datetime) -> ResolvedToken | None:
        """The caller now, or None if the token is revoked, expired or its client disabled."""
        if self.revoked_at is not None or not self.client_active:
            return None
        if self.expires_at is not None and self.expires_at <= now:
            return None
        stale = self.last_used_at is None or self.last_used_at <= now - timedelta(minutes=1)
        return ResolvedToken(
            principal=self.principal, token_id=self.token_id, needs_use_recorded=stale
        )


def principal_for_token(session: Session, token: str) -> Principal | None:
    resolved = resolve_token(session, token)
    return resolved.principal if resolved else None


def token_hash_of(token: str) -> str | None:
    """The stored hash of a bearer token as sent, or None for what no token can be."""
    if not token or len(token) > 200:
        return None
    return sha256_hex(token)


def resolve_token(session: Session, token: str) -> ResolvedToken | None:
    """The API client behind a bearer token, or None if the token is unknown, expired,
    revoked or its client disabled. One indexed query."""
    token_hash = token_hash_of(token)
    stored = load_token(session, token_hash) if token_hash else None
    return stored.resolved(utcnow()) if stored else None


def load_token(session: Session, token_hash: str) -> StoredToken | None:
    """The token stored under `token_hash`, with its client, in one indexed query."""
    # More columns than sqlmodel's typed select() takes, so SQLAlchemy's own.
    row = session.execute(
        sa_select(
            col(ApiToken.id),
            col(ApiToken.expires_at),
            col(ApiToken.revoked_at),
            col(ApiToken.last_used_at),
            col(ApiClient.id),
            col(ApiClient.name),
            col(ApiClient.scope),
            col(ApiClient.is_active),
            _id_list(
                session,
                ApiClientMunicipality.municipality_id,
                col(ApiClientMunicipality.api_client_id),
                col(ApiClient.id),
            ),
            _id_list(
                session,
                ApiClientRegion.region_id,
                col(ApiClientRegion.api_client_id),
                col(ApiClient.id),
            ),
        )
        .join(ApiClient, col(ApiClient.id) == col(ApiToken.api_client_id))
        .where(col(ApiToken.token_hash) == token_hash)
    ).one_or_none()
    if row is None:
        return None
    (token_id, expires_at, revoked_at, last_used_at, client_id, name, scope, is_active) = row[:8]
    municipalities, regions = row[8:]
    principal = Principal(
        kind=PrincipalKind.api_client,
        id=client_id,
        label=f"API: {name}",
        scope=Scope(scope),
        municipality_ids=_ids(municipalities),
        region_ids=_ids(regions),
    )
    return StoredToken(
        token_id=token_id,
        principal=principal,
        client_active=bool(is_active),
        expires_at=expires_at,
        revoked_at=revoked_at,
        last_used_at=last_used_at,
    )
