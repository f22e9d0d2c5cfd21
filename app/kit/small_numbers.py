"""Small numbers: one rule for every path a measurement can take.

A count below `SMALL_NUMBER_THRESHOLD` (default 5) can point at one or two people. Whoever
is not an editor of the municipality (`Principal.sees_small_numbers`) sees such a count as
"<5", and a proportion whose numerator, or whose complement (denominator − numerator), is
below the threshold loses its numbers and its percentage alike. The rule is applied where
the numbers leave the services:

- observation lists, their CSV, the run-chart analysis, the chart (SVG and its data table),
  and so the indicator, improvement area and poster pages (`services.measurement`);
- the audit trail — `/audit-events`, the history page, the dashboard's recent changes
  (`services.audit`, with `suppress_payload`): the events of a write keep the raw numbers,
  and a reader who may not see them gets the events as they may see them.

The anonymous summary's counts (not measurements, but counts of municipalities, answers and
so on) are suppressed by their own rule, with complementary suppression
(`kit.disclosure`).
"""

from __future__ import annotations

from typing import Any


def suppression_label(threshold: int) -> str:
    return f"<{threshold}"


def is_small(
    kind: str | None,
    value: float | None,
    numerator: int | None,
    denominator: int | None,
    threshold: int,
) -> bool:
    """Whether an observation shows a small number. `kind` None (an indicator that is gone)
    is read as a count: when in doubt, hide."""
    if numerator is not None or kind == "proportion":  # IndicatorKind.proportion
        numerator, denominator = numerator or 0, denominator or 1
        return numerator < threshold or (denominator - numerator) < threshold
    if kind == "value":
        return False
    return value is not None and 0 < value < threshold


def _number(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _observation(item: dict[str, Any]) -> bool:
    """An observation as the audit trail records it: a period and its numbers."""
    fields = ("value", "numerator", "denominator")
    return (
        "period" in item
        and any(field in item for field in fields)
        and all(_number(item.get(field)) for field in fields)
    )


def suppress_payload(payload: Any, kind: str | None, threshold: int) -> Any:
    """An audit event's `before` or `after` with every small observation in it hidden
    (numbers null, `suppressed` set to the label), anywhere in the structure."""
    if isinstance(payload, list):
        return [suppress_payload(item, kind, threshold) for item in payload]
    if not isinstance(payload, dict):
        return payload
    if _observation(payload):
        if is_small(
            kind,
            payload.get("value"),
            payload.get("numerator"),
            payload.get("denominator"),
            threshold,
        ):
            return {
                **payload,
                "value": None,
                "numerator": None,
                "denominator": None,
                "suppressed": suppression_label(threshold),
            }
        return payload
    return {key: suppress_payload(item, kind, threshold) for key, item in payload.items()}
