"""The catalogue's second version (migration `catalogue_v2`): a database that holds answers
to the first catalogue is upgraded with nothing lost, and ends with the catalogue a fresh
database gets from the seed."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from app.catalogue_data import CHECKLIST_V1
from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models.base import utcnow
from app.services import checklist
from app.services.access import SYSTEM
from app.services.seed import SeedReport, seed_catalogues
from tests.conftest import fresh_database_url

PREVIOUS = "shared_examples"
LIFE_STORY_BEFORE = "«Hva er viktig for deg?» / Min livshistorie"
#: Answers given to the first checklist: item, answer, comment.
ANSWERS = (
    ("memory_team", "partly", "Interkommunalt med Storfjord"),
    ("gp_follow_up", "no", "Ingen fast rutine"),
    ("user_involvement", "yes", ""),
)


def _rows(connection: Connection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(text(sql)).all()]


def _catalogue(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What the catalogue holds, without row ids, versions and dates."""
    with engine.connect() as connection:
        return {
            "phases": _rows(
                connection,
                "SELECT key, position, name_nb, name_en, summary_nb, summary_en FROM phase "
                "ORDER BY key",
            ),
            "offering_types": _rows(
                connection,
                "SELECT key, position, name_nb, name_en, default_phase, survey_category, active "
                "FROM offering_type ORDER BY key",
            ),
            "checklists": _rows(
                connection, "SELECT id, title, is_current FROM checklist_version ORDER BY id"
            ),
            "items": _rows(
                connection,
                "SELECT checklist_version_id, key, position, phase, text_nb, text_en "
                "FROM checklist_item ORDER BY checklist_version_id, position",
            ),
        }


def _seeded(suffix: str) -> tuple[str, Engine]:
    url = fresh_database_url(suffix)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_catalogues(session, SeedReport())
        session.commit()
    return url, engine


def _old_content(connection: Connection) -> None:
    """A municipality with answers to checklist version 1, an offering of «Min livshistorie»
    and an indicator, as the previous head stores them."""
    now = utcnow().replace(tzinfo=None)
    values = {"now": now}
    connection.execute(
        text(
            "INSERT INTO region (slug, name, version, created_at, updated_at) "
            "VALUES ('troms', 'Troms', 1, :now, :now)"
        ),
        values,
    )
    connection.execute(
        text(
            "INSERT INTO municipality (number, name, region_id, is_example, version, "
            "priority_version, created_at, updated_at) SELECT '5501', 'Tromsø', id, false, 1, "
            "1, :now, :now FROM region"
        ),
        values,
    )
    connection.execute(
        text(
            "INSERT INTO phase_section (municipality_id, phase, description, responsible, "
            "contact_name, contact_phone, contact_email, contact_hours, maturity, "
            "needs_knowledge, version, created_at, updated_at) SELECT id, "
            "'independent_with_support', 'Etter diagnosen', '', '', '', '', '', 'planned', "
            "false, 2, :now, :now FROM municipality"
        ),
        values,
    )
    connection.execute(
        text(
            "INSERT INTO offering (phase_section_id, position, type, name, description, status, "
            "provider, contact) SELECT id, 1, 'life_story', '', 'Samtale ved oppstart', "
            "'available', 'own', '' FROM phase_section"
        ),
    )
    for key, answer, comment in ANSWERS:
        connection.execute(
            text(
                "INSERT INTO checklist_answer (municipality_id, checklist_item_id, answer, "
                "comment, version, created_at, updated_at) SELECT m.id, i.id, :answer, "
                ":comment, 3, :now, :now FROM municipality m, checklist_item i "
                "WHERE i.checklist_version_id = 1 AND i.key = :key"
            ),
            {**values, "key": key, "answer": answer, "comment": comment},
        )
    connection.execute(
        text(
            "INSERT INTO improvement_area (municipality_id, priority, title, rationale, aim, "
            "status, tags, version, created_at, updated_at) SELECT id, 1, 'Oppfølging', '', '', "
            "'in_progress', '[]', 1, :now, :now FROM municipality"
        ),
        values,
    )
    connection.execute(
        text(
            "INSERT INTO indicator (improvement_area_id, position, name, definition, kind, "
            "unit, direction, frequency, version, data_version, created_at, updated_at) "
            "SELECT id, 1, 'Samtaler', '', 'count', '', 'up', 'month', 4, 2, :now, :now "
            "FROM improvement_area"
        ),
        values,
    )


def _v1_answers(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return _rows(
            connection,
            "SELECT i.key, a.answer, a.comment, a.version FROM checklist_answer a "
            "JOIN checklist_item i ON i.id = a.checklist_item_id "
            "WHERE i.checklist_version_id = 1 ORDER BY i.key",
        )


def test_the_catalogue_upgrade_keeps_every_answer_and_offering() -> None:
    url, engine = _seeded("catalogue_v2")
    _, fresh = _seeded("catalogue_v2_fresh")
    try:
        # At the previous head the database holds the first catalogue, as its seed made it.
        command.downgrade(alembic_config(url), PREVIOUS)
        old = _catalogue(engine)
        assert old["checklists"] == [(1, old["checklists"][0][1], True)]
        assert [i[1] for i in old["items"]] == [i.key for i in CHECKLIST_V1]
        types = {t[0]: t for t in old["offering_types"]}
        assert types["life_story"][2] == LIFE_STORY_BEFORE
        assert "primary_contact" not in types
        with engine.begin() as connection:
            _old_content(connection)
        before = _v1_answers(engine)
        assert len(before) == len(ANSWERS)

        upgrade(url)

        # The catalogue is the one the seed gives a fresh database, and the seed adds nothing.
        assert _catalogue(engine) == _catalogue(fresh)
        report = SeedReport()
        with Session(engine) as session:
            seed_catalogues(session, report)
            session.commit()
        assert not report.changed
        # Every answer to version 1 is still there, and carried over to version 2.
        assert _v1_answers(engine) == before
        with Session(engine) as session:
            answers = checklist.get_answers(session, SYSTEM, "5501")
        assert answers.checklist_version == 2
        assert answers.answered == len(ANSWERS)
        by_key = {item.item: item for item in answers.items}
        for key, answer, comment in ANSWERS:
            assert (by_key[key].answer, by_key[key].comment, by_key[key].version) == (
                answer,
                comment,
                3,
            )
        assert "minst hver 6.–12. måned" in by_key["gp_follow_up"].text
        assert by_key["what_matters"].answer is None
        with engine.connect() as connection:
            # The offering of «Min livshistorie» stays one, under the type's new name.
            offering = connection.execute(
                text(
                    "SELECT o.type, o.description, t.name_nb FROM offering o "
                    "JOIN offering_type t ON t.key = o.type"
                )
            ).one()
            assert tuple(offering) == ("life_story", "Samtale ved oppstart", "Min livshistorie")
            # Indicators saved before are process measures; nothing else of them changed.
            indicator = connection.execute(
                text("SELECT name, kind, role, version, data_version FROM indicator")
            ).one()
            assert tuple(indicator) == ("Samtaler", "count", "process", 4, 2)

        # Back down: version 1 and its answers are as they were.
        command.downgrade(alembic_config(url), PREVIOUS)
        assert _v1_answers(engine) == before
        assert _catalogue(engine) == old
        upgrade(url)
        assert _catalogue(engine) == _catalogue(fresh)
        with engine.begin() as connection:
            # The indicator table keeps its content-stamp triggers through both directions.
            stamp = "SELECT sum(stamp) FROM content_stamp"
            before_write = connection.execute(text(stamp)).scalar_one()
            connection.execute(text("UPDATE indicator SET role = 'outcome'"))
            assert connection.execute(text(stamp)).scalar_one() == before_write + 1
    finally:
        engine.dispose()
        fresh.dispose()
