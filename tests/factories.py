"""Factories: build principals, tokens, users and content through the real services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import count
from typing import Any

from sqlmodel import Session, col, select

from app.models.base import Role, Scope, utcnow
from app.models.feedback import CommentCreate, ReviewCreate
from app.models.identity import User
from app.models.improvement import ImprovementAreaCreate, MeasureCreate, MeasureUpdate
from app.models.municipality import Municipality, Region
from app.models.pathway import ChecklistAnswerInput, PhaseSectionInput, StrengthCreate
from app.models.publishing import PublishedVersion
from app.services import (
    api_clients,
    checklist,
    feedback,
    identity,
    improvement,
    pathway,
    review,
    strengths,
)
from app.services.access import SYSTEM, Principal
from app.services.identity import user_principal
from app.services.seed import seed

_sequence = count(1)

PASSWORD = "correct-horse-battery"


def municipality(session: Session, number: str) -> Municipality:
    return session.exec(select(Municipality).where(col(Municipality.number) == number)).one()


def region(session: Session, slug: str) -> Region:
    return session.exec(select(Region).where(col(Region.slug) == slug)).one()


def token(
    session: Session,
    scope: Scope = Scope.read,
    *,
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    expires_at: datetime | None = None,
) -> str:
    return api_clients.create_token(
        session,
        SYSTEM,
        name=f"client {next(_sequence)}",
        scope=scope,
        municipalities=municipalities,
        regions=regions,
        expires_at=expires_at,
    ).token


def user(
    session: Session,
    role: Role,
    *,
    municipalities: Sequence[str] = (),
    regions: Sequence[str] = (),
    email: str | None = None,
    password: str = PASSWORD,
    is_demo: bool = False,
) -> Principal:
    created = identity.create_user(
        session,
        SYSTEM,
        email=email or f"user{next(_sequence)}@example.no",
        role=role,
        password=password,
        name=f"{role.value.title()} {next(_sequence)}",
        municipalities=municipalities,
        regions=regions,
        is_demo=is_demo,
    )
    return user_principal(session, created)


def coordinator(session: Session, *numbers: str) -> Principal:
    return user(session, Role.coordinator, municipalities=numbers or ("5501",))


def adviser(session: Session, *slugs: str) -> Principal:
    return user(session, Role.adviser, regions=slugs or ("troms",))


def admin(session: Session) -> Principal:
    return user(session, Role.admin)


def fill_section(
    session: Session, number: str, phase: str, offerings: int = 3, text: str = "Beskrivelse"
) -> None:
    current = pathway.section_version(session, SYSTEM, number, phase)
    pathway.update_section(
        session,
        SYSTEM,
        number,
        phase,
        PhaseSectionInput.model_validate(
            {
                "description": text,
                "responsible": "Hukommelsesteamet",
                "contact": {"name": "Demenskoordinator", "phone": "+47 77 00 00 00"},
                "maturity": "established",
                "offerings": [
                    {"name": f"Tilbud {i}", "status": "available"} for i in range(offerings)
                ],
            }
        ),
        current,
    )


def area(
    session: Session, number: str, title: str = "Bedre oppfølging", phases: Sequence[str] = ()
) -> int:
    created = improvement.create_area(
        session,
        SYSTEM,
        number,
        ImprovementAreaCreate(title=title, phases=list(phases)),
    )
    return created.id


def measure(session: Session, area_id: int, title: str = "Tiltak") -> int:
    return improvement.create_measure(session, SYSTEM, area_id, MeasureCreate(title=title)).id


def strength(session: Session, number: str, text: str = "Godt samarbeid") -> int:
    return strengths.create_strength(session, SYSTEM, number, StrengthCreate(text=text)).id


def demo_user(session: Session, email: str) -> Principal:
    """A user of the demo data (load it first with `seed(session, demo=True)`)."""
    return user_principal(session, session.exec(select(User).where(col(User.email) == email)).one())


def section(
    session: Session,
    number: str,
    phase: str,
    *,
    maturity: str = "established",
    needs_knowledge: bool = False,
    offerings: Sequence[dict[str, Any]] = (),
) -> None:
    """Set a phase section's maturity, "needs knowledge" and offerings (each a dict of
    OfferingInput fields, e.g. {"type": "respite", "status": "planned"})."""
    current = pathway.section_version(session, SYSTEM, number, phase)
    pathway.update_section(
        session,
        SYSTEM,
        number,
        phase,
        PhaseSectionInput.model_validate(
            {
                "maturity": maturity,
                "needs_knowledge": needs_knowledge,
                "offerings": list(offerings),
            }
        ),
        current,
    )


def answer(session: Session, number: str, item: str, value: str) -> None:
    current = checklist.get_answer(session, SYSTEM, number, item).version
    data = ChecklistAnswerInput.model_validate({"answer": value})
    checklist.put_answer(session, SYSTEM, number, item, data, current)


def tagged_area(
    session: Session,
    number: str,
    title: str,
    phases: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> int:
    created = improvement.create_area(
        session,
        SYSTEM,
        number,
        ImprovementAreaCreate(title=title, phases=list(phases), tags=list(tags)),
    )
    return created.id


def measure_with_status(session: Session, area_id: int, status: str, title: str = "Tiltak") -> int:
    measure_id = measure(session, area_id, title)
    if status != "not_started":
        improvement.update_measure(
            session,
            SYSTEM,
            measure_id,
            MeasureUpdate.model_validate({"status": status}),
            1,
        )
    return measure_id


def strength_in(session: Session, number: str, text: str, phase: str | None) -> int:
    return strengths.create_strength(
        session, SYSTEM, number, StrengthCreate(text=text, phase=phase)
    ).id


def published_version(session: Session, number: str, published_at: datetime) -> None:
    """A published version at a given time, as an import would bring it (publishing itself
    is not what these tests are about)."""
    m = municipality(session, number)
    existing = session.exec(
        select(PublishedVersion.number).where(col(PublishedVersion.municipality_id) == m.id)
    ).all()
    session.add(
        PublishedVersion(
            municipality_id=m.id or 0,
            number=max(existing, default=0) + 1,
            published_at=published_at,
            published_by="Demenskoordinator",
            summary="Publisert",
            source_version=m.version,
            snapshot={},
        )
    )
    session.commit()


# ---- a network with content in every part of the regional overview ----------------------


def overview_network(session: Session) -> None:
    """The demo data, plus content in every part of the overview. Free text names
    municipalities on purpose: the anonymous summary must not carry it."""
    seed(session, demo=True)
    section(
        session,
        "5501",
        "assessment",
        needs_knowledge=True,
        offerings=[
            {"type": "memory_team", "status": "available"},
            {"type": "respite", "status": "planned"},
        ],
    )
    section(
        session,
        "5540",
        "home_with_services",
        maturity="planned",
        offerings=[{"type": "respite", "status": "available"}, {"name": "Kafé i Kåfjord"}],
    )
    section(session, "5503", "suspicion", maturity="not_established")
    for number, item, value in (
        ("5501", "website_information", "yes"),
        ("5501", "memory_team", "partly"),
        ("5540", "staff_training", "no"),
        ("5503", "user_involvement", "not_applicable"),
    ):
        answer(session, number, item, value)
    for number in ("5501", "5503", "5510", "5512", "5516", "5518"):
        tagged_area(session, number, f"Samarbeid med fastlegen i {number}", [], ["lege"])
    area = tagged_area(
        session, "5536", "Lyngen-modellen for pårørende", ["home_with_services"], ["lyngen"]
    )
    measure_with_status(session, area, "in_progress")
    measure_with_status(session, area, "done")
    strength_in(session, "5501", "Godt samarbeid med Tromsø sykehus", "assessment")
    strength_in(session, "5544", "Nordreisa har drop-in på biblioteket", None)
    published_version(session, "5524", datetime(2024, 1, 10, 9, tzinfo=utcnow().tzinfo))
    adviser = demo_user(session, "radgiver.troms@demo.demensforlop.no")
    review.create_review(session, adviser, "5532", ReviewCreate(note="Balsfjord er i rute"))
    feedback.create_comment(
        session, adviser, "5501", CommentCreate(text="Hei Tromsø, fint arbeid i 5501!")
    )


def tokens_just_used(session: Session) -> None:
    """Mark every token as used a moment ago, so a request does not record its use again
    (a token's last use is written at most once a minute): what a busy client looks like."""
    from sqlalchemy import update

    from app.models.identity import ApiToken

    session.exec(update(ApiToken).values(last_used_at=utcnow()))
    session.commit()
