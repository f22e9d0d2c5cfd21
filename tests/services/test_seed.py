"""Seeding: the catalogue and the demo data, idempotent."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.models.identity import User
from app.models.municipality import Municipality
from app.services.seed import seed
from tests import factories


def test_seeding_twice_changes_nothing(session: Session) -> None:
    before = session.exec(select(func.count()).select_from(Municipality)).one()
    report = seed(session)
    assert not report.changed
    assert session.exec(select(func.count()).select_from(Municipality)).one() == before == 357


def test_demo_seed_is_idempotent_and_labelled(session: Session) -> None:
    first = seed(session, demo=True)
    assert first.demo_municipalities == 18
    assert len(first.demo_users) == 4
    second = seed(session, demo=True)
    assert not second.changed
    tromso = factories.municipality(session, "5501")
    assert tromso.is_example
    assert tromso.population == 76974
    demo_users = session.exec(select(User).where(col(User.is_demo).is_(True))).all()
    assert len(demo_users) == 4
