"""Word-level differences between two texts, as the version comparison shows them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.publishing import (
    DiffSegment,
    PathwaySnapshot,
    SnapshotImprovementArea,
    SnapshotOffering,
    SnapshotPhase,
)
from app.services import diff

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def _spell(segments: list[DiffSegment], keep: str) -> str:
    return "".join(s.text for s in segments if s.op in ("equal", keep))


def test_a_rewritten_phrase_reads_as_one_deletion_and_one_insertion() -> None:
    segments = diff.word_diff("Vi har et godt team", "Vi har et nytt og sterkt team")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "Vi har et "),
        ("delete", "godt"),
        ("insert", "nytt og sterkt"),
        ("equal", " team"),
    ]
    assert diff.text_change("description", "lik", "lik") is None


@given(st.text(max_size=40), st.text(max_size=40))
def test_the_segments_spell_both_texts(before: str, after: str) -> None:
    segments = diff.word_diff(before, after)
    assert _spell(segments, "delete") == before
    assert _spell(segments, "insert") == after


def test_a_version_side_is_ascii_digits_or_draft() -> None:
    """Superscript digits pass str.isdigit() but not int(): found by the fuzz run
    (FUZZ_SEED=2688982567), once a 500."""
    from app.errors import Invalid
    from app.services.diff import parse_side

    assert parse_side("draft", "against") == "draft"
    assert parse_side("12", "against") == 12
    for bad in ("³", "²", "١", "0", "1000001", "x"):
        with pytest.raises(Invalid) as refused:
            parse_side(bad, "against")
        assert refused.value.errors[0].field == "against"


def _snapshot(description: str, offering: str, area: str, name: str = "Tromsø") -> Any:
    return PathwaySnapshot(
        municipality="5501",
        name=name,
        phases=[
            SnapshotPhase(
                phase="assessment",
                description=description,
                offerings=[SnapshotOffering(type="respite", description=offering)],
            ),
            SnapshotPhase(phase="suspicion", description="Uendret"),
        ],
        improvement_areas=[SnapshotImprovementArea(priority=1, title=area)],
    )


def test_a_diff_without_words_finds_the_same_changes_without_segments() -> None:
    """What the editor's draft status asks: which phases and fields changed, not how."""
    before = _snapshot("Fastlegen utreder sammen med teamet", "To døgn", "Kartlegging")
    after = _snapshot("Fastlegen utreder alene", "Tre døgn", "KARTLEGGING", "Tromsø kommune")
    full = diff.diff_snapshots(before, after, 1, "draft")
    bare = diff.diff_snapshots(before, after, 1, "draft", words=False)
    assert bare.changed_phases == full.changed_phases == ["assessment"]

    def shape(result: Any) -> Any:
        return [
            [(c.field, c.before, c.after) for c in result.municipality_fields],
            [(p.phase, p.changed, [c.field for c in p.fields]) for p in result.phases],
            [[c.field for c in o.changes] for p in result.phases for o in p.offerings.changed],
            [[c.field for c in a.changes] for a in result.improvement_areas.changed],
        ]

    assert shape(bare) == shape(full)
    assert all(c.segments for c in full.phases[0].fields)
    assert not any(c.segments for p in bare.phases for c in p.fields)
    assert not any(c.segments for c in bare.municipality_fields)
