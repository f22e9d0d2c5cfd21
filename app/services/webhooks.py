"""Webhooks: made by API clients (bound as their tokens are) and administrators (national).
Every event of the change feed that a webhook's owner may read is written to the delivery
outbox in the transaction of the change (`changes.AFTER_WRITE`); `webhook_outbox` sends it.
"""

from __future__ import annotations

import base64
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import FieldError, Forbidden, Invalid, NotFound
from app.kit.addresses import url_problem
from app.models.base import utcnow
from app.models.changes import ChangeEvent
from app.models.identity import ApiClient, ApiClientMunicipality, ApiClientRegion, ApiToken
from app.models.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from app.services import audit, changes
from app.services.access import Principal, require_authenticated
from app.services.common import check_version, commit

MAX_WEBHOOKS = 20
MAX_DELIVERIES_SHOWN = 100


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def require_may_use(principal: Principal) -> None:
    require_authenticated(principal)
    if not (principal.is_api_client or principal.is_admin):
        raise Forbidden("Webhooks belong to API clients: use the client's token.")


def _owned(principal: Principal) -> Any:
    if principal.is_admin:
        return col(Webhook.id).is_not(None)
    return col(Webhook.api_client_id) == principal.id


def _check_url(url: str, settings: Settings) -> str:
    url = url.strip()
    problem = url_problem(
        url, require_https=settings.is_production, allow_private=settings.webhook_allow_private
    )
    if problem:
        raise Invalid(FieldError("url", problem))
    return url


def _check_types(types: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in types if t.strip()))
    bad = [t for t in cleaned if len(t) > 80 or "." not in t]
    if bad:
        raise Invalid(FieldError("event_types", f"not an event type: {bad[0][:80]}"))
    return cleaned


def read(hook: Webhook) -> WebhookRead:
    return WebhookRead(
        id=hook.id or 0,
        url=hook.url,
        event_types=list(hook.event_types or []),
        active=hook.is_active,
        disabled_reason=hook.disabled_reason,
        disabled_at=hook.disabled_at,
        version=hook.version,
        created_at=hook.created_at,
        updated_at=hook.updated_at,
    )


def _audit(session: Session, principal: Principal, action: str, hook: Webhook) -> None:
    audit.record(
        session,
        principal,
        action=action,
        entity_type="webhook",
        entity_id=hook.id,
        municipality=None,
        before=None,
        after={"url": hook.url, "event_types": hook.event_types, "active": hook.is_active},
    )


def create(
    session: Session, principal: Principal, data: WebhookCreate, settings: Settings
) -> WebhookCreated:
    require_may_use(principal)
    url = _check_url(data.url, settings)
    types = _check_types(data.event_types)
    mine = session.exec(select(Webhook.id).where(_owned(principal))).all()
    if len(mine) >= MAX_WEBHOOKS:
        raise Invalid(FieldError("url", f"at most {MAX_WEBHOOKS} webhooks"))
    hook = Webhook(
        url=url,
        event_types=types,
        api_client_id=principal.id if principal.is_api_client else None,
        user_id=principal.user_id,
        secret=new_secret(),
    )
    session.add(hook)
    session.flush()
    _audit(session, principal, "create", hook)
    commit(session)
    return WebhookCreated(**read(hook).model_dump(), secret=hook.secret)


def list_webhooks(session: Session, principal: Principal) -> list[WebhookRead]:
    require_may_use(principal)
    rows = session.exec(select(Webhook).where(_owned(principal)).order_by(col(Webhook.id))).all()
    return [read(r) for r in rows]


def get(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    require_may_use(principal)
    hook = session.exec(
        select(Webhook).where(col(Webhook.id) == webhook_id).where(_owned(principal))
    ).first()
    if hook is None:
        raise NotFound("No webhook with that id.")
    return hook


def update(
    session: Session,
    principal: Principal,
    webhook_id: int,
    data: WebhookUpdate,
    expected_version: int,
    settings: Settings,
) -> WebhookRead:
    hook = get(session, principal, webhook_id)
    check_version(hook.version, expected_version, read(hook).model_dump(mode="json"))
    changes_ = data.model_dump(exclude_unset=True)
    if "url" in changes_:
        hook.url = _check_url(changes_["url"], settings)
    if "event_types" in changes_:
        hook.event_types = _check_types(changes_["event_types"])
    if changes_.get("active") is True and not hook.is_active:
        hook.is_active, hook.disabled_reason, hook.disabled_at = True, "", None
    elif changes_.get("active") is False and hook.is_active:
        hook.is_active, hook.disabled_reason, hook.disabled_at = False, "Turned off", utcnow()
    hook.version += 1
    hook.updated_at = utcnow()
    session.add(hook)
    _audit(session, principal, "update", hook)
    commit(session)
    return read(hook)


def delete(session: Session, principal: Principal, webhook_id: int, expected_version: int) -> None:
    hook = get(session, principal, webhook_id)
    check_version(hook.version, expected_version, read(hook).model_dump(mode="json"))
    _audit(session, principal, "delete", hook)
    session.delete(hook)
    commit(session)


def deliveries(
    session: Session, principal: Principal, webhook_id: int
) -> list[WebhookDeliveryRead]:
    """The latest deliveries, newest first."""
    hook = get(session, principal, webhook_id)
    rows = session.exec(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == hook.id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(MAX_DELIVERIES_SHOWN)
    ).all()
    return [WebhookDeliveryRead.model_validate(r) for r in rows]


# ---- the outbox, written with the change ------------------------------------------------


def _audiences(session: Session) -> list[tuple[Webhook, set[int] | None, set[int]]]:
    """Active webhooks with what their owner may read: (hook, municipality ids or None for
    national, region ids). A client's webhooks count only while it has a valid token."""
    now = utcnow()
    valid_token = exists().where(
        col(ApiToken.api_client_id) == col(Webhook.api_client_id),
        col(ApiToken.revoked_at).is_(None),
        or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
    )
    active_client = exists().where(
        col(ApiClient.id) == col(Webhook.api_client_id), col(ApiClient.is_active)
    )
    hooks = session.exec(
        select(Webhook)
        .where(col(Webhook.is_active))
        .where(or_(col(Webhook.api_client_id).is_(None), valid_token & active_client))
    ).all()
    client_ids = [h.api_client_id for h in hooks if h.api_client_id is not None]
    municipalities: dict[int, set[int]] = defaultdict(set)
    regions: dict[int, set[int]] = defaultdict(set)
    if client_ids:
        for cid, mid in session.exec(
            select(
                ApiClientMunicipality.api_client_id, ApiClientMunicipality.municipality_id
            ).where(col(ApiClientMunicipality.api_client_id).in_(client_ids))
        ).all():
            municipalities[cid].add(mid)
        for cid, rid in session.exec(
            select(ApiClientRegion.api_client_id, ApiClientRegion.region_id).where(
                col(ApiClientRegion.api_client_id).in_(client_ids)
            )
        ).all():
            regions[cid].add(rid)
    return [
        (h, None, set())
        if h.api_client_id is None
        else (h, municipalities[h.api_client_id], regions[h.api_client_id])
        for h in hooks
    ]


def _reaches(
    event: ChangeEvent, hook: Webhook, municipalities: set[int] | None, regions: set[int]
) -> bool:
    if hook.event_types and event.type not in hook.event_types:
        return False
    if municipalities is None:
        return True
    return event.municipality_id in municipalities or event.region_id in regions


def queue_deliveries(session: Session, events: list[ChangeEvent]) -> None:
    """One delivery per event and webhook whose owner may read it (same transaction)."""
    audiences = _audiences(session)
    if not audiences:
        return
    now = utcnow()
    for event in events:
        payload = changes.read(event).model_dump(mode="json")
        for hook, municipalities, regions in audiences:
            if _reaches(event, hook, municipalities, regions):
                session.add(
                    WebhookDelivery(
                        webhook_id=hook.id or 0,
                        event_id=event.id or 0,
                        event_type=event.type,
                        payload=payload,
                        next_attempt_at=now,
                    )
                )
    session.flush()
