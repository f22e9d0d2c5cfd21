"""What a chart says in plain words: did the measure get better, worse, or not change, judged
by the direction that counts as better. Pure: no database, no language.

Evidence is every signal of the run chart (Anhøj: an unusually long run) and of the SPC chart
(`kit.spc`: outside the limits, a shift, a trend, two of three near a limit). The most recent
signal decides, because it describes the process now. Which way the process went is read from
the data, not from the rule: the level of the signalling points is compared with the level of
the points before them (or, for a signal at the very start, the level after them with the
level of the signal). A verdict is `improving` only when that comparison went the way the
indicator's direction calls better, so a change the wrong way is never called an improvement.

The NHS "Making Data Count" icons are computed here too: the variation icon from the latest
point, the assurance icon from the target and the latest limits.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.kit import runchart
from app.kit.spc import SpcChart


class Better(StrEnum):
    up = "up"
    down = "down"
    neither = "neither"


class Direction(StrEnum):
    improving = "improving"
    worsening = "worsening"
    #: a change in a measure with no better direction (a balancing measure).
    changed = "changed"
    no_change = "no_change"
    too_few_points = "too_few_points"


@dataclass(frozen=True)
class Evidence:
    """Points `first`..`last` (inclusive, indexes into the series) showed a signal."""

    first: int
    last: int


@dataclass(frozen=True)
class Verdict:
    direction: Direction
    #: Points analysed, and how many it takes before the rules can say anything.
    n_points: int
    needed: int
    #: +1 the values went up, -1 down, 0 no change or not known.
    went: int = 0
    #: Index of the first point at the new level (None when nothing changed).
    since: int | None = None


def _went(values: Sequence[float], evidence: Evidence) -> tuple[int, int]:
    """Which way the level moved (+1, -1 or 0), and the index the new level starts at."""
    inside = values[evidence.first : evidence.last + 1]
    before = values[: evidence.first]
    after = values[evidence.last + 1 :]
    if before:
        level = statistics.median(before)
        signal = statistics.median(inside) - level
        since_then = statistics.median(values[evidence.first :]) - level
        # "went down since March" must hold for everything since March, not only the signal.
        delta = signal if (signal > 0) == (since_then > 0) and since_then != 0 else 0
        since = evidence.first
    elif after:
        delta = statistics.median(after) - statistics.median(inside)
        since = evidence.last + 1
    else:
        delta = inside[-1] - inside[0]
        since = evidence.first
    return (delta > 0) - (delta < 0), since


def run_chart_evidence(segment: runchart.Segment) -> list[Evidence]:
    """The signalling runs of a run-chart segment, as indexes into the whole series."""
    return [
        Evidence(segment.start + run.first, segment.start + run.last)
        for run in segment.analysis.signalling_runs
    ]


def spc_evidence(chart: SpcChart, offset: int = 0) -> list[Evidence]:
    return [Evidence(offset + s.first, offset + s.last) for s in chart.signals]


def judge(
    values: Sequence[float],
    better: Better,
    evidence: Sequence[Evidence],
    n_useful: int,
    needed: int = runchart.MIN_USEFUL_POINTS,
) -> Verdict:
    """The verdict on `values` given the signals found in them."""
    n = len(values)
    if n_useful < needed:
        # Points on the centre line do not count: with enough points but too many of them on
        # the line, say how many points it takes.
        return Verdict(Direction.too_few_points, n, needed if n < needed else needed + n - n_useful)
    if not evidence:
        return Verdict(Direction.no_change, n, needed)
    latest = max(evidence, key=lambda e: (e.last, e.last - e.first))
    went, since = _went(values, latest)
    if went == 0:
        return Verdict(Direction.no_change, n, needed)
    if better is Better.neither:
        return Verdict(Direction.changed, n, needed, went, since)
    good = went == (1 if better is Better.up else -1)
    return Verdict(Direction.improving if good else Direction.worsening, n, needed, went, since)


# ---- Making Data Count icons -------------------------------------------------------------


class Variation(StrEnum):
    common_cause = "common_cause"
    improving_high = "improving_high"
    improving_low = "improving_low"
    concerning_high = "concerning_high"
    concerning_low = "concerning_low"
    neither_high = "neither_high"
    neither_low = "neither_low"


class Assurance(StrEnum):
    #: the target lies inside the limits: the process will sometimes meet it, sometimes not.
    hit_and_miss = "hit_and_miss"
    #: the process will consistently meet the target.
    pass_ = "pass"  # noqa: S105 - a verdict, not a password
    #: the process will not meet the target unless it changes.
    fail = "fail"


def variation(chart: SpcChart, better: Better) -> Variation:
    """The variation icon: special cause when a signal covers the latest point."""
    last = len(chart.points) - 1
    current = [s for s in chart.signals if s.first <= last <= s.last]
    if not current:
        return Variation.common_cause
    side = current[-1].side
    high = side > 0
    if better is Better.neither:
        return Variation.neither_high if high else Variation.neither_low
    good = high == (better is Better.up)
    if good:
        return Variation.improving_high if high else Variation.improving_low
    return Variation.concerning_high if high else Variation.concerning_low


def assurance(chart: SpcChart, better: Better, target: float | None) -> Assurance | None:
    """The assurance icon (None without a target or a better direction)."""
    if target is None or better is Better.neither or not chart.points:
        return None
    latest = chart.points[-1]
    if latest.lower_limit <= target <= latest.upper_limit:
        return Assurance.hit_and_miss
    # The whole band is on one side of the target.
    band_above = latest.lower_limit > target
    meets = band_above if better is Better.up else not band_above
    return Assurance.pass_ if meets else Assurance.fail
