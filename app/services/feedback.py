"""Feedback between a municipality and its region's advisers: comments (threads on a
pathway, a phase section or an improvement area) and reviews of the pathway.

- Advisers of the region and the municipality's editors (coordinators, administrators,
  write-scoped API clients bound to it) comment; whoever may read the municipality reads.
- A reply belongs to the thread of the comment it answers, and takes its target. Replies to
  replies are allowed; a thread is its first comment and everything under it.
- Resolving (and reopening) is done on a thread's first comment and resolves the thread.
  A resolved thread takes no replies until it is reopened.
- Only the author changes a comment's text.
- A thread is "awaiting the adviser" while it is open and its last comment was written by
  the municipality's side (anyone but an adviser or an administrator).
- Reviews are written by the region's advisers and by administrators.
- Feedback is not the municipality's content: it never bumps the municipality's version or
  its "last change", but every write locks the municipality and is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import FieldError, Forbidden, Invalid
from app.kit.text import clean_text
from app.models.base import Role, utcnow
from app.models.feedback import (
    Comment,
    CommentCreate,
    CommentRead,
    CommentTarget,
    CommentThreadRead,
    CommentUpdate,
)
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality
from app.services import audit, notices
from app.services.access import (
    Principal,
    PrincipalKind,
    require_authenticated,
    require_read,
    require_visible,
    visible_municipality_ids,
)
from app.services.common import (
    Page,
    check_version,
    clamp_paging,
    commit,
    get_municipality,
    lock_municipality,
)
from app.services.municipalities import get_region_row
from app.services.strengths import check_phase

#: Authors on this side of a conversation are the region's advisers (and administrators).
ADVISER_SIDE = frozenset({Role.adviser.value, Role.admin.value})

Awaiting = Literal["adviser", "municipality"]


def author_role(principal: Principal) -> str:
    if principal.kind == PrincipalKind.user and principal.role is not None:
        return principal.role.value
    return principal.kind.value


def awaiting(last: Comment) -> Awaiting:
    return "municipality" if last.author_role in ADVISER_SIDE else "adviser"


# ---- threads -----------------------------------------------------------------------------


def thread_roots(comments: Sequence[Comment]) -> dict[int, int]:
    """The first comment of each comment's thread, by walking up `parent_id` in memory
    (any depth; a dangling or looping chain ends where it breaks)."""
    parent = {c.id: c.parent_id for c in comments}
    roots: dict[int, int] = {}
    for comment in comments:
        assert comment.id is not None
        seen = {comment.id}
        current = comment.id
        while (up := parent.get(current)) is not None and up in parent and up not in seen:
            seen.add(up)
            current = up
        roots[comment.id] = current
    return roots


def comment_read(comment: Comment, number: str, thread_id: int) -> CommentRead:
    return CommentRead(
        id=comment.id or 0,
        municipality=number,
        target=CommentTarget(comment.target),
        phase=comment.phase,
        improvement_area_id=comment.improvement_area_id,
        parent_id=comment.parent_id,
        thread_id=thread_id,
        text=comment.text,
        author=comment.author,
        author_role=comment.author_role,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        resolved=comment.resolved_at is not None,
        resolved_at=comment.resolved_at,
        resolved_by=comment.resolved_by,
        version=comment.version,
    )


def _in_order(comments: Sequence[Comment]) -> list[Comment]:
    return sorted(comments, key=lambda c: (c.created_at, c.id or 0))


def _municipality_comments(session: Session, municipality_id: int) -> list[Comment]:
    return _in_order(
        session.exec(
            select(Comment)
            .where(col(Comment.municipality_id) == municipality_id)
            .execution_options(populate_existing=True)
        ).all()
    )


# ---- reading -----------------------------------------------------------------------------


def list_comments(
    session: Session,
    principal: Principal,
    number: str,
    *,
    open_only: bool = False,
    target: CommentTarget | None = None,
    phase: str | None = None,
    improvement_area_id: int | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[CommentRead]:
    """A municipality's comments, thread by thread (oldest thread first), each thread in the
    order written. `open_only` keeps the comments of unresolved threads; the other filters
    match a thread's target."""
    limit, offset = clamp_paging(limit, offset)
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    comments = _municipality_comments(session, municipality.id or 0)
    roots = thread_roots(comments)
    by_id = {c.id: c for c in comments}

    def keep(comment: Comment) -> bool:
        root = by_id[roots[comment.id or 0]]
        if open_only and root.resolved_at is not None:
            return False
        if target is not None and root.target != target.value:
            return False
        if phase is not None and root.phase != phase:
            return False
        return improvement_area_id is None or root.improvement_area_id == improvement_area_id

    thread_order = {c.id: n for n, c in enumerate(c for c in comments if roots[c.id or 0] == c.id)}
    kept = sorted(
        (c for c in comments if keep(c)),
        key=lambda c: (thread_order.get(roots[c.id or 0], 0), c.created_at, c.id or 0),
    )
    items = [comment_read(c, number, roots[c.id or 0]) for c in kept]
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)


def _comment(
    session: Session, principal: Principal, comment_id: int
) -> tuple[Comment, Municipality]:
    row = session.exec(
        select(Comment, Municipality)
        .join(Municipality, col(Municipality.id) == col(Comment.municipality_id))
        .where(col(Comment.id) == comment_id)
    ).one_or_none()
    require_visible(principal, row[1] if row else None, "comment")
    assert row is not None
    return row[0], row[1]


def _read_in_thread(session: Session, comment: Comment, municipality: Municipality) -> CommentRead:
    roots = thread_roots(_municipality_comments(session, municipality.id or 0))
    return comment_read(comment, municipality.number, roots.get(comment.id or 0, comment.id or 0))


def get_comment(
    session: Session, principal: Principal, comment_id: int, number: str | None = None
) -> CommentRead:
    """A comment the caller may read; with `number`, 403 unless it is on that municipality
    (a page of one municipality acts on its own comments only)."""
    comment, municipality = _comment(session, principal, comment_id)
    if number is not None and municipality.number != number:
        raise Forbidden("That comment belongs to another municipality.")
    return _read_in_thread(session, comment, municipality)


def _threads_statement(
    session: Session,
    principal: Principal,
    region: str | None,
    municipality: str | None,
    status: Literal["open", "resolved", "all"],
) -> Any:
    """The comments, with their municipality's number and name, that the threads asked for
    can be made of."""
    statement = select(Comment, Municipality.number, Municipality.name).join(
        Municipality, col(Municipality.id) == col(Comment.municipality_id)
    )
    if not principal.is_admin:
        statement = statement.where(
            col(Comment.municipality_id).in_(visible_municipality_ids(session, principal))
        )
    if region is not None:
        statement = statement.where(
            col(Municipality.region_id) == get_region_row(session, region).id
        )
    if municipality is not None:
        found = get_municipality(session, municipality)
        require_read(principal, found)
        statement = statement.where(col(Comment.municipality_id) == found.id)
    if status == "open":
        # Only municipalities with an open thread, and nothing older than the oldest one:
        # replies are always written after the comment they answer.
        open_roots = (
            select(Comment.municipality_id, func.min(Comment.created_at).label("since"))
            .where(col(Comment.parent_id).is_(None))
            .where(col(Comment.resolved_at).is_(None))
            .group_by(col(Comment.municipality_id))
            .subquery()
        )
        statement = statement.join(
            open_roots, open_roots.c.municipality_id == col(Comment.municipality_id)
        ).where(col(Comment.created_at) >= open_roots.c.since)
    return statement


def _thread_wanted(
    root: Comment,
    thread: list[Comment],
    status: Literal["open", "resolved", "all"],
    awaiting_side: Awaiting | None,
) -> bool:
    if root.parent_id is not None:
        return False  # the start of this thread is older than what was loaded
    if status == "open" and root.resolved_at is not None:
        return False
    if status == "resolved" and root.resolved_at is None:
        return False
    return awaiting_side is None or awaiting(thread[-1]) == awaiting_side


def _area_titles(session: Session, area_ids: set[int]) -> dict[int, str]:
    if not area_ids:
        return {}
    rows = session.exec(
        select(ImprovementArea.id, ImprovementArea.title).where(
            col(ImprovementArea.id).in_(area_ids)
        )
    ).all()
    return {area_id or 0: title for area_id, title in rows}


def list_threads(
    session: Session,
    principal: Principal,
    *,
    region: str | None = None,
    municipality: str | None = None,
    status: Literal["open", "resolved", "all"] = "open",
    awaiting_side: Awaiting | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page[CommentThreadRead]:
    """Comment threads of every municipality the caller may read (narrowed to a region or
    a municipality), the most recently active first. `awaiting_side="adviser"` gives an
    adviser the threads still waiting for an answer from them. A fixed number of queries."""
    require_authenticated(principal)
    limit, offset = clamp_paging(limit, offset)
    statement = _threads_statement(session, principal, region, municipality, status)
    rows = session.exec(statement).all()
    comments = _in_order([c for c, _, _ in rows])
    place = {c.id: (number, name) for c, number, name in rows}
    roots = thread_roots(comments)
    members: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        members[roots[comment.id or 0]].append(comment)
    by_id = {c.id: c for c in comments}

    threads = [
        (by_id[root_id], thread)
        for root_id, thread in members.items()
        if _thread_wanted(by_id[root_id], thread, status, awaiting_side)
    ]
    threads.sort(key=lambda pair: (pair[1][-1].created_at, pair[1][-1].id or 0), reverse=True)
    page = threads[offset : offset + limit]

    titles = _area_titles(
        session, {root.improvement_area_id for root, _ in page if root.improvement_area_id}
    )
    items = [
        CommentThreadRead(
            id=root.id or 0,
            municipality=place[root.id][0],
            municipality_name=place[root.id][1],
            target=CommentTarget(root.target),
            phase=root.phase,
            improvement_area_id=root.improvement_area_id,
            improvement_area_title=titles.get(root.improvement_area_id or 0),
            resolved=root.resolved_at is not None,
            awaiting=awaiting(thread[-1]),
            last_comment_at=thread[-1].created_at,
            comments=[comment_read(c, place[root.id][0], root.id or 0) for c in thread],
            version=root.version,
        )
        for root, thread in page
    ]
    return Page(items=items, total=len(threads), limit=limit, offset=offset)


def open_threads_for_dashboard(
    session: Session, principal: Principal, *, limit: int | None = None
) -> Page[CommentThreadRead]:
    """A coordinator's dashboard: the open threads on their municipalities."""
    return list_threads(session, principal, status="open", limit=limit)


def unanswered_threads(
    session: Session, principal: Principal, region: str | None = None, *, limit: int | None = None
) -> Page[CommentThreadRead]:
    """An adviser's list: open threads across their region(s) whose last word came from
    the municipality's side."""
    return list_threads(
        session, principal, region=region, status="open", awaiting_side="adviser", limit=limit
    )


# ---- writing -----------------------------------------------------------------------------


def require_comment(principal: Principal, municipality: Municipality) -> None:
    require_read(principal, municipality)
    if not principal.can_comment(municipality):
        raise Forbidden(
            f"Comments on {municipality.name} are written by its editors and the region's advisers."
        )


def require_review(principal: Principal, municipality: Municipality) -> None:
    require_read(principal, municipality)
    if not principal.can_review(municipality):
        raise Forbidden(f"The pathway of {municipality.name} is reviewed by the region's advisers.")


def comment_to_change(
    session: Session, principal: Principal, comment_id: int
) -> tuple[Comment, Municipality]:
    """A comment the caller may resolve, reopen or (if theirs) change: one of a
    municipality they may comment on."""
    comment, municipality = _comment(session, principal, comment_id)
    require_comment(principal, municipality)
    return comment, municipality


def _target_fields(
    session: Session, municipality: Municipality, data: CommentCreate, existing: list[Comment]
) -> tuple[str, str | None, int | None, int | None]:
    """(target, phase, improvement area, parent) for a new comment, checked."""
    if data.parent_id is not None:
        by_id = {c.id: c for c in existing}
        parent = by_id.get(data.parent_id)
        if parent is None:
            raise Invalid(
                FieldError("parent_id", f"no comment {data.parent_id} on {municipality.name}")
            )
        root = by_id[thread_roots(existing)[parent.id or 0]]
        if root.resolved_at is not None:
            raise Invalid(FieldError("parent_id", "the thread is resolved; reopen it to reply"))
        given = data.model_fields_set
        asked = {
            "target": data.target.value,
            "phase": data.phase,
            "improvement_area_id": data.improvement_area_id,
        }
        if any(getattr(root, name) != value for name, value in asked.items() if name in given):
            raise Invalid(FieldError("target", "a reply has the target of its thread"))
        return root.target, root.phase, root.improvement_area_id, parent.id
    if data.target == CommentTarget.pathway:
        if data.phase is not None or data.improvement_area_id is not None:
            raise Invalid(
                FieldError("target", "a comment on the pathway names no phase and no area")
            )
        return data.target.value, None, None, None
    if data.target == CommentTarget.phase_section:
        check_phase(session, data.phase)
        if data.improvement_area_id is not None:
            raise Invalid(FieldError("improvement_area_id", "only for improvement_area comments"))
        return data.target.value, data.phase, None, None
    if data.phase is not None:
        raise Invalid(FieldError("phase", "only for phase_section comments"))
    area = session.get(ImprovementArea, data.improvement_area_id)
    if area is None or area.municipality_id != municipality.id:
        raise Invalid(
            FieldError(
                "improvement_area_id",
                f"no improvement area {data.improvement_area_id} in {municipality.name}",
            )
        )
    return data.target.value, None, area.id, None


def create_comment(
    session: Session, principal: Principal, number: str, data: CommentCreate
) -> CommentRead:
    """A new comment, or a reply when `parent_id` is given."""
    municipality = get_municipality(session, number)
    require_comment(principal, municipality)
    municipality = lock_municipality(session, municipality.id or 0)
    existing = _municipality_comments(session, municipality.id or 0)
    target, phase, area_id, parent_id = _target_fields(session, municipality, data, existing)
    text = clean_text(data.text)
    if not text:
        raise Invalid(FieldError("text", "cannot be empty"))
    now = utcnow()
    comment = Comment(
        municipality_id=municipality.id or 0,
        target=target,
        phase=phase,
        improvement_area_id=area_id,
        parent_id=parent_id,
        text=text,
        author=principal.label,
        author_role=author_role(principal),
        author_user_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    session.flush()
    roots = thread_roots([*existing, comment])
    result = comment_read(comment, number, roots[comment.id or 0])
    audit.record(
        session,
        principal,
        action="create",
        entity_type="comment",
        entity_id=comment.id,
        municipality=municipality,
        before=None,
        after=result.model_dump(mode="json"),
    )
    notices.queue_comment(session, comment, municipality)
    commit(session)
    return result


def update_comment(
    session: Session,
    principal: Principal,
    comment_id: int,
    data: CommentUpdate,
    expected_version: int,
) -> CommentRead:
    """Resolve or reopen a thread, or change one's own text. Each kind of change is its own
    audit event (`resolve`, `reopen`, `update`); an identical write changes nothing."""
    comment, municipality = comment_to_change(session, principal, comment_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    # Who may do it is decided before the version is compared (the author never changes).
    if "text" in changes and (
        comment.author_user_id is None or comment.author_user_id != principal.user_id
    ):
        raise Forbidden("Only the author may change the text of a comment.")
    municipality = lock_municipality(session, municipality.id or 0)
    session.refresh(comment)
    before = _read_in_thread(session, comment, municipality)
    check_version(comment.version, expected_version, before.model_dump(mode="json"))
    actions: list[str] = []
    text = comment.text
    if "text" in changes:
        text = clean_text(changes["text"])
        if not text:
            raise Invalid(FieldError("text", "cannot be empty"))
        if text != comment.text:
            actions.append("update")
    if "resolved" in changes:
        if comment.parent_id is not None:
            raise Invalid(
                FieldError("resolved", "resolve the thread on its first comment (thread_id)")
            )
        if changes["resolved"] != (comment.resolved_at is not None):
            actions.append("resolve" if changes["resolved"] else "reopen")
    if not actions:
        session.rollback()
        return before
    now = utcnow()
    comment.text = text
    if "resolve" in actions:
        comment.resolved_at, comment.resolved_by = now, principal.label
    if "reopen" in actions:
        comment.resolved_at, comment.resolved_by = None, None
    comment.version += 1
    comment.updated_at = now
    after = before.model_copy(
        update={
            "text": comment.text,
            "resolved": comment.resolved_at is not None,
            "resolved_at": comment.resolved_at,
            "resolved_by": comment.resolved_by,
            "version": comment.version,
            "updated_at": now,
        }
    )
    for action in actions:
        audit.record(
            session,
            principal,
            action=action,
            entity_type="comment",
            entity_id=comment.id,
            municipality=municipality,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
    commit(session)
    return after
