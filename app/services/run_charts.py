"""The run-chart analysis of an indicator and the chart built from it, as the reader may see
them (small numbers suppressed): one indicator, or every indicator of an area at once."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.config import get_settings
from app.kit import runchart, spc, verdict
from app.kit.small_numbers import suppression_label
from app.models.base import IndicatorKind
from app.models.improvement import ImprovementArea, Measure
from app.models.measurement import (
    AnalysisPointRead,
    Indicator,
    IndicatorAnalysisRead,
    Observation,
    RunChartSegmentRead,
    RunRead,
    Side,
    SignalsRead,
    SpcPointRead,
    SpcRead,
    SpcSignalRead,
    VerdictRead,
)
from app.models.pdsa import PdsaCycle
from app.rendering.chart_text import ChartInput, MeasureMark, Translate, nb, verdict_text
from app.services.access import Principal, require_read
from app.services.common import get_municipality
from app.services.improvement import area_municipality
from app.services.measurement import (
    indicator_municipality,
    indicator_read,
    observation_read,
    observations_of,
)

# ---- run-chart analysis and chart --------------------------------------------------------

_SIDES: dict[int, Side] = {
    runchart.ABOVE: "above",
    runchart.BELOW: "below",
    runchart.ON_LINE: "on_line",
}


def _exact_value(observation: Observation, kind: str) -> Fraction:
    """The number the run chart analyses: the value, or for proportions the exact percent."""
    if kind == IndicatorKind.proportion:
        return Fraction(100 * (observation.numerator or 0), observation.denominator or 1)
    return Fraction(observation.value or 0.0)


def _restart_index(observations: Sequence[Observation], restart: date | None) -> int | None:
    if restart is None:
        return None
    return next((i for i, o in enumerate(observations) if o.period >= restart), None)


def _analysis_fields(
    analysis: runchart.RunAnalysis,
    periods: Sequence[date],
    centre_hidden: bool,
    label: str,
) -> dict[str, Any]:
    centre = analysis.centre_line
    return {
        "centre_line": None if centre is None or centre_hidden else float(centre),
        "centre_line_suppressed": label if centre is not None and centre_hidden else None,
        "n_points": analysis.n_points,
        "n_baseline": analysis.n_baseline,
        "n_useful": analysis.n_useful,
        "longest_run": analysis.longest_run,
        "longest_run_max": analysis.longest_run_max,
        "crossings": analysis.crossings,
        "crossings_min": analysis.crossings_min,
        "signals": SignalsRead(long_run=analysis.long_run, few_crossings=analysis.few_crossings),
        "enough_points": analysis.enough_points,
        "signalling_runs": [
            RunRead(
                side="above" if run.side == runchart.ABOVE else "below",
                first_period=periods[run.first],
                last_period=periods[run.last],
                length=run.length,
            )
            for run in analysis.signalling_runs
        ],
    }


def _control_chart(
    indicator: Indicator, observations: Sequence[Observation], baseline: int | None
) -> spc.SpcChart:
    """The chart the data call for (`kit.spc`), on the scale the run chart uses (percent
    for proportions)."""
    denominators = [o.denominator or 0 for o in observations]
    has_denominators = all(d > 0 for d in denominators)
    asked = indicator.control_chart
    if indicator.kind == IndicatorKind.proportion and has_denominators and asked != "xmr":
        numerators = [o.numerator or 0 for o in observations]
        if asked in ("p", "p_prime"):
            chart = spc.p_chart(numerators, denominators, baseline, laney=asked == "p_prime")
        else:
            chart = spc.proportion_chart(numerators, denominators, baseline)
        return _scaled(chart, 100)
    if indicator.kind == IndicatorKind.count and has_denominators and asked != "xmr":
        return spc.u_chart([o.value or 0.0 for o in observations], denominators, baseline)
    return spc.xmr([float(_exact_value(o, indicator.kind)) for o in observations], baseline)


def _scaled(chart: spc.SpcChart, factor: float) -> spc.SpcChart:
    points = tuple(
        spc.SpcPoint(p.value * factor, p.lower_limit * factor, p.upper_limit * factor, p.signal)
        for p in chart.points
    )
    return spc.SpcChart(
        chart.chart, chart.centre_line * factor, points, chart.signals, chart.sigma_z
    )


def _spc_read(
    chart: spc.SpcChart, periods: Sequence[date], better: verdict.Better, target: float | None
) -> SpcRead:
    assurance = verdict.assurance(chart, better, target)
    return SpcRead(
        chart=chart.chart.value,
        centre_line=chart.centre_line,
        sigma_z=chart.sigma_z,
        points=[
            SpcPointRead(
                period=period,
                value=point.value,
                lower_limit=point.lower_limit,
                upper_limit=point.upper_limit,
                signal=point.signal,
            )
            for period, point in zip(periods, chart.points, strict=True)
        ],
        signals=[
            SpcSignalRead(
                rule=signal.rule.value,
                first_period=periods[signal.first],
                last_period=periods[signal.last],
                side="high" if signal.side > 0 else "low",
            )
            for signal in chart.signals
        ],
        variation=verdict.variation(chart, better).value,
        assurance=None if assurance is None else assurance.value,
    )


def _current(
    indicator: Indicator,
    observations: Sequence[Observation],
    segment: runchart.Segment | None,
    hidden: bool,
    _: Translate,
    locale: str,
) -> tuple[VerdictRead, SpcRead | None]:
    """The verdict on the current segment and its control chart (None with fewer than two
    points, or when a number of it is hidden from the caller)."""
    better = verdict.Better(indicator.direction.value)
    if segment is None:
        judged = verdict.judge([], better, [], 0)
        return _verdict_read(judged, [], indicator, _, locale), None
    part = observations[segment.start : segment.end]
    values = [float(_exact_value(o, indicator.kind)) for o in part]
    periods = [o.period for o in part]
    chart = _control_chart(indicator, part, indicator.baseline_points) if len(part) > 1 else None
    evidence = verdict.run_chart_evidence(runchart.Segment(0, len(part), segment.analysis))
    if chart is not None:
        evidence += verdict.spc_evidence(chart)
    judged = verdict.judge(values, better, evidence, segment.analysis.n_useful)
    spc_read = (
        None if chart is None or hidden else _spc_read(chart, periods, better, indicator.target)
    )
    return _verdict_read(judged, periods, indicator, _, locale), spc_read


def _verdict_read(
    judged: verdict.Verdict,
    periods: Sequence[date],
    indicator: Indicator,
    _: Translate,
    locale: str,
) -> VerdictRead:
    since = None if judged.since is None else periods[judged.since]
    moved: Literal["up", "down"] | None = (
        "up" if judged.went > 0 else "down" if judged.went < 0 else None
    )
    read = VerdictRead(
        direction=judged.direction.value,
        text="",
        moved=moved,
        since=since,
        n_points=judged.n_points,
        needed=judged.needed,
    )
    return read.model_copy(update={"text": verdict_text(read, indicator.frequency, _, locale)})


def analysis_read(
    indicator: Indicator,
    observations: Sequence[Observation],
    show_small_numbers: bool,
    threshold: int,
    _: Translate = nb,
    locale: str = "nb",
) -> IndicatorAnalysisRead:
    """The Anhøj analysis of the observations (rules in `kit.runchart`): centre line
    = median of the first `baseline_points` points (all by default), restarted at
    `baseline_restart`; the top-level numbers describe the current segment.

    The counts and signals use every observation. What would reveal a small number to a
    caller who may not see it is hidden: the values of suppressed points and their side of
    the centre line, and a centre line computed from the value of a hidden point (the median
    is the middle value, or the mean of the two middle values)."""
    shown = [
        observation_read(o, indicator.kind, show_small_numbers, threshold) for o in observations
    ]
    exact = [_exact_value(o, indicator.kind) for o in observations]
    segments = runchart.analyse_series(
        exact,
        indicator.baseline_points,
        _restart_index(observations, indicator.baseline_restart),
    )
    label = suppression_label(threshold)
    segment_reads: list[RunChartSegmentRead] = []
    points: list[AnalysisPointRead] = []
    headline = _analysis_fields(runchart.analyse([]), [], False, label)
    for number, segment in enumerate(segments):
        analysis = segment.analysis
        periods = [o.period for o in observations[segment.start : segment.end]]
        visible = {
            exact[segment.start + i]
            for i in range(analysis.n_baseline)
            if shown[segment.start + i].suppressed is None
        }
        centre_hidden = any(value not in visible for value in analysis.middle_values)
        headline = _analysis_fields(analysis, periods, centre_hidden, label)
        segment_reads.append(
            RunChartSegmentRead(
                **headline,
                first_period=periods[0],
                last_period=periods[-1],
                baseline_last_period=periods[analysis.n_baseline - 1],
            )
        )
        in_runs = {
            i
            for run in analysis.signalling_runs
            for i in range(run.first, run.last + 1)
            if analysis.sides[i] != runchart.ON_LINE
        }
        for i, period in enumerate(periods):
            read = shown[segment.start + i]
            hidden = read.suppressed is not None
            points.append(
                AnalysisPointRead(
                    period=period,
                    value=read.value,
                    suppressed=read.suppressed,
                    side=None if hidden else _SIDES[analysis.sides[i]],
                    segment=number,
                    in_signalling_run=not hidden and i in in_runs,
                )
            )
    last = segments[-1] if segments else None
    hidden = last is not None and any(
        read.suppressed is not None for read in shown[last.start : last.end]
    )
    judged, spc_read = _current(indicator, observations, last, hidden, _, locale)
    return IndicatorAnalysisRead(
        **headline,
        indicator_id=indicator.id or 0,
        version=indicator.version,
        data_version=indicator.data_version,
        baseline_points=indicator.baseline_points,
        baseline_restart=indicator.baseline_restart,
        min_useful_points=runchart.MIN_USEFUL_POINTS,
        suppressed_points=sum(1 for read in shown if read.suppressed is not None),
        segments=segment_reads,
        points=points,
        verdict=judged,
        spc=spc_read,
    )


def _threshold() -> int:
    return get_settings().small_number_threshold


def get_analysis(
    session: Session,
    principal: Principal,
    indicator_id: int,
    _: Translate = nb,
    locale: str = "nb",
) -> IndicatorAnalysisRead:
    indicator, municipality = indicator_municipality(session, principal, indicator_id)
    return analysis_read(
        indicator,
        observations_of(session, indicator_id),
        principal.sees_small_numbers(municipality),
        _threshold(),
        _,
        locale,
    )


def analysis_fingerprint(session: Session, principal: Principal, indicator_id: int) -> str:
    """What the analysis depends on: the indicator (baseline settings), its observations,
    and whether the caller sees small numbers. Cheap: no observation is read."""
    indicator, municipality = indicator_municipality(session, principal, indicator_id)
    full = principal.sees_small_numbers(municipality)
    return f"{indicator.version}.{indicator.data_version}{'' if full else '-s'}"


def _measure_marks(session: Session, area_ids: Sequence[int]) -> dict[int, list[MeasureMark]]:
    """The measures and PDSA cycles with a start date of the given areas, by area (measures
    first, each kind in start order)."""
    marks: dict[int, list[MeasureMark]] = defaultdict(list)
    if not area_ids:
        return marks
    for measure in session.exec(
        select(Measure)
        .where(col(Measure.improvement_area_id).in_(area_ids))
        .where(col(Measure.start_date).is_not(None))
        .order_by(col(Measure.start_date), col(Measure.position), col(Measure.id))
    ).all():
        assert measure.start_date is not None
        marks[measure.improvement_area_id].append(
            MeasureMark(title=measure.title, start_date=measure.start_date)
        )
    for cycle, area_id in session.exec(
        select(PdsaCycle, Measure.improvement_area_id)
        .join(Measure, col(Measure.id) == col(PdsaCycle.measure_id))
        .where(col(Measure.improvement_area_id).in_(area_ids))
        .where(col(PdsaCycle.starts_on).is_not(None))
        .order_by(col(PdsaCycle.starts_on), col(PdsaCycle.id))
    ).all():
        assert cycle.starts_on is not None
        marks[area_id].append(MeasureMark(cycle.title, cycle.starts_on, kind="pdsa"))
    return marks


def _chart_input(
    indicator: Indicator,
    observations: Sequence[Observation],
    measures: Sequence[MeasureMark],
    show_small_numbers: bool,
) -> ChartInput:
    threshold = _threshold()
    return ChartInput(
        indicator=indicator_read(indicator),
        analysis=analysis_read(indicator, observations, show_small_numbers, threshold),
        observations=tuple(
            observation_read(o, indicator.kind, show_small_numbers, threshold) for o in observations
        ),
        measures=tuple(measures),
    )


def get_chart(session: Session, principal: Principal, indicator_id: int) -> ChartInput:
    """Everything the run chart of one indicator shows, for `rendering.chart_svg`
    (three queries)."""
    indicator, municipality = indicator_municipality(session, principal, indicator_id)
    marks = _measure_marks(session, [indicator.improvement_area_id])
    return _chart_input(
        indicator,
        observations_of(session, indicator_id),
        marks[indicator.improvement_area_id],
        principal.sees_small_numbers(municipality),
    )


def chart_fingerprint(session: Session, principal: Principal, indicator_id: int) -> str:
    """What the chart depends on: what the analysis depends on, and the measures drawn on
    it (their titles and start dates)."""
    indicator, municipality = indicator_municipality(session, principal, indicator_id)
    full = principal.sees_small_numbers(municipality)
    marks = _measure_marks(session, [indicator.improvement_area_id])
    digest = hashlib.sha256(
        "\n".join(
            f"{m.start_date.isoformat()} {m.title}" for m in marks[indicator.improvement_area_id]
        ).encode()
    ).hexdigest()[:12]
    return f"{indicator.version}.{indicator.data_version}.{digest}{'' if full else '-s'}"


def area_charts(session: Session, principal: Principal, area_id: int) -> list[ChartInput]:
    """The charts of every indicator of an improvement area, in order, in four queries
    however many indicators and observations there are (for the area's page)."""
    municipality = area_municipality(session, principal, area_id)
    indicators = session.exec(
        select(Indicator)
        .where(col(Indicator.improvement_area_id) == area_id)
        .order_by(col(Indicator.position), col(Indicator.id))
    ).all()
    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    if indicators:
        for observation in session.exec(
            select(Observation)
            .where(col(Observation.indicator_id).in_([i.id for i in indicators]))
            .order_by(col(Observation.indicator_id), col(Observation.period))
        ).all():
            by_indicator[observation.indicator_id].append(observation)
    marks = _measure_marks(session, [area_id])[area_id]
    show = principal.sees_small_numbers(municipality)
    return [_chart_input(i, by_indicator[i.id or 0], marks, show) for i in indicators]


def municipality_charts(
    session: Session, principal: Principal, number: str
) -> list[tuple[ImprovementArea, list[ChartInput]]]:
    """Every indicator of the municipality with its chart, by improvement area in priority
    order: the municipality's view of all its measurements, in four queries."""
    municipality = get_municipality(session, number)
    require_read(principal, municipality)
    areas = session.exec(
        select(ImprovementArea)
        .where(col(ImprovementArea.municipality_id) == municipality.id)
        .order_by(col(ImprovementArea.priority), col(ImprovementArea.id))
    ).all()
    area_ids = [a.id or 0 for a in areas]
    indicators = (
        session.exec(
            select(Indicator)
            .where(col(Indicator.improvement_area_id).in_(area_ids))
            .order_by(col(Indicator.position), col(Indicator.id))
        ).all()
        if area_ids
        else []
    )
    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    if indicators:
        for observation in session.exec(
            select(Observation)
            .where(col(Observation.indicator_id).in_([i.id for i in indicators]))
            .order_by(col(Observation.indicator_id), col(Observation.period))
        ).all():
            by_indicator[observation.indicator_id].append(observation)
    marks = _measure_marks(session, area_ids)
    show = principal.sees_small_numbers(municipality)
    charts: dict[int, list[ChartInput]] = defaultdict(list)
    for indicator in indicators:
        area_id = indicator.improvement_area_id
        charts[area_id].append(
            _chart_input(indicator, by_indicator[indicator.id or 0], marks[area_id], show)
        )
    return [(area, charts[area.id or 0]) for area in areas]
