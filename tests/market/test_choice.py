"""Route choice: the estimator recovers known parameters; regimes enter by the calendar."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from corridor.errors import RequestError
from corridor.market import (
    ChoiceModel,
    CostInputs,
    FamilyCost,
    Observation,
    Regime,
    estimate,
    generalised_cost_inputs,
)

FAMILIES = ("russia", "trans_caspian", "china")


def _inputs(year: int, gc: np.ndarray, sanctions: np.ndarray) -> dict[str, CostInputs]:
    # generalised cost carried by the cost column alone (no days, no value of time)
    return {
        f: CostInputs(f, year, float(gc[i]), 0.0, 0.0, 0.0, 0.0, float(sanctions[i]), 0.0, ())
        for i, f in enumerate(FAMILIES)
    }


def _synthetic(seed: int, groups: int, decisions: int) -> tuple[list[Observation], dict]:
    rng = np.random.default_rng(seed)
    asc = np.array([0.0, 0.4, -0.6])
    beta, theta = 0.8, 1.3
    obs, inputs = [], {}
    for y in range(2000, 2000 + groups):
        gc = rng.uniform(100, 400, 3)
        sanctions = np.array([rng.uniform(0, 1), 0.0, 0.0])
        v = asc - beta * gc / 100 - theta * sanctions
        p = np.exp(v) / np.exp(v).sum()
        counts = rng.multinomial(decisions, p)
        inputs[y] = _inputs(y, gc, sanctions)
        obs += [
            Observation(
                "m", y, f, float(c) * 1000, float(c) * 1000, float(c) * 1000, "calibration", "s"
            )
            for f, c in zip(FAMILIES, counts, strict=True)
        ]
    return obs, inputs


def test_synthetic_choices_recover_parameters_within_their_errors():
    obs, inputs = _synthetic(seed=7, groups=30, decisions=3000)
    m = estimate(obs, inputs, decision_t=1000)
    true = {
        "asc_trans_caspian": 0.4,
        "asc_china": -0.6,
        "beta_per_100_usd": 0.8,
        "theta_sanctions": 1.3,
    }
    assert m.converged
    for name, value in true.items():
        est, se = m.params()[name], m.se[name]
        assert 0 < se < 0.2
        assert abs(est - value) < 3 * se, (name, est, se)


def test_standard_errors_shrink_with_the_square_root_of_the_decisions():
    obs, inputs = _synthetic(seed=3, groups=20, decisions=2000)
    small = estimate(obs, inputs, decision_t=1000)
    big = estimate(obs, inputs, decision_t=250)  # four times the decisions, same shares
    for name in small.se:
        assert big.se[name] == pytest.approx(small.se[name] / 2, rel=1e-3)
        assert big.params()[name] == pytest.approx(small.params()[name], abs=1e-6)


def test_shares_are_a_softmax_of_the_utilities():
    m = ChoiceModel(FAMILIES, {"russia": 0.0, "trans_caspian": 0.5, "china": 0.0}, 1.0, 2.0)
    inp = _inputs(2020, np.array([100.0, 200.0, 300.0]), np.array([1.0, 0.0, 0.0]))
    v = np.array([-1.0 - 2.0, 0.5 - 2.0, -3.0])
    expected = np.exp(v) / np.exp(v).sum()
    assert list(m.shares(inp).values()) == pytest.approx(expected.tolist())
    assert m.sanctions_usd_per_t == pytest.approx(200.0)


def test_estimate_refuses_empty_or_unidentified_data():
    obs, inputs = _synthetic(seed=1, groups=1, decisions=100)
    with pytest.raises(RequestError, match="no calibration observations"):
        estimate([], inputs)
    with pytest.raises(RequestError, match="cannot identify"):
        estimate(obs[:2], inputs)  # one year, two families: 1 share for 3 parameters
    with pytest.raises(RequestError, match="decision size"):
        estimate(obs, inputs, decision_t=float("nan"))


BASE = {
    "russia": FamilyCost("russia", 300.0, 60.0, 70.0, ("KZ", "RU", "SUEZ"), 5000.0, 1.0, 10.0),
    "trans_caspian": FamilyCost(
        "trans_caspian", 280.0, 50.0, 62.0, ("KZ", "CASPIAN", "BAB_EL_MANDEB"), 5000.0, 2.0, 20.0
    ),
}


def _regime(rid: str, targets: tuple[str, ...], start: date, **kw: float) -> Regime:
    return Regime(
        rid,
        rid,
        "",
        targets,
        start,
        None,
        kw.get("days", 0.0),
        kw.get("penalty", 0.0),
        kw.get("sanctions", 0.0),
        "s",
    )


def test_regimes_count_for_the_share_of_the_year_they_are_in_force():
    sanctions = _regime("S", ("russia",), date(2022, 2, 24), sanctions=1.0)
    low_water = _regime("W", ("CASPIAN",), date(2024, 1, 1), penalty=10.0)
    red_sea = _regime("R", ("BAB_EL_MANDEB",), date(2023, 12, 16), days=14.0)
    regs = [sanctions, low_water, red_sea]
    y22 = generalised_cost_inputs(2022, BASE, regs)
    assert y22["russia"].sanctions == pytest.approx(311 / 365)  # 24 Feb to 31 Dec
    assert y22["trans_caspian"].sanctions == 0
    y23 = generalised_cost_inputs(2023, BASE, regs)
    assert y23["trans_caspian"].regime_days == pytest.approx(14 * 16 / 365)
    assert y23["russia"].regime_days == 0  # its exposures do not include Bab-el-Mandeb
    y24 = generalised_cost_inputs(2024, BASE, regs)
    assert y24["trans_caspian"].regime_penalty_usd_per_t == pytest.approx(10.0)
    assert y24["trans_caspian"].regimes == ("W", "R")
    # known on 1 Dec 2023: neither the Red Sea crisis nor low water had started
    early = generalised_cost_inputs(2024, BASE, regs, as_of=date(2023, 12, 1))
    assert early["trans_caspian"].regime_days == 0
    assert early["trans_caspian"].regime_penalty_usd_per_t == 0


def test_generalised_cost_adds_time_spread_and_penalty():
    x = generalised_cost_inputs(2024, BASE, [])["trans_caspian"]
    # 280 + 4.2 USD/t-day × (50 days + 1.0 × (62 − 50) days of spread)
    assert x.generalised_usd_per_t == pytest.approx(280 + 4.2 * 62)
