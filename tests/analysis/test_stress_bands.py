"""Stress bands: one uncertain event figure on the hand-checkable two-route case, and the CLI.

The case (tests/risk/test_stress.py): 600 t/yr by China, 400 t/yr by the Trans-Caspian route
(700 t/yr capacity, 300 t spare); CN_SHUT takes ``loss`` of China's capacity for the year
with probability 0.1, SUEZ_HALF halves the Trans-Caspian route with probability 0.2. With
``loss`` = 1 the undelivered tonnes are 0 / 300 / 500 at 0.90 / 0.08 / 0.02: CVaR95 380 t.
With ``loss`` = 0.5, CN alone displaces 300 t, which fit the spare 300 t: nothing is lost;
with both events China keeps 300 t, 300 t move to the half-open route and its 200 t are
lost: the worst 5 % of years lose 200 t in 2 % and 0 in the rest: CVaR95 = 0.02 × 200 /
0.05 = 80 t.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from types import MappingProxyType

import pytest

from corridor import risk
from corridor.analysis.stress_bands import stress_bands
from corridor.errors import InvalidParameterError
from corridor.network.model import Network
from corridor.network.ranges import Range
from tests.risk.test_stress import HAND_EVENTS, with_events

LOSS = ("events", "CN_SHUT", "capacity_loss")


@pytest.fixture(scope="module")
def uncertain(tiny: Network) -> risk.Allocation:
    from corridor.analysis.queries import routes

    net = with_events(tiny, HAND_EVENTS)
    r = Range(*LOSS, 0.5, 1.0, "uniform", "cn_loss", "test", ("hand",))
    net = replace(net, ranges=MappingProxyType({LOSS: r}))
    found = {x.family: x for x in routes("ore", "MINE", "DEST", k=5, network=net).routes}
    split = [(found["china"], 600.0), (found["trans_caspian"], 400.0)]
    return risk.from_routes(split, network=net, flow_id="ore")


def test_one_uncertain_event_figure_bands_the_cvar_between_its_ends(uncertain: risk.Allocation):
    b = stress_bands(uncertain, samples=32, seed=1, years=40_000, timing="onset",
                     target="cvar_undelivered_t")  # fmt: skip
    cvar_t = b.study.bands["cvar_undelivered_t"]
    assert cvar_t.base == pytest.approx(380, rel=0.08)  # the stated figure is the top end
    assert 80 * 0.8 <= cvar_t.p5 <= cvar_t.p95 <= cvar_t.base * 1.0001
    (d,) = b.study.drivers
    assert d.factor == "cn_loss" and d.figures == 1
    assert d.st == pytest.approx(1.0, abs=0.05) and d.s1 == pytest.approx(1.0, abs=0.1)
    # the tornado ends: the tail loss at loss 0.5 (80 t on paper) and at the stated 1.0
    assert d.at_high == pytest.approx(cvar_t.base)
    assert d.at_low == pytest.approx(80, rel=0.15)
    doc = b.to_dict()
    assert doc["sensitivity"]["target"] == "cvar_undelivered_t"
    assert "stock-out days" in doc["not_drawn"]
    json.dumps(doc)


def test_bad_draw_counts_are_refused(uncertain: risk.Allocation):
    for bad in (0, -3, 2_000_000):
        with pytest.raises(InvalidParameterError, match="uncertainty"):
            stress_bands(uncertain, samples=bad)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corridor", "stress", "examples/contracts.yaml", *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )


def test_stress_cli_prints_bands_and_drivers_and_json_carries_them():
    p = _cli("--years", "500", "--uncertainty", "4", "--no-store", "--format", "json")
    assert p.returncode == 0, p.stderr
    u = json.loads(p.stdout)["uncertainty"]
    assert set(u["bands"]) >= {"cvar_extra_cost_usd", "mean_extra_cost_usd", "mean_undelivered_t"}
    assert u["years_per_draw"] == 500 and u["samples"] == 4
    assert u["sensitivity"]["drivers"]
    p = _cli("--years", "500", "--uncertainty", "-2", "--no-store")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "uncertainty must be a whole number of draws" in p.stderr


def test_stress_report_section_has_the_tornado_and_japanese_words(uncertain: risk.Allocation):
    from corridor.report.risk import render_risk_report
    from corridor.report.uncertainty import stress_bands_section

    b = stress_bands(uncertain, samples=8, seed=1, years=4_000, timing="onset",
                     target="cvar_undelivered_t")  # fmt: skip
    run = risk.stress(uncertain, years=4_000, seed=1, timing="onset")
    html = render_risk_report(run, bands=b)
    assert 'id="stress-bands"' in html and "Tornado chart of the CVaR95 of the undelivered" in html
    assert "hand: capacity_loss of events/CN_SHUT" in html
    ja = stress_bands_section(b, "ja")
    assert "このストレステストはどの程度確かか" in ja and "表記値" in ja
