"""Invitations by e-mail: the same service as the users page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.deps import CREATE, PrincipalDep, SessionDep
from app.models.mail import InvitationCreate, InvitationRead
from app.routers.api.access_first import AccessFirstRoute, access
from app.services import invitations, write_access

router = APIRouter(route_class=AccessFirstRoute, tags=["users"])


@router.post("/invitations", response_model=InvitationRead, status_code=201, responses=CREATE)
@access(write_access.invite_people)
def create_invitation(
    data: InvitationCreate, session: SessionDep, principal: PrincipalDep, request: Request
) -> InvitationRead:
    """Invite a person by e-mail: an inactive user, and an e-mail with a single-use link
    (valid 72 hours) to choose a password. Administrators invite anyone; an adviser
    coordinators for municipalities of their regions; a coordinator colleagues to their own
    municipalities (403 for anything wider). API clients cannot invite."""
    created = invitations.invite_from_api(
        session, principal, data, base_url=request.app.state.settings.public_url
    )
    sender = getattr(request.app.state, "mail_sender", None)
    if sender is not None:
        sender.wake()
    return created
