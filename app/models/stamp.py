"""The stamps: numbers that every write to a group of tables moves on, whoever makes it.

The content stamp counts writes to the content; the access stamp writes to the people, API
clients, tokens and browser sessions a request is authenticated by.

It is the sum of the counters in `content_stamp`. Database triggers (migration
`content_stamp`) add one to a counter on every INSERT, UPDATE and DELETE of the tables in
`STAMPED_TABLES`, in the writing transaction: the sum moves exactly when that transaction
commits, also for writes made with plain SQL, a restore or another tool. On PostgreSQL each
transaction counts on the row of its transaction id (of 16), so writers of different
municipalities rarely wait for each other's commit.
A migration that re-creates a stamped table (SQLite's batch mode does) must create its
triggers again; a test checks that every stamped table has them at head.
The caches of `app/cache.py` key their values by it."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

#: Every table whose rows some cached value shows (the caches of `app/cache.py`). Not
#: stamped: people, sessions, tokens, sign-in attempts and the audit trail.
STAMPED_TABLES = (
    "region",
    "municipality",
    "phase",
    "offering_type",
    "checklist_version",
    "checklist_item",
    "phase_section",
    "offering",
    "checklist_answer",
    "strength",
    "improvement_area",
    "improvement_area_phase",
    "measure",
    "progress_note",
    "indicator",
    "observation",
    "comment",
    "review",
    "published_version",
)


class ContentStamp(SQLModel, table=True):
    __tablename__ = "content_stamp"

    id: int = Field(primary_key=True)
    stamp: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


#: The tables a request's caller is read from (the token and session look-ups of
#: `app/cache.py`). Every write counts, the notes of use (`last_used_at`, `last_seen_at`,
#: at most once a minute each) included, so a remembered caller is exactly the stored one.
ACCESS_STAMPED_TABLES = (
    "user",
    "user_municipality",
    "user_region",
    "api_client",
    "api_client_municipality",
    "api_client_region",
    "api_token",
    "web_session",
)


class AccessStamp(SQLModel, table=True):
    """The access stamp: as `ContentStamp`, for `ACCESS_STAMPED_TABLES`."""

    __tablename__ = "access_stamp"

    id: int = Field(primary_key=True)
    stamp: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
