"""The plain verdict: the direction the data went, judged by what counts as better."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.kit import runchart, spc
from app.kit.verdict import (
    Assurance,
    Better,
    Direction,
    Evidence,
    Variation,
    Verdict,
    assurance,
    judge,
    run_chart_evidence,
    spc_evidence,
    variation,
)

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here


def verdict_of(values: Sequence[float], better: Better) -> Verdict:
    segments = runchart.analyse_series(values)
    last = segments[-1]
    evidence = [e for s in segments for e in run_chart_evidence(s)]
    evidence += spc_evidence(spc.xmr(values))
    return judge(values, better, evidence, last.analysis.n_useful)


def step(before: float, after: float, n_before: int, n_after: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [before + rng.uniform(-2, 2) for _ in range(n_before)] + [
        after + rng.uniform(-2, 2) for _ in range(n_after)
    ]


@pytest.mark.parametrize("seed", range(20))
def test_waiting_time_that_fell_is_an_improvement_when_lower_is_better(seed: int) -> None:
    values = step(30, 18, 10, 10, seed)
    verdict = verdict_of(values, Better.down)
    assert verdict.direction is Direction.improving
    assert verdict.went == -1
    assert verdict.since is not None
    assert 8 <= verdict.since <= 11
    assert verdict_of(values, Better.up).direction is Direction.worsening
    assert verdict_of(values, Better.neither).direction is Direction.changed


@pytest.mark.parametrize("seed", range(20))
def test_a_rise_is_an_improvement_only_when_higher_is_better(seed: int) -> None:
    values = step(40, 60, 12, 12, seed)
    assert verdict_of(values, Better.up).direction is Direction.improving
    assert verdict_of(values, Better.down).direction is Direction.worsening


def test_an_early_low_stretch_means_the_values_went_up_after_it() -> None:
    values = [10.0, 11, 10, 9, 10, 11, 10, 9, 20.0, 21, 19, 22, 20, 21, 19, 20, 22, 21]
    verdict = verdict_of(values, Better.up)
    assert verdict.direction is Direction.improving
    assert verdict.since == 8


def test_nine_points_are_too_few_and_ten_are_enough() -> None:
    nine = verdict_of([30, 29, 31, 20, 19, 18, 17, 16, 15], Better.down)
    assert nine.direction is Direction.too_few_points
    assert (nine.n_points, nine.needed) == (9, 10)
    ten = verdict_of([30, 29, 31, 20, 19, 18, 17, 16, 15, 14], Better.down)
    assert ten.direction is not Direction.too_few_points
    assert ten.n_points == 10
    # Ten points, but the two middle ones are equal and lie on the centre line: eight are
    # useful, so two more are needed.
    tied = verdict_of([26, 27, 28, 29, 30, 30, 31, 32, 33, 34], Better.up)
    assert tied.direction is Direction.too_few_points
    assert (tied.n_points, tied.needed) == (10, 12)


def test_stable_noise_is_no_change() -> None:
    values = [20, 22, 19, 21, 20, 23, 18, 21, 20, 22, 19, 21, 20, 22]
    assert verdict_of(values, Better.up).direction is Direction.no_change


@given(
    st.lists(st.floats(min_value=0, max_value=1000, allow_nan=False), min_size=10, max_size=40),
    st.sampled_from([Better.up, Better.down]),
)
def test_nothing_that_went_the_wrong_way_is_called_an_improvement(
    values: list[float], better: Better
) -> None:
    verdict = verdict_of(values, better)
    if verdict.direction is not Direction.improving:
        return
    assert verdict.since is not None
    before, after = values[: verdict.since], values[verdict.since :]
    moved = (
        statistics.median(after) - statistics.median(before) if before else values[-1] - values[0]
    )
    if better is Better.up:
        assert moved >= 0
    else:
        assert moved <= 0


def test_variation_icon_follows_the_latest_point() -> None:
    rising = spc.xmr([10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 30], baseline_points=10)
    assert variation(rising, Better.up) is Variation.improving_high
    assert variation(rising, Better.down) is Variation.concerning_high
    assert variation(rising, Better.neither) is Variation.neither_high
    calm = spc.xmr([10, 11, 9, 10, 11, 9, 10, 11, 9, 10])
    assert variation(calm, Better.up) is Variation.common_cause


def test_assurance_icon_compares_the_target_with_the_limits() -> None:
    chart = spc.xmr([10, 11, 9, 10, 11, 9, 10, 11, 9, 10])  # limits about 7.0 to 13.0
    assert assurance(chart, Better.up, 10) is Assurance.hit_and_miss
    assert assurance(chart, Better.up, 5) is Assurance.pass_
    assert assurance(chart, Better.up, 20) is Assurance.fail
    assert assurance(chart, Better.down, 20) is Assurance.pass_
    assert assurance(chart, Better.down, 5) is Assurance.fail
    assert assurance(chart, Better.up, None) is None
    assert assurance(chart, Better.neither, 10) is None


def test_evidence_is_mapped_to_the_whole_series() -> None:
    values = [1.0, 3.0] * 3 + [9.0] * 9
    segment = runchart.Segment(5, 20, runchart.analyse(values, baseline_points=6))
    assert run_chart_evidence(segment) == [Evidence(10, 19)]
