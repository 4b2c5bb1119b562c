"""Risk measures that tell routes apart, computed from the events table for one route.

Each event hitting a route (one of its targets on the route) occurs as a Poisson process of
``events_per_year`` occurrences, each lasting a lognormal number of days (median
``duration_days``, 95th percentile ``duration_days_p95``; fixed when they are equal),
capped at :data:`CAP_DAYS` (a year's shipments). On the route alone, shipped evenly, cut
tonnes wait for the reopening (the route's own risk, before any re-routing):

``p_long_interruption``
    Annual probability of at least one interruption longer than :data:`LONG_DAYS` days with
    at least :data:`LONG_LOSS` of capacity lost: ``1 − exp(−Σ λ P(D > 30))`` over the events
    with loss ≥ 0.3.
``tonne_days_per_t``
    Expected tonne-days of delay per tonne shipped in a year: an occurrence of ``D`` days
    with loss ``L`` and delay ``d`` on the tonnes still passing adds
    ``L D² / 730 + (1 − L) D d / 365`` per tonne of annual volume.
``stockout_days``
    Expected days a year of stock-out at the buyer holding ``stock_days`` of consumption:
    the backlog grows at ``L`` days of consumption per day, so an occurrence gives
    ``(D − stock / L)⁺`` days (a pure delay ``d`` gives ``D`` days when ``(1 − L) d`` exceeds
    the stock).

Exposures shared by every compared route (:func:`compare_measures`) are shown once, apart,
and left out of the per-route figures, so that those differ only by what differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np

from corridor.network.model import Event, Network
from corridor.risk._common import FloatArray
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.risk.model import EventTable
from corridor.risk.targets import _severity, route_targets
from corridor.routing.route import Route

LONG_DAYS = 30.0
LONG_LOSS = 0.3
CAP_DAYS = 365.0
_QUANTILES = 4_000
"""Duration quantiles per event: the expectations are means over them (deterministic)."""


@dataclass(frozen=True)
class Measures:
    """The three comparison measures (see the module docstring)."""

    p_long_interruption: float
    tonne_days_per_t: float
    stockout_days: float
    events: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "p_interruption_over_30d_30pct": round(self.p_long_interruption, 4),
            "expected_tonne_days_per_t": round(self.tonne_days_per_t, 3),
            "expected_stockout_days": round(self.stockout_days, 3),
            "events": list(self.events),
        }


@dataclass(frozen=True)
class ComparedMeasures:
    """Per-route measures without the shared exposures, and the shared ones once."""

    stock_days: float
    routes: tuple[Measures, ...]
    shared: Measures

    def to_dict(self) -> dict[str, Any]:
        return {
            "stock_days": self.stock_days,
            "definitions": "docs/risk.md#comparison-measures",
            "routes": [m.to_dict() for m in self.routes],
            "shared": self.shared.to_dict(),
        }


def _durations(event: Event) -> FloatArray:
    """Equally likely duration quantiles of one occurrence, capped at a year."""
    table = EventTable.of([event])
    mu, sigma = float(table.log_median[0]), float(table.sigma[0])
    if not np.isfinite(mu):
        return np.zeros(1)
    if sigma == 0:
        return np.array([min(float(np.exp(mu)), CAP_DAYS)])
    return np.minimum(np.exp(mu + sigma * _normal_quantiles()), CAP_DAYS)


@cache
def _normal_quantiles() -> FloatArray:
    return np.array([NormalDist().inv_cdf((i + 0.5) / _QUANTILES) for i in range(_QUANTILES)])


def _event_terms(event: Event, loss: float, stock_days: float) -> tuple[float, float, float]:
    """Rate of long interruptions, tonne-days per t and stock-out days of one event."""
    d = _durations(event)
    rate = event.events_per_year
    long_rate = rate * float(np.mean(d > LONG_DAYS)) if loss >= LONG_LOSS else 0.0
    tdays = loss * float(np.mean(d * d)) / (2 * CAP_DAYS)
    tdays += (1.0 - loss) * float(np.mean(d)) * event.delay_days / CAP_DAYS
    if loss > 0:
        out = float(np.mean(np.maximum(d - stock_days / loss, 0.0)))
    else:
        out = float(np.mean(d)) if event.delay_days > stock_days else 0.0
    return long_rate, rate * tdays, rate * out


def measures(
    net: Network,
    route: Route,
    stock_days: float = DEFAULT_STOCK_DAYS,
    skip: frozenset[str] = frozenset(),
) -> Measures:
    """The comparison measures of one route from the network's events (``skip``: event ids
    left out)."""
    targets = route_targets(route)
    rate = tdays = out = 0.0
    hit = []
    for event in net.events:
        touched, loss = _severity(net, event, targets)
        if not touched or event.id in skip:
            continue
        hit.append(event.id)
        r, t, s = _event_terms(event, loss, stock_days)
        rate, tdays, out = rate + r, tdays + t, out + s
    return Measures(1.0 - float(np.exp(-rate)), tdays, out, tuple(hit))


def compare_measures(
    net: Network, routes: Sequence[Route], stock_days: float = DEFAULT_STOCK_DAYS
) -> ComparedMeasures:
    """Measures of each route with the events every route shares set apart.

    The shared block is computed on the first route (a shared event may bite harder on
    another route when its loss there differs; its id is listed either way).
    """
    every = [set(measures(net, r, stock_days).events) for r in routes]
    shared = frozenset(set.intersection(*every)) if len(every) > 1 else frozenset()
    per_route = tuple(measures(net, r, stock_days, shared) for r in routes)
    others = frozenset(e.id for e in net.events) - shared
    common = measures(net, routes[0], stock_days, others) if routes else measures_none()
    return ComparedMeasures(stock_days, per_route, common)


def measures_none() -> Measures:
    """No route, no exposure."""
    return Measures(0.0, 0.0, 0.0, ())
