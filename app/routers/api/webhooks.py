"""Webhooks: the change feed's events POSTed to an endpoint, signed per Standard Webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.deps import (
    CREATE,
    READ,
    WRITE,
    IfMatchDep,
    PrincipalDep,
    SessionDep,
    responses,
    set_etag,
    settings_of,
)
from app.models.webhooks import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import webhooks, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/webhooks", response_model=list[WebhookRead], responses=READ)
def list_webhooks(session: SessionDep, principal: PrincipalDep) -> list[WebhookRead]:
    """The caller's webhooks (an API client's own; administrators: all)."""
    return webhooks.list_webhooks(session, principal)


@router.post(
    "/webhooks", status_code=201, response_model=WebhookCreated, responses=responses(CREATE)
)
@access(write_access.use_webhooks)
def create_webhook(
    data: WebhookCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> WebhookCreated:
    """A new webhook. It gets the events its owner may read (an API client: what its tokens
    are bound to; an administrator: all). The signing secret is in this answer only."""
    created = webhooks.create(session, principal, data, settings_of(request))
    response.headers["Location"] = str(request.url_for("get_webhook", webhook_id=created.id))
    set_etag(response, created.version)
    return created


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, responses=READ)
def get_webhook(
    webhook_id: WebhookId, response: Response, session: SessionDep, principal: PrincipalDep
) -> WebhookRead:
    """One webhook; a disabled one says why in `disabled_reason`."""
    hook = webhooks.read(webhooks.get(session, principal, webhook_id))
    set_etag(response, hook.version)
    return hook


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead, responses=WRITE)
@access(write_access.edit_webhook)
def update_webhook(
    webhook_id: WebhookId,
    data: WebhookUpdate,
    version: IfMatchDep,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
) -> WebhookRead:
    """Change the URL or the event types; `active: true` turns a disabled webhook on."""
    hook = webhooks.update(session, principal, webhook_id, data, version, settings_of(request))
    set_etag(response, hook.version)
    return hook


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=WRITE)
@access(write_access.edit_webhook)
def delete_webhook(
    webhook_id: WebhookId, version: IfMatchDep, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Delete the webhook and its deliveries."""
    webhooks.delete(session, principal, webhook_id, version)
    return Response(status_code=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=list[WebhookDeliveryRead],
    responses=READ,
)
def list_deliveries(
    webhook_id: WebhookId, session: SessionDep, principal: PrincipalDep
) -> list[WebhookDeliveryRead]:
    """The latest 100 deliveries, newest first: status, attempts, the next attempt and the
    last error."""
    return webhooks.deliveries(session, principal, webhook_id)
