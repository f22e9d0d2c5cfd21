"""Statistical process control (Shewhart) charts and the special-cause rules of NHS England's
"Making Data Count". Pure: numbers in, numbers out; no database.

Charts (Montgomery DC. Introduction to Statistical Quality Control; Laney DB. Improved
control charts for attributes. Quality Engineering 2002;14(4):531-537):

- **XmR** (individuals chart): centre line = mean of the baseline values; limits = centre ±
  2.66 × the mean moving range of the baseline (2.66 = 3 / d2, d2 = 1.128 for ranges of two).
- **P** (proportions with varying denominators): p̄ = Σ numerators / Σ denominators of the
  baseline; limits for each point p̄ ± 3 √(p̄(1 − p̄) / nᵢ), clipped to [0, 1].
- **P′** (Laney): as P, but each point's sigma is multiplied by σz, the moving-range sigma
  of the points' z-scores zᵢ = (pᵢ − p̄) / σᵢ; σz = mean |zᵢ − zᵢ₋₁| / 1.128. Used when the
  denominators are so large that the P limits are too narrow (over-dispersion, σz > 1);
  chosen automatically when σz > 2, so that a special cause in ordinary data (which inflates
  σz too) does not widen its own limits.
- **U** (rates: counts per unit of exposure): ū = Σ counts / Σ exposures of the baseline;
  limits ū ± 3 √(ū / nᵢ), the lower one clipped at 0.

Special-cause rules, as Making Data Count uses them:

- `outside_limits`: a point above the upper or below the lower limit;
- `shift`: 7 or more consecutive points on the same side of the centre line (a point on the
  line breaks the run);
- `trend`: 6 or more consecutive points each higher (or each lower) than the one before;
- `near_limit`: 2 of 3 consecutive points beyond 2 sigma on the same side (close to a limit).

The baseline is the first `baseline_points` points (all when None); every point is judged
against the limits the baseline gives.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

#: 3 / d2 with d2 = 1.128: the XmR limit factor.
XMR_FACTOR = 2.66
D2 = 1.128
SHIFT_LENGTH = 7
TREND_LENGTH = 6
#: P′ is chosen over P when the z-scores vary this much more than binomial variation allows.
OVERDISPERSION = 2.0


class ChartType(StrEnum):
    xmr = "xmr"
    p = "p"
    p_prime = "p_prime"
    u = "u"


class Rule(StrEnum):
    outside_limits = "outside_limits"
    shift = "shift"
    trend = "trend"
    near_limit = "near_limit"


@dataclass(frozen=True)
class SpcSignal:
    """One rule that fired, over points `first`..`last` (inclusive). `side` is +1 when the
    points are high (above the centre line, or rising) and -1 when they are low."""

    rule: Rule
    first: int
    last: int
    side: int


@dataclass(frozen=True)
class SpcPoint:
    value: float
    lower_limit: float
    upper_limit: float
    signal: bool


@dataclass(frozen=True)
class SpcChart:
    chart: ChartType
    centre_line: float
    points: tuple[SpcPoint, ...]
    signals: tuple[SpcSignal, ...]
    #: Laney's σz (P′ only; 1.0 for the other charts).
    sigma_z: float = 1.0


def _baseline(n: int, baseline_points: int | None) -> int:
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1")
    return n if baseline_points is None else min(baseline_points, n)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _moving_range_mean(values: Sequence[float]) -> float:
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    return _mean(ranges) if ranges else 0.0


def _chart(
    chart: ChartType,
    values: Sequence[float],
    centre: float,
    sigmas: Sequence[float],
    clip: tuple[float | None, float | None] = (None, None),
    sigma_z: float = 1.0,
) -> SpcChart:
    low_clip, high_clip = clip
    lower: list[float] = [centre - 3 * s for s in sigmas]
    upper = [centre + 3 * s for s in sigmas]
    if low_clip is not None:
        lower = [max(low_clip, x) for x in lower]
    if high_clip is not None:
        upper = [min(high_clip, x) for x in upper]
    signals = special_causes(values, centre, sigmas, lower, upper)
    flagged = {i for s in signals for i in range(s.first, s.last + 1)}
    points = tuple(
        SpcPoint(v, lo, hi, i in flagged)
        for i, (v, lo, hi) in enumerate(zip(values, lower, upper, strict=True))
    )
    return SpcChart(chart, centre, points, signals, sigma_z)


def xmr(values: Sequence[float], baseline_points: int | None = None) -> SpcChart:
    """The individuals chart of `values` (at least two baseline points give limits)."""
    if not values:
        raise ValueError("an XmR chart needs at least one value")
    base = list(values[: _baseline(len(values), baseline_points)])
    centre = _mean(base)
    sigma = _moving_range_mean(base) / D2
    return _chart(ChartType.xmr, list(values), centre, [sigma] * len(values))


def _rates(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError("numerators and denominators must be equally many, and some")
    if any(d <= 0 for d in denominators):
        raise ValueError("every denominator must be positive")
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def _pooled(
    numerators: Sequence[float], denominators: Sequence[float], baseline_points: int | None
) -> float:
    k = _baseline(len(numerators), baseline_points)
    return math.fsum(numerators[:k]) / math.fsum(denominators[:k])


def _p_sigmas(p_bar: float, denominators: Sequence[float]) -> list[float]:
    return [math.sqrt(p_bar * (1 - p_bar) / n) for n in denominators]


def laney_sigma_z(
    numerators: Sequence[float],
    denominators: Sequence[float],
    baseline_points: int | None = None,
) -> float:
    """σz of the baseline's z-scores (1.0 when it cannot be computed)."""
    rates = _rates(numerators, denominators)
    p_bar = _pooled(numerators, denominators, baseline_points)
    if p_bar in (0.0, 1.0):
        return 1.0
    sigmas = _p_sigmas(p_bar, denominators)
    k = _baseline(len(rates), baseline_points)
    z = [(p - p_bar) / s for p, s in zip(rates[:k], sigmas[:k], strict=True)]
    if len(z) < 2:
        return 1.0
    return _moving_range_mean(z) / D2


def p_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    baseline_points: int | None = None,
    laney: bool = False,
) -> SpcChart:
    """The P chart (or Laney's P′ chart) of proportions (as fractions, not percent)."""
    rates = _rates(numerators, denominators)
    p_bar = _pooled(numerators, denominators, baseline_points)
    sigmas = _p_sigmas(p_bar, denominators)
    if not laney:
        return _chart(ChartType.p, rates, p_bar, sigmas, (0.0, 1.0))
    sigma_z = laney_sigma_z(numerators, denominators, baseline_points)
    widened = [s * sigma_z for s in sigmas]
    return _chart(ChartType.p_prime, rates, p_bar, widened, (0.0, 1.0), sigma_z)


def u_chart(
    counts: Sequence[float], exposures: Sequence[float], baseline_points: int | None = None
) -> SpcChart:
    """The U chart of counts per unit of exposure."""
    rates = _rates(counts, exposures)
    u_bar = _pooled(counts, exposures, baseline_points)
    sigmas = [math.sqrt(u_bar / n) for n in exposures]
    return _chart(ChartType.u, rates, u_bar, sigmas, (0.0, None))


def proportion_chart(
    numerators: Sequence[float],
    denominators: Sequence[float],
    baseline_points: int | None = None,
) -> SpcChart:
    """The P chart, or P′ when the data are over-dispersed (σz > `OVERDISPERSION`)."""
    sigma_z = laney_sigma_z(numerators, denominators, baseline_points)
    return p_chart(numerators, denominators, baseline_points, laney=sigma_z > OVERDISPERSION)


# ---- special-cause rules -----------------------------------------------------------------


def _outside(
    values: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> Iterator[SpcSignal]:
    for i, value in enumerate(values):
        if value > upper[i]:
            yield SpcSignal(Rule.outside_limits, i, i, 1)
        elif value < lower[i]:
            yield SpcSignal(Rule.outside_limits, i, i, -1)


def _streaks(
    marks: Sequence[int], min_length: int, rule: Rule, offset: int = 0
) -> Iterator[SpcSignal]:
    """Maximal streaks of equal non-zero marks at least `min_length` long."""
    start = 0
    for i in range(1, len(marks) + 1):
        if i == len(marks) or marks[i] != marks[start]:
            if marks[start] != 0 and i - start >= min_length:
                yield SpcSignal(rule, start, i - 1 + offset, marks[start])
            start = i


def _shifts(values: Sequence[float], centre: float) -> Iterator[SpcSignal]:
    sides = [(v > centre) - (v < centre) for v in values]
    return _streaks(sides, SHIFT_LENGTH, Rule.shift)


def _trends(values: Sequence[float]) -> Iterator[SpcSignal]:
    # steps[i] is the direction from point i to point i + 1; a trend of k points is k - 1
    # equal steps, and it covers the points first..last + 1.
    steps = [(b > a) - (b < a) for a, b in itertools.pairwise(values)]
    return _streaks(steps, TREND_LENGTH - 1, Rule.trend, offset=1)


def _near_limits(
    values: Sequence[float], centre: float, sigmas: Sequence[float]
) -> Iterator[SpcSignal]:
    near = [
        (v > centre + 2 * s) - (v < centre - 2 * s) if s > 0 else 0
        for v, s in zip(values, sigmas, strict=True)
    ]
    for i in range(len(values) - 2):
        window = near[i : i + 3]
        for side in (1, -1):
            hits = [i + j for j, mark in enumerate(window) if mark == side]
            if len(hits) >= 2 and hits[0] == i:
                yield SpcSignal(Rule.near_limit, hits[0], hits[-1], side)


def special_causes(
    values: Sequence[float],
    centre: float,
    sigmas: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
) -> tuple[SpcSignal, ...]:
    """Every rule that fires, ordered by the point it ends at."""
    found = [
        *_outside(values, lower, upper),
        *_shifts(values, centre),
        *_trends(values),
        *_near_limits(values, centre, sigmas),
    ]
    return tuple(sorted(found, key=lambda s: (s.last, s.first, s.rule)))
