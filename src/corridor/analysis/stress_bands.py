"""How sure is a stress test: expected extra cost, its CVaR and the undelivered tonnes over
joint draws of the estimated disruption figures, and which estimate drives the tail.

The allocation (routes and tonnes) is fixed. A draw puts the drawn event figures (rates,
typical and p95 durations, capacity lost, delays, insurance surcharges) and capacity
figures (the spare capacity re-routing may use) into a copy of the network, recompiles the
risk model from it (:func:`corridor.risk.model.compile_model`: only arrays change, no route
is searched) and runs ``years`` simulated years. Every draw uses the same random seed
(common random numbers), so the differences between draws are the figures', not the
sampler's; what remains of the Monte Carlo noise is the standard error of one run.
Route costs stay as stated (the bands of ``compare`` and ``plan`` carry the tariffs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.analysis.capacity_bands import capacity_keys
from corridor.i18n import Message
from corridor.network.ranges import RangeKey
from corridor.risk._common import LEVELS
from corridor.risk.allocation import Allocation
from corridor.risk.annual import stress
from corridor.uncertainty.propagate import check_draws
from corridor.uncertainty.sampling import factors_for, perturbed
from corridor.uncertainty.study import Study, Values, drivers_text, study

YEARS_PER_DRAW = 2_000
"""Simulated years per draw (at most the stress test's own)."""
TARGET = "cvar_extra_cost_usd"
NOT_DRAWN = Message("unc_not_drawn_stress")
EVENT_COLUMNS = (
    "events_per_year",
    "duration_days",
    "duration_days_p95",
    "capacity_loss",
    "delay_days",
    "insurance_pct_add",
    "surcharge_usd_per_t",
)


@dataclass(frozen=True)
class StressBands:
    """A stress test's portfolio headlines over joint draws of the disruption estimates.

    Attributes
    ----------
    study : Study
        Bands of mean and CVaR of the extra cost (USD/yr) and of the undelivered tonnes
        (t/yr), and the drivers of the extra cost's CVaR.
    level : float
        The CVaR level (the first of :data:`corridor.risk.LEVELS`).
    years : int
        Simulated years per draw.
    std_error_usd : float
        Standard error of the stated mean extra cost at that many years (the noise left in
        each draw).
    """

    study: Study
    level: float
    years: int
    std_error_usd: float
    probabilities: dict[str, float]

    @property
    def not_drawn(self) -> str:
        return NOT_DRAWN

    def closing_note(self, n: int = 3) -> str:
        b = self.study.bands[TARGET]
        of = "" if self.study.target == TARGET else f" of {self.study.target}"
        return Message(
            "unc_close_stress",
            level=f"{self.level * 100:.0f}",
            base=f"{b.base:,.0f}",
            p5=f"{b.p5:,.0f}",
            p95=f"{b.p95:,.0f}",
            n=f"{self.study.samples:,}",
            years=f"{self.years:,}",
            drivers=drivers_text(self.study.drivers, n, of),
        )

    def to_dict(self) -> dict[str, Any]:
        s = self.study
        return s.summary(
            "bands",
            {k: b.to_dict() for k, b in s.bands.items()},
            self.probabilities,
            self.closing_note(),
            "improve-first narrowing estimated from the total index",
        ) | {
            "years_per_draw": self.years,
            "cvar_level": self.level,
            "std_error_of_mean_extra_cost_usd": round(self.std_error_usd, 2),
            "not_drawn": self.not_drawn,
        }


def stress_keys(allocation: Allocation) -> list[RangeKey]:
    """The figures a stress test rests on: the events' and the capacities'."""
    net = allocation.network
    events = [k for k in net.ranges if k[0] == "events" and k[2] in EVENT_COLUMNS]
    return events + capacity_keys(net)


def stress_bands(
    allocation: Allocation,
    *,
    samples: int,
    seed: int = 0,
    years: int = YEARS_PER_DRAW,
    timing: str = "stationary",
    n_base: int = 16,
    individual: int = 5,
    target: str = TARGET,
) -> StressBands:
    """Band a stress test of ``allocation`` over ``samples`` joint draws of the estimates;
    rank the drivers of ``target`` (default the CVaR of the extra cost; also
    ``cvar_undelivered_t``, ``mean_extra_cost_usd``, ``mean_undelivered_t``).

    Raises
    ------
    InvalidParameterError
        A sample count out of range or a negative seed.
    RequestError
        As :func:`corridor.risk.stress`.
    """
    check_draws(samples, seed)
    net, a = allocation.network, allocation.assumptions
    level = LEVELS[0]
    factors = factors_for(net, a, stress_keys(allocation), ())
    stated_run = stress(allocation, years=years, seed=seed, timing=timing)

    def evaluate(values: Values, n: int) -> dict[str, np.ndarray]:
        out = {k: np.zeros(n) for k in (TARGET, "mean_extra_cost_usd", "mean_undelivered_t",
                                        "cvar_undelivered_t")}  # fmt: skip
        for i in range(n):
            if values:
                drawn, _ = perturbed(net, a, {k: float(v[i]) for k, v in values.items()})
                # a draw is a function of the tables (ranges included) and the seed: it
                # keeps their version rather than hashing every table again per draw
                drawn.derived.get("data_version", lambda: net.data_version)
                run = stress(dataclasses.replace(allocation, network=drawn), years=years,
                             seed=seed, timing=timing)  # fmt: skip
            else:
                run = stated_run
            p = run.portfolio
            out[TARGET][i] = p.extra_cost.cvar[level]
            out["mean_extra_cost_usd"][i] = p.extra_cost.mean
            out["mean_undelivered_t"][i] = p.undelivered.mean
            out["cvar_undelivered_t"][i] = p.undelivered.cvar[level]
        return out

    s = study(evaluate, factors, target, samples=samples, seed=seed, n_base=n_base,
              individual=individual, pin=False)  # fmt: skip
    stated = s.bands[TARGET].base
    pct = f"{level * 100:.0f}"
    probs: dict[str, float] = {
        Message("unc_cvar_above_stated", level=pct, usd=f"{stated:,.0f}"): float(
            np.mean(s.draws[TARGET] > stated)
        ),
        Message("unc_cvar_above_twice", level=pct): float(
            np.mean(s.draws[TARGET] > 2 * abs(stated))
        ),
    }
    return StressBands(s, level, years, stated_run.portfolio.extra_cost.std_error, probs)
