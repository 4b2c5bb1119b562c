"""Queueing checks of the simulated resources against closed-form results."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from scipy import stats

from corridor.sim._params import lognormal
from corridor.sim.resources import Berth, Consolidation, Sea, Window


def _md1_mean_wait(rng: np.random.Generator, lam: float, service_h: float, n: int) -> float:
    """Mean wait of ``n`` customers at one Berth fed by Poisson arrivals."""
    env = simpy.Environment()
    warm = 200.0 / lam
    berth = Berth(env, 1, Window(warm, math.inf), "berth")

    def arrivals() -> object:
        for _ in range(n):
            yield env.timeout(rng.exponential(1.0 / lam))
            env.process(berth.serve(service_h))

    env.process(arrivals())
    env.run()
    return float(np.mean(berth.waits))


def test_single_berth_matches_md1_mean_wait() -> None:
    """Poisson arrivals, deterministic service: Wq = ρ / (2μ(1−ρ)) (Pollaczek–Khinchine)."""
    service_h, rho = 2.0, 0.6
    lam, mu = rho / service_h, 1.0 / service_h
    expected = rho / (2.0 * mu * (1.0 - rho))  # 1.5 h
    rng = np.random.default_rng(20261201)
    means = [_md1_mean_wait(rng, lam, service_h, 8000) for _ in range(12)]
    half = stats.t.ppf(0.995, len(means) - 1) * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(np.mean(means) - expected) < half, (np.mean(means), expected, half)
    assert half < 0.15 * expected  # the check is tight enough to catch a wrong queue


def test_berth_utilisation_is_rho() -> None:
    env = simpy.Environment()
    berth = Berth(env, 2, Window(0.0, 100.0), "b")
    # two servers, one 60-hour job: utilisation 60 / (2 × 100)
    env.process(berth.serve(60.0))
    env.run(until=100.0)
    assert berth.utilisation() == pytest.approx(0.3)


def test_sea_merges_closures_and_reports_the_end() -> None:
    sea = Sea([(10.0, 20.0), (15.0, 30.0), (50.0, 60.0)])
    assert sea.closures == [(10.0, 30.0), (50.0, 60.0)]
    assert sea.closed_until(12.0) == 30.0
    assert sea.closed_until(30.0) is None
    assert sea.closed_hours(Window(0.0, 55.0)) == pytest.approx(25.0)


def test_consolidation_releases_a_full_lot() -> None:
    env = simpy.Environment()
    lot = Consolidation(env, 100.0, Window(0.0, 1e9))
    first = lot.join(60.0)
    assert not first.triggered
    second = lot.join(50.0)
    assert first.triggered and second.triggered and lot.pending_t == 0.0


@pytest.mark.parametrize(("mean", "p95"), [(24.0, 48.0), (10.0, 30.0), (36.0, 96.0)])
def test_lognormal_fit_keeps_mean_and_p95(mean: float, p95: float) -> None:
    mu, sigma = lognormal(mean, p95)
    dist = stats.lognorm(s=sigma, scale=math.exp(mu))
    assert dist.mean() == pytest.approx(mean)
    assert dist.ppf(0.95) == pytest.approx(p95)


def test_lognormal_caps_an_impossible_tail_and_keeps_the_mean() -> None:
    mu, sigma = lognormal(24.0, 96.0)  # p95/mean = 4 > e^(z²/2)
    assert stats.lognorm(s=sigma, scale=math.exp(mu)).mean() == pytest.approx(24.0)
    assert lognormal(5.0, 5.0) == (math.log(5.0), 0.0)
