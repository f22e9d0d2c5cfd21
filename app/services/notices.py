"""Notification e-mails: who hears of what, when, and a record of what was sent.

A person hears of what happens in their municipalities: a coordinator's own, an adviser's
every municipality of their regions (administrators have none). Per kind they chose off,
at once or the weekly digest (`services.notifications`).

- A new comment or reply is queued into the outbox in the comment's own transaction
  (`queue_comment`) for everyone who chose it at once, except its author.
- Everything that depends on the calendar comes from `run`, called by `demensforlop notify`
  (a daily cron job): measures past their deadline, a month that ended without a number,
  conversations and gatherings coming up, and once per ISO week the digest.

Every notice sent is recorded in `sent_notice` (person, kind, subject, period) in the same
transaction as its e-mail, and a notice already recorded is never sent again; two runs at
once collide on the unique key and the second one's e-mail is rolled back with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.kit.dates import local_date
from app.models.base import utcnow
from app.models.feedback import Comment
from app.models.identity import User, UserMunicipality, UserRegion
from app.models.mail import NotificationPreference, SentNotice
from app.models.municipality import Municipality
from app.services import notice_sources, outbox
from app.services.notice_sources import Notice
from app.services.notifications import WEEKLY, Kind, Mode, unsubscribe_token

#: The kinds `run` sends at once (comments go out as they are written).
TIMED_KINDS = (Kind.overdue, Kind.missing_number, Kind.upcoming)
#: The subject of a weekly digest's record.
DIGEST = "digest"
PREFERENCES_PATH = "/app/varsler"
UNSUBSCRIBE_PATH = "/varsler/avmeld/"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    language: str
    modes: dict[Kind, Mode]
    municipality_ids: frozenset[int]

    def concerns(self, notice: Notice) -> bool:
        own = notice.author_user_id is not None and notice.author_user_id == self.id
        return bool(notice.municipality_ids & self.municipality_ids) and not own


@dataclass(frozen=True)
class RunSummary:
    #: E-mails queued with notices sent at once.
    immediate: int
    #: Weekly digests queued.
    digests: int


def _scopes(session: Session, user_ids: Sequence[int]) -> dict[int, set[int]]:
    scopes: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, municipality_id in session.exec(
        select(UserMunicipality.user_id, UserMunicipality.municipality_id).where(
            col(UserMunicipality.user_id).in_(user_ids)
        )
    ).all():
        scopes[user_id].add(municipality_id)
    for adviser_id, region_municipality_id in session.exec(
        select(UserRegion.user_id, Municipality.id)
        .join(Municipality, col(Municipality.region_id) == col(UserRegion.region_id))
        .where(col(UserRegion.user_id).in_(user_ids))
    ).all():
        scopes[adviser_id].add(region_municipality_id or 0)
    return scopes


def people(session: Session, *, kind: Kind | None = None, mode: Mode | None = None) -> list[Person]:
    """Active people who chose anything but off (for `kind` in `mode`, when given)."""
    statement = (
        select(User, NotificationPreference)
        .join(NotificationPreference, col(NotificationPreference.user_id) == col(User.id))
        .where(col(User.is_active))
        .where(col(NotificationPreference.mode) != Mode.off.value)
        .order_by(col(User.id))
    )
    rows = session.exec(statement).all()
    chosen: dict[int, tuple[User, dict[Kind, Mode]]] = {}
    for user, preference in rows:
        if preference.kind not in Kind.__members__:
            continue
        chosen.setdefault(user.id or 0, (user, {}))[1][Kind(preference.kind)] = Mode(
            preference.mode
        )
    if kind is not None:
        chosen = {uid: pair for uid, pair in chosen.items() if pair[1].get(kind) == mode}
    scopes = _scopes(session, list(chosen))
    return [
        Person(
            id=user_id,
            email=user.email,
            name=user.name,
            language=user.language,
            modes=modes,
            municipality_ids=frozenset(scopes[user_id]),
        )
        for user_id, (user, modes) in chosen.items()
    ]


def _item(notice: Notice, base_url: str) -> dict[str, Any]:
    return {
        "what": notice.what,
        "title": notice.title,
        "place": notice.place,
        "when": notice.when,
        "link": base_url + notice.path,
        "author": notice.author,
        "excerpt": notice.excerpt,
    }


def _queue_mail(
    session: Session,
    person: Person,
    topic: str,
    sections: Sequence[tuple[Kind, Sequence[Notice]]],
    settings: Settings,
) -> None:
    base_url = settings.public_url.rstrip("/")
    unsubscribe_url = (
        base_url + UNSUBSCRIBE_PATH + unsubscribe_token(person.id, topic, settings.secret_key)
    )
    outbox.queue(
        session,
        to=person.email,
        template="notification",
        language=person.language,
        context={
            "name": person.name,
            "digest": topic == WEEKLY,
            "sections": [
                {"kind": kind.value, "items": [_item(n, base_url) for n in notices]}
                for kind, notices in sections
            ],
            "preferences_link": base_url + PREFERENCES_PATH,
            "unsubscribe_link": f"{unsubscribe_url}?lang={person.language}",
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _record(session: Session, person: Person, kind: str, notices: Iterable[Notice]) -> None:
    for notice in notices:
        session.add(
            SentNotice(user_id=person.id, kind=kind, subject=notice.subject, period=notice.period)
        )


def queue_comment(session: Session, comment: Comment, municipality: Municipality) -> int:
    """Queue the e-mails about a new comment for the people who chose comments at once, in
    the caller's transaction (not committed here). Returns how many."""
    notice = notice_sources.comment_notice(comment, municipality)
    settings = get_settings()
    queued = 0
    for person in people(session, kind=Kind.comment, mode=Mode.immediate):
        if person.concerns(notice):
            _queue_mail(session, person, Kind.comment.value, [(Kind.comment, [notice])], settings)
            _record(session, person, Kind.comment.value, [notice])
            queued += 1
    return queued


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class _Known:
    """What the run knows before it looks at anyone: the notices and what was sent."""

    timed: dict[Kind, list[Notice]]
    comments: list[Notice]
    sent: set[tuple[int, str, str, str]]
    last_digest: dict[int, datetime]
    week: str
    week_ago: datetime


def _known(session: Session, persons: Sequence[Person], today: date, now: datetime) -> _Known:
    settings = get_settings()
    upcoming = notice_sources.upcoming_conversations(
        session, today, settings.review_interval_months
    ) + notice_sources.upcoming_gatherings(session, today)
    # Comment notices are never looked up again (each comment is told of once, as it is
    # written): only the records `run` can repeat are read.
    rows = session.exec(
        select(SentNotice)
        .where(col(SentNotice.user_id).in_([p.id for p in persons]))
        .where(col(SentNotice.kind) != Kind.comment.value)
    ).all()
    last_digest: dict[int, datetime] = {}
    for row in rows:
        if row.kind == WEEKLY:
            last_digest[row.user_id] = max(row.sent_at, last_digest.get(row.user_id, row.sent_at))
    week_ago = now - timedelta(days=7)
    return _Known(
        timed={
            Kind.overdue: notice_sources.overdue_measures(session, today),
            Kind.missing_number: notice_sources.missing_numbers(session, today),
            Kind.upcoming: upcoming,
        },
        comments=notice_sources.comments_since(session, week_ago),
        sent={(r.user_id, r.kind, r.subject, r.period) for r in rows},
        last_digest=last_digest,
        week=iso_week(today),
        week_ago=week_ago,
    )


def _digest_sections(person: Person, known: _Known) -> list[tuple[Kind, list[Notice]]]:
    since = max(known.last_digest.get(person.id, known.week_ago), known.week_ago)
    sections = []
    for kind in Kind:
        if person.modes.get(kind) != Mode.weekly:
            continue
        if kind == Kind.comment:
            candidates = [n for n in known.comments if n.created_at and n.created_at >= since]
        else:
            candidates = known.timed[kind]
        items = [n for n in candidates if person.concerns(n)]
        if items:
            sections.append((kind, items))
    return sections


def _notify_person(
    session: Session, person: Person, known: _Known, settings: Settings
) -> RunSummary:
    immediate = digests = 0
    for kind in TIMED_KINDS:
        if person.modes.get(kind) != Mode.immediate:
            continue
        new = [
            n
            for n in known.timed[kind]
            if person.concerns(n) and (person.id, kind.value, n.subject, n.period) not in known.sent
        ]
        if new:
            _queue_mail(session, person, kind.value, [(kind, new)], settings)
            _record(session, person, kind.value, new)
            immediate += 1
    if (person.id, WEEKLY, DIGEST, known.week) not in known.sent:
        sections = _digest_sections(person, known)
        if sections:
            _queue_mail(session, person, WEEKLY, sections, settings)
            session.add(
                SentNotice(user_id=person.id, kind=WEEKLY, subject=DIGEST, period=known.week)
            )
            digests += 1
    return RunSummary(immediate=immediate, digests=digests)


def run(session: Session, *, today: date | None = None, now: datetime | None = None) -> RunSummary:
    """One pass of `demensforlop notify`: queue what is due for everyone, one transaction per
    person. Safe to run as often as one likes: nothing recorded as sent is sent again."""
    now = now or utcnow()
    today = today or local_date(now)
    persons = people(session)
    if not persons:
        return RunSummary(immediate=0, digests=0)
    known = _known(session, persons, today, now)
    settings = get_settings()
    immediate = digests = 0
    for person in persons:
        try:
            done = _notify_person(session, person, known, settings)
            session.commit()
        except IntegrityError:
            # Another run sent this person's notices at the same moment.
            session.rollback()
            continue
        immediate += done.immediate
        digests += done.digests
    return RunSummary(immediate=immediate, digests=digests)
