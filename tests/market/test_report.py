"""The market report: one page with the curve, the calibration and the backtest."""

from __future__ import annotations

import re

import pytest

import corridor
from corridor.market import (
    backtest,
    breakeven,
    calibrate,
    family_costs,
    generalised_cost_inputs,
    load_market_data,
)
from corridor.report.market import market_report, share_curve_svg


def test_report_has_the_curve_the_fit_and_the_backtest():
    net = corridor.default_network()
    data = load_market_data(network=net)
    ref = corridor.compare("containerised_cargo", "KZ_DOSTYK", "JP_YOKOHAMA", network=net)
    base = family_costs(ref.routes, 5000.0)
    cal = calibrate(data, base)
    cmp = corridor.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", network=net)
    costs = family_costs(cmp.routes, net.commodity("rare_earth_concentrate").value_usd_per_t)
    be = breakeven(cal.model, costs, generalised_cost_inputs(2025, costs, data.regimes), share=0.3)
    html = market_report("t", be, cal, backtest(cal, data, base))
    assert html.count("<svg") == 1 and 'class="breakeven"' in html
    assert "2023–24" in html and "holdout" in html
    # the curve's points rise from left to right (more subsidy, more share)
    points = re.search(r'class="share" points="([^"]+)"', html)
    assert points
    ys = [float(p.split(",")[1]) for p in points.group(1).split()]
    assert ys == sorted(ys, reverse=True)  # SVG y grows downwards


def test_curve_needs_two_points():
    with pytest.raises(ValueError, match="at least two points"):
        share_curve_svg([(0.0, 0.5)], 0.5, 0.0)
