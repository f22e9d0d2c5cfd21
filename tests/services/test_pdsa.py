"""PDSA cycles on a measure: the use cases, and the migration that adds them."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from app.db import make_engine
from app.errors import Invalid, PreconditionFailed
from app.migrate import alembic_config, upgrade
from app.models.audit import AuditEvent
from app.models.base import IndicatorKind
from app.models.improvement import MeasureCreate
from app.models.measurement import IndicatorCreate
from app.models.pdsa import Act, PdsaCycleCreate, PdsaCycleUpdate
from app.services import improvement, measurement, pdsa
from app.services.access import SYSTEM
from app.services.seed import seed
from tests import factories
from tests.conftest import fresh_database_url


def test_a_cycle_is_planned_done_studied_and_acted_on(session: Session) -> None:
    measure = factories.measure(session, factories.area(session, "5501"))
    created = pdsa.create_cycle(
        session,
        SYSTEM,
        measure,
        PdsaCycleCreate(
            title="  Samtalegruppe for pårørende ",
            prediction="Flere pårørende kommer",
            starts_on=date(2026, 3, 1),
        ),
    )
    assert created.title == "Samtalegruppe for pårørende"
    assert created.act is None
    done = pdsa.update_cycle(
        session,
        SYSTEM,
        created.id,
        PdsaCycleUpdate(studied="Fire av seks kom", act=Act.adapt, ends_on=date(2026, 4, 1)),
        created.version,
    )
    assert (done.act, done.version) == (Act.adapt, created.version + 1)
    # The same values again change nothing.
    again = pdsa.update_cycle(
        session, SYSTEM, created.id, PdsaCycleUpdate(act=Act.adapt), done.version
    )
    assert again.version == done.version
    with pytest.raises(PreconditionFailed):
        pdsa.update_cycle(session, SYSTEM, created.id, PdsaCycleUpdate(act=Act.adopt), 1)
    with pytest.raises(Invalid):
        pdsa.update_cycle(
            session, SYSTEM, created.id, PdsaCycleUpdate(ends_on=date(2026, 2, 1)), done.version
        )
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "pdsa_cycle")
    ).all()
    assert list(actions) == ["create", "update"]
    assert [c.id for c in pdsa.list_cycles(session, SYSTEM, measure).items] == [created.id]
    pdsa.delete_cycle(session, SYSTEM, created.id, done.version)
    assert pdsa.list_cycles(session, SYSTEM, measure).total == 0


def test_cycles_go_with_their_measure(session: Session) -> None:
    area = factories.area(session, "5501")
    measure = factories.measure(session, area)
    pdsa.create_cycle(session, SYSTEM, measure, PdsaCycleCreate(title="Prøve ut"))
    improvement.delete_measure(session, SYSTEM, measure, 1)
    assert session.exec(text("SELECT count(*) FROM pdsa_cycle")).one()[0] == 0  # type: ignore[call-overload]


def test_the_upgrade_to_pdsa_cycles_and_control_charts_keeps_measures_and_indicators() -> None:
    """From the previous head: the measures and indicators saved before stay as they were;
    the cycles come in an empty table, and every indicator keeps the chart chosen from its
    data (no control chart asked for)."""
    url = fresh_database_url("pdsa_cycles")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed(session)
            area = factories.area(session, "5501")
            improvement.create_measure(session, SYSTEM, area, MeasureCreate(title="Fast kontakt"))
            measurement.create_indicator(
                session, SYSTEM, area, IndicatorCreate(name="Ventetid", kind=IndicatorKind.value)
            )
        command.downgrade(alembic_config(url), "two_step_and_clients")
        assert "pdsa_cycle" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            before = connection.execute(text("SELECT id, title FROM measure")).all()
        assert [r[1] for r in before] == ["Fast kontakt"]
        upgrade(url)
        with engine.connect() as connection:
            after = connection.execute(text("SELECT id, title FROM measure")).all()
            assert [tuple(r) for r in after] == [tuple(r) for r in before]
            assert connection.execute(text("SELECT count(*) FROM pdsa_cycle")).scalar_one() == 0
            indicators = connection.execute(
                text("SELECT name, kind, control_chart FROM indicator")
            ).all()
            assert [tuple(r) for r in indicators] == [("Ventetid", "value", None)]
        with Session(engine) as session:
            cycle = pdsa.create_cycle(session, SYSTEM, before[0][0], PdsaCycleCreate(title="Ny"))
            assert cycle.measure_id == before[0][0]
    finally:
        engine.dispose()
