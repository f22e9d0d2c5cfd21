"""Improvement areas in a strict priority order, their measures and progress notes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from app.errors import FieldError, Invalid, PreconditionFailed
from app.kit.text import clean_text
from app.models.base import MeasureStatus, local_today, utcnow
from app.models.catalogue import Phase
from app.models.improvement import (
    MAX_AREAS,
    MAX_MEASURES,
    ImprovementArea,
    ImprovementAreaCreate,
    ImprovementAreaPhase,
    ImprovementAreaRead,
    ImprovementAreaUpdate,
    Measure,
    MeasureCreate,
    MeasureLight,
    MeasureRead,
    MeasureUpdate,
    PriorityOrder,
    PriorityOrderRead,
)
from app.models.municipality import Municipality
from app.services import audit, changes
from app.services.access import Principal, require_edit, require_read, require_visible
from app.services.common import (
    Page,
    check_version,
    commit,
    get_municipality,
    lock_municipality,
    touch,
)

NOTE_EDIT_WINDOW = timedelta(hours=24)
OPEN_MEASURE_STATUSES = {MeasureStatus.not_started.value, MeasureStatus.in_progress.value}


# ---- reading -----------------------------------------------------------------------------


def is_overdue(measure: Measure, today: date | None = None) -> bool:
    """A measure is overdue when its due date has passed (in Norway) and it is still open.
    `overdue_condition` is the same rule in SQL."""
    today = today or local_today()
    return (
        measure.due_date is not None
        and measure.due_date < today
        and measure.status in OPEN_MEASURE_STATUSES
    )


def overdue_condition(today: date) -> Any:
    """`is_overdue` as a WHERE clause on Measure, for lists that span many areas."""
    return (
        col(Measure.due_date).is_not(None)
        & (col(Measure.due_date) < today)
        & col(Measure.status).in_(OPEN_MEASURE_STATUSES)
    )


def measure_light(measure: Measure, today: date | None = None) -> MeasureLight:
    """Green on track (or done), yellow delayed (overdue), red stopped."""
    if measure.status == MeasureStatus.stopped:
        return MeasureLight.red
    if is_overdue(measure, today):
        return MeasureLight.yellow
    return MeasureLight.green


def measure_read(measure: Measure, today: date | None = None) -> MeasureRead:
    return MeasureRead(
        id=measure.id or 0,
        improvement_area_id=measure.improvement_area_id,
        title=measure.title,
        description=measure.description,
        responsible=measure.responsible,
        start_date=measure.start_date,
        due_date=measure.due_date,
        status=measure.status,
        result=measure.result,
        shared=measure.shared,
        position=measure.position,
        overdue=is_overdue(measure, today),
        light=measure_light(measure, today),
        version=measure.version,
        updated_at=measure.updated_at,
    )


def area_read(
    area: ImprovementArea, number: str, phases: list[str], measure_counts: dict[str, int]
) -> ImprovementAreaRead:
    return ImprovementAreaRead(
        id=area.id or 0,
        municipality=number,
        title=area.title,
        rationale=area.rationale,
        phases=phases,
        priority=area.priority,
        aim=area.aim,
        target_date=area.target_date,
        status=area.status,
        tags=list(area.tags or []),
        measure_counts={s.value: measure_counts.get(s.value, 0) for s in MeasureStatus},
        version=area.version,
        updated_at=area.updated_at,
    )


def load_area_details(
    session: Session, area_ids: Iterable[int] | Select[Any]
) -> tuple[dict[int, list[str]], dict[int, dict[str, int]]]:
    """Phases and measure status counts for many areas, in two queries. `area_ids` may be
    a subquery selecting the ids, so large sets are never sent as bound parameters."""
    ids: list[int] | Select[Any] = area_ids if isinstance(area_ids, Select) else list(area_ids)
    phases: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if isinstance(ids, list) and not ids:
        return phases, counts
    for area_id, phase in session.exec(
        select(ImprovementAreaPhase.improvement_area_id, ImprovementAreaPhase.phase)
        .join(Phase, col(Phase.key) == col(ImprovementAreaPhase.phase))
        .where(col(ImprovementAreaPhase.improvement_area_id).in_(ids))
        .order_by(col(ImprovementAreaPhase.improvement_area_id), col(Phase.position))
    ).all():
        phases[area_id].append(phase)
    for area_id, status, n in session.exec(
        select(Measure.improvement_area_id, Measure.status, func.count())
        .where(col(Measure.improvement_area_id).in_(ids))
        .group_by(col(Measure.improvement_area_id), col(Measure.status))
    ).all():
        counts[area_id][status] = int(n)
    return phases, counts


def _areas_of(session: Session, municipality_id: int) -> list[ImprovementArea]:
    return list(
        session.exec(
            select(ImprovementArea)
            .where(col(ImprovementArea.municipality_id) == municipality_id)
            .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
            .execution_options(populate_existing=True)
        ).all()
    )


def list_areas(
    session: Session, principal: Principal, number: str
) -> tuple[Page[ImprovementAreaRead], int]:
    """The areas in priority order, and the version of that order (for reordering)."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    areas = _areas_of(session, municipality.id or 0)
    phases, counts = load_area_details(session, [a.id or 0 for a in areas])
    items = [area_read(a, number, phases[a.id or 0], counts[a.id or 0]) for a in areas]
    page = Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)
    return page, municipality.priority_version


def find_area(
    session: Session, principal: Principal, area_id: int
) -> tuple[ImprovementArea, Municipality]:
    row = session.exec(
        select(ImprovementArea, Municipality)
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(ImprovementArea.id) == area_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "improvement area")
    assert row is not None
    return row[0], row[1]


def _read_one(session: Session, area: ImprovementArea, number: str) -> ImprovementAreaRead:
    phases, counts = load_area_details(session, [area.id or 0])
    return area_read(area, number, phases[area.id or 0], counts[area.id or 0])


def get_area(session: Session, principal: Principal, area_id: int) -> ImprovementAreaRead:
    area, municipality = find_area(session, principal, area_id)
    return _read_one(session, area, municipality.number)


def area_municipality(session: Session, principal: Principal, area_id: int) -> Municipality:
    return find_area(session, principal, area_id)[1]


# ---- writing areas -----------------------------------------------------------------------


def _check_phases(session: Session, phases: list[str]) -> None:
    if not phases:
        return
    known = set(session.exec(select(Phase.key).where(col(Phase.key).in_(phases))).all())
    errors = [
        FieldError(f"phases.{i}", f"unknown phase {p!r}")
        for i, p in enumerate(phases)
        if p not in known
    ]
    if errors:
        raise Invalid(errors)


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: dict[str, None] = {}
    for tag in tags:
        value = clean_text(tag).lower()
        if value:
            cleaned.setdefault(value, None)
    return list(cleaned)


def area_values(data: ImprovementAreaCreate) -> dict[str, Any]:
    """An improvement area's stored columns (its phases aside) as the API saves them."""
    return {
        "title": clean_text(data.title),
        "rationale": clean_text(data.rationale),
        "aim": clean_text(data.aim),
        "target_date": data.target_date,
        "status": data.status.value,
        "tags": _clean_tags(data.tags),
    }


def measure_values(data: MeasureCreate) -> dict[str, Any]:
    """A measure's stored columns as the API saves them."""
    return {
        "title": clean_text(data.title),
        "description": clean_text(data.description),
        "responsible": clean_text(data.responsible),
        "start_date": data.start_date,
        "due_date": data.due_date,
        "status": data.status.value,
        "result": clean_text(data.result),
        "shared": data.shared,
    }


def check_shared(status: str, result: str, shared: bool) -> None:
    """Only a done measure with its result is shared as a good example."""
    if not shared:
        return
    if status != MeasureStatus.done:
        raise Invalid(FieldError("shared", "only a done measure can be shared"))
    if not result:
        raise Invalid(FieldError("result", "say what the measure achieved before sharing it"))


def set_phases(session: Session, area_id: int, phases: list[str]) -> None:
    for link in session.exec(
        select(ImprovementAreaPhase).where(col(ImprovementAreaPhase.improvement_area_id) == area_id)
    ).all():
        session.delete(link)
    session.flush()
    for phase in phases:
        session.add(ImprovementAreaPhase(improvement_area_id=area_id, phase=phase))


def create_area(
    session: Session, principal: Principal, number: str, data: ImprovementAreaCreate
) -> ImprovementAreaRead:
    """A new area takes the lowest priority (the end of the list)."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    _check_phases(session, data.phases)
    values = area_values(data)
    if not values["title"]:
        raise Invalid(FieldError("title", "cannot be empty"))
    n = len(_areas_of(session, municipality.id or 0))
    if n >= MAX_AREAS:
        raise Invalid(FieldError("title", f"at most {MAX_AREAS} improvement areas"))
    now = utcnow()
    area = ImprovementArea(
        municipality_id=municipality.id or 0,
        priority=n + 1,
        **values,
        created_at=now,
        updated_at=now,
    )
    session.add(area)
    session.flush()
    set_phases(session, area.id or 0, data.phases)
    touch(municipality, now)
    municipality.priority_version += 1
    session.flush()
    result = _read_one(session, area, number)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="improvement_area",
        entity_id=area.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def locked_area(
    session: Session, principal: Principal, area_id: int, expected_version: int | None
) -> tuple[ImprovementArea, Municipality, ImprovementAreaRead]:
    area, municipality = find_area(session, principal, area_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(area)
    before = _read_one(session, area, municipality.number)
    if expected_version is not None:
        check_version(area.version, expected_version, before.model_dump(mode="json"))
    return area, municipality, before


def update_area(
    session: Session,
    principal: Principal,
    area_id: int,
    data: ImprovementAreaUpdate,
    expected_version: int,
) -> ImprovementAreaRead:
    area, municipality, before = locked_area(session, principal, area_id, expected_version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    phases = changes.pop("phases", None)
    if phases is not None:
        _check_phases(session, phases)
    for key in ("title", "rationale", "aim"):
        if key in changes:
            changes[key] = clean_text(changes[key])
    if "title" in changes and not changes["title"]:
        raise Invalid(FieldError("title", "cannot be empty"))
    if "tags" in changes:
        changes["tags"] = _clean_tags(changes["tags"])
    if "status" in changes:
        changes["status"] = changes["status"].value
    same = all(getattr(area, k) == v for k, v in changes.items()) and (
        phases is None or phases == before.phases
    )
    if same:
        session.rollback()
        return before
    now = utcnow()
    for key, value in changes.items():
        setattr(area, key, value)
    if phases is not None:
        set_phases(session, area.id or 0, phases)
    area.version += 1
    area.updated_at = now
    touch(municipality, now)
    session.flush()
    after = _read_one(session, area, municipality.number)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="improvement_area",
        entity_id=area.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def delete_area(
    session: Session, principal: Principal, area_id: int, expected_version: int
) -> None:
    """Deleting an area removes its measures, notes and indicators, and closes the gap in
    the priority order."""
    area, municipality, before = locked_area(session, principal, area_id, expected_version)
    changes.stage_area_cascade(session, municipality, area_id)
    session.delete(area)
    session.flush()
    for priority, remaining in enumerate(_areas_of(session, municipality.id or 0), start=1):
        remaining.priority = priority
    touch(municipality)
    municipality.priority_version += 1
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="improvement_area",
        entity_id=area_id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=None,
    )
    commit(session)


def reorder_areas(
    session: Session,
    principal: Principal,
    number: str,
    data: PriorityOrder,
    expected_version: int,
) -> PriorityOrderRead:
    """Set the priority order. The body must list every area exactly once."""
    municipality = get_municipality(session, number)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    areas = _areas_of(session, municipality.id or 0)
    current = [a.id or 0 for a in areas]
    if municipality.priority_version != expected_version:
        raise PreconditionFailed(
            current_version=municipality.priority_version,
            current={"ids": current, "version": municipality.priority_version},
        )
    if sorted(data.ids) != sorted(current) or len(set(data.ids)) != len(data.ids):
        raise Invalid(
            FieldError("ids", "must list every improvement area of the municipality exactly once")
        )
    if data.ids == current:
        session.rollback()
        return PriorityOrderRead(ids=current, version=municipality.priority_version)
    by_id = {a.id: a for a in areas}
    now = utcnow()
    for priority, area_id in enumerate(data.ids, start=1):
        by_id[area_id].priority = priority
    touch(municipality, now)
    municipality.priority_version += 1
    audit.record(
        session,
        principal,
        action="reorder",
        entity_type="improvement_area_order",
        entity_id=municipality.number,
        municipality=municipality,
        before={"ids": current},
        after={"ids": list(data.ids)},
    )
    commit(session)
    return PriorityOrderRead(ids=list(data.ids), version=municipality.priority_version)


def move_area(
    session: Session, principal: Principal, area_id: int, offset: int, expected_version: int
) -> PriorityOrderRead:
    """Move one area up (offset −1) or down (+1) in the priority order."""
    _, municipality = find_area(session, principal, area_id)
    ids = [a.id or 0 for a in _areas_of(session, municipality.id or 0)]
    index = ids.index(area_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return reorder_areas(
        session, principal, municipality.number, PriorityOrder(ids=ids), expected_version
    )


# ---- measures ----------------------------------------------------------------------------


def _measures_of(session: Session, area_id: int) -> list[Measure]:
    return list(
        session.exec(
            select(Measure)
            .where(col(Measure.improvement_area_id) == area_id)
            .order_by(col(Measure.position), col(Measure.id))
        ).all()
    )


def list_measures(session: Session, principal: Principal, area_id: int) -> Page[MeasureRead]:
    find_area(session, principal, area_id)
    today = local_today()
    items = [measure_read(m, today) for m in _measures_of(session, area_id)]
    return Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)


def create_measure(
    session: Session, principal: Principal, area_id: int, data: MeasureCreate
) -> MeasureRead:
    _, municipality, _ = locked_area(session, principal, area_id, None)
    existing = _measures_of(session, area_id)
    if len(existing) >= MAX_MEASURES:
        raise Invalid(FieldError("title", f"at most {MAX_MEASURES} measures per area"))
    values = measure_values(data)
    if not values["title"]:
        raise Invalid(FieldError("title", "cannot be empty"))
    check_shared(values["status"], values["result"], values["shared"])
    now = utcnow()
    measure = Measure(
        improvement_area_id=area_id,
        position=max((m.position for m in existing), default=0) + 1,
        **values,
        created_at=now,
        updated_at=now,
    )
    session.add(measure)
    touch(municipality, now)
    session.flush()
    result = measure_read(measure)
    audit.record(
        session,
        principal,
        action="create",
        entity_type="measure",
        entity_id=measure.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    commit(session)
    return result


def find_measure(
    session: Session, principal: Principal, measure_id: int
) -> tuple[Measure, Municipality]:
    row = session.exec(
        select(Measure, Municipality)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(Measure.id) == measure_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "measure")
    assert row is not None
    return row[0], row[1]


def get_measure(session: Session, principal: Principal, measure_id: int) -> MeasureRead:
    return measure_read(find_measure(session, principal, measure_id)[0])


def measure_municipality(session: Session, principal: Principal, measure_id: int) -> Municipality:
    return find_measure(session, principal, measure_id)[1]


def locked_measure(
    session: Session, principal: Principal, measure_id: int, expected_version: int | None
) -> tuple[Measure, Municipality, MeasureRead]:
    measure, municipality = find_measure(session, principal, measure_id)
    require_edit(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(measure)
    before = measure_read(measure)
    if expected_version is not None:
        check_version(measure.version, expected_version, before.model_dump(mode="json"))
    return measure, municipality, before


def update_measure(
    session: Session,
    principal: Principal,
    measure_id: int,
    data: MeasureUpdate,
    expected_version: int,
) -> MeasureRead:
    measure, municipality, before = locked_measure(session, principal, measure_id, expected_version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for key in ("title", "description", "responsible", "result"):
        if key in changes:
            changes[key] = clean_text(changes[key])
    if "title" in changes and not changes["title"]:
        raise Invalid(FieldError("title", "cannot be empty"))
    if "status" in changes:
        changes["status"] = changes["status"].value
    check_shared(
        changes.get("status", measure.status),
        changes.get("result", measure.result),
        changes.get("shared", measure.shared),
    )
    start = changes.get("start_date", measure.start_date)
    due = changes.get("due_date", measure.due_date)
    if start and due and due < start:
        raise Invalid(FieldError("due_date", "cannot be before start_date"))
    if all(getattr(measure, k) == v for k, v in changes.items()):
        session.rollback()
        return before
    now = utcnow()
    for key, value in changes.items():
        setattr(measure, key, value)
    measure.version += 1
    measure.updated_at = now
    touch(municipality, now)
    after = measure_read(measure)
    audit.record(
        session,
        principal,
        action="update",
        entity_type="measure",
        entity_id=measure.id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=after.model_dump(mode="json"),
    )
    commit(session)
    return after


def delete_measure(
    session: Session, principal: Principal, measure_id: int, expected_version: int
) -> None:
    measure, municipality, before = locked_measure(session, principal, measure_id, expected_version)
    changes.stage_measure_cascade(session, municipality, measure_id)
    session.delete(measure)
    touch(municipality)
    audit.record(
        session,
        principal,
        action="delete",
        entity_type="measure",
        entity_id=measure_id,
        municipality=municipality,
        before=before.model_dump(mode="json"),
        after=None,
    )
    commit(session)


def status_counts(measures: Iterable[Measure]) -> dict[str, int]:
    counter = Counter(m.status for m in measures)
    return {s.value: counter[s] for s in MeasureStatus}
