"""Publishing rules, the snapshot, the word diff and the search key."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.db import Database
from app.errors import Conflict, Forbidden, NotPublished
from app.kit.collation import norwegian_key, search_key
from app.models.measurement import IndicatorCreate, ObservationList
from app.models.publishing import PublishedVersion, PublishInput
from app.services import audit, measurement, publishing
from app.services.access import SYSTEM
from app.services.diff import word_diff
from app.services.seed import seed
from tests import factories
from tests.conftest import fresh_database_url

SUMMARY = PublishInput(summary="Første versjon")


def test_a_coordinator_publishes_only_their_own_municipality(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion")
    factories.fill_section(session, "5540", "suspicion")
    kafjord_coordinator = factories.coordinator(session, "5540")
    with pytest.raises(Forbidden):
        publishing.publish(session, kafjord_coordinator, "5501", SUMMARY)
    published = publishing.publish(session, kafjord_coordinator, "5540", SUMMARY)
    assert published.number == 1
    assert published.published_by == kafjord_coordinator.label


def test_advisers_never_publish(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion")
    adviser = factories.adviser(session, "troms")
    for number in ("5501", "5540"):
        with pytest.raises(Forbidden):
            publishing.publish(session, adviser, number, SUMMARY)
    # They still read the versions of their region.
    assert publishing.list_versions(session, adviser, "5501").total == 0
    admin = factories.admin(session)
    assert publishing.publish(session, admin, "5501", SUMMARY).number == 1
    assert publishing.list_versions(session, adviser, "5501").total == 1


def test_the_snapshot_holds_the_pathway_and_no_measurements(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", offerings=2, text="Ring *oss*.")
    factories.fill_section(session, "5501", "assessment", offerings=1)
    factories.strength(session, "5501", "Godt samarbeid med fastlegene")
    area_id = factories.area(session, "5501", "Oppfølging etter diagnose", ["assessment"])
    factories.measure(session, area_id, "Fast kontaktperson")
    indicator = measurement.create_indicator(
        session,
        SYSTEM,
        area_id,
        IndicatorCreate(name="Andel med kontaktperson", kind="proportion"),  # type: ignore[arg-type]
    )
    measurement.upsert_observations(
        session,
        SYSTEM,
        indicator.id,
        ObservationList.model_validate(
            {"items": [{"period": "2024-01-01", "numerator": 2, "denominator": 3}]}
        ),
        indicator.data_version,
    )

    published = publishing.publish(session, factories.coordinator(session, "5501"), "5501", SUMMARY)
    snapshot = published.pathway
    assert [p.phase for p in snapshot.phases][:2] == ["suspicion", "assessment"]
    assert len(snapshot.phases) == 6
    assert snapshot.phases[0].description_html == "<p>Ring <em>oss</em>.</p>"
    assert [o.name for o in snapshot.phases[0].offerings] == ["Tilbud 0", "Tilbud 1"]
    # Both filled phases have the same contact: one contact point serving both.
    (contact,) = snapshot.contacts
    assert contact.phases == ["suspicion", "assessment"]
    assert contact.phone == "+47 77 00 00 00"
    assert [s.text for s in snapshot.strengths] == ["Godt samarbeid med fastlegene"]
    (area,) = snapshot.improvement_areas
    assert area.title == "Oppfølging etter diagnose"
    assert area.measure_counts["not_started"] == 1

    stored = session.exec(select(PublishedVersion.snapshot)).all()
    text = json.dumps(stored)
    for measurement_word in ("numerator", "denominator", "observation", "indicator", "Andel"):
        assert measurement_word not in text


def test_unchanged_drafts_are_not_published_twice(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion")
    publishing.publish(session, SYSTEM, "5501", SUMMARY)
    with pytest.raises(Conflict, match="version 1"):
        publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Igjen"))
    factories.strength(session, "5501", "Ny styrke")
    assert publishing.publish(session, SYSTEM, "5501", PublishInput(summary="Igjen")).number == 2


@pytest.mark.slow
def test_two_publishers_at_once_make_one_version() -> None:
    database = Database(fresh_database_url("publish_race"))
    try:
        with database.session(write=True) as session:
            seed(session)
            factories.fill_section(session, "5501", "suspicion")
        barrier = threading.Barrier(2)
        outcomes: list[Any] = []

        def publish_now(summary: str) -> None:
            with database.session(write=True) as session:
                barrier.wait()
                try:
                    outcomes.append(
                        publishing.publish(session, SYSTEM, "5501", PublishInput(summary=summary))
                    )
                except Conflict as exc:
                    outcomes.append(exc)

        threads = [threading.Thread(target=publish_now, args=(s,)) for s in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "PublishedVersionRead"]
        with database.session() as session:
            assert len(session.exec(select(PublishedVersion)).all()) == 1
    finally:
        database.dispose()


def test_published_versions_do_not_follow_the_draft(session: Session) -> None:
    factories.fill_section(session, "5501", "suspicion", text="Før")
    first = publishing.publish(session, SYSTEM, "5501", SUMMARY)
    factories.fill_section(session, "5501", "suspicion", text="Etter", offerings=0)
    factories.strength(session, "5501", "Ny styrke")
    assert publishing.get_version(session, SYSTEM, "5501", 1) == first
    public = publishing.get_public(session, "5501")
    assert public.phases[0].description == "Før"
    assert public.strengths == []


def test_unpublished_municipalities_point_to_their_website(session: Session) -> None:
    municipality = factories.municipality(session, "5540")
    municipality.website = "https://kafjord.kommune.no"
    session.commit()
    with pytest.raises(NotPublished) as raised:
        publishing.latest_stamp(session, "5540")
    assert raised.value.website == "https://kafjord.kommune.no"
    assert raised.value.status == 404
    assert "kafjord.kommune.no" in raised.value.detail


def test_history_filters_name_entity_types_and_people(session: Session) -> None:
    coordinator = factories.coordinator(session, "5501")
    factories.fill_section(session, "5501", "suspicion")
    publishing.publish(session, coordinator, "5501", SUMMARY)
    filters = audit.history_filters(session, coordinator, "5501")
    assert filters.entity_types == ["phase_section", "published_version"]
    assert filters.actors == sorted([coordinator.label, "system"])
    by_coordinator = audit.list_events(
        session, coordinator, municipality_number="5501", actor=coordinator.label
    )
    assert [e.action for e in by_coordinator.items] == ["publish"]
    with pytest.raises(Forbidden):
        audit.history_filters(session, factories.coordinator(session, "5540"), "5501")


def test_search_finds_municipalities_in_norwegian_order(session: Session) -> None:
    page = publishing.search_municipalities(session, "sjohka")
    assert [m.name for m in page.items] == ["Kárášjohka - Karasjok"]
    names = [m.name for m in publishing.search_municipalities(session, "ø", limit=500).items]
    assert len(names) > 10
    assert names == sorted(names, key=norwegian_key)
    assert [m.number for m in publishing.search_municipalities(session, "55 tromso").items] == [
        "5501"
    ]


def test_search_key_ignores_case_and_accents() -> None:
    assert search_key("Gáivuotna - Kåfjord") == "gaivuotna - kafjord"
    assert search_key("  TROMSØ ") == "tromso"
    assert search_key("Ærøy") == "aeroy"
    assert search_key("Unjárga - Nesseby") == "unjarga - nesseby"


def test_word_diff_marks_added_and_removed_words() -> None:
    segments = word_diff("Ring fastlegen i dag.", "Ring hukommelsesteamet i dag.")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "Ring "),
        ("delete", "fastlegen"),
        ("insert", "hukommelsesteamet"),
        ("equal", " i dag."),
    ]
    assert [s.op for s in word_diff("", "Ny")] == ["insert"]
    assert [(s.op, s.text) for s in word_diff("Lik tekst", "Lik tekst")] == [("equal", "Lik tekst")]


@given(st.text(max_size=80), st.text(max_size=80))
def test_word_diff_spells_both_texts(before: str, after: str) -> None:
    segments = word_diff(before, after)
    assert "".join(s.text for s in segments if s.op != "insert") == before
    assert "".join(s.text for s in segments if s.op != "delete") == after
    assert all(s.text for s in segments)
