"""Notification preferences: everything starts off, choices are kept per person and kind,
bad modes are refused without saving anything, and only signed-in people choose. And the
notices themselves: who gets which, once, in their language, with a working unsubscribe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import Forbidden, Invalid, NotFound
from app.models.base import ImprovementStatus, IndicatorKind, MeasureStatus, Role, utcnow
from app.models.feedback import CommentCreate, Review
from app.models.identity import User
from app.models.improvement import ImprovementArea, Measure
from app.models.mail import OutboxMessage
from app.models.measurement import Indicator, Observation
from app.models.network import Gathering
from app.services import feedback, notices, notifications
from app.services.access import ANONYMOUS, Principal
from app.services.notices import RunSummary
from app.services.notifications import Kind, Mode
from tests import factories, network_factories


def test_choices_are_kept_per_person_and_kind(session: Session) -> None:
    kari = factories.user(session, Role.coordinator, municipalities=("5540",))
    ola = factories.user(session, Role.coordinator, municipalities=("5540",))
    assert set(notifications.preferences(session, kari).values()) == {Mode.off}
    notifications.set_preferences(session, kari, {"comment": "immediate", "overdue": "weekly"})
    notifications.set_preferences(session, kari, {"overdue": "off"})
    chosen = notifications.preferences(session, kari)
    assert chosen[Kind.comment] == Mode.immediate
    assert chosen[Kind.overdue] == Mode.off
    assert chosen[Kind.upcoming] == Mode.off
    assert set(notifications.preferences(session, ola).values()) == {Mode.off}


def test_bad_modes_are_refused_and_nothing_is_saved(session: Session) -> None:
    kari = factories.user(session, Role.coordinator, municipalities=("5540",))
    with pytest.raises(Invalid) as raised:
        notifications.set_preferences(session, kari, {"comment": "weekly", "upcoming": "daily"})
    assert [e.field for e in raised.value.errors] == ["upcoming"]
    assert notifications.preferences(session, kari)[Kind.comment] == Mode.off
    with pytest.raises(Forbidden):
        notifications.preferences(session, ANONYMOUS)


# ---- sending ------------------------------------------------------------------------------

TODAY = date(2026, 12, 7)  # a Monday
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def _outbox(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def _person(session: Session, number: str = "5540", language: str = "nb") -> Principal:
    principal = factories.user(session, Role.coordinator, municipalities=(number,))
    user = session.get(User, principal.user_id)
    assert user is not None
    user.language = language
    session.add(user)
    session.commit()
    return principal


def _email(session: Session, principal: Principal) -> str:
    user = session.get(User, principal.user_id)
    assert user is not None
    return user.email


def _overdue_measure(session: Session, number: str, due: date) -> int:
    measure_id = factories.measure(session, factories.area(session, number), "Ringe pårørende")
    measure = session.get(Measure, measure_id)
    assert measure is not None
    measure.due_date = due
    session.add(measure)
    session.commit()
    return measure_id


def test_a_comment_is_mailed_at_once_to_colleagues_who_chose_it_not_to_its_author(
    session: Session,
) -> None:
    kari = _person(session)
    ola = _person(session)
    weekly = _person(session)
    elsewhere = _person(session, "5501")
    for person in (kari, ola, elsewhere):
        notifications.set_preferences(session, person, {"comment": "immediate"})
    notifications.set_preferences(session, weekly, {"comment": "weekly"})
    feedback.create_comment(session, kari, "5540", CommentCreate(text="Hva mener dere?"))
    (message,) = _outbox(session)
    assert message.to_address == _email(session, ola)
    assert "Kåfjord" in message.subject
    assert "Hva mener dere?" in message.text_body
    assert "/app/varsler" in message.text_body
    assert "/app/varsler" in message.html_body
    unsubscribe = message.headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<")
    assert "/varsler/avmeld/" in unsubscribe
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.strip("<>").rsplit("/", 1)[1]
    assert notifications.unsubscribe(session, token) == "comment"
    assert notifications.preferences(session, ola)[Kind.comment] == Mode.off
    feedback.create_comment(session, kari, "5540", CommentCreate(text="Noen?"))
    assert len(_outbox(session)) == 1


def test_an_unsubscribe_token_is_for_one_person_and_topic(session: Session) -> None:
    kari = _person(session)
    ola = _person(session)
    choices = {"comment": "immediate", "overdue": "weekly", "upcoming": "weekly"}
    notifications.set_preferences(session, kari, choices)
    notifications.set_preferences(session, ola, choices)
    assert kari.user_id is not None
    assert ola.user_id is not None
    token = notifications.unsubscribe_token(kari.user_id, "weekly")
    for forged in (
        token.replace(f"{kari.user_id}.", f"{ola.user_id}.", 1),
        token.replace(".weekly.", ".comment."),
        token[:-2],
        "nonsense",
    ):
        with pytest.raises(NotFound):
            notifications.unsubscribe(session, forged)
    assert notifications.unsubscribe(session, token) == "weekly"
    chosen = notifications.preferences(session, kari)
    assert chosen[Kind.overdue] == chosen[Kind.upcoming] == Mode.off
    assert chosen[Kind.comment] == Mode.immediate
    assert notifications.preferences(session, ola) == {
        Kind.overdue: Mode.weekly,
        Kind.comment: Mode.immediate,
        Kind.missing_number: Mode.off,
        Kind.upcoming: Mode.weekly,
    }


def test_a_passed_deadline_is_told_once_and_again_when_a_moved_deadline_passes(
    session: Session,
) -> None:
    kari = _person(session, language="nn")
    notifications.set_preferences(session, kari, {"overdue": "immediate"})
    measure_id = _overdue_measure(session, "5540", TODAY - timedelta(days=1))
    _overdue_measure(session, "5501", TODAY - timedelta(days=1))  # not her municipality
    assert notices.run(session, today=TODAY, now=NOW) == RunSummary(immediate=1, digests=0)
    (message,) = _outbox(session)
    assert message.subject == "Tiltak har passert fristen"
    assert "Kåfjord - Kaivuono): fristen var 06.12.2026" in message.text_body
    assert "har valt det under Varsel" in message.text_body  # nynorsk
    assert f"/app/tiltak/{measure_id}" in message.html_body
    assert notices.run(session, today=TODAY, now=NOW) == RunSummary(immediate=0, digests=0)
    measure = session.get(Measure, measure_id)
    assert measure is not None
    measure.due_date = TODAY + timedelta(days=3)
    session.add(measure)
    session.commit()
    later = TODAY + timedelta(days=5)
    assert notices.run(session, today=later, now=NOW + timedelta(days=5)).immediate == 1
    done = session.get(Measure, measure_id)
    assert done is not None
    done.status = MeasureStatus.done
    session.add(done)
    session.commit()
    assert notices.run(session, today=later + timedelta(days=30)).immediate == 0


def test_a_month_without_a_number_on_an_active_indicator(session: Session) -> None:
    kari = _person(session)
    notifications.set_preferences(session, kari, {"missing_number": "immediate"})
    area_id = factories.area(session, "5540")
    area = session.get(ImprovementArea, area_id)
    assert area is not None
    area.status = ImprovementStatus.in_progress
    earlier = datetime(2026, 9, 1, tzinfo=UTC)
    with_number = Indicator(
        improvement_area_id=area_id,
        name="Andel kartlagt",
        kind=IndicatorKind.proportion,
        created_at=earlier,
    )
    without = Indicator(
        improvement_area_id=area_id,
        name="Antall samtaler",
        kind=IndicatorKind.count,
        created_at=earlier,
    )
    new = Indicator(
        improvement_area_id=area_id, name="Ny", kind=IndicatorKind.count, created_at=NOW
    )
    session.add_all([area, with_number, without, new])
    session.flush()
    session.add(Observation(indicator_id=with_number.id or 0, period=date(2026, 11, 1), value=1))
    session.commit()
    assert notices.run(session, today=TODAY, now=NOW).immediate == 1
    (message,) = _outbox(session)
    assert (
        "Antall samtaler (Gáivuotna - Kåfjord - Kaivuono): ingen tall for 11.2026"
        in message.text_body
    )
    assert "Andel kartlagt" not in message.text_body
    assert "Ny " not in message.text_body
    assert notices.run(session, today=TODAY + timedelta(days=1)).immediate == 0
    assert notices.run(session, today=date(2027, 1, 2)).immediate == 1  # December too


def test_a_gathering_and_a_guidance_conversation_coming_up(session: Session) -> None:
    kari = _person(session)
    notifications.set_preferences(session, kari, {"upcoming": "immediate"})
    network_id = network_factories.network(session, members=("5540",))
    session.add(
        Gathering(
            network_id=network_id,
            title="Andre samling",
            starts_on=TODAY + timedelta(days=10),
            ends_on=TODAY + timedelta(days=10),
        )
    )
    session.add(
        Gathering(
            network_id=network_id,
            title="Langt fram",
            starts_on=TODAY + timedelta(days=40),
            ends_on=TODAY + timedelta(days=40),
        )
    )
    municipality = factories.municipality(session, "5540")
    session.add(
        Review(
            municipality_id=municipality.id or 0,
            reviewer="Rådgiver",
            reviewed_at=datetime(2025, 12, 15, 10, tzinfo=UTC),
        )
    )
    session.commit()
    assert notices.run(session, today=TODAY, now=NOW).immediate == 1
    (message,) = _outbox(session)
    assert "Samlingen «Andre samling» i Nettverket begynner 17.12.2026" in message.text_body
    assert "Kaivuono er aktuell fra 15.12.2026" in message.text_body
    assert "Langt fram" not in message.text_body
    assert notices.run(session, today=TODAY, now=NOW).immediate == 0


def test_the_weekly_digest_comes_once_a_week_with_what_happened_since(
    session: Session,
) -> None:
    kari = _person(session, language="en")
    ola = _person(session)
    notifications.set_preferences(session, kari, {"comment": "weekly", "overdue": "weekly"})
    _overdue_measure(session, "5540", utcnow().date() - timedelta(days=2))
    feedback.create_comment(session, ola, "5540", CommentCreate(text="Ny rutine for kartlegging"))
    assert _outbox(session) == []  # weekly, not at once
    now = utcnow()
    today = now.date()
    assert notices.run(session, today=today, now=now) == RunSummary(immediate=0, digests=1)
    assert notices.run(session, today=today, now=now) == RunSummary(immediate=0, digests=0)
    (digest,) = _outbox(session)
    assert digest.to_address == _email(session, kari)
    assert digest.subject == "Your weekly summary from Demensforløp"
    assert "Ny rutine for kartlegging" in digest.text_body
    assert "Kåfjord - Kaivuono): the deadline was" in digest.text_body
    assert "weekly" in digest.headers["List-Unsubscribe"]
    next_week = now + timedelta(days=7)
    assert notices.run(session, today=next_week.date(), now=next_week).digests == 1
    assert "Ny rutine" not in _outbox(session)[-1].text_body  # told of last week
