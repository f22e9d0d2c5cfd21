"""The end-of-network evaluation: each member answers once (and may change its answer);
everyone in the network reads the answers only together, never by member."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.kit.text import clean_text
from app.models.base import utcnow
from app.models.municipality import Municipality
from app.models.network import (
    EvaluationPut,
    EvaluationRead,
    EvaluationSummary,
    MemberStatus,
    NetworkEvaluation,
)
from app.services.access import Principal
from app.services.common import check_version, commit, get_municipality, lock_municipality
from app.services.network_access import NetworkView, readable_view, runs
from app.services.networks import _audit

#: Fewer answers than this are not summed up: one member's answer could be read from it.
MIN_ANSWERS = 3


def _member(
    session: Session, principal: Principal, network_id: int, number: str
) -> tuple[NetworkView, Municipality]:
    view = readable_view(session, principal, network_id)
    municipality = get_municipality(session, number)
    if view.member(municipality.id or 0) is None:
        raise NotFound(f"{municipality.name} is not a member of this network.")
    return view, municipality


def _read(network_id: int, number: str, row: NetworkEvaluation | None) -> EvaluationRead:
    return EvaluationRead(
        network_id=network_id,
        municipality=number,
        relevance=row.relevance if row else None,
        best=row.best if row else "",
        next_steps=row.next_steps if row else "",
        version=row.version if row else 0,
    )


def _row(session: Session, network_id: int, municipality_id: int) -> NetworkEvaluation | None:
    return session.exec(
        select(NetworkEvaluation).where(
            col(NetworkEvaluation.network_id) == network_id,
            col(NetworkEvaluation.municipality_id) == municipality_id,
        )
    ).one_or_none()


def get_evaluation(
    session: Session, principal: Principal, network_id: int, number: str
) -> EvaluationRead:
    """A member's own answer: for its editors and readers, and those who run the network."""
    view, municipality = _member(session, principal, network_id, number)
    if not (
        runs(principal, view.network, view.facilitator_ids) or principal.can_read(municipality)
    ):
        raise Forbidden("Members read each other's evaluations only together.")
    return _read(network_id, number, _row(session, network_id, municipality.id or 0))


def evaluation_access(session: Session, principal: Principal, network_id: int, number: str) -> None:
    _, municipality = _member(session, principal, network_id, number)
    if not principal.can_edit(municipality):
        raise Forbidden(f"Only {municipality.name} answers its own evaluation.")


def put_evaluation(
    session: Session,
    principal: Principal,
    network_id: int,
    number: str,
    data: EvaluationPut,
    expected: int,
) -> EvaluationRead:
    """The member's answer (its editors). Not answered yet: `If-Match: "0"`."""
    evaluation_access(session, principal, network_id, number)
    municipality = lock_municipality(session, get_municipality(session, number).id or 0)
    row = _row(session, network_id, municipality.id or 0)
    before = _read(network_id, number, row)
    check_version(before.version, expected, before.model_dump(mode="json"))
    values: dict[str, Any] = {
        "relevance": data.relevance,
        "best": clean_text(data.best),
        "next_steps": clean_text(data.next_steps),
    }
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        session.rollback()
        return before
    if row is None:
        row = NetworkEvaluation(
            network_id=network_id, municipality_id=municipality.id or 0, version=0, **values
        )
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    after = _read(network_id, number, row)
    _audit(session, principal, "update" if before.version else "create", "network_evaluation",
           f"{network_id}/{number}", before if before.version else None, after)  # fmt: skip
    commit(session)
    return after


def summary(session: Session, principal: Principal, network_id: int) -> EvaluationSummary:
    view = readable_view(session, principal, network_id)
    rows = session.exec(
        select(NetworkEvaluation).where(col(NetworkEvaluation.network_id) == network_id)
    ).all()
    members = sum(m.status != MemberStatus.withdrew.value for m, _ in view.members)
    enough = len(rows) >= MIN_ANSWERS
    return EvaluationSummary(
        network_id=network_id,
        members=members,
        answered=len(rows),
        mean_relevance=round(sum(r.relevance for r in rows) / len(rows), 2) if enough else None,
        relevance_counts=[sum(r.relevance == n for r in rows) for n in range(1, 6)]
        if enough
        else None,
        best=sorted(r.best for r in rows if r.best) if enough else [],
        next_steps=sorted(r.next_steps for r in rows if r.next_steps) if enough else [],
    )
