"""Break-even: checked against the binary logit's closed form and hand-made distributions."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from corridor.errors import RequestError
from corridor.market import (
    ChoiceModel,
    FamilyCost,
    RiskBuyer,
    annual_cost,
    breakeven,
    disruption_breakeven,
    generalised_cost_inputs,
    subsidy_for_share,
)
from corridor.market.breakeven import _cvar

MODEL = ChoiceModel(("china", "trans_caspian"), {"china": 0.0, "trans_caspian": 0.0}, 0.6, 1.5)


def _costs(cn_days_per_year: float = 5.0, tc_days_per_year: float = 2.0) -> dict[str, FamilyCost]:
    return {
        "china": FamilyCost(
            "china", 200.0, 20.0, 25.0, ("KZ", "CN"), 3000.0, 1.0, cn_days_per_year
        ),
        "trans_caspian": FamilyCost(
            "trans_caspian", 260.0, 55.0, 70.0, ("KZ", "CASPIAN"), 3000.0, 0.5, tc_days_per_year
        ),
    }


@pytest.mark.parametrize("share", [0.05, 0.3, 0.5, 0.9])
def test_two_route_subsidy_matches_the_closed_form(share):
    inputs = generalised_cost_inputs(2025, _costs(), [])
    gap = inputs["trans_caspian"].generalised_usd_per_t - inputs["china"].generalised_usd_per_t
    # s = 1 / (1 + exp(beta/100 × (GC_tc − p − GC_cn))) solved for p
    closed = gap + 100 / MODEL.beta_per_100_usd * math.log(share / (1 - share))
    assert subsidy_for_share(MODEL, inputs, share) == pytest.approx(closed, abs=1e-4)


def test_sanctions_on_the_rival_lower_the_subsidy_by_theta_over_beta():
    inputs = generalised_cost_inputs(2025, _costs(), [])
    free = subsidy_for_share(MODEL, inputs, 0.5)
    inputs["china"] = dataclasses.replace(inputs["china"], sanctions=1.0)
    sanctioned = subsidy_for_share(MODEL, inputs, 0.5)
    assert free - sanctioned == pytest.approx(100 * 1.5 / 0.6, abs=1e-4)


def test_risk_neutral_disruption_breakeven_matches_the_closed_form():
    costs = _costs()
    shortfall = 0.3 * 3000.0
    # split wins when c_tc + L·D_tc/365 < c_cn + L·m·D_cn/365
    closed = (2.0 + 365 * (260.0 - 200.0) / shortfall) / 5.0
    got = disruption_breakeven(costs, 0.5, shortfall, RiskBuyer(kappa=0.0))
    assert got == pytest.approx(closed, rel=1e-5)


def test_a_risk_averse_buyer_diversifies_earlier_onto_a_safe_route():
    costs = _costs(tc_days_per_year=0.0)
    shortfall = 900.0
    neutral = disruption_breakeven(costs, 0.5, shortfall, RiskBuyer(kappa=0.0))
    averse = disruption_breakeven(costs, 0.5, shortfall, RiskBuyer(kappa=1.0, alpha=0.95))
    assert averse is not None and neutral is not None
    assert averse < neutral
    # at the risk-averse break-even the two plans cost the same to that buyer
    buyer = RiskBuyer(kappa=1.0, alpha=0.95)
    split = annual_cost(costs, 0.5, 1.0, averse, shortfall, buyer)
    assert split == pytest.approx(annual_cost(costs, 0.0, 1.0, averse, shortfall, buyer), rel=1e-6)


def test_cvar_of_a_small_distribution_by_hand():
    values, prob = np.array([0.0, 10.0, 100.0]), np.array([0.9, 0.05, 0.05])
    assert _cvar(values, prob, 0.95) == pytest.approx(100.0)
    assert _cvar(values, prob, 0.90) == pytest.approx(55.0)
    assert _cvar(values, prob, 0.925) == pytest.approx((0.05 * 100 + 0.025 * 10) / 0.075)


def test_yearly_bill_by_hand():
    costs = _costs()
    inputs = generalised_cost_inputs(2025, costs, [])
    be = breakeven(MODEL, costs, inputs, share=0.4, volume_t=10_000)
    assert be.buyer_extra_usd_per_year == pytest.approx(10_000 * 0.4 * 60.0)
    assert be.subsidy_bill_usd_per_year == pytest.approx(10_000 * 0.4 * be.subsidy_usd_per_t)
    shares = dict(be.curve)
    assert shares[round(be.subsidy_usd_per_t, 2)] == pytest.approx(0.4, abs=1e-4)
    assert list(shares.values()) == sorted(shares.values())  # more subsidy, more share


@pytest.mark.parametrize("share", [0.0, 1.0, -0.2, 1.5, float("nan")])
def test_share_outside_the_open_unit_interval_is_refused(share):
    inputs = generalised_cost_inputs(2025, _costs(), [])
    with pytest.raises(RequestError, match="strictly between 0 and 1"):
        breakeven(MODEL, _costs(), inputs, share=share)


def test_bad_volume_and_missing_route_are_refused():
    costs = _costs()
    inputs = generalised_cost_inputs(2025, costs, [])
    with pytest.raises(RequestError, match="volume must be a positive"):
        breakeven(MODEL, costs, inputs, volume_t=-5)
    only_china = {"china": costs["china"]}
    with pytest.raises(RequestError, match="no Trans-Caspian route"):
        breakeven(MODEL, only_china, generalised_cost_inputs(2025, only_china, []))


def _calm(cn_cost: float = 200.0, tc_cost: float = 260.0) -> dict[str, FamilyCost]:
    """Two routes that never fail: only the sanctions cost is random."""
    c = _costs(0.0, 0.0)
    return {
        "china": dataclasses.replace(c["china"], cost_usd_per_t=cn_cost, events_per_year=0.0),
        "trans_caspian": dataclasses.replace(
            c["trans_caspian"], cost_usd_per_t=tc_cost, events_per_year=0.0
        ),
    }


@pytest.mark.parametrize("p", [1.0, 0.5, 0.02])
@pytest.mark.parametrize("share", [0.2, 0.6])
def test_two_route_sanctions_breakeven_matches_the_closed_form(p, share):
    from corridor.market import sanctions_breakeven

    costs = _calm()
    gap = 60.0  # c_tc − c_cn
    neutral = sanctions_breakeven(costs, share, 900.0, RiskBuyer(kappa=0.0), p)
    assert neutral == pytest.approx(gap / p, rel=1e-6)  # p·L* = c_tc − c_cn
    kappa, alpha = 1.0, 0.95
    averse = sanctions_breakeven(costs, share, 900.0, RiskBuyer(kappa, alpha), p)
    if p <= 1 - alpha:  # the sanctions year is inside the worst 5 %
        expected = gap / (p * (1 + kappa * alpha / (1 - alpha)))
    else:  # the worst 5 % are all sanctions years
        expected = gap / (p + kappa * (1 - p))
    assert averse == pytest.approx(expected, rel=1e-6)
    assert averse <= neutral + 1e-9


def test_sanctions_breakeven_counts_disruptions_as_the_disruption_one_does():
    from corridor.market import sanctions_breakeven

    costs, shortfall = _costs(cn_days_per_year=5.0, tc_days_per_year=2.0), 900.0
    neutral = sanctions_breakeven(costs, 0.5, shortfall, RiskBuyer(kappa=0.0), 1.0)
    # risk-neutral: p·L* = (c_tc − c_cn) + shortfall/365 × (D_tc − D_cn)
    assert neutral == pytest.approx(60.0 + shortfall / 365 * (2.0 - 5.0), rel=1e-6)
    # a dearer China route needs no sanctions cost at all
    assert sanctions_breakeven(_calm(cn_cost=300.0), 0.5, 0.0, RiskBuyer(), 1.0) == 0.0


def test_breakeven_reports_the_sanctions_answers_and_refuses_a_bad_probability():
    costs = _calm()
    inputs = generalised_cost_inputs(2025, costs, [])
    be = breakeven(MODEL, costs, inputs, share=0.5, sanctions_probability=0.5)
    out = be.to_dict()
    assert out["sanctions_loss_usd_per_t_risk_neutral"] == pytest.approx(120.0)
    assert out["sanctions_expected_usd_per_t_risk_neutral"] == pytest.approx(60.0)
    # p > 1 − alpha: the worst 5 % of years are all sanctions years, L* = gap / (p + κ(1 − p))
    assert out["sanctions_loss_usd_per_t_risk_averse"] == pytest.approx(60.0 / (0.5 + 0.5))
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(RequestError, match="sanctions probability"):
            breakeven(MODEL, costs, inputs, sanctions_probability=bad)
