"""SPC charts against published worked examples (Montgomery, Introduction to Statistical
Quality Control, 6th ed.): centre lines and limits to two decimals, and the special-cause
signals the book finds. Laney's P′ against the published reference data of an independent
implementation (the PowerBI-SPC project's golden file for P′, computed in R)."""

from __future__ import annotations

import itertools

import pytest

from app.kit import spc
from app.kit.spc import ChartType, Rule

pytestmark = pytest.mark.no_database  # PostgreSQL's half leaves it out: no database here

# Example 6.5: the cost of processing a mortgage loan, 20 weeks (individuals chart):
# x̄ = 300.5, MR̄ = 7.79, UCL = 321.22, LCL = 279.78; the process is in control.
LOAN_COSTS = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306,
              294, 299, 297, 299, 314, 295, 293, 306, 301, 304]  # fmt: skip

# Example 7.1 (Table 7.1): nonconforming orange-juice cans in 30 samples of 50:
# p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 and 23 are above the upper limit.
CANS = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
        8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip

# Example 7.3: nonconformities in 20 samples of 5 personal computers (U chart):
# ū = 1.93, UCL = 3.79, LCL = 0.07; in control.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]


def test_xmr_reproduces_the_loan_cost_example() -> None:
    chart = spc.xmr(LOAN_COSTS)
    assert chart.chart is ChartType.xmr
    assert round(chart.centre_line, 2) == 300.5
    first = chart.points[0]
    assert round(first.upper_limit, 2) == 321.22
    assert round(first.lower_limit, 2) == 279.78
    assert not any(p.signal for p in chart.points)
    assert chart.signals == ()


def test_p_chart_reproduces_the_orange_juice_example() -> None:
    chart = spc.p_chart(CANS, [50] * len(CANS))
    assert round(chart.centre_line, 4) == 0.2313
    assert round(chart.points[0].upper_limit, 4) == 0.4102
    assert round(chart.points[0].lower_limit, 4) == 0.0524
    outside = [s.first + 1 for s in chart.signals if s.rule is Rule.outside_limits]
    assert outside == [15, 23]
    assert all(s.side == 1 for s in chart.signals if s.rule is Rule.outside_limits)


def test_u_chart_reproduces_the_computer_example() -> None:
    chart = spc.u_chart(COMPUTERS, [5] * len(COMPUTERS))
    assert round(chart.centre_line, 2) == 1.93
    assert round(chart.points[0].upper_limit, 2) == 3.79
    assert round(chart.points[0].lower_limit, 2) == 0.07
    assert not [s for s in chart.signals if s.rule is Rule.outside_limits]


def test_p_limits_vary_with_the_denominator() -> None:
    chart = spc.p_chart([10, 20, 5], [100, 400, 25])
    widths = [p.upper_limit - p.lower_limit for p in chart.points]
    assert widths[1] < widths[0] < widths[2]


def test_laney_p_prime_widens_the_limits_of_over_dispersed_data() -> None:
    # Large denominators with real month-to-month variation: the P limits are far too narrow
    # (almost every point outside); σz measures how much wider the variation is.
    numerators = [4200, 3900, 4400, 4050, 3800, 4300, 4150, 3950, 4250, 4000]
    denominators = [10000] * 10
    p = spc.p_chart(numerators, denominators)
    prime = spc.p_chart(numerators, denominators, laney=True)
    assert prime.chart is ChartType.p_prime
    assert prime.sigma_z > 5
    # σz = mean |Δz| / 1.128, computed by hand from the data: p̄ = 0.41, σ = 0.004918.
    sigma = (0.41 * 0.59 / 10000) ** 0.5
    z = [(n / 10000 - 0.41) / sigma for n in numerators]
    mr = sum(abs(b - a) for a, b in itertools.pairwise(z)) / 9
    assert prime.sigma_z == pytest.approx(mr / 1.128)
    assert round(prime.points[0].upper_limit, 4) == round(0.41 + 3 * sigma * mr / 1.128, 4)
    assert len([s for s in p.signals if s.rule is Rule.outside_limits]) >= 6
    assert not [s for s in prime.signals if s.rule is Rule.outside_limits]
    assert spc.proportion_chart(numerators, denominators).chart is ChartType.p_prime
    assert spc.proportion_chart(CANS, [50] * len(CANS)).chart is ChartType.p


#: PowerBI-SPC, test/fixtures/golden/pp/basic.qicharts2.json (Laney 2002, P′ with σz from
#: the moving range of the z-scores): inputs, and the expected 3σ limits of six subgroups.
PP_NUMERATORS = [
    266501,
    264225,
    276532,
    281461,
    269071,
    261215,
    270409,
    279778,
    270483,
    270320,
    267923,
    271478,
    255353,
    256820,
    261835,
    259144,
    255910,
    260863,
    264465,
    260989,
]
PP_DENOMINATORS = [
    280443,
    276823,
    291681,
    296155,
    282343,
    275888,
    283867,
    295251,
    284468,
    282529,
    279618,
    283932,
    266629,
    268091,
    276803,
    271578,
    266005,
    273520,
    278574,
    273772,
]
PP_LIMITS = {
    0: (0.94013, 0.96567),
    1: (0.940046, 0.965753),
    3: (0.940473, 0.965326),
    12: (0.939803, 0.965996),
    16: (0.939788, 0.966012),
    19: (0.939975, 0.965824),
}


def test_laney_p_prime_reproduces_the_reference_data_set() -> None:
    chart = spc.proportion_chart(PP_NUMERATORS, PP_DENOMINATORS)
    assert chart.chart is ChartType.p_prime  # chosen from the data: σz is far above 1
    assert round(chart.centre_line, 4) == 0.9529
    for index, (lower, upper) in PP_LIMITS.items():
        point = chart.points[index]
        assert point.lower_limit == pytest.approx(lower, abs=1e-6), index
        assert point.upper_limit == pytest.approx(upper, abs=1e-6), index
    assert chart.signals == ()  # no point outside the widened limits


def test_a_shift_is_seven_points_on_one_side() -> None:
    values = [10, 12, 9, 11, 10, 14, 15, 13, 14, 15, 14, 13]
    chart = spc.xmr(values, baseline_points=5)
    shifts = [s for s in chart.signals if s.rule is Rule.shift]
    assert [(s.first, s.last, s.side) for s in shifts] == [(5, 11, 1)]
    six = spc.xmr([10, 12, 9, 11, 10, 14, 15, 13, 14, 15, 14], baseline_points=5)
    assert not [s for s in six.signals if s.rule is Rule.shift]


def test_a_trend_is_six_points_rising_or_falling() -> None:
    chart = spc.xmr([20, 21, 19, 20, 18, 17, 16, 15, 14, 20, 21, 19])
    trends = [s for s in chart.signals if s.rule is Rule.trend]
    assert [(s.first, s.last, s.side) for s in trends] == [(3, 8, -1)]
    five = spc.xmr([20, 21, 19, 18, 17, 16, 15, 20, 21, 19])
    assert [(s.first, s.last) for s in five.signals if s.rule is Rule.trend] == [(1, 6)]
    no = spc.xmr([20, 21, 19, 18, 17, 16, 20, 21, 19, 20])
    assert not [s for s in no.signals if s.rule is Rule.trend]


def test_two_of_three_near_a_limit_on_the_same_side() -> None:
    base = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10]  # mean 10, MR̄ 1.333, sigma 1.18
    chart = spc.xmr([*base, 12.6, 10, 12.7], baseline_points=10)
    near = [s for s in chart.signals if s.rule is Rule.near_limit]
    assert [(s.first, s.last, s.side) for s in near] == [(10, 12, 1)]
    mixed = spc.xmr([*base, 12.6, 10, 7.4], baseline_points=10)
    assert not [s for s in mixed.signals if s.rule is Rule.near_limit]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        spc.xmr([])
    with pytest.raises(ValueError, match="positive"):
        spc.p_chart([1, 2], [10, 0])
    with pytest.raises(ValueError, match="equally many"):
        spc.u_chart([1], [1, 2])
    with pytest.raises(ValueError, match="at least 1"):
        spc.xmr([1, 2], baseline_points=0)
