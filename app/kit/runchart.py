"""Run-chart analysis with the Anhøj rules. Pure: numbers in, numbers out; no database.

Definitions (Anhøj J, Olesen AV. Run charts revisited. PLoS ONE 2014;9(11):e113825):

- The **centre line** is the median of the baseline: the first `baseline_points` points of
  the series (all points when not given, or when there are fewer).
- A point **on** the centre line is not *useful*: it is skipped. It neither breaks a run nor
  adds to one, and it does not count as a crossing. Every other point is useful.
- A **run** is a maximal sequence of consecutive useful points on the same side of the centre
  line. A **crossing** is a change of side between two consecutive useful points, so
  crossings = runs − 1 whenever there is at least one useful point.
- With n useful points: an *unusually long run* signal when the longest run is longer than
  round(log2(n) + 3); an *unusually few crossings* signal when the crossings are fewer than
  the 5 % lower quantile of Binomial(n − 1, 0.5), i.e. the smallest k with P(X ≤ k) ≥ 0.05.
  Both limits are computed exactly (integer arithmetic), not approximated.
- Signals are reported only from `MIN_USEFUL_POINTS` (10) useful points; below that the rules
  say nothing and `enough_points` is false.

Values are compared exactly: they are turned into `Fraction`s, so a median of two middle
values is exact and "on the centre line" never depends on floating-point rounding.

A series can be split at `restart` (an index): the points before it and the points from it on
are analysed as two independent **segments**, each with its own baseline and centre line. The
headline analysis of an indicator is its last segment, the one that describes now.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

MIN_USEFUL_POINTS = 10
ABOVE = 1
BELOW = -1
ON_LINE = 0

Number = Fraction | int | float


@dataclass(frozen=True)
class Run:
    """Consecutive useful points on one side of the centre line. `first` and `last` are
    indexes into the analysed values (points on the centre line inside the run are skipped,
    so `last - first + 1` can be more than `length`)."""

    side: int
    first: int
    last: int
    length: int


@dataclass(frozen=True)
class RunAnalysis:
    centre_line: Fraction | None
    #: The median's own inputs: the middle value, or the two middle values, of the baseline.
    middle_values: tuple[Fraction, ...]
    n_points: int
    n_baseline: int
    #: ABOVE, BELOW or ON_LINE for every point.
    sides: tuple[int, ...]
    runs: tuple[Run, ...]
    longest_run_max: int | None
    crossings_min: int | None

    @property
    def n_useful(self) -> int:
        return sum(1 for side in self.sides if side != ON_LINE)

    @property
    def longest_run(self) -> int:
        return max((run.length for run in self.runs), default=0)

    @property
    def crossings(self) -> int:
        return max(len(self.runs) - 1, 0)

    @property
    def enough_points(self) -> bool:
        return self.n_useful >= MIN_USEFUL_POINTS

    @property
    def long_run(self) -> bool:
        return (
            self.enough_points
            and self.longest_run_max is not None
            and self.longest_run > self.longest_run_max
        )

    @property
    def few_crossings(self) -> bool:
        return (
            self.enough_points
            and self.crossings_min is not None
            and self.crossings < self.crossings_min
        )

    @property
    def signalling_runs(self) -> tuple[Run, ...]:
        """The runs that are longer than the limit (empty unless `long_run`)."""
        if not self.long_run:
            return ()
        assert self.longest_run_max is not None
        return tuple(run for run in self.runs if run.length > self.longest_run_max)


@dataclass(frozen=True)
class Segment:
    """Points `start` (inclusive) to `end` (exclusive) of the whole series, analysed on
    their own. Indexes in `analysis` are relative to `start`."""

    start: int
    end: int
    analysis: RunAnalysis


def _exact(value: Number) -> Fraction:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("run charts take finite numbers only")
    return Fraction(value)


def middle_values(values: Sequence[Number]) -> tuple[Fraction, ...]:
    """The one (odd count) or two (even count) middle values of the sorted values."""
    if not values:
        return ()
    ordered = sorted(_exact(v) for v in values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return (ordered[half],)
    return (ordered[half - 1], ordered[half])


def median(values: Sequence[Number]) -> Fraction:
    middle = middle_values(values)
    if not middle:
        raise ValueError("the median of no values is not defined")
    return sum(middle, Fraction(0)) / len(middle)


def longest_run_limit(n_useful: int) -> int:
    """round(log2(n) + 3): a run longer than this is unusually long."""
    if n_useful < 1:
        raise ValueError("the limit needs at least one useful point")
    # log2(n) + 3 is never exactly halfway for an integer n, so rounding half up is safe.
    return math.floor(math.log2(n_useful) + 3 + 0.5)


@lru_cache(maxsize=4096)
def crossings_limit(n_useful: int) -> int:
    """The smallest k with P(X ≤ k) ≥ 0.05 for X ~ Binomial(n − 1, 0.5): fewer crossings
    than this are unusually few. Exact: 20·Σ C(m, i) ≥ 2^m in integers."""
    if n_useful < 1:
        raise ValueError("the limit needs at least one useful point")
    trials = n_useful - 1
    total = 2**trials
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if 20 * cumulative >= total:
            return k
    raise AssertionError("unreachable: the cumulative probability reaches 1")


def _sides(values: Sequence[Fraction], centre: Fraction) -> tuple[int, ...]:
    return tuple(ABOVE if v > centre else BELOW if v < centre else ON_LINE for v in values)


def _runs(sides: Sequence[int]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for index, side in enumerate(sides):
        if side == ON_LINE:
            continue
        if runs and runs[-1].side == side:
            last = runs[-1]
            runs[-1] = Run(side, last.first, index, last.length + 1)
        else:
            runs.append(Run(side, index, index, 1))
    return tuple(runs)


def analyse(values: Sequence[Number], baseline_points: int | None = None) -> RunAnalysis:
    """The Anhøj analysis of one segment: the centre line is the median of the first
    `baseline_points` values (all values when None or when there are fewer), and every
    value of the segment is judged against it."""
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    exact = [_exact(v) for v in values]
    n_baseline = len(exact) if baseline_points is None else min(baseline_points, len(exact))
    baseline = exact[:n_baseline]
    if not baseline:
        return RunAnalysis(None, (), 0, 0, (), (), None, None)
    middle = middle_values(baseline)
    centre = sum(middle, Fraction(0)) / len(middle)
    sides = _sides(exact, centre)
    n_useful = sum(1 for side in sides if side != ON_LINE)
    return RunAnalysis(
        centre_line=centre,
        middle_values=middle,
        n_points=len(exact),
        n_baseline=n_baseline,
        sides=sides,
        runs=_runs(sides),
        longest_run_max=longest_run_limit(n_useful) if n_useful else None,
        crossings_min=crossings_limit(n_useful) if n_useful else None,
    )


def analyse_series(
    values: Sequence[Number], baseline_points: int | None = None, restart: int | None = None
) -> tuple[Segment, ...]:
    """The series as one segment, or two when `restart` falls strictly inside it. Each
    segment has its own baseline of `baseline_points` points from its start."""
    n = len(values)
    if not n:
        return ()
    cuts = [0, n] if restart is None or not 0 < restart < n else [0, restart, n]
    return tuple(
        Segment(start, end, analyse(values[start:end], baseline_points))
        for start, end in itertools.pairwise(cuts)
    )
