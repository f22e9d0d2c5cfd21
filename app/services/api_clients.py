"""API clients and their tokens: made, listed and revoked by the people responsible for the
municipalities a token is bound to (in the browser), or by operators (the CLI, as SYSTEM).

Who may manage a token follows from what it is bound to, never wider than the person's own
rights: administrators any; an adviser one bound to their regions or municipalities of them
(read scope only, as advisers do not change a municipality's content); a coordinator one
bound only to their own municipalities, read or write. A token someone may not manage does
not exist for them (404)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.models.base import Scope, utcnow
from app.models.identity import (
    ApiClient,
    ApiClientMunicipality,
    ApiClientRegion,
    ApiToken,
    ApiTokenRead,
)
from app.models.municipality import Municipality, Region
from app.security import new_api_token, sha256_hex
from app.services import audit
from app.services.access import Principal, require_authenticated
from app.services.common import commit

#: `last_used_at` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    client_id: int
    token_id: int
    expires_at: datetime | None


@dataclass(frozen=True)
class Binding:
    """What a token is (or would be) bound to: municipalities with their regions, regions."""

    municipalities: dict[int, int]  # municipality id → its region id
    regions: frozenset[int]


@dataclass(frozen=True)
class BindingChoices:
    """What the person may bind a token to, for the form: (number, name) and (slug, name)."""

    municipalities: list[tuple[str, str]]
    regions: list[tuple[str, str]]
    may_write: bool


def may_manage_tokens(principal: Principal) -> bool:
    """People with a role manage tokens of what they are responsible for."""
    return principal.is_admin or principal.is_adviser or principal.is_coordinator


def _within_rights(principal: Principal, binding: Binding) -> bool:
    if principal.is_admin:
        return True
    if principal.is_coordinator:
        return not binding.regions and set(binding.municipalities) <= principal.municipality_ids
    if principal.is_adviser:
        return binding.regions <= principal.region_ids and all(
            region in principal.region_ids for region in binding.municipalities.values()
        )
    return False


def _require_may_manage(principal: Principal) -> None:
    require_authenticated(principal)
    if not may_manage_tokens(principal):
        raise Forbidden("Only administrators, advisers and coordinators manage API tokens.")


def _require_binding(principal: Principal, binding: Binding, scope: Scope) -> None:
    if not _within_rights(principal, binding):
        raise Forbidden(
            "You may bind a token only to the municipalities or regions you are responsible for."
        )
    if scope == Scope.write and principal.is_adviser:
        raise Forbidden("An adviser does not change municipalities' content: read tokens only.")


def binding_choices(session: Session, principal: Principal) -> BindingChoices:
    """The municipalities and regions this person may bind a token to."""
    _require_may_manage(principal)
    municipalities = select(Municipality.number, Municipality.name).order_by(
        col(Municipality.number)
    )
    regions = select(Region.slug, Region.name).order_by(col(Region.name))
    if principal.is_coordinator:
        municipalities = municipalities.where(col(Municipality.id).in_(principal.municipality_ids))
        regions = regions.where(col(Region.id).in_(()))
    elif principal.is_adviser:
        municipalities = municipalities.where(col(Municipality.region_id).in_(principal.region_ids))
        regions = regions.where(col(Region.id).in_(principal.region_ids))
    return BindingChoices(
        municipalities=[(n, m) for n, m in session.exec(municipalities).all()],
        regions=[(s, r) for s, r in session.exec(regions).all()],
        may_write=not principal.is_adviser,
    )


def _resolve_binding(
    session: Session, municipalities: Sequence[str], regions: Sequence[str]
) -> Binding:
    numbers = list(dict.fromkeys(n.strip() for n in municipalities if n.strip()))
    slugs = list(dict.fromkeys(s.strip() for s in regions if s.strip()))
    if not numbers and not slugs:
        raise Invalid(FieldError("municipality", "bind the token to municipalities or a region"))
    found = {
        number: (mid, rid)
        for number, mid, rid in session.exec(
            select(Municipality.number, Municipality.id, Municipality.region_id).where(
                col(Municipality.number).in_(numbers)
            )
        ).all()
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid(FieldError("municipality", f"unknown municipality {', '.join(missing)}"))
    region_rows = dict(
        session.exec(select(Region.slug, Region.id).where(col(Region.slug).in_(slugs))).all()
    )
    unknown = [s for s in slugs if s not in region_rows]
    if unknown:
        raise Invalid(FieldError("region", f"unknown region {', '.join(unknown)}"))
    return Binding(
        municipalities={mid: rid for mid, rid in found.values() if mid is not None},
        regions=frozenset(rid for rid in region_rows.values() if rid is not None),
    )


def create_token(
    session: Session,
    principal: Principal,
    *,
    name: str,
    scope: Scope,
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A new API client with one token, bound to at least one municipality or region within
    the maker's rights. The token is returned once and stored only hashed."""
    _require_may_manage(principal)
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid(FieldError("name", "give the client a name (at most 200 characters)"))
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(FieldError("expires_at", "must be in the future"))
    binding = _resolve_binding(session, municipalities, regions)
    _require_binding(principal, binding, scope)
    client = ApiClient(name=name, scope=scope.value, created_by_user_id=principal.user_id)
    session.add(client)
    session.flush()
    assert client.id is not None
    for mid in binding.municipalities:
        session.add(ApiClientMunicipality(api_client_id=client.id, municipality_id=mid))
    for rid in binding.regions:
        session.add(ApiClientRegion(api_client_id=client.id, region_id=rid))
    token = new_api_token()
    row = ApiToken(
        api_client_id=client.id,
        token_hash=sha256_hex(token),
        prefix=token[:12],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(
        session,
        principal,
        action="create",
        entity_type="api_token",
        entity_id=row.id,
        municipality=None,
        before=None,
        after={
            "client": name,
            "scope": scope.value,
            "prefix": row.prefix,
            "municipalities": list(municipalities),
            "regions": list(regions),
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    commit(session)
    return IssuedToken(token=token, client_id=client.id, token_id=row.id, expires_at=expires_at)


def _bindings(
    session: Session, client_ids: Iterable[int]
) -> tuple[dict[int, Binding], dict[int, list[str]], dict[int, list[str]]]:
    """Per client: its binding, and the labels of its municipalities and regions (two
    queries, however many clients)."""
    ids = list(client_ids)
    municipalities: dict[int, dict[int, int]] = defaultdict(dict)
    regions: dict[int, set[int]] = defaultdict(set)
    municipality_labels: dict[int, list[str]] = defaultdict(list)
    region_labels: dict[int, list[str]] = defaultdict(list)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    for client_id, mid, rid, number, name in session.execute(
        sa_select(
            col(ApiClientMunicipality.api_client_id),
            col(Municipality.id),
            col(Municipality.region_id),
            col(Municipality.number),
            col(Municipality.name),
        )
        .join(Municipality, col(Municipality.id) == col(ApiClientMunicipality.municipality_id))
        .where(col(ApiClientMunicipality.api_client_id).in_(ids))
        .order_by(col(Municipality.number))
    ).all():
        if mid is not None:
            municipalities[client_id][mid] = rid
        municipality_labels[client_id].append(f"{number} {name}")
    for client_id, rid, region_name in session.exec(
        select(ApiClientRegion.api_client_id, Region.id, Region.name)
        .join(Region, col(Region.id) == col(ApiClientRegion.region_id))
        .where(col(ApiClientRegion.api_client_id).in_(ids))
        .order_by(col(Region.name))
    ).all():
        if rid is not None:
            regions[client_id].add(rid)
        region_labels[client_id].append(region_name)
    binding = {
        cid: Binding(municipalities=dict(municipalities[cid]), regions=frozenset(regions[cid]))
        for cid in ids
    }
    return binding, municipality_labels, region_labels


def list_tokens(session: Session, principal: Principal) -> list[ApiTokenRead]:
    """The tokens this person may manage, newest first, with what they are bound to and when
    they were last used. Three queries; the filter by rights is done here, as it depends on
    every binding of a client (there are a few per municipality at most)."""
    _require_may_manage(principal)
    rows = session.exec(
        select(ApiToken, ApiClient)
        .join(ApiClient, col(ApiClient.id) == col(ApiToken.api_client_id))
        .order_by(col(ApiToken.id).desc())
    ).all()
    bindings, municipality_labels, region_labels = _bindings(
        session, {client.id for _, client in rows if client.id is not None}
    )
    result = []
    for token, client in rows:
        assert client.id is not None
        assert token.id is not None
        if not _within_rights(principal, bindings[client.id]):
            continue
        result.append(
            ApiTokenRead(
                id=token.id,
                client=client.name,
                scope=client.scope,
                prefix=token.prefix,
                created_at=token.created_at,
                expires_at=token.expires_at,
                revoked_at=token.revoked_at,
                last_used_at=token.last_used_at,
                municipalities=municipality_labels[client.id],
                regions=region_labels[client.id],
            )
        )
    return result


def revoke_token(session: Session, principal: Principal, token_id: int) -> None:
    """Revoked at once: the next request with the token is refused (it is looked up on every
    request). Revoking a revoked token changes nothing."""
    _require_may_manage(principal)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"No API token with id {token_id}.")
    bindings, _, _ = _bindings(session, [row.api_client_id])
    if not _within_rights(principal, bindings[row.api_client_id]):
        raise NotFound(f"No API token with id {token_id}.")
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.add(row)
    audit.record(
        session,
        principal,
        action="revoke",
        entity_type="api_token",
        entity_id=token_id,
        municipality=None,
        before={"revoked_at": None},
        after={"revoked_at": row.revoked_at.isoformat()},
    )
    commit(session)


def record_use(
    session: Session, token_id: int, *, now: datetime | None = None, save: bool = True
) -> None:
    """Notes that a token was used: at most one write a minute per token. The condition is
    in the UPDATE, so several app processes do not write it more often either. Committed
    here unless the caller's transaction carries it (`save=False`)."""
    now = now or utcnow()
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.id) == token_id)
        .where(
            or_(
                col(ApiToken.last_used_at).is_(None),
                col(ApiToken.last_used_at) <= now - LAST_USED_RESOLUTION,
            )
        )
        .values(last_used_at=now)
    )
    if save:
        session.commit()
