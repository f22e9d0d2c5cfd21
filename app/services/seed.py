"""Loading the catalogues, all municipalities and (on request) the Troms demo content.
Running it again changes nothing."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.catalogue_data import (
    CHECKLISTS,
    OFFERING_TYPES,
    PHASES,
    REGIONS,
)
from app.models.base import Role, utcnow
from app.models.catalogue import ChecklistItem, ChecklistVersion, OfferingType, Phase
from app.models.identity import User
from app.models.improvement import ImprovementArea, ImprovementAreaPhase
from app.models.municipality import Municipality, Region
from app.services import audit
from app.services.access import SYSTEM
from app.services.common import touch
from app.services.identity import create_user, user_principal
from app.services.municipalities import create_sections
from app.services.seed_content import seed_example_content
from app.services.seed_network import seed_network


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    role: Role
    name: str
    municipalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


# Known passwords are acceptable only because demo users cannot sign in outside demo mode.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@demo.demensforlop.no", "demo-admin-2024", Role.admin, "Demo Administrator"),
    DemoUser(
        "radgiver.troms@demo.demensforlop.no",
        "demo-radgiver-2024",
        Role.adviser,
        "Rådgiver USHT Troms (demo)",
        regions=("troms",),
    ),
    DemoUser(
        "koordinator.tromso@demo.demensforlop.no",
        "demo-tromso-2024",
        Role.coordinator,
        "Demenskoordinator Tromsø (demo)",
        municipalities=("5501",),
    ),
    DemoUser(
        "koordinator.kafjord@demo.demensforlop.no",
        "demo-kafjord-2024",
        Role.coordinator,
        "Demenskoordinator Kåfjord (demo)",
        municipalities=("5540",),
    ),
)


@dataclass
class SeedReport:
    phases: int = 0
    offering_types: int = 0
    checklist_items: int = 0
    regions: int = 0
    municipalities: int = 0
    demo_municipalities: int = 0
    demo_users: list[str] = field(default_factory=list)
    demo_content: int = 0
    demo_networks: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.phases,
                self.offering_types,
                self.checklist_items,
                self.regions,
                self.municipalities,
                self.demo_municipalities,
                self.demo_users,
                self.demo_content,
                self.demo_networks,
            )
        )


SEED_DATA = Path(__file__).resolve().parent.parent / "seed_data"


def _data_file(name: str) -> str:
    return (SEED_DATA / name).read_text(encoding="utf-8")


def seed_catalogues(session: Session, report: SeedReport) -> None:
    existing_phases = set(session.exec(select(Phase.key)).all())
    for position, p in enumerate(PHASES, start=1):
        if p.key not in existing_phases:
            session.add(
                Phase(
                    key=p.key,
                    position=position,
                    name_nb=p.name_nb,
                    name_en=p.name_en,
                    summary_nb=p.summary_nb,
                    summary_en=p.summary_en,
                )
            )
            report.phases += 1
    session.flush()
    existing_types = set(session.exec(select(OfferingType.key)).all())
    for position, t in enumerate(OFFERING_TYPES, start=1):
        if t.key not in existing_types:
            session.add(
                OfferingType(
                    key=t.key,
                    position=position,
                    name_nb=t.name_nb,
                    name_en=t.name_en,
                    default_phase=t.default_phase,
                    survey_category=t.survey_category,
                )
            )
            report.offering_types += 1
    _seed_checklists(session, report)


def _seed_checklists(session: Session, report: SeedReport) -> None:
    """Every shipped checklist version, the last one current. A database seeded with an
    older catalogue gets the newer versions from its migration (`catalogue_v2`), which also
    carries the answers over; here a missing version is only ever a fresh database's."""
    current = CHECKLISTS[-1][0]
    for version_id, title, items in CHECKLISTS:
        if session.get(ChecklistVersion, version_id) is None:
            session.add(
                ChecklistVersion(id=version_id, title=title, is_current=version_id == current)
            )
            session.flush()
        existing_items = set(
            session.exec(
                select(ChecklistItem.key).where(
                    col(ChecklistItem.checklist_version_id) == version_id
                )
            ).all()
        )
        for position, item in enumerate(items, start=1):
            if item.key not in existing_items:
                session.add(
                    ChecklistItem(
                        checklist_version_id=version_id,
                        key=item.key,
                        position=position,
                        phase=item.phase,
                        text_nb=item.text_nb,
                        text_en=item.text_en,
                    )
                )
                report.checklist_items += 1
    session.flush()


def seed_municipalities(session: Session, report: SeedReport) -> None:
    regions = {r.county_number: r for r in session.exec(select(Region)).all()}
    for county, (slug, name) in REGIONS.items():
        if county not in regions:
            region = Region(
                slug=slug,
                name=name,
                county_number=county,
                centre=f"Utviklingssenter for sykehjem og hjemmetjenester {name}",
            )
            session.add(region)
            regions[county] = region
            report.regions += 1
    session.flush()
    existing = set(session.exec(select(Municipality.number)).all())
    now = utcnow()
    for row in csv.DictReader(_data_file("municipalities-2024.csv").splitlines()):
        if row["number"] in existing:
            continue
        region = regions[row["county_number"]]
        municipality = Municipality(
            number=row["number"],
            name=row["name"],
            region_id=region.id or 0,
            created_at=now,
            updated_at=now,
        )
        session.add(municipality)
        session.flush()
        create_sections(session, municipality)
        report.municipalities += 1
    session.flush()


def seed_demo(session: Session, report: SeedReport, *, examples: bool = False) -> None:
    data: dict[str, Any] = json.loads(_data_file("troms-learning-network.json"))
    numbers = [m["number"] for m in data["municipalities"]]
    by_number = {
        m.number: m
        for m in session.exec(
            select(Municipality).where(col(Municipality.number).in_(numbers))
        ).all()
    }
    for entry in data["municipalities"]:
        municipality = by_number[entry["number"]]
        if municipality.is_example:
            continue
        municipality.population = entry["population"]
        municipality.persons_with_dementia = entry["persons_with_dementia"]
        municipality.figures_year = data["figures_year"]
        municipality.is_example = True
        now = utcnow()
        for priority, area in enumerate(entry["improvement_areas"], start=1):
            row = ImprovementArea(
                municipality_id=municipality.id or 0,
                priority=priority,
                title=area["title"],
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            for phase in area["phases"]:
                session.add(ImprovementAreaPhase(improvement_area_id=row.id or 0, phase=phase))
            municipality.priority_version += 1
        touch(municipality, now)
        audit.record(
            session,
            SYSTEM,
            action="seed",
            entity_type="municipality",
            entity_id=municipality.number,
            municipality=municipality,
            before=None,
            after={
                "population": entry["population"],
                "persons_with_dementia": entry["persons_with_dementia"],
                "improvement_areas": [a["title"] for a in entry["improvement_areas"]],
                "example_data": True,
            },
        )
        report.demo_municipalities += 1
    session.flush()
    known = set(session.exec(select(User.email)).all())
    for user in DEMO_USERS:
        if user.email in known:
            continue
        create_user(
            session,
            SYSTEM,
            email=user.email,
            role=user.role,
            password=user.password,
            name=user.name,
            municipalities=user.municipalities,
            regions=user.regions,
            is_demo=True,
        )
        report.demo_users.append(user.email)
    session.flush()
    report.demo_networks = int(seed_network(session, numbers))
    if examples:
        _seed_examples(session, report)


def _seed_examples(session: Session, report: SeedReport) -> None:
    """The Troms learning network and the example content of five of its members, written
    as the demo people where a person writes (comments)."""
    users = {
        u.email: user_principal(session, u)
        for u in session.exec(select(User).where(col(User.is_demo))).all()
    }
    adviser = users.get("radgiver.troms@demo.demensforlop.no", SYSTEM)
    coordinators = {
        number: principal
        for email, number in (
            ("koordinator.tromso@demo.demensforlop.no", "5501"),
            ("koordinator.kafjord@demo.demensforlop.no", "5540"),
        )
        if (principal := users.get(email)) is not None
    }
    report.demo_content = seed_example_content(session, adviser, coordinators)


def seed(session: Session, *, demo: bool = False, examples: bool = False) -> SeedReport:
    """`demo`: the Troms demo (figures, improvement areas, the learning network, the demo
    people); `examples` adds the example content of five municipalities (phases, strengths,
    measures, numbers, a published version, comments), which `demensforlop seed --demo`
    loads and tests ask for when they need it."""
    report = SeedReport()
    seed_catalogues(session, report)
    seed_municipalities(session, report)
    session.commit()
    if demo:
        seed_demo(session, report, examples=examples)
        session.commit()
    return report
