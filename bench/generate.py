"""The national dataset for the benchmark: all 357 municipalities, each with six filled phase
sections (5 offerings, ~600 characters of text), every checklist item answered, 3 strengths,
3 improvement areas × 4 measures × 3 progress notes, one indicator with 24 monthly
observations per area, and 3 published versions.

Everything is written through the services, so versions, audit events and snapshots are what
real use produces. Each municipality is one database transaction (the services' commits
become savepoints inside it), which keeps generation to a few minutes.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1/demensforlop_bench
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from sqlmodel import Session, col, select

from app.catalogue_data import OFFERING_TYPES, PHASE_KEYS
from app.db import Database
from app.migrate import upgrade
from app.models.base import Answer, MeasureStatus, OfferingStatus, Provider
from app.models.improvement import ImprovementAreaCreate, MeasureCreate, ProgressNoteCreate
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.municipality import Municipality
from app.models.pathway import ChecklistAnswerInput, PhaseSectionInput, StrengthCreate
from app.models.publishing import PublishedVersion, PublishInput
from app.services import (
    checklist,
    improvement,
    measurement,
    pathway,
    progress_notes,
    publishing,
    strengths,
)
from app.services.access import SYSTEM
from app.services.catalogue import checklist_items, current_checklist_version
from app.services.seed import seed

WORDS = [
    "hukommelsesteamet",
    "fastlegen",
    "pårørende",
    "oppfølging",
    "kartlegging",
    "samtale",
    "tilbud",
    "dagaktivitet",
    "avlastning",
    "velferdsteknologi",
    "koordinator",
    "kontaktperson",
    "hjemmetjenesten",
    "brukerskole",
    "pårørendeskole",
    "samarbeid",
    "rutine",
    "demenskoordinator",
    "helsestasjonen",
    "innbyggerne",
    "trygghet",
    "mestring",
    "hverdagen",
    "forløpet",
    "tjenestene",
    "vurdering",
    "henvisning",
    "spesialisthelsetjenesten",
]


def paragraph(rng: random.Random, name: str, length: int = 600) -> str:
    words: list[str] = [f"I {name}"]
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
        if rng.random() < 0.08:
            words[-1] += "."
    return " ".join(words)[:length].rstrip() + "."


def section_input(rng: random.Random, name: str, round_: int) -> PhaseSectionInput:
    types = rng.sample(OFFERING_TYPES, 5)
    return PhaseSectionInput.model_validate(
        {
            "description": paragraph(rng, name) + (f" Oppdatert {round_}." if round_ else ""),
            "responsible": "Hukommelsesteamet i kommunen",
            "contact": {
                "name": "Demenskoordinator",
                "phone": f"+47 {rng.randint(10000000, 99999999)}",
                "email": "demens@kommune.example.no",
                "hours": "Mandag–fredag 08–15",
            },
            "maturity": rng.choice(["unknown", "not_established", "planned", "established"]),
            "needs_knowledge": rng.random() < 0.2,
            "offerings": [
                {
                    "type": t.key,
                    "description": paragraph(rng, name, 120),
                    "status": rng.choice(list(OfferingStatus)).value,
                    "provider": rng.choice(list(Provider)).value,
                }
                for t in types
            ],
        }
    )


def fill_municipality(session: Session, number: str, name: str, rng: random.Random) -> None:
    for phase in PHASE_KEYS:
        version = pathway.section_version(session, SYSTEM, number, phase)
        pathway.update_section(session, SYSTEM, number, phase, section_input(rng, name, 0), version)
    version_id = current_checklist_version(session).id
    for item in checklist_items(session, version_id):
        checklist.put_answer(
            session,
            SYSTEM,
            number,
            item.key,
            ChecklistAnswerInput(answer=rng.choice(list(Answer)), comment="Vurdert i teamet"),
            0,
        )
    for i in range(3):
        strengths.create_strength(
            session,
            SYSTEM,
            number,
            StrengthCreate(
                text=f"Dette er vi gode på ({i + 1}): {paragraph(rng, name, 80)}",
                phase=rng.choice(PHASE_KEYS),
            ),
        )
    for a in range(3):
        area = improvement.create_area(
            session,
            SYSTEM,
            number,
            ImprovementAreaCreate(
                title=f"Forbedringsområde {a + 1} i {name}",
                rationale=paragraph(rng, name, 200),
                phases=rng.sample(PHASE_KEYS, 2),
                aim="80 % av nye pasienter får fast kontaktperson innen utgangen av året",
                target_date=date(2026, 12, 31),
                status="in_progress",  # type: ignore[arg-type]
                tags=[rng.choice(["pårørende", "kompetanse", "informasjon", "samarbeid"])],
            ),
        )
        for m in range(4):
            measure = improvement.create_measure(
                session,
                SYSTEM,
                area.id,
                MeasureCreate(
                    title=f"Tiltak {m + 1}",
                    description=paragraph(rng, name, 150),
                    responsible="Demenskoordinator",
                    start_date=date(2025, 1 + m * 2, 1),
                    due_date=date(2025, 2 + m * 2, 28),
                    status=rng.choice(list(MeasureStatus)),
                ),
            )
            for n in range(3):
                progress_notes.create_note(
                    session,
                    SYSTEM,
                    ProgressNoteCreate(date=date(2025, 1 + n, 15), text=paragraph(rng, name, 160)),
                    measure_id=measure.id,
                )
        indicator = measurement.create_indicator(
            session,
            SYSTEM,
            area.id,
            IndicatorCreate(
                name="Andel med fast kontaktperson",
                kind="proportion",  # type: ignore[arg-type]
                frequency="month",  # type: ignore[arg-type]
                target=80,
            ),
        )
        items = []
        for month in range(24):
            denominator = rng.randint(8, 40)
            items.append(
                {
                    "period": date(2023 + month // 12, month % 12 + 1, 1).isoformat(),
                    "numerator": rng.randint(0, denominator),
                    "denominator": denominator,
                }
            )
        measurement.upsert_observations(
            session,
            SYSTEM,
            indicator.id,
            ObservationList.model_validate({"items": items}),
            indicator.data_version,
        )
    for round_ in range(3):
        if round_:
            phase = PHASE_KEYS[round_]
            version = pathway.section_version(session, SYSTEM, number, phase)
            pathway.update_section(
                session, SYSTEM, number, phase, section_input(rng, name, round_), version
            )
        publishing.publish(
            session, SYSTEM, number, PublishInput(summary=f"Versjon {round_ + 1} av forløpet")
        )


def generate(
    database_url: str, *, limit: int | None = None, jobs: int = 2, quiet: bool = False
) -> int:
    """Migrate, seed (with the demo users) and fill every municipality that is still empty.
    Returns how many municipalities were filled. Running it again fills nothing new."""
    upgrade(database_url)
    database = Database(database_url)
    try:
        with database.session(write=True) as session:
            seed(session, demo=True)
        with database.session() as session:
            rows = session.exec(
                select(Municipality.number, Municipality.name).order_by(col(Municipality.number))
            ).all()
            filled = set(
                session.exec(
                    select(Municipality.number)
                    .join(
                        PublishedVersion,
                        col(PublishedVersion.municipality_id) == col(Municipality.id),
                    )
                    .distinct()
                ).all()
            )
        todo = [(n, name) for n, name in rows if n not in filled][:limit]
    finally:
        database.dispose()
    started = time.monotonic()
    if jobs <= 1 or len(todo) < 2 * jobs:
        _fill(database_url, todo, quiet)
    else:
        slices = [todo[i::jobs] for i in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_fill, [database_url] * jobs, slices, [quiet] * jobs))
    if not quiet:
        print(f"  {len(todo)} municipalities filled in {time.monotonic() - started:.0f} s")
    return len(todo)


def _fill(database_url: str, todo: list[tuple[str, str]], quiet: bool) -> int:
    database = Database(database_url)
    try:
        for index, (number, name) in enumerate(todo, start=1):
            rng = random.Random(number)  # the same data every time
            with database.engine.connect() as connection:
                transaction = connection.begin()
                with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                    fill_municipality(session, number, name, rng)
                transaction.commit()
            if not quiet and index % 50 == 0:
                print(f"  {index}/{len(todo)} municipalities filled by one worker")
        return len(todo)
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--limit", type=int, default=None, help="fill at most this many")
    parser.add_argument("--jobs", type=int, default=2, help="processes writing in parallel")
    args = parser.parse_args(argv)
    filled = generate(args.database_url, limit=args.limit, jobs=args.jobs)
    print(f"national dataset ready ({filled} municipalities filled now)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
