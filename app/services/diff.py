"""Comparing published versions with each other or with the draft, phase by phase.

Text is compared word by word, so a reader sees what was added and removed inside a
sentence; segments carry their operation in words (`insert`/`delete`), so a page can mark
them with <ins>/<del> and visible text, never by colour alone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any, Literal, TypeVar

from sqlmodel import Session

from app.errors import FieldError, Invalid
from app.models.publishing import (
    DiffSegment,
    FieldChange,
    ImprovementAreaChange,
    ImprovementAreasDiff,
    OfferingChange,
    OfferingsDiff,
    PathwayDiff,
    PathwaySnapshot,
    PhaseDiff,
    SnapshotImprovementArea,
    SnapshotOffering,
    SnapshotPhase,
    SnapshotStrength,
    StrengthsDiff,
)
from app.services import publishing
from app.services.access import Principal, require_read
from app.services.common import get_municipality

T = TypeVar("T")

_TOKENS = re.compile(r"\S+|\s+")

#: The phase-section fields a reader compares, in the order a page shows them.
SECTION_TEXT_FIELDS: tuple[tuple[str, Callable[[SnapshotPhase], str]], ...] = (
    ("description", lambda p: p.description),
    ("responsible", lambda p: p.responsible),
    ("contact.name", lambda p: p.contact.name),
    ("contact.phone", lambda p: p.contact.phone),
    ("contact.email", lambda p: p.contact.email or ""),
    ("contact.hours", lambda p: p.contact.hours),
)
OFFERING_TEXT_FIELDS = ("name", "description", "contact")
OFFERING_CODE_FIELDS = ("status", "provider")

Side = int | Literal["draft"]


def word_diff(before: str, after: str) -> list[DiffSegment]:
    """Word-level segments that turn `before` into `after`: the equal and deleted segments
    spell `before`, the equal and inserted ones `after`. Whitespace inside a rewritten
    phrase joins the change, so the phrase reads as one deletion and one insertion."""
    a = _TOKENS.findall(before)
    b = _TOKENS.findall(after)
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    segments: list[DiffSegment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            segments.append(DiffSegment(op="delete", text="".join(deleted)))
        if inserted:
            segments.append(DiffSegment(op="insert", text="".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(a[i1:i2])
            inside_rewrite = bool(deleted and inserted) and index + 1 < len(opcodes)
            if inside_rewrite and text.isspace():
                deleted.append(text)
                inserted.append(text)
                continue
            flush()
            segments.append(DiffSegment(op="equal", text=text))
        else:
            deleted.extend(a[i1:i2])
            inserted.extend(b[j1:j2])
    flush()
    return segments


def text_change(field: str, before: str, after: str, words: bool = True) -> FieldChange | None:
    """The change of a text field; with `words`, its word-level segments too (the costly
    part, for the pages and files that show them)."""
    if before == after:
        return None
    segments = word_diff(before, after) if words else []
    return FieldChange(field=field, before=before, after=after, segments=segments)


def value_change(field: str, before: Any, after: Any) -> FieldChange | None:
    if before == after:
        return None
    return FieldChange(field=field, before=before, after=after)


def _present(changes: Sequence[FieldChange | None]) -> list[FieldChange]:
    return [c for c in changes if c is not None]


def _pair(
    before: Sequence[T], after: Sequence[T], key: Callable[[T], object]
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Match items by key, in order (the first with the first); the rest were added or
    removed."""
    waiting: dict[object, list[T]] = defaultdict(list)
    for item in before:
        waiting[key(item)].append(item)
    pairs: list[tuple[T, T]] = []
    added: list[T] = []
    for item in after:
        candidates = waiting.get(key(item))
        if candidates:
            pairs.append((candidates.pop(0), item))
        else:
            added.append(item)
    paired = {id(old) for old, _ in pairs}
    removed = [item for item in before if id(item) not in paired]
    return pairs, added, removed


def _offering_key(offering: SnapshotOffering) -> object:
    return ("type", offering.type) if offering.type else ("name", offering.name.casefold())


def diff_offerings(
    before: Sequence[SnapshotOffering], after: Sequence[SnapshotOffering], words: bool = True
) -> OfferingsDiff:
    pairs, added, removed = _pair(before, after, _offering_key)
    changed = []
    for old, new in pairs:
        changes = _present(
            [text_change(f, getattr(old, f), getattr(new, f), words) for f in OFFERING_TEXT_FIELDS]
            + [value_change(f, getattr(old, f), getattr(new, f)) for f in OFFERING_CODE_FIELDS]
        )
        if changes:
            changed.append(OfferingChange(name=new.name, type=new.type, changes=changes))
    return OfferingsDiff(added=added, removed=removed, changed=changed)


def diff_phase(
    before: SnapshotPhase | None, after: SnapshotPhase | None, words: bool = True
) -> PhaseDiff:
    present = after or before
    assert present is not None
    empty = SnapshotPhase(phase=present.phase)
    old, new = before or empty, after or empty
    fields = _present(
        [text_change(name, get(old), get(new), words) for name, get in SECTION_TEXT_FIELDS]
    )
    offerings = diff_offerings(old.offerings, new.offerings, words)
    changed = bool(fields or offerings.added or offerings.removed or offerings.changed)
    return PhaseDiff(
        phase=present.phase,
        phase_name=new.phase_name or old.phase_name,
        changed=changed,
        fields=fields,
        offerings=offerings,
    )


def diff_strengths(
    before: Sequence[SnapshotStrength], after: Sequence[SnapshotStrength]
) -> StrengthsDiff:
    old = Counter((s.text, s.phase) for s in before)
    new = Counter((s.text, s.phase) for s in after)
    gone, came = old - new, new - old
    removed, added = [], []
    for s in before:
        if gone[(s.text, s.phase)] > 0:
            gone[(s.text, s.phase)] -= 1
            removed.append(s)
    for s in after:
        if came[(s.text, s.phase)] > 0:
            came[(s.text, s.phase)] -= 1
            added.append(s)
    return StrengthsDiff(added=added, removed=removed)


def diff_areas(
    before: Sequence[SnapshotImprovementArea],
    after: Sequence[SnapshotImprovementArea],
    words: bool = True,
) -> ImprovementAreasDiff:
    pairs, added, removed = _pair(before, after, lambda a: a.title.casefold())
    changed = []
    for old, new in pairs:
        changes = _present(
            [
                text_change("title", old.title, new.title, words),
                value_change("priority", old.priority, new.priority),
                value_change("status", old.status, new.status),
                value_change("phases", old.phases, new.phases),
                value_change("measure_counts", old.measure_counts, new.measure_counts),
            ]
        )
        if changes:
            changed.append(ImprovementAreaChange(title=new.title, changes=changes))
    return ImprovementAreasDiff(added=added, removed=removed, changed=changed)


def diff_snapshots(
    before: PathwaySnapshot,
    after: PathwaySnapshot,
    base: Side,
    against: Side,
    *,
    words: bool = True,
) -> PathwayDiff:
    """What changed from `before` to `after`: every phase (in the order of `after`, then any
    phase only `before` has), with a flag and the changed fields; strengths; improvement
    areas; the municipality's name and website. Without `words`, the changed text fields
    carry no word-level segments (what changed is the same; a status needs no more)."""
    old_phases = {p.phase: p for p in before.phases}
    new_phases = {p.phase: p for p in after.phases}
    order = list(new_phases) + [k for k in old_phases if k not in new_phases]
    phases = [diff_phase(old_phases.get(k), new_phases.get(k), words) for k in order]
    return PathwayDiff(
        municipality=after.municipality,
        base=base,
        against=against,
        changed_phases=[p.phase for p in phases if p.changed],
        municipality_fields=_present(
            [
                text_change("name", before.name, after.name, words),
                value_change("website", before.website, after.website),
            ]
        ),
        phases=phases,
        strengths=diff_strengths(before.strengths, after.strengths),
        improvement_areas=diff_areas(before.improvement_areas, after.improvement_areas, words),
    )


def parse_side(value: str, field: str) -> Side:
    if value == "draft":
        return "draft"
    # ASCII digits only: str.isdigit() also accepts superscripts such as '³'.
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 1_000_000:
        return int(value)
    raise Invalid(FieldError(field, "a published version number, or 'draft'"))


def compare_versions(
    session: Session, principal: Principal, number: str, base: int, against: str = "draft"
) -> PathwayDiff:
    """Compare published version `base` with another published version or with the draft
    (`against="draft"`), for those who may read the municipality's draft."""
    other = parse_side(against, "against")
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    before = publishing.version_snapshot(session, municipality, base)
    if other == "draft":
        after = publishing.build_snapshot(session, principal, municipality)
    else:
        after = publishing.version_snapshot(session, municipality, other)
    return diff_snapshots(before, after, base, other)
