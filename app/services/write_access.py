"""Who may write where, judged from the address alone: the municipality's number or the id
of the object written to. Nothing about the request itself (its If-Match, its content type,
its body) is looked at, so the JSON API can refuse a caller who may not write there before
it judges the request: such a caller always gets 401, 403 or 404 — never 412, 415, 422 or
428, which would tell them about a resource they may not touch (docs/security.md).

Each rule is the access check its write service makes first (the services keep making
it: these rules add nothing they do not already enforce). Each raises `Unauthenticated`,
`Forbidden` or `NotFound` (an object the caller may not see), or returns None.
"""

from __future__ import annotations

from sqlmodel import Session

from app.errors import Forbidden
from app.services import (
    feedback,
    gatherings,
    improvement,
    invitations,
    measurement,
    network_access,
    network_evaluation,
    network_tasks,
    pdsa,
    progress_notes,
    strengths,
    webhooks,
)
from app.services.access import Principal, require_admin, require_authenticated, require_edit
from app.services.common import get_municipality


def administer(session: Session, principal: Principal) -> None:
    require_admin(principal)


def invite_people(session: Session, principal: Principal) -> None:
    """Invitations: people who sign in (whom they may invite is judged from the body)."""
    invitations.require_may_invite(principal)


def use_webhooks(session: Session, principal: Principal) -> None:
    """Webhooks: API clients (their own) and administrators."""
    webhooks.require_may_use(principal)


def edit_webhook(session: Session, principal: Principal, webhook_id: int) -> None:
    webhooks.get(session, principal, webhook_id)


def edit_municipality(session: Session, principal: Principal, number: str) -> None:
    """Content of a municipality: its editors (coordinators, write tokens, administrators)."""
    require_edit(principal, get_municipality(session, number))


def comment_on_municipality(session: Session, principal: Principal, number: str) -> None:
    feedback.require_comment(principal, get_municipality(session, number))


def review_municipality(session: Session, principal: Principal, number: str) -> None:
    feedback.require_review(principal, get_municipality(session, number))


def edit_strength(session: Session, principal: Principal, strength_id: int) -> None:
    require_edit(principal, strengths.strength_municipality(session, principal, strength_id))


def edit_area(session: Session, principal: Principal, area_id: int) -> None:
    require_edit(principal, improvement.area_municipality(session, principal, area_id))


def edit_measure(session: Session, principal: Principal, measure_id: int) -> None:
    require_edit(principal, improvement.measure_municipality(session, principal, measure_id))


def edit_cycle(session: Session, principal: Principal, cycle_id: int) -> None:
    require_edit(principal, pdsa.cycle_municipality(session, principal, cycle_id))


def correct_note(session: Session, principal: Principal, note_id: int) -> None:
    """Its author (or an administrator), within 24 hours."""
    progress_notes.note_to_correct(session, principal, note_id)


def edit_indicator(session: Session, principal: Principal, indicator_id: int) -> None:
    require_edit(principal, measurement.indicator_municipality(session, principal, indicator_id)[1])


def change_comment(session: Session, principal: Principal, comment_id: int) -> None:
    """Resolving or reopening a thread, or changing one's own text: whoever may comment on
    the municipality (the author rule for the text needs the body; the service checks it
    before the version)."""
    feedback.comment_to_change(session, principal, comment_id)


def start_network(session: Session, principal: Principal) -> None:
    """Administrators, advisers and write-scoped API clients bound to a region (the service
    then checks the region named)."""
    require_authenticated(principal)
    if not network_access.may_start_networks(principal):
        raise Forbidden("Only administrators and regional advisers start networks.")


def run_network(session: Session, principal: Principal, network_id: int) -> None:
    network_access.running_view(session, principal, network_id)


def plan_gathering(session: Session, principal: Principal, gathering_id: int) -> None:
    gatherings.gathering_network(session, principal, gathering_id)


def plan_task(session: Session, principal: Principal, task_id: int) -> None:
    network_tasks.task_network(session, principal, task_id)


def answer_task(session: Session, principal: Principal, task_id: int, number: str) -> None:
    """A member's editors answer its own tasks."""
    network_tasks.answer_access(session, principal, task_id, number)


def answer_evaluation(session: Session, principal: Principal, network_id: int, number: str) -> None:
    """A member's editors answer its own evaluation."""
    network_evaluation.evaluation_access(session, principal, network_id, number)
