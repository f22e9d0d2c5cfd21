"""The run-chart analysis: published examples of the Anhøj rules, and the invariants any
correct implementation keeps (property-based)."""

from __future__ import annotations

import math
import statistics
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.kit.runchart import (
    ON_LINE,
    analyse,
    analyse_series,
    crossings_limit,
    longest_run_limit,
    median,
)

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

# Anhøj J, Olesen AV (2014), Run charts revisited, PLoS ONE 9(11): e113825, table 1:
# useful observations → (longest run max, crossings min).
PUBLISHED_LIMITS = {
    10: (6, 2),
    11: (6, 2),
    12: (7, 3),
    13: (7, 3),
    14: (7, 4),
    15: (7, 4),
    16: (7, 4),
    17: (7, 5),
    18: (7, 5),
    19: (7, 6),
    20: (7, 6),
    21: (7, 6),
    22: (7, 7),
    23: (8, 7),
    24: (8, 8),
    25: (8, 8),
    26: (8, 8),
    27: (8, 9),
    28: (8, 9),
    29: (8, 10),
    30: (8, 10),
}

# The example series from Anhøj's qicharts2 documentation (and the issue).
EXAMPLE = [4, 3, 3, 2, 2, 3, 3, 4, 4, 4, 4, 3, 3, 2, 2, 1, 2, 1, 0, 3, 3, 4, 5, 6, 7, 9, 8, 7, 6, 6]


@pytest.mark.parametrize(("n", "limits"), sorted(PUBLISHED_LIMITS.items()))
def test_limits_match_the_published_table(n: int, limits: tuple[int, int]) -> None:
    assert (longest_run_limit(n), crossings_limit(n)) == limits


def test_24_useful_points_allow_a_run_of_8_and_need_8_crossings() -> None:
    assert longest_run_limit(24) == 8
    assert crossings_limit(24) == 8


def test_the_published_example_signals_both_ways() -> None:
    result = analyse(EXAMPLE)
    assert result.centre_line == 3
    assert result.n_points == 30
    assert result.n_useful == 22
    assert result.longest_run == 9
    assert result.longest_run_max == 7
    assert result.crossings == 4
    assert result.crossings_min == 7
    assert result.long_run
    assert result.few_crossings
    assert [(r.first, r.last, r.length) for r in result.signalling_runs] == [(21, 29, 9)]


def test_points_on_the_median_neither_break_nor_extend_a_run() -> None:
    # Above, on, above: one run of two, not two runs; the point on the line is skipped.
    result = analyse([5, 3, 5, 1, 1], baseline_points=None)
    assert result.centre_line == 3
    assert result.sides == (1, ON_LINE, 1, -1, -1)
    assert [(r.side, r.first, r.last, r.length) for r in result.runs] == [
        (1, 0, 2, 2),
        (-1, 3, 4, 2),
    ]
    assert result.crossings == 1


def test_24_alternating_points_give_no_signal() -> None:
    result = analyse([1, 2] * 12)
    assert result.n_useful == 24
    assert result.longest_run == 1
    assert result.crossings == 23
    assert result.enough_points
    assert not result.long_run
    assert not result.few_crossings


def test_no_signal_below_ten_useful_points() -> None:
    # Nine points far above a baseline of one: a long run, but too few points to say so.
    result = analyse([1, 2, 2, 2, 2, 2, 2, 2, 2, 2], baseline_points=1)
    assert result.n_useful == 9
    assert result.longest_run == 9
    assert not result.enough_points
    assert not result.long_run
    assert result.signalling_runs == ()


def test_a_frozen_baseline_judges_later_points_against_it() -> None:
    baseline = [3, 5, 4, 6, 4, 5, 3, 6, 5, 4, 4, 6]
    improved = [8, 9, 8, 10, 9, 8, 9, 10]
    result = analyse(baseline + improved, baseline_points=12)
    assert result.centre_line == Fraction(9, 2)
    assert result.n_baseline == 12
    assert result.longest_run == 9  # the last baseline point 6 and the eight better ones
    assert result.long_run


def test_a_restart_analyses_each_segment_with_its_own_centre_line() -> None:
    values = [1, 2, 1, 2, 1, 2, 10, 11, 10, 11]
    first, second = analyse_series(values, restart=6)
    assert (first.start, first.end, second.start, second.end) == (0, 6, 6, 10)
    assert first.analysis.centre_line == Fraction(3, 2)
    assert second.analysis.centre_line == Fraction(21, 2)
    assert len(analyse_series(values, restart=0)) == 1
    assert len(analyse_series(values, restart=10)) == 1
    assert analyse_series([]) == ()


def test_empty_and_flat_series() -> None:
    empty = analyse([])
    assert (empty.centre_line, empty.n_useful, empty.longest_run, empty.crossings) == (
        None,
        0,
        0,
        0,
    )
    assert empty.longest_run_max is None
    flat = analyse([7, 7, 7, 7])
    assert flat.centre_line == 7
    assert flat.n_useful == 0
    assert flat.runs == ()


def test_the_median_is_exact() -> None:
    assert median([0.1, 0.2]) == (Fraction(0.1) + Fraction(0.2)) / 2
    assert analyse([0.1, 0.2, 0.15]).sides == (-1, 1, ON_LINE)
    with pytest.raises(ValueError, match="finite"):
        analyse([1.0, math.nan])


# ---- properties --------------------------------------------------------------------------

small_numbers = st.integers(min_value=-20, max_value=20)
series = st.lists(small_numbers, max_size=60)
baselines = st.none() | st.integers(min_value=1, max_value=60)


def _binomial_cdf(k: int, trials: int) -> Fraction:
    return Fraction(sum(math.comb(trials, i) for i in range(k + 1)), 2**trials)


@given(series, baselines)
def test_crossings_are_runs_minus_one(values: list[int], baseline: int | None) -> None:
    result = analyse(values, baseline)
    assert sum(r.length for r in result.runs) == result.n_useful
    if result.n_useful:
        assert result.crossings == len(result.runs) - 1
    else:
        assert result.crossings == 0
    assert all(a.side != b.side for a, b in zip(result.runs, result.runs[1:], strict=False))


@given(series, baselines)
def test_counts_stay_within_their_bounds(values: list[int], baseline: int | None) -> None:
    result = analyse(values, baseline)
    assert result.n_useful <= result.n_points == len(values)
    assert result.longest_run <= result.n_useful
    assert result.crossings <= max(result.n_useful - 1, 0)
    if not result.enough_points:
        assert not result.long_run
        assert not result.few_crossings


@given(st.lists(small_numbers, min_size=1, max_size=60))
def test_the_centre_line_is_the_median_of_the_baseline(values: list[int]) -> None:
    assert analyse(values).centre_line == Fraction(statistics.median(values))
    assert analyse(values, 5).centre_line == Fraction(statistics.median(values[:5]))


@given(st.integers(min_value=1, max_value=400))
def test_limits_are_monotone_in_n(n: int) -> None:
    assert longest_run_limit(n) <= longest_run_limit(n + 1)
    assert crossings_limit(n) <= crossings_limit(n + 1)


@given(st.integers(min_value=1, max_value=400))
def test_crossings_limit_is_the_five_percent_quantile(n: int) -> None:
    k = crossings_limit(n)
    assert _binomial_cdf(k, n - 1) >= Fraction(1, 20)
    assert k == 0 or _binomial_cdf(k - 1, n - 1) < Fraction(1, 20)


@given(st.integers(min_value=1, max_value=100_000))
def test_longest_run_limit_rounds_log2_plus_3(n: int) -> None:
    exact = math.log2(n) + 3
    assert abs(longest_run_limit(n) - exact) <= 0.5


@given(series)
def test_reversing_the_order_changes_nothing_but_positions(values: list[int]) -> None:
    forward, backward = analyse(values), analyse(values[::-1])
    assert forward.centre_line == backward.centre_line
    assert forward.n_useful == backward.n_useful
    assert forward.longest_run == backward.longest_run
    assert forward.crossings == backward.crossings
    assert (forward.long_run, forward.few_crossings) == (backward.long_run, backward.few_crossings)
    assert [r.length for r in forward.runs] == [r.length for r in backward.runs][::-1]


@given(series)
def test_mirroring_the_values_swaps_the_sides(values: list[int]) -> None:
    original, mirrored = analyse(values), analyse([-v for v in values])
    assert mirrored.sides == tuple(-s for s in original.sides)
    assert (mirrored.longest_run, mirrored.crossings) == (original.longest_run, original.crossings)


@given(series, st.integers(min_value=-100, max_value=100), st.integers(min_value=1, max_value=9))
def test_shifting_and_scaling_change_nothing(values: list[int], shift: int, scale: int) -> None:
    original = analyse(values)
    moved = analyse([v * scale + shift for v in values])
    assert moved.sides == original.sides
    if original.centre_line is not None:
        assert moved.centre_line == original.centre_line * scale + shift


@given(st.lists(small_numbers, min_size=2, max_size=40), small_numbers)
def test_adding_a_point_on_the_centre_line_changes_nothing(
    values: list[int], position: int
) -> None:
    result = analyse(values)
    assert result.centre_line is not None
    index = abs(position) % (len(values) + 1)
    # Adding the median to the values keeps the median; the new point is then skipped by
    # the rules wherever it lands.
    padded = analyse([*values[:index], result.centre_line, *values[index:]])
    assert padded.centre_line == result.centre_line
    assert padded.n_points == result.n_points + 1
    assert padded.n_useful == result.n_useful
    assert padded.longest_run == result.longest_run
    assert padded.crossings == result.crossings


@given(st.integers(min_value=5, max_value=100))
def test_alternating_series_never_signal(pairs: int) -> None:
    n = 2 * pairs
    result = analyse([(-1) ** i for i in range(n)])
    assert result.n_useful == n
    assert not result.long_run
    assert not result.few_crossings


@given(st.integers(min_value=5, max_value=100))
def test_a_shift_of_half_the_points_always_signals(half: int) -> None:
    # Half the points low, then half high: two runs, one crossing — the clearest change.
    result = analyse([0] * half + [10] * half)
    assert result.n_useful == 2 * half
    assert result.crossings == 1
    assert result.few_crossings
    # A run of n/2 is longer than round(log2(n) + 3) from 16 points on.
    assert result.long_run == (half >= 8)
