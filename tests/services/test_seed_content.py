"""The example content: labelled as example data, and seeded once."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.models.pathway import Strength
from app.services.seed import seed
from app.services.seed_content import EXAMPLES
from tests import factories


def test_example_content_is_labelled_and_seeded_once(session: Session) -> None:
    seed(session, demo=True, examples=True)
    number = EXAMPLES[0].number
    municipality = factories.municipality(session, number)
    assert municipality.is_example
    count = session.exec(
        select(func.count())
        .select_from(Strength)
        .where(col(Strength.municipality_id) == municipality.id)
    ).one()
    seed(session, demo=True, examples=True)
    again = session.exec(
        select(func.count())
        .select_from(Strength)
        .where(col(Strength.municipality_id) == municipality.id)
    ).one()
    assert count == again > 0
