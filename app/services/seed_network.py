"""The Troms learning network of the demo (March 2022 – November 2023), as the USHT Troms
report describes it (seeds 000): 18 member municipalities, gatherings digital and physical,
one task between each pair of gatherings presented at the next, the members' answers and
attendance, and the members' statuses — two withdrew in 2022 for lack of capacity, and one
took part with a single person at some gatherings and delivered no work between gatherings.
That is recorded as the report has it, in notes only the facilitators read; no page shown
to members or any summary names them. Everything is labelled as example data."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.models.base import utcnow
from app.models.identity import User
from app.models.improvement import ImprovementArea
from app.models.municipality import Municipality, Region
from app.models.network import (
    AnswerStatus,
    Gathering,
    GatheringAttendance,
    MemberStatus,
    Network,
    NetworkEvaluation,
    NetworkFacilitator,
    NetworkMember,
    NetworkMemberChange,
    NetworkTask,
    TaskAnswer,
)
from app.models.poster import FurtherWorkPlan
from app.services import audit
from app.services.access import SYSTEM

NAME = "Læringsnettverk for gode demensforløp i Troms"
GOAL = (
    "«På hvilken måte kan vi sammen skape forløp som gir mestring og god livskvalitet for "
    "personer med demens og deres pårørende?»\n\n"
    "Hver kommune velger selv tre forbedringsområder, etter å ha funnet tre ting den er god "
    "på. Mellom samlingene arbeider kommunene med mellomarbeid som legges fram på neste "
    "samling.\n\n*Eksempeldata.*"
)
STARTS, ENDS = date(2022, 3, 1), date(2023, 11, 30)

#: (title, first day, last day, place ("" = digital), programme)
GATHERINGS: tuple[tuple[str, date, date, str, str], ...] = (
    ("Oppstartssamling", date(2022, 3, 24), date(2022, 3, 24), "",
     "- Demensplan 2025 og hensikten med nettverket\n- Veiviser demens og Demenskartet\n"
     "- Tre ting vi er gode på"),
    ("Forankring og planarbeid", date(2022, 6, 9), date(2022, 6, 9), "",
     "- Interessentanalyse og kommunikasjonsplan\n- Forankring hos ledelsen og politikerne"),
    ("Verdens beste demensforløp", date(2022, 10, 19), date(2022, 10, 20), "Tromsø",
     "- Brukerreisen fra mistanke til heldøgns omsorg\n- Pårørendes perspektiv\n"
     "- Fastlegens perspektiv"),
    ("Systematisk oppfølging etter diagnose", date(2023, 2, 8), date(2023, 2, 8), "",
     "- Nasjonal faglig retningslinje\n- Forebyggende hjemmebesøk og fremtidsfullmakt"),
    ("Pårørende, etikk og velferdsteknologi", date(2023, 5, 10), date(2023, 5, 10), "",
     "- Pårørendestrategien og pårørendeavtaler\n- Etisk refleksjon\n- Velferdsteknologi"),
    ("Sluttsamling", date(2023, 11, 15), date(2023, 11, 16), "Tromsø",
     "- Posterpresentasjoner: forbedringsarbeidet og plan for videre arbeid\n"
     "- Implementering og veien videre i fagnettverk demens"),
)  # fmt: skip

#: One task per gathering, presented there: (title, description, due).
TASKS: tuple[tuple[str, str, date], ...] = (
    ("Tre ting vi er gode på", "Finn tre ting kommunen er særlig god på i demensforløpet, "
     "og del dem på samlingen.", date(2022, 3, 17)),
    ("Interessentanalyse og forankring", "Lag en interessentanalyse og avtal et møte med "
     "ledelsen om arbeidet.", date(2022, 6, 2)),
    ("Verdens beste demensforløp", "Beskriv brukerreisen i kommunen fra mistanke om demens til "
     "behov for heldøgns omsorg. Hvor kan den bli bedre?", date(2022, 10, 12)),
    ("Tre forbedringsområder med framdriftsplan", "Velg tre forbedringsområder og lag en "
     "framdriftsplan med tiltak.", date(2023, 2, 1)),
    ("Kommunikasjonsplan og status for tiltakene", "Hvem må vite hva, og når? Hvordan går "
     "det med tiltakene?", date(2023, 5, 3)),
    ("Poster og plan for videre arbeid", "Lag en poster som viser forbedringsarbeidet og en "
     "plan for videre arbeid etter nettverket.", date(2023, 11, 8)),
)  # fmt: skip

WITHDREW = {"5516": date(2022, 9, 1), "5530": date(2022, 11, 1)}
WITHDREW_NOTE = "Trakk seg i 2022 på grunn av kapasitetsutfordringer (eksempeldata)."
SOMETIMES = "5520"
SOMETIMES_NOTE = (
    "Varierende deltakelse: én person på enkelte samlinger, ingen mellomarbeid levert "
    "(eksempeldata)."
)
#: People per municipality at the gatherings, by size.
LARGE = {"5501": 7, "5503": 6, "5530": 5, "5524": 5, "5532": 5}


def _attendance(number: str, index: int) -> int:
    if number == SOMETIMES:
        return 1 if index in (0, 2) else 0
    if number in WITHDREW and GATHERINGS[index][1] > WITHDREW[number]:
        return 0
    base = LARGE.get(number, 3)
    return base - (1 if index in (1, 4) and base > 3 else 0)


def _report(task_index: int, name: str, areas: list[str]) -> str:
    first = areas[0] if areas else "demensforløpet"
    reports = (
        f"{name} la fram tre styrker i demensforløpet og hva de betyr for innbyggerne.",
        f"Interessentanalysen er laget, og {name} har presentert arbeidet for ledergruppa.",
        f"Brukerreisen viste at vi kan bli bedre på: {first.lower()}.",
        "Forbedringsområdene er valgt:\n"
        + "\n".join(f"- {a}" for a in areas[:3])
        + "\n\nFramdriftsplanen er lagt inn i Demensforløp.",
        "Kommunikasjonsplanen er klar. De fleste tiltakene er i gang.",
        f"Posteren viser arbeidet med «{first}» og planen for videre arbeid.",
    )
    return reports[task_index] + "\n\n*Eksempeldata.*"


#: From the participants' final evaluation in the report (mean relevance 4.75 of 5).
QUOTES = (
    "Det faglige påfyllet, å bli inspirert av andre kommuner og det de har fått til. Og den "
    "lille dytten som nettverket bringer for å få gjennomført planer ute i kommunen.",
    "Vi har fått et spark bak til å jobbe konkret med demensplan og demensomsorgen i vår kommune.",
    "En sjelden mulighet til å feire det vi har fått til. Var også fint å høre hvordan de "
    "andre kommunene har jobbet underveis.",
    "Samlingene med alle foredragene med ulike perspektiver. Fikk jobbet mer systematisk enn "
    "tidligere med demens.",
)


def _add_evaluations(session: Session, network_id: int, members: list[Municipality]) -> None:
    answering = [m for m in members if m.number not in WITHDREW and m.number != SOMETIMES]
    for index, municipality in enumerate(answering):
        session.add(
            NetworkEvaluation(
                network_id=network_id,
                municipality_id=municipality.id or 0,
                relevance=4 if index % 4 == 3 else 5,
                best=QUOTES[index] if index < len(QUOTES) else "",
                next_steps="Arbeidet fortsetter i fagnettverk demens, og tiltakene følges opp "
                "i kommunens egen plan (eksempeldata)."
                if index % 3 == 0
                else "",
            )
        )


def _members(session: Session, numbers: list[str]) -> list[Municipality]:
    rows = session.exec(select(Municipality).where(col(Municipality.number).in_(numbers))).all()
    return sorted(rows, key=lambda m: m.name)


def _add_members(session: Session, network_id: int, members: list[Municipality]) -> None:
    for municipality in members:
        number = municipality.number
        left = WITHDREW.get(number)
        status = MemberStatus.withdrew if left else MemberStatus.completed
        left_on = left or date(2023, 11, 16)
        member = NetworkMember(
            network_id=network_id,
            municipality_id=municipality.id or 0,
            status=status,
            joined_on=STARTS,
            left_on=left_on,
            note=WITHDREW_NOTE if left else (SOMETIMES_NOTE if number == SOMETIMES else ""),
            updated_at=utcnow(),
        )
        session.add(member)
        session.flush()
        for changed, on in (
            (MemberStatus.invited, date(2022, 2, 1)),
            (MemberStatus.taking_part, GATHERINGS[0][1]),
            (status, left_on),
        ):
            session.add(
                NetworkMemberChange(member_id=member.id or 0, status=changed, changed_on=on)
            )


def _add_gatherings(session: Session, network_id: int, members: list[Municipality]) -> None:
    areas: dict[int, list[str]] = {}
    for area in session.exec(
        select(ImprovementArea)
        .where(col(ImprovementArea.municipality_id).in_([m.id for m in members]))
        .order_by(col(ImprovementArea.priority))
    ).all():
        areas.setdefault(area.municipality_id, []).append(area.title)
    now = utcnow()
    for index, (title, first, last, place, programme) in enumerate(GATHERINGS):
        gathering = Gathering(
            network_id=network_id, title=title, starts_on=first, ends_on=last, place=place,
            digital=not place, programme=programme, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(gathering)
        session.flush()
        for municipality in members:
            count = _attendance(municipality.number, index)
            if count:
                session.add(
                    GatheringAttendance(
                        gathering_id=gathering.id or 0,
                        municipality_id=municipality.id or 0,
                        count=count,
                    )
                )
        task_title, description, due = TASKS[index]
        task = NetworkTask(
            network_id=network_id, gathering_id=gathering.id, title=task_title,
            description=description, due_on=due, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(task)
        session.flush()
        for municipality in members:
            number = municipality.number
            if number == SOMETIMES or number in WITHDREW:
                continue
            session.add(
                TaskAnswer(
                    task_id=task.id or 0,
                    municipality_id=municipality.id or 0,
                    status=AnswerStatus.done,
                    report=_report(index, municipality.name, areas.get(municipality.id or 0, [])),
                    answered_by="Eksempeldata",
                    updated_at=now,
                )
            )


#: The plan for further work each member that completed showed on its final poster.
PLAN = (
    "- Fortsette i fagnettverk demens fra våren 2024\n"
    "- Følge opp tiltakene i framdriftsplanen hver måned i demensteamet\n"
    "- Ta erfaringene inn i neste revisjon av demensplanen\n"
    "\n"
    "Eksempeldata."
)


def _add_plans(session: Session, members: list[Municipality]) -> None:
    now = utcnow()
    for municipality in members:
        if municipality.number in WITHDREW:
            continue
        if session.get(FurtherWorkPlan, municipality.id) is None:
            session.add(
                FurtherWorkPlan(municipality_id=municipality.id or 0, plan=PLAN, updated_at=now)
            )


def seed_network(session: Session, numbers: list[str]) -> bool:
    """The Troms network with the municipalities `numbers` as members, once; False when it
    is there already."""
    exists = session.exec(
        select(Network.id).where(col(Network.name) == NAME, col(Network.is_example))
    ).first()
    if exists is not None:
        return False
    region = session.exec(select(Region).where(col(Region.slug) == "troms")).one()
    now = utcnow()
    network = Network(
        name=NAME, region_id=region.id, starts_on=STARTS, ends_on=ENDS, goal=GOAL,
        is_example=True, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(network)
    session.flush()
    network_id = network.id or 0
    adviser = session.exec(
        select(User).where(col(User.email) == "radgiver.troms@demo.demensforlop.no")
    ).first()
    if adviser is not None:
        session.add(NetworkFacilitator(network_id=network_id, user_id=adviser.id or 0))
    members = _members(session, numbers)
    _add_members(session, network_id, members)
    _add_gatherings(session, network_id, members)
    _add_evaluations(session, network_id, members)
    _add_plans(session, members)
    session.flush()
    audit.record(
        session,
        SYSTEM,
        action="seed",
        entity_type="network",
        entity_id=network_id,
        municipality=None,
        before=None,
        after={"name": NAME, "members": len(members), "example_data": True},
    )
    return True
