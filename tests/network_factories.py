"""A small learning network for the service tests: run by the Troms advisers, with members
that take part."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.models.network import MemberPut, MemberStatus, NetworkCreate
from app.services import networks
from app.services.access import SYSTEM

STARTS = date(2025, 1, 1)
ENDS = date(2026, 12, 31)


def network(session: Session, members: tuple[str, ...] = ("5501", "5540")) -> int:
    created = networks.create_network(
        session,
        SYSTEM,
        NetworkCreate(
            name="Nettverket", region="troms", starts_on=STARTS, ends_on=ENDS, members=list(members)
        ),
    )
    for number in members:
        networks.put_member(
            session, SYSTEM, created.id, number, MemberPut(status=MemberStatus.taking_part), 1
        )
    return created.id
