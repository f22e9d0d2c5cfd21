"""Statistical disclosure control for published counts: which counts to hide so that no
hidden count can be worked out from the rest. Pure: counts and equations in, marks out.

Primary suppression hides every count from 1 to threshold − 1 (it reads "<5"): such a count
can be traced back to one or two municipalities. Zero identifies nobody and is shown. That
is not enough where counts add up: with "Kommuner 21", "Ikke vurdert 20", "Etablert <5" and
the other levels 0, Etablert is 1. So complementary suppression hides more counts
(`WITHHELD`) until none of the hidden ones can be worked out.

What a reader is assumed to know, and what the protection is checked against:

- every count shown, and the public ones (e.g. how many municipalities a region has);
- that a count shown as "<5" (`SMALL`) lies from 1 to threshold − 1;
- that a withheld count is some whole number, 0 or more (withholding promises nothing);
- the equations that tie the counts together (`Equation`: a sum of counts, each times a
  whole number, is a constant — the maturity levels of a phase add up to the number of
  municipalities; the checklist answers to municipalities × items).

A hidden count is disclosed when these leave it a single possible value. The reader's
bounds are found by interval propagation over the equations (`bounds`), exact for one
equation (every count in it has an interval of whole numbers, and so has their sum) and a
safe approximation across several. While a hidden count is disclosed, `protect` withholds
the smallest shown count of an equation that pins it — a non-zero one first (a withheld zero
protects less) — and, when no shown count is left there, shows that equation's small counts
as withheld too (they no longer say 1 to threshold − 1). A count that nothing can protect
(every other count of its equations public) is left as it is.

Some counts must stay hidden whatever their value (`sensitive`): e.g. the number of
improvement areas of a group of fewer than threshold municipalities that the reader can name
from public figures. They start withheld and are protected like small counts.

Inference from how the algorithm chose (e.g. "the withheld count was the smallest") is not
modelled; it is not in the reader's knowledge above.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

#: Rounds of propagation at most; with the summary's equations a handful suffice.
MAX_ROUNDS = 200


class Mark(StrEnum):
    shown = "shown"
    #: From 1 to threshold − 1, shown as e.g. "<5".
    small = "small"
    #: Withheld so that a small count cannot be worked out.
    withheld = "withheld"


@dataclass(frozen=True)
class Equation(Generic[K]):
    """sum(coefficient × count) == constant, for the counts named in `terms`."""

    terms: tuple[tuple[K, int], ...]
    constant: int = 0

    def holds(self, counts: Mapping[K, int]) -> bool:
        return sum(c * counts[k] for k, c in self.terms) == self.constant


#: A reader's bounds of a count: (lowest, highest), highest None when unbounded.
Bounds = tuple[int, int | None]


def _ceil_div(p: int, q: int) -> int:
    return -((-p) // q)


def _label_bounds(value: int, mark: Mark, threshold: int) -> Bounds:
    if mark == Mark.shown:
        return value, value
    if mark == Mark.small:
        return 1, threshold - 1
    return 0, None


def _implied(equation: Equation[K], key: K, known: Mapping[K, Bounds]) -> Bounds:
    """What `equation` alone says about `key`, given the others' bounds (then intersected
    with the count's own bounds by the caller)."""
    low_sum: int | None = 0  # None: minus infinity
    high_sum: int | None = 0  # None: plus infinity
    coefficient = 0
    for other, c in equation.terms:
        if other == key:
            coefficient += c
            continue
        lo, hi = known[other]
        part_low = c * lo if c > 0 else (None if hi is None else c * hi)
        part_high = (None if hi is None else c * hi) if c > 0 else c * lo
        low_sum = None if low_sum is None or part_low is None else low_sum + part_low
        high_sum = None if high_sum is None or part_high is None else high_sum + part_high
    if coefficient == 0:
        return 0, None
    # coefficient × key = constant − others, others in [low_sum, high_sum]
    top = None if low_sum is None else equation.constant - low_sum
    bottom = None if high_sum is None else equation.constant - high_sum
    if coefficient > 0:
        lo = 0 if bottom is None else _ceil_div(bottom, coefficient)
        hi = None if top is None else top // coefficient
    else:
        lo = 0 if top is None else _ceil_div(top, coefficient)
        hi = None if bottom is None else bottom // coefficient
    return max(lo, 0), hi


def _meet(a: Bounds, b: Bounds) -> Bounds:
    lo = max(a[0], b[0])
    if a[1] is None:
        return lo, b[1]
    if b[1] is None:
        return lo, a[1]
    return lo, min(a[1], b[1])


def bounds(
    counts: Mapping[K, int],
    marks: Mapping[K, Mark],
    equations: Sequence[Equation[K]],
    threshold: int,
) -> dict[K, Bounds]:
    """What a reader can tell about each count from the shown counts, the marks and the
    equations (interval propagation to a fixed point)."""
    known = {k: _label_bounds(v, marks[k], threshold) for k, v in counts.items()}
    for _ in range(MAX_ROUNDS):
        changed = False
        for equation in equations:
            for key, _coefficient in equation.terms:
                if marks[key] == Mark.shown:
                    continue
                tighter = _meet(known[key], _implied(equation, key, known))
                if tighter != known[key]:
                    known[key] = tighter
                    changed = True
        if not changed:
            break
    return known


def _disclosed(b: Bounds) -> bool:
    return b[1] is not None and b[0] >= b[1]


def _protect_one(
    key: K,
    counts: Mapping[K, int],
    marks: dict[K, Mark],
    equations: Sequence[Equation[K]],
    threshold: int,
    public: Collection[K],
    known: Mapping[K, Bounds],
) -> bool:
    """One step against the disclosure of `key`: withhold the smallest shown count of an
    equation that pins it, or else withhold the small counts around it. False when there is
    nothing left to withhold."""
    order = {k: i for i, k in enumerate(counts)}
    around = [e for e in equations if any(k == key for k, _ in e.terms)]
    pinning = [
        e
        for e in around
        if _disclosed(
            _meet(_label_bounds(counts[key], marks[key], threshold), _implied(e, key, known))
        )
    ]
    cells = {k for e in (pinning or around) for k, _ in e.terms} - {key}
    candidates = [k for k in cells if marks[k] == Mark.shown and k not in public]
    if candidates:
        chosen = min(candidates, key=lambda k: (counts[k] == 0, counts[k], order[k]))
        marks[chosen] = Mark.withheld
        return True
    small = [k for k in cells | {key} if marks[k] == Mark.small]
    for k in small:
        marks[k] = Mark.withheld
    return bool(small)


def _first_mark(
    key: K, value: int, threshold: int, public: Collection[K], sensitive: Collection[K]
) -> Mark:
    if key in public:
        return Mark.shown
    if key in sensitive:
        return Mark.withheld  # not even "1 to threshold − 1"
    return Mark.small if 0 < value < threshold else Mark.shown


def protect(
    counts: Mapping[K, int],
    equations: Sequence[Equation[K]],
    threshold: int,
    public: Collection[K] = (),
    sensitive: Collection[K] = (),
) -> dict[K, Mark]:
    """How each count is shown: primary suppression of small counts (and of `sensitive`
    ones, whatever their value), then complementary suppression until no hidden count is
    disclosed. `public` counts are always shown (the reader knows them anyway). Equations
    must hold for `counts`."""
    marks = {k: _first_mark(k, v, threshold, public, sensitive) for k, v in counts.items()}
    unprotectable: set[K] = set()
    # Each round withholds a count, or gives one up: it ends.
    for _ in range(2 * len(counts) + 1):
        known = bounds(counts, marks, equations, threshold)
        exposed = [
            k
            for k in counts
            if marks[k] != Mark.shown and k not in unprotectable and _disclosed(known[k])
        ]
        if not exposed:
            break
        if not _protect_one(exposed[0], counts, marks, equations, threshold, public, known):
            unprotectable.add(exposed[0])
    return marks
