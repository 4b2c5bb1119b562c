"""Backtest on the bundled data: each replay uses only the regimes known on its date."""

from __future__ import annotations

import pytest

import corridor
from corridor.market import (
    backtest,
    calibrate,
    family_costs,
    generalised_cost_inputs,
    load_market_data,
)


@pytest.fixture(scope="module")
def replays():
    net = corridor.default_network()
    data = load_market_data(network=net)
    cmp = corridor.compare("containerised_cargo", "KZ_DOSTYK", "JP_YOKOHAMA", network=net)
    base = family_costs(cmp.routes, net.commodity("containerised_cargo").value_usd_per_t)
    cal = calibrate(data, base)
    return cal, data, base, {r.label: r for r in backtest(cal, data, base)}


def test_three_replays_and_which_are_out_of_sample(replays):
    _, _, _, by_label = replays
    assert list(by_label) == ["2022", "2023–24", "2024–25"]
    assert not by_label["2022"].out_of_sample  # 2022 is a calibration year
    assert by_label["2023–24"].out_of_sample and by_label["2024–25"].out_of_sample


def test_sanctions_replay_predicts_a_shift_towards_the_trans_caspian(replays):
    r = replays[3]["2022"]
    assert r.predicted_shift_pts > 10
    assert r.observed_shift_pts == pytest.approx(100 * (1485 / (1485 + 3470) - 586 / (586 + 4200)))


def test_replay_uses_the_inputs_known_on_its_date(replays):
    cal, data, base, by_label = replays
    r = by_label["2023–24"]
    fam = {f: base[f] for f in cal.model.families}
    inputs = generalised_cost_inputs(2024, fam, data.regimes, as_of=r.as_of)
    assert r.predicted_share_to == pytest.approx(cal.model.shares(inputs)["trans_caspian"])
    # the volume prediction is the predicted share of the observed 2024 total
    assert r.predicted_volume_t == pytest.approx(r.predicted_share_to * (4484e3 + 4120e3))
    assert r.volume_error_pct == pytest.approx(100 * (r.predicted_volume_t / 4484e3 - 1))


def test_2025_has_no_observed_share_but_a_volume_check(replays):
    r = replays[3]["2024–25"]
    assert r.observed_share_to is None and r.share_error_pts is None
    assert r.observed_volume_t == 4119e3
    assert r.predicted_volume_t == pytest.approx(r.predicted_share_to * (4484e3 + 4120e3))
