"""Good examples across the country: only what a municipality shared, a measure only while
it is done with a result, grouped by size, searchable, in alphabetical order."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.errors import Invalid, Unauthenticated
from app.models.base import MeasureStatus
from app.models.improvement import MeasureCreate, MeasureUpdate
from app.models.municipality import SizeGroup, size_group
from app.models.pathway import StrengthCreate, StrengthUpdate
from app.models.shared import SharedExampleQuery
from app.services import improvement, shared_examples, strengths
from app.services.access import ANONYMOUS, SYSTEM
from tests import factories


def _search(session: Session, **query: object) -> dict[SizeGroup, list[str]]:
    result = shared_examples.search(
        session, factories.coordinator(session, "0301"), SharedExampleQuery.model_validate(query)
    )
    return {g.size: [f"{e.municipality_name}: {e.title}" for e in g.items] for g in result.groups}


def _figures(session: Session) -> None:
    for number, population in (("5501", 78_000), ("5540", 2_100), ("5503", 24_900)):
        municipality = factories.municipality(session, number)
        municipality.population = population
        session.add(municipality)
    session.commit()


def test_size_groups() -> None:
    assert size_group(None) == SizeGroup.unknown
    assert size_group(4_999) == SizeGroup.small
    assert size_group(5_000) == SizeGroup.medium
    assert size_group(20_000) == SizeGroup.medium
    assert size_group(20_001) == SizeGroup.large


def test_only_what_was_shared_grouped_by_size_and_searchable(session: Session) -> None:
    _figures(session)
    # Tromsø is large, Kåfjord (5540) small; a strength not shared never shows.
    strengths.create_strength(
        session,
        SYSTEM,
        "5501",
        StrengthCreate(text="Tett samarbeid med fastlegene", phase="assessment", shared=True),
    )
    strengths.create_strength(
        session, SYSTEM, "5540", StrengthCreate(text="Pårørendeskole hvert år", shared=True)
    )
    hidden = strengths.create_strength(session, SYSTEM, "5540", StrengthCreate(text="Utkast"))
    area = factories.area(session, "5540", "Dagaktivitet", phases=["home_with_services"])
    measure = improvement.create_measure(session, SYSTEM, area, MeasureCreate(title="Inn-på-tunet"))

    found = _search(session)
    assert found[SizeGroup.large] == ["Tromsø: Tett samarbeid med fastlegene"]
    assert found[SizeGroup.small] == ["Gáivuotna - Kåfjord - Kaivuono: Pårørendeskole hvert år"]
    assert found[SizeGroup.medium] == []
    assert SizeGroup.unknown not in found, "shown only when it has examples"

    # A measure is shared only when done and with a result.
    with pytest.raises(Invalid) as not_done:
        improvement.update_measure(session, SYSTEM, measure.id, MeasureUpdate(shared=True), 1)
    assert not_done.value.errors[0].field == "shared"
    with pytest.raises(Invalid) as no_result:
        improvement.update_measure(
            session, SYSTEM, measure.id, MeasureUpdate(shared=True, status=MeasureStatus.done), 1
        )
    assert no_result.value.errors[0].field == "result"
    improvement.update_measure(
        session,
        SYSTEM,
        measure.id,
        MeasureUpdate(shared=True, status=MeasureStatus.done, result="Tolv brukere i uka"),
        1,
    )
    found = _search(session)
    assert found[SizeGroup.small] == [
        "Gáivuotna - Kåfjord - Kaivuono: Inn-på-tunet",
        "Gáivuotna - Kåfjord - Kaivuono: Pårørendeskole hvert år",
    ] or found[SizeGroup.small] == [
        "Gáivuotna - Kåfjord - Kaivuono: Pårørendeskole hvert år",
        "Gáivuotna - Kåfjord - Kaivuono: Inn-på-tunet",
    ]
    assert _search(session, q="TUNET brukere")[SizeGroup.small] == [
        "Gáivuotna - Kåfjord - Kaivuono: Inn-på-tunet"
    ]
    assert _search(session, q="pårørendeskole")[SizeGroup.small] == [
        "Gáivuotna - Kåfjord - Kaivuono: Pårørendeskole hvert år"
    ]
    assert _search(session, phase="home_with_services")[SizeGroup.small] == [
        "Gáivuotna - Kåfjord - Kaivuono: Inn-på-tunet"
    ]
    assert _search(session, phase="assessment")[SizeGroup.large] == [
        "Tromsø: Tett samarbeid med fastlegene"
    ]
    assert all(not items for items in _search(session, q="utkast").values())

    # Unsharing takes it away at once; so does a measure that is no longer done.
    strengths.update_strength(session, SYSTEM, hidden.id, StrengthUpdate(shared=True), 1)
    assert "Gáivuotna - Kåfjord - Kaivuono: Utkast" in _search(session)[SizeGroup.small]
    strengths.update_strength(session, SYSTEM, hidden.id, StrengthUpdate(shared=False), 2)
    assert "Gáivuotna - Kåfjord - Kaivuono: Utkast" not in _search(session)[SizeGroup.small]
    improvement.update_measure(
        session, SYSTEM, measure.id, MeasureUpdate(status=MeasureStatus.stopped, shared=False), 2
    )
    assert "Gáivuotna - Kåfjord - Kaivuono: Inn-på-tunet" not in _search(session)[SizeGroup.small]


def test_paging_one_group_and_bad_input(session: Session) -> None:
    _figures(session)
    for i in range(5):
        strengths.create_strength(
            session, SYSTEM, "5540", StrengthCreate(text=f"Styrke {i}", shared=True)
        )
    first = _search(session, size="small", limit=2)
    assert list(first) == [SizeGroup.small]
    assert len(first[SizeGroup.small]) == 2
    rest = _search(session, size="small", limit=2, offset=4)
    assert len(rest[SizeGroup.small]) == 1
    with pytest.raises(Invalid):
        _search(session, phase="nowhere")
    with pytest.raises(Unauthenticated):
        shared_examples.search(session, ANONYMOUS, SharedExampleQuery())
