"""Column types and field helpers shared by every table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Self, TypeVar
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, DateTime, Dialect, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

OSLO = ZoneInfo("Europe/Oslo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in Norway: what "overdue" and "today" mean to the people using this."""
    return datetime.now(OSLO).date()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both PostgreSQL and SQLite (which stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")

E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A `StrEnum` column: stored as its value in a VARCHAR (so the database column and the
    stored values are what they were as plain text), read back as the enum member. A value
    that is not a member is refused before it reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def created_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def updated_at_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def version_field() -> Any:
    return Field(default=1, nullable=False)


class StrictInput(SQLModel):
    """Base of every request body: unknown fields are an error, never silently dropped."""

    # SQLModel declares model_config as its own SQLModelConfig; a pydantic ConfigDict is what
    # it takes at run time.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # type: ignore[assignment]


class PatchInput(StrictInput):
    """A partial update: fields left out stay as they are; `None` clears a field that may be
    empty, and is an error for the fields named in `not_null`."""

    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null(self) -> Self:
        for name in self.model_fields_set & self.not_null:
            if getattr(self, name) is None:
                raise PydanticCustomError("not_null", "{field} cannot be null", {"field": name})
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """The schema says what the validator enforces: a `not_null` field may be left out
        but not sent as null."""
        reference: dict[str, Any] = handler(core_schema)
        schema: dict[str, Any] = handler.resolve_ref_schema(reference)
        for name in cls.not_null:
            prop = schema.get("properties", {}).get(name)
            if prop is None or "anyOf" not in prop:
                continue
            options = [o for o in prop["anyOf"] if o.get("type") != "null"]
            if len(options) == 1:
                del prop["anyOf"]
                prop.update(options[0])
            else:
                prop["anyOf"] = options
            if prop.get("default", 0) is None:
                del prop["default"]
        return reference


class ApiOutput(SQLModel):
    # As in StrictInput: SQLModel's own config type, a pydantic ConfigDict at run time.
    model_config = ConfigDict(from_attributes=True)  # type: ignore[assignment]


# Dates outside these bounds are typing mistakes, not plans.
MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2100, 12, 31)


class Maturity(StrEnum):
    unknown = "unknown"
    not_established = "not_established"
    planned = "planned"
    established = "established"


class OfferingStatus(StrEnum):
    available = "available"
    planned = "planned"
    not_available = "not_available"


class Provider(StrEnum):
    own = "own"
    inter_municipal = "inter_municipal"
    specialist = "specialist"
    voluntary = "voluntary"


class Answer(StrEnum):
    yes = "yes"
    partly = "partly"
    no = "no"
    not_applicable = "not_applicable"


class ImprovementStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    implemented = "implemented"
    paused = "paused"


class MeasureStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    stopped = "stopped"


class IndicatorKind(StrEnum):
    count = "count"  # type: ignore[assignment]  # shadows str.count on purpose
    proportion = "proportion"
    value = "value"


class IndicatorRole(StrEnum):
    """What an indicator shows in the improvement work (the Model for Improvement's family
    of measures): whether the work is done as planned, whether it helps the person, and
    whether it makes something else worse."""

    process = "process"
    outcome = "outcome"
    balancing = "balancing"


class Direction(StrEnum):
    up = "up"
    down = "down"
    #: A balancing measure: a change either way is worth knowing, neither is better.
    neither = "neither"


class ControlChart(StrEnum):
    """The control chart an indicator asks for (none: chosen from the data)."""

    xmr = "xmr"
    p = "p"
    p_prime = "p_prime"
    u = "u"


class Frequency(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"


class Role(StrEnum):
    admin = "admin"
    adviser = "adviser"
    coordinator = "coordinator"


class Scope(StrEnum):
    read = "read"
    write = "write"


CROSS_CUTTING = "cross_cutting"
