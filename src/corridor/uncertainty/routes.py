"""Bands on a list of routes: each route's cost over joint draws of the estimates, and how
often the order of the list holds.

The routes are fixed (those listed), so this is exact: every draw re-prices them through
:mod:`corridor.uncertainty.costmodel`, and "cheapest" means cheapest of the routes listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.costs import Assumptions
from corridor.network.model import Network
from corridor.network.ranges import Range
from corridor.routing.route import Route
from corridor.uncertainty.costmodel import cost_model
from corridor.uncertainty.propagate import Band, check_draws
from corridor.uncertainty.sampling import (
    CARRYING_RANGE,
    factor_values,
    factors_for,
    unit_draws,
)


@dataclass(frozen=True)
class RouteBands:
    """Cost bands of listed routes (in their order) and the chance the order holds.

    Attributes
    ----------
    bands : tuple of Band
        USD/t of each route.
    p_cheapest : tuple of float
        Share of the draws in which each route is the cheapest of the list.
    p_order_kept : float
        Share of the draws in which the list's order by cost is unchanged.
    """

    samples: int
    seed: int
    factors: int
    figures: int
    bands: tuple[Band, ...]
    p_cheapest: tuple[float, ...]
    p_order_kept: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "seed": self.seed,
            "factors": self.factors,
            "figures": self.figures,
            "routes": [
                {**b.to_dict(), "p_cheapest": round(p, 4)}
                for b, p in zip(self.bands, self.p_cheapest, strict=True)
            ],
            "p_order_kept": round(self.p_order_kept, 4),
        }


def route_bands(
    net: Network,
    routes: Sequence[Route],
    *,
    samples: int,
    seed: int = 0,
    assumptions: Assumptions | None = None,
    assumption_ranges: Sequence[Range] = (CARRYING_RANGE,),
) -> RouteBands:
    """Draw the estimates ``samples`` times and band the cost of each of ``routes``.

    Raises
    ------
    InvalidParameterError
        On a sample count out of range or a negative seed.
    ValueError
        On an empty list of routes.
    """
    check_draws(samples, seed)
    if not routes:
        raise ValueError("no routes to band")
    a = assumptions or Assumptions()
    model = cost_model(net, a, routes)
    factors = factors_for(net, a, model.keys, assumption_ranges)
    u = unit_draws(samples, max(1, len(factors)), seed)[:, : len(factors)]
    costs = model.costs(model.matrix(factor_values(factors, u), samples))
    stated = [r.cost_usd_per_t for r in routes]
    winner = np.argmin(costs, axis=1)
    kept = np.all(np.diff(costs, axis=1) >= 0, axis=1) if len(routes) > 1 else np.ones(samples)
    return RouteBands(
        samples=samples,
        seed=seed,
        factors=len(factors),
        figures=sum(len(f.members) for f in factors),
        bands=tuple(Band.of(s, costs[:, i]) for i, s in enumerate(stated)),
        p_cheapest=tuple(float(np.mean(winner == i)) for i in range(len(routes))),
        p_order_kept=float(np.mean(kept)),
    )
