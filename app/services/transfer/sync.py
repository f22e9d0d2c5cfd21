"""Bringing one collection of stored objects in line with a document: objects are matched by
their key (an id, a phase, a period); a matched object whose values differ is changed (its
version moves on), an object without a match here is created with a new id, and a stored
object the document leaves out is removed. Each of these is listed in the import's result
and recorded as one audit event, attributed to the importer at the time of the import."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from sqlmodel import Session

from app.models.municipality import Municipality
from app.models.transfer import ChangedObject, Changes, ImportChanges
from app.services import audit
from app.services.access import Principal

R = TypeVar("R")

Action = Literal["created", "changed", "removed"]
#: The audit trail's words: what the import created reads "importerte".
AUDIT_ACTION: dict[Action, str] = {"created": "import", "changed": "update", "removed": "delete"}


@dataclass(frozen=True)
class Kind:
    #: The field of `ImportChanges` that lists these objects.
    collection: str
    #: The audit trail's name for them.
    entity_type: str
    #: A change to them is a change to the municipality's content (its version moves on).
    content: bool = True


MUNICIPALITY = Kind("municipality", "municipality")
SECTION = Kind("sections", "phase_section")
ANSWER = Kind("checklist_answers", "checklist_answer")
STRENGTH = Kind("strengths", "strength")
AREA = Kind("improvement_areas", "improvement_area")
MEASURE = Kind("measures", "measure")
NOTE = Kind("progress_notes", "progress_note")
CYCLE = Kind("pdsa_cycles", "pdsa_cycle")
INDICATOR = Kind("indicators", "indicator")
OBSERVATION = Kind("observations", "observation")
VERSION = Kind("published_versions", "published_version", content=False)
COMMENT = Kind("comments", "comment", content=False)


@dataclass
class Run:
    """One import: who, when, into which (locked) municipality, and what it did so far."""

    session: Session
    principal: Principal
    municipality: Municipality
    now: datetime
    dry_run: bool
    changes: ImportChanges = field(default_factory=ImportChanges)
    content_changed: bool = False
    #: Events recorded so far.
    events: int = 0

    def record(
        self,
        kind: Kind,
        action: Action,
        ident: int | str,
        *,
        path: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        bucket: Changes = getattr(self.changes, kind.collection)
        shown = None if self.dry_run and action == "created" else ident
        getattr(bucket, action).append(ChangedObject(id=shown, path=path))
        audit.record(
            self.session,
            self.principal,
            action=AUDIT_ACTION[action],
            entity_type=kind.entity_type,
            entity_id=ident,
            municipality=self.municipality,
            before=before,
            after=after,
            occurred_at=self.now,
        )
        self.events += 1
        self.content_changed = self.content_changed or kind.content


@dataclass(frozen=True)
class Wanted:
    """An object as the document wants it: its key (None: a new object), where it is in the
    document, and the values to store."""

    key: Hashable | None
    path: str | None
    values: dict[str, Any]


def columns(row: object, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def assign_columns(row: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


@dataclass
class Collection(Generic[R]):
    """How to handle one kind of stored object."""

    kind: Kind
    #: The key the document matches it by.
    key: Callable[[R], Hashable]
    #: Its id in the result and the audit trail.
    ident: Callable[[R], int | str]
    #: What the audit trail records of it.
    view: Callable[[R], dict[str, Any]]
    #: A new, unsaved object as wanted.
    make: Callable[[Wanted], R]
    #: Its stored values, by the names the values use.
    current: Callable[[R, Sequence[str]], dict[str, Any]] = columns
    #: Store the values on it.
    assign: Callable[[R, dict[str, Any]], None] = assign_columns
    #: Called for each new object once it has its id.
    created: Callable[[R, Wanted], None] | None = None
    #: Removes it (and lists what goes with it); by default deletes the row.
    remove: Callable[[R], None] | None = None


def sync(
    run: Run, collection: Collection[R], stored: Sequence[R], wanted: Sequence[Wanted]
) -> list[tuple[Wanted, R]]:
    """Match, change, create and remove; returns each wanted object with its stored one."""
    by_key = {collection.key(row): row for row in stored}
    pairs: list[tuple[Wanted, R]] = []
    new: list[tuple[Wanted, R]] = []
    for item in wanted:
        row = by_key.pop(item.key, None) if item.key is not None else None
        if row is None:
            row = collection.make(item)
            run.session.add(row)
            new.append((item, row))
        else:
            _update(run, collection, row, item)
        pairs.append((item, row))
    run.session.flush()
    for item, row in new:
        if collection.created is not None:
            collection.created(row, item)
        run.record(
            collection.kind,
            "created",
            collection.ident(row),
            path=item.path,
            after=collection.view(row),
        )
    for row in by_key.values():
        run.record(collection.kind, "removed", collection.ident(row), before=collection.view(row))
        if collection.remove is not None:
            collection.remove(row)
        else:
            run.session.delete(row)
    run.session.flush()
    return pairs


def _update(run: Run, collection: Collection[R], row: R, item: Wanted) -> None:
    if collection.current(row, list(item.values)) == item.values:
        return
    before = collection.view(row)
    collection.assign(row, item.values)
    version = getattr(row, "version", None)
    if isinstance(version, int):
        setattr(row, "version", version + 1)  # noqa: B010
    if hasattr(row, "updated_at"):
        setattr(row, "updated_at", run.now)  # noqa: B010
    run.record(
        collection.kind,
        "changed",
        collection.ident(row),
        path=item.path,
        before=before,
        after=collection.view(row),
    )
