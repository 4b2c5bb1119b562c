"""Calibration on the bundled observations: hold-out years never reach the estimator."""

from __future__ import annotations

import dataclasses

import pytest

import corridor
from corridor.errors import RequestError
from corridor.market import calibrate, family_costs, load_market_data


@pytest.fixture(scope="module")
def setup():
    net = corridor.default_network()
    data = load_market_data(network=net)
    cmp = corridor.compare("containerised_cargo", "KZ_DOSTYK", "JP_YOKOHAMA", network=net)
    base = family_costs(cmp.routes, net.commodity("containerised_cargo").value_usd_per_t)
    return data, base


def test_bundled_calibration_has_the_expected_signs(setup):
    data, base = setup
    cal = calibrate(data, base)
    m = cal.model
    assert m.families == ("russia", "trans_caspian")
    assert m.converged
    assert m.beta_per_100_usd > 0  # dearer routes lose share
    assert m.theta_sanctions > 0  # sanctions push shippers away
    assert all(0 < se < abs(v) for v, se in zip(m.params().values(), m.se.values(), strict=True))
    # three calibration years identify the three parameters exactly
    assert cal.errors("calibration")["share_error_pts"] == pytest.approx(0, abs=1e-4)
    assert cal.errors("holdout")["years"] == 1  # 2025 lacks the Northern route's volume


def test_holdout_years_do_not_move_the_estimate(setup):
    data, base = setup
    before = calibrate(data, base).model.params()
    doubled = tuple(
        dataclasses.replace(o, volume_t=o.volume_t * 3, volume_t_high=o.volume_t_high * 3)
        if o.split == "holdout" and o.family == "russia"
        else o
        for o in data.observations
    )
    after_cal = calibrate(dataclasses.replace(data, observations=doubled), base)
    assert after_cal.model.params() == pytest.approx(before)
    # ... but they do change the hold-out error
    assert after_cal.errors("holdout")["share_error_pts"] > 10


def test_holdout_share_error_by_hand(setup):
    data, base = setup
    cal = calibrate(data, base)
    y24 = next(y for y in cal.years if y.year == 2024)
    observed = 4484e3 / (4484e3 + 4120e3)
    assert y24.observed_share["trans_caspian"] == pytest.approx(observed)
    error = abs(y24.predicted_share["trans_caspian"] - observed)
    assert cal.errors("holdout")["share_error_pts"] == pytest.approx(100 * error, abs=0.005)


def test_unknown_market_and_missing_family(setup):
    data, base = setup
    with pytest.raises(RequestError, match="unknown market 'baltic'"):
        calibrate(data, base, market="baltic")
    with pytest.raises(RequestError, match="no route of family russia"):
        calibrate(data, {k: v for k, v in base.items() if k != "russia"})
