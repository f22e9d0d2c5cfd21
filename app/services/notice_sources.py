"""What there is to tell people about, read in a fixed number of queries whatever the data:
measures past their deadline, indicators without a number for the month that just ended,
guidance conversations and gatherings coming up, and new comments. Each is a `Notice`
with the municipalities it concerns; `services.notices` decides who hears of it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from app.kit.dates import add_months, local_date
from app.models.base import Frequency, ImprovementStatus, MeasureStatus
from app.models.feedback import Comment, Review
from app.models.improvement import ImprovementArea, Measure
from app.models.measurement import Indicator, Observation
from app.models.municipality import Municipality
from app.models.network import Gathering, MemberStatus, Network, NetworkMember
from app.services.notifications import Kind

#: A guidance conversation or gathering is "coming up" this many days ahead.
UPCOMING_DAYS = 14
#: The longest excerpt of a comment in an e-mail.
EXCERPT_LENGTH = 300


@dataclass(frozen=True)
class Notice:
    """One thing to tell: `subject` and `period` identify it for the sent-notice record."""

    kind: Kind
    subject: str
    period: str
    municipality_ids: frozenset[int]
    #: What it is, for the wording: measure, indicator, conversation, gathering, comment.
    what: str
    title: str
    #: The municipality (or the learning network) it belongs to.
    place: str
    path: str
    when: date | None = None
    author: str = ""
    author_user_id: int | None = None
    excerpt: str = ""
    created_at: datetime | None = field(default=None, compare=False)


def overdue_measures(session: Session, today: date) -> list[Notice]:
    """Measures not done or stopped whose deadline is before today."""
    rows = session.exec(
        select(Measure, Municipality)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Measure.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(Measure.due_date) < today)
        .where(col(Measure.status).in_([MeasureStatus.not_started, MeasureStatus.in_progress]))
        .order_by(col(Measure.due_date), col(Measure.id))
    ).all()
    return [
        Notice(
            kind=Kind.overdue,
            subject=f"measure:{measure.id}",
            period=measure.due_date.isoformat() if measure.due_date else "",
            municipality_ids=frozenset({municipality.id or 0}),
            what="measure",
            title=measure.title,
            place=municipality.name,
            path=f"/app/tiltak/{measure.id}",
            when=measure.due_date,
        )
        for measure, municipality in rows
    ]


def last_month(today: date) -> tuple[date, date]:
    """The first day of the month before `today`'s, and the first day of `today`'s."""
    this_month = today.replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1), this_month


def missing_numbers(session: Session, today: date) -> list[Notice]:
    """Monthly indicators of improvement areas in progress with no number for the month
    that just ended (indicators made after that month are left alone)."""
    start, end = last_month(today)
    has_number = exists().where(
        col(Observation.indicator_id) == col(Indicator.id),
        col(Observation.period) >= start,
        col(Observation.period) < end,
    )
    rows = session.exec(
        select(Indicator, Municipality)
        .join(ImprovementArea, col(ImprovementArea.id) == col(Indicator.improvement_area_id))
        .join(Municipality, col(Municipality.id) == col(ImprovementArea.municipality_id))
        .where(col(ImprovementArea.status) == ImprovementStatus.in_progress)
        .where(col(Indicator.frequency) == Frequency.month)
        .where(col(Indicator.created_at) < datetime(end.year, end.month, end.day, tzinfo=UTC))
        .where(~has_number)
        .order_by(col(Municipality.name), col(Indicator.id))
    ).all()
    return [
        Notice(
            kind=Kind.missing_number,
            subject=f"indicator:{indicator.id}",
            period=start.strftime("%Y-%m"),
            municipality_ids=frozenset({municipality.id or 0}),
            what="indicator",
            title=indicator.name,
            place=municipality.name,
            path=f"/app/malinger/{indicator.id}",
            when=start,
        )
        for indicator, municipality in rows
    ]


def upcoming_gatherings(session: Session, today: date) -> list[Notice]:
    """Gatherings starting in the next `UPCOMING_DAYS` days, for the municipalities invited
    to or taking part in their network."""
    rows = session.exec(
        select(Gathering, Network, NetworkMember.municipality_id)
        .join(Network, col(Network.id) == col(Gathering.network_id))
        .join(NetworkMember, col(NetworkMember.network_id) == col(Gathering.network_id))
        .where(col(Gathering.starts_on) >= today)
        .where(col(Gathering.starts_on) <= today + timedelta(days=UPCOMING_DAYS))
        .where(col(NetworkMember.status).in_([MemberStatus.invited, MemberStatus.taking_part]))
        .order_by(col(Gathering.starts_on), col(Gathering.id))
    ).all()
    members: dict[int, set[int]] = {}
    found: dict[int, tuple[Gathering, Network]] = {}
    for gathering, network, municipality_id in rows:
        members.setdefault(gathering.id or 0, set()).add(municipality_id)
        found[gathering.id or 0] = (gathering, network)
    return [
        Notice(
            kind=Kind.upcoming,
            subject=f"gathering:{gathering_id}",
            period=gathering.starts_on.isoformat(),
            municipality_ids=frozenset(members[gathering_id]),
            what="gathering",
            title=gathering.title,
            place=network.name,
            path=f"/app/samlinger/{gathering_id}",
            when=gathering.starts_on,
        )
        for gathering_id, (gathering, network) in found.items()
    ]


def upcoming_conversations(session: Session, today: date, interval_months: int) -> list[Notice]:
    """Guidance conversations falling due (`interval_months` after the last one) in the next
    `UPCOMING_DAYS` days."""
    last = (
        select(Review.municipality_id, func.max(Review.reviewed_at).label("last"))
        .group_by(col(Review.municipality_id))
        .subquery()
    )
    rows = session.exec(
        select(Municipality, last.c.last).join(last, last.c.municipality_id == Municipality.id)
    ).all()
    notices = []
    for municipality, last_at in rows:
        due = add_months(local_date(last_at), interval_months)
        if today <= due <= today + timedelta(days=UPCOMING_DAYS):
            notices.append(
                Notice(
                    kind=Kind.upcoming,
                    subject=f"conversation:{municipality.id}",
                    period=due.isoformat(),
                    municipality_ids=frozenset({municipality.id or 0}),
                    what="conversation",
                    title="",
                    place=municipality.name,
                    path=f"/app/kommuner/{municipality.number}/kommentarer",
                    when=due,
                )
            )
    return sorted(notices, key=lambda n: (n.when or today, n.place))


def comment_notice(comment: Comment, municipality: Municipality) -> Notice:
    text = comment.text
    excerpt = text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"
    return Notice(
        kind=Kind.comment,
        subject=f"comment:{comment.id}",
        period="",
        municipality_ids=frozenset({municipality.id or 0}),
        what="reply" if comment.parent_id else "comment",
        title="",
        place=municipality.name,
        path=f"/app/kommuner/{municipality.number}/kommentarer",
        when=local_date(comment.created_at),
        author=comment.author,
        author_user_id=comment.author_user_id,
        excerpt=excerpt,
        created_at=comment.created_at,
    )


def comments_since(session: Session, since: datetime) -> list[Notice]:
    """Comments and replies written from `since` on, oldest first."""
    rows = session.exec(
        select(Comment, Municipality)
        .join(Municipality, col(Municipality.id) == col(Comment.municipality_id))
        .where(col(Comment.created_at) >= since)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return [comment_notice(comment, municipality) for comment, municipality in rows]
