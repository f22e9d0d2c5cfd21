"""catalogue version 2 and the role of each indicator

The catalogue (a data migration on a database seeded with the first catalogue; a fresh
database gets the same from `demensforlop seed`, `app/catalogue_data.py`):

- checklist version 2 becomes the current one. Every item of version 1 carries over under
  its own key, and each municipality's answers (answer, comment, version, dates) are copied
  to it; three items have new wording (a resource person instead of a memory team, follow-up
  "minst hver 6.–12. måned"), two are new («Hva er viktig for deg?», fremtidsfullmakt).
  Version 1 and its answers stay as they were, readable and exported.
- offering types: «Min livshistorie» no longer carries «Hva er viktig for deg?» (a way of
  working and an outcome measure, now a checklist item and an indicator template), the
  drop-in is a «Lavterskeltilbud», the memory team reads "eller ressursperson"; five types
  are new. Offerings keep their type keys, so an offering of «Min livshistorie» stays one.
- the assessment phase's summary names the resource person.

Indicators get a role: process, outcome or balancing. Indicators saved before are process
measures (what the learning networks mostly measured); the coordinator can change it.

The downgrade takes the catalogue back to version 1: answers given to version 2 are
dropped (those to version 1 are still there), offerings of the new types become custom
offerings with the type's name.

Revision ID: catalogue_v2
Revises: shared_examples
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "catalogue_v2"
down_revision: str | None = "shared_examples"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The data as of this revision, frozen here: later catalogue changes get migrations of
# their own.

OLD_VERSION = 1
NEW_VERSION = 2
NEW_TITLE = (
    "Sjekkliste for demensforløpet, bygd på Nasjonal faglig retningslinje om demens – versjon 2"
)

#: key: ((old nb, old en), (new nb, new en))
PHASE_SUMMARIES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "assessment": (
        (
            "Fastlegen og kommunens hukommelsesteam utreder, og spesialisthelsetjenesten ved "
            "behov.",
            "The GP and the municipal memory team assess, with specialist services when needed.",
        ),
        (
            "Fastlegen utreder sammen med kommunens hukommelsesteam eller ressursperson, og "
            "spesialisthelsetjenesten ved behov.",
            "The GP assesses with the municipality's memory team or resource person, and "
            "specialist services when needed.",
        ),
    ),
}

OFFERING_RENAMES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "memory_team": (
        ("Hukommelsesteam", "Memory team"),
        ("Hukommelsesteam eller ressursperson", "Memory team or resource person"),
    ),
    "life_story": (
        (
            "«Hva er viktig for deg?» / Min livshistorie",
            "\u201cWhat matters to you?\u201d / life story conversation",
        ),
        ("Min livshistorie", "Life story (\u201cMin livshistorie\u201d)"),
    ),
    "drop_in": (
        ("Lavterskel drop-in", "Low-threshold drop-in"),
        ("Lavterskeltilbud", "Low-threshold drop-in"),
    ),
}

#: (key, position, nb, en, default phase, survey category)
NEW_OFFERING_TYPES: tuple[tuple[str, int, str, str, str, str], ...] = (
    (
        "primary_contact",
        24,
        "Primærkontakt i hjemmetjenesten",
        "Primary contact in the home services",
        "home_with_services",
        "Hjemmetjenester",
    ),
    (
        "dementia_contact",
        25,
        "Demenskontakt i hjemmetjenesten",
        "Dementia contact in the home services",
        "home_with_services",
        "Hjemmetjenester",
    ),
    (
        "young_onset_activities",
        26,
        "Aktivitetstilbud for yngre personer med demens",
        "Activities for younger people with dementia",
        "independent_with_support",
        "Dagaktivitetstilbud",
    ),
    (
        "lasting_power_of_attorney",
        27,
        "Informasjon om fremtidsfullmakt",
        "Information about lasting power of attorney",
        "independent_with_support",
        "Oppfølging etter diagnose",
    ),
    (
        "preventive_home_visits",
        28,
        "Forebyggende hjemmebesøk",
        "Preventive home visits",
        "suspicion",
        "Informasjon og tilgjengelighet",
    ),
)

#: Items of version 1 with new wording in version 2 (nb, en).
NEW_TEXTS: dict[str, tuple[str, str]] = {
    "gp_basic_assessment": (
        "Fastlegen tilbyr basal utredning ved mistanke om demens, sammen med hukommelsesteamet "
        "eller ressurspersonen.",
        "The GP offers a basic assessment when dementia is suspected, with the memory team or "
        "resource person.",
    ),
    "team_gp_routines": (
        "Det finnes skriftlige rutiner for samarbeid mellom fastlegen og hukommelsesteamet eller "
        "ressurspersonen.",
        "There are written routines for cooperation between the GP and the memory team or "
        "resource person.",
    ),
    "gp_follow_up": (
        "Fastlegen følger opp personen minst hver 6.–12. måned.",
        "The GP follows the person up at least every 6–12 months.",
    ),
}

#: New items: (placed after this key, key, phase, nb, en).
NEW_ITEMS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "gp_follow_up",
        "what_matters",
        "cross_cutting",
        "Personen blir spurt «Hva er viktig for deg?», og oppfølgingen bygger på svaret.",
        "The person is asked \u201cWhat matters to you?\u201d, and the follow-up builds on the "
        "answer.",
    ),
    (
        "what_matters",
        "lasting_power_of_attorney",
        "independent_with_support",
        "Personen og pårørende får informasjon om fremtidsfullmakt tidlig i forløpet.",
        "The person and relatives get information about a lasting power of attorney early in "
        "the pathway.",
    ),
)

phase = sa.table(
    "phase", sa.column("key", sa.String), sa.column("summary_nb"), sa.column("summary_en")
)
offering_type = sa.table(
    "offering_type",
    sa.column("key", sa.String),
    sa.column("position", sa.Integer),
    sa.column("name_nb", sa.String),
    sa.column("name_en", sa.String),
    sa.column("default_phase", sa.String),
    sa.column("survey_category", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("version", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
offering = sa.table("offering", sa.column("type", sa.String), sa.column("name", sa.String))
checklist_version = sa.table(
    "checklist_version",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("published_on", sa.DateTime(timezone=True)),
    sa.column("is_current", sa.Boolean),
)
checklist_item = sa.table(
    "checklist_item",
    sa.column("id", sa.Integer),
    sa.column("checklist_version_id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("position", sa.Integer),
    sa.column("phase", sa.String),
    sa.column("text_nb", sa.String),
    sa.column("text_en", sa.String),
)


def _now() -> datetime:
    # SQLite keeps naive UTC (app.models.base.UTCDateTime); PostgreSQL an aware value.
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now


def upgrade() -> None:
    op.add_column(
        "indicator",
        sa.Column("role", sa.String(length=20), nullable=False, server_default="process"),
    )
    connection = op.get_bind()
    now = _now()
    for key, (_old, (nb, en)) in PHASE_SUMMARIES.items():
        connection.execute(
            phase.update().where(phase.c.key == key).values(summary_nb=nb, summary_en=en)
        )
    for key, (_old, (nb, en)) in OFFERING_RENAMES.items():
        connection.execute(
            offering_type.update()
            .where(offering_type.c.key == key)
            .values(name_nb=nb, name_en=en, version=offering_type.c.version + 1, updated_at=now)
        )
    _add_offering_types(connection, now)
    _add_checklist_version(connection, now)


def _add_offering_types(connection: sa.Connection, now: datetime) -> None:
    """Only into a catalogue that was seeded (a fresh database gets them from the seed)."""
    phases = set(connection.execute(sa.select(phase.c.key)).scalars())
    existing = set(connection.execute(sa.select(offering_type.c.key)).scalars())
    rows = [
        {
            "key": key,
            "position": position,
            "name_nb": nb,
            "name_en": en,
            "default_phase": default_phase,
            "survey_category": category,
            "active": True,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for key, position, nb, en, default_phase, category in NEW_OFFERING_TYPES
        if key not in existing and default_phase in phases
    ]
    if rows:
        connection.execute(offering_type.insert(), rows)


def _add_checklist_version(connection: sa.Connection, now: datetime) -> None:
    """Version 2 from version 1's items, with version 1's answers copied to it."""
    versions = set(connection.execute(sa.select(checklist_version.c.id)).scalars())
    if OLD_VERSION not in versions or NEW_VERSION in versions:
        return
    old_items = connection.execute(
        sa.select(
            checklist_item.c.key,
            checklist_item.c.phase,
            checklist_item.c.text_nb,
            checklist_item.c.text_en,
        )
        .where(checklist_item.c.checklist_version_id == OLD_VERSION)
        .order_by(checklist_item.c.position)
    ).all()
    items = [
        (key, item_phase, *NEW_TEXTS.get(key, (nb, en))) for key, item_phase, nb, en in old_items
    ]
    for after, key, item_phase, nb, en in NEW_ITEMS:
        keys = [item[0] for item in items]
        index = keys.index(after) + 1 if after in keys else len(items)
        items.insert(index, (key, item_phase, nb, en))
    connection.execute(checklist_version.update().values(is_current=False))
    connection.execute(
        checklist_version.insert().values(
            id=NEW_VERSION, title=NEW_TITLE, published_on=now, is_current=True
        )
    )
    connection.execute(
        checklist_item.insert(),
        [
            {
                "checklist_version_id": NEW_VERSION,
                "key": key,
                "position": position,
                "phase": item_phase,
                "text_nb": nb,
                "text_en": en,
            }
            for position, (key, item_phase, nb, en) in enumerate(items, start=1)
        ],
    )
    # Each answer to an item of version 1 is copied to the item of version 2 with its key.
    connection.execute(
        sa.text(
            "INSERT INTO checklist_answer (municipality_id, checklist_item_id, answer, comment, "
            "version, created_at, updated_at) "
            "SELECT a.municipality_id, n.id, a.answer, a.comment, a.version, a.created_at, "
            "a.updated_at FROM checklist_answer a "
            "JOIN checklist_item o ON o.id = a.checklist_item_id "
            "AND o.checklist_version_id = :old "
            "JOIN checklist_item n ON n.key = o.key AND n.checklist_version_id = :new"
        ),
        {"old": OLD_VERSION, "new": NEW_VERSION},
    )


def downgrade() -> None:
    connection = op.get_bind()
    now = _now()
    connection.execute(
        sa.text(
            "DELETE FROM checklist_answer WHERE checklist_item_id IN "
            "(SELECT id FROM checklist_item WHERE checklist_version_id = :new)"
        ),
        {"new": NEW_VERSION},
    )
    connection.execute(
        checklist_item.delete().where(checklist_item.c.checklist_version_id == NEW_VERSION)
    )
    connection.execute(checklist_version.delete().where(checklist_version.c.id == NEW_VERSION))
    connection.execute(
        checklist_version.update()
        .where(checklist_version.c.id == OLD_VERSION)
        .values(is_current=True)
    )
    for key, _position, nb, _en, _phase, _category in NEW_OFFERING_TYPES:
        connection.execute(
            offering.update()
            .where(offering.c.type == key)
            .where(offering.c.name == "")
            .values(name=nb)
        )
        connection.execute(offering.update().where(offering.c.type == key).values(type=None))
        connection.execute(offering_type.delete().where(offering_type.c.key == key))
    for key, ((nb, en), _new) in OFFERING_RENAMES.items():
        connection.execute(
            offering_type.update()
            .where(offering_type.c.key == key)
            .values(name_nb=nb, name_en=en, version=offering_type.c.version + 1, updated_at=now)
        )
    for key, ((nb, en), _new) in PHASE_SUMMARIES.items():
        connection.execute(
            phase.update().where(phase.c.key == key).values(summary_nb=nb, summary_en=en)
        )
    op.drop_column("indicator", "role")
