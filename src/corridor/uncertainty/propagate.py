"""Bands on a comparison: the estimates drawn jointly, the best route of each family and the
premium of avoiding China or Russia recomputed for every draw.

Approximation: the routes that may win are found once, on the figures as stated — for
each family, each avoid rule and overall, the ``candidates`` cheapest routes with distinct
gateways and the ``2 × candidates`` cheapest routes of any kind (variants of one corridor
through different inland junctions, which a draw may reorder).
A draw only re-prices them (:mod:`corridor.uncertainty.costmodel`); a route outside that set
cannot win a draw. :func:`verify` measures what this misses by rebuilding the network and
searching it again for a few draws, and every result reports the largest gap found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, NoRouteError
from corridor.graph import CommodityGraph, commodity_graph
from corridor.network.model import Network
from corridor.network.ranges import Range, RangeKey
from corridor.routing.kbest import k_best
from corridor.routing.route import FAMILY_LABELS, Route
from corridor.uncertainty.costmodel import CostModel, cost_model
from corridor.uncertainty.sampling import (
    CARRYING_RANGE,
    Factor,
    factor_values,
    factors_for,
    perturbed,
)

GraphOf = Callable[[tuple[str, ...], tuple[str, ...]], CommodityGraph]
"""(avoid, families) -> the commodity graph under those rules."""

CANDIDATES = 8
"""Distinct routes kept per family, per avoid rule and overall."""
MAX_SAMPLES = 1_000_000


def check_draws(samples: int, seed: int) -> None:
    """Refuse a number of draws or a seed that cannot be used.

    Raises
    ------
    InvalidParameterError
        Naming ``uncertainty`` (the number of draws) or ``seed``.
    """
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
        allowed = f"a whole number of draws from 1 to {MAX_SAMPLES:,}"
        raise InvalidParameterError("uncertainty", samples, allowed)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidParameterError("seed", seed, "a non-negative whole number")


@dataclass(frozen=True)
class Selector:
    """One headline: the cheapest of some candidate routes (a family, a rule, overall)."""

    name: str
    avoid: tuple[str, ...]
    family: str
    columns: tuple[int, ...]
    """Candidate routes (columns of the cost model) it chooses from."""


@dataclass(frozen=True)
class Band:
    """Percentiles of one headline number over the draws (USD/t)."""

    base: float
    p5: float
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, base: float, y: np.ndarray) -> Band:
        p5, p50, p95 = np.percentile(y, [5, 50, 95])
        return cls(base, float(p5), float(p50), float(p95), float(np.mean(y)))

    def to_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 2) for k in ("base", "p5", "p50", "p95", "mean")}


@dataclass
class Propagation:
    """Candidate routes, their cost model and the selectors of one comparison."""

    net: Network
    assumptions: Assumptions
    routes: list[Route]
    model: CostModel
    factors: list[Factor]
    families: dict[str, Selector]
    rules: dict[str, Selector]
    overall: Selector
    penalise: dict[str, float] = field(default_factory=dict)
    buyer: str | None = None
    """Buyer profile whose regimes shaped the graphs (for the full rebuild)."""

    def draws(self, u: np.ndarray) -> np.ndarray:
        """Draw matrix for unit quantiles ``u`` (rows: draws, columns: factors)."""
        return self.model.matrix(factor_values(self.factors, u), u.shape[0])

    def headlines(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Cheapest cost of every family and overall, and the premium of every rule."""
        costs = self.model.costs(x)
        out = {f"cost:{k}": costs[:, list(s.columns)].min(axis=1) for k, s in self.families.items()}
        cheapest = costs[:, list(self.overall.columns)].min(axis=1)
        out["cost:cheapest"] = cheapest
        for name, s in self.rules.items():
            out[f"premium:{name}"] = costs[:, list(s.columns)].min(axis=1) - cheapest
        return out

    def premium(self, rule: str) -> Callable[[np.ndarray], np.ndarray]:
        """The premium of ``rule`` as a function of a draw matrix."""
        sel, every = list(self.rules[rule].columns), list(self.overall.columns)

        def f(x: np.ndarray) -> np.ndarray:
            costs = self.model.costs(x)
            return np.asarray(costs[:, sel].min(axis=1) - costs[:, every].min(axis=1))

        return f


def _avoids(route: Route, avoid: Iterable[str]) -> bool:
    crossed = {*route.countries, *route.chokepoints}
    return not any(x in crossed for x in avoid)


def prepare(
    net: Network,
    origin: str,
    destination: str,
    graph: GraphOf,
    families: Sequence[str],
    rules: Sequence[tuple[str, tuple[str, ...]]],
    *,
    avoid: tuple[str, ...] = (),
    penalise: Mapping[str, float] | None = None,
    assumptions: Assumptions | None = None,
    candidates: int = CANDIDATES,
    assumption_ranges: Sequence[Range] = (CARRYING_RANGE,),
    buyer: str | None = None,
) -> Propagation:
    """Find the candidate routes once and build their cost model and factors.

    Raises
    ------
    NoRouteError
        If no route joins origin and destination.
    """
    a = assumptions or Assumptions()
    pen = dict(penalise or {})
    routes: list[Route] = []
    seen: dict[tuple[str, ...], int] = {}

    def add(found: list[Route]) -> None:
        for r in found:
            key = (*r.nodes, *(leg.link for leg in r.legs))
            if key not in seen:
                seen[key] = len(routes)
                routes.append(r)

    rule_avoid = {name: tuple(dict.fromkeys((*avoid, *extra))) for name, extra in rules}
    searches = [(avoid, (fam,)) for fam in families] + [(avoid, ())]
    searches += [(rule_avoid[name], ()) for name, _ in rules]
    for rule, fams in searches:
        g = graph(rule, fams)
        add(k_best(g, origin, destination, candidates, pen))
        add(k_best(g, origin, destination, 2 * candidates, pen, distinct=False))
    if not routes:
        raise NoRouteError(f"no route from {origin} to {destination}")
    every = tuple(range(len(routes)))
    fam_sel = {
        fam: Selector(fam, avoid, fam, cols)
        for fam in families
        if (cols := tuple(i for i, r in enumerate(routes) if r.family == fam))
    }
    rule_sel = {
        name: Selector(name, rule_avoid[name], "", cols)
        for name, _ in rules
        if (cols := tuple(i for i, r in enumerate(routes) if _avoids(r, rule_avoid[name])))
    }
    model = cost_model(net, a, routes)
    factors = factors_for(net, a, model.keys, assumption_ranges)
    return Propagation(
        net,
        a,
        routes,
        model,
        factors,
        fam_sel,
        rule_sel,
        Selector("all", avoid, "", every),
        pen,
        buyer,
    )


def verify(p: Propagation, x: np.ndarray, rows: Iterable[int]) -> float:
    """Largest gap (USD/t) between the fast headlines and a full rebuild, over ``rows``.

    For each draw the network is rebuilt with the drawn figures and every family, rule and
    the overall cheapest route are searched again (no candidate set).
    """
    fast = p.headlines(x)
    gap = 0.0
    for row in rows:
        values = {k: float(x[row, i]) for i, k in enumerate(p.model.keys, start=1)}
        for key, v in rebuilt_headlines(p, values).items():
            gap = max(gap, abs(v - float(fast[key][row])))
    return gap


def rebuilt_headlines(p: Propagation, values: Mapping[RangeKey, float]) -> dict[str, float]:
    """The headlines of one draw the slow way: network rebuilt, every route searched."""
    net, a = perturbed(p.net, p.assumptions, values)
    commodity = p.routes[0].commodity
    origin, destination = p.routes[0].origin, p.routes[0].destination

    def best(avoid: tuple[str, ...], fams: tuple[str, ...]) -> float:
        g = commodity_graph(net, commodity, a, avoid, fams, p.buyer)
        found = k_best(g, origin, destination, 1, p.penalise)
        return found[0].cost_usd_per_t if found else float("inf")

    out = {f"cost:{fam}": best(s.avoid, (fam,)) for fam, s in p.families.items()}
    out["cost:cheapest"] = best(p.overall.avoid, ())
    for name, s in p.rules.items():
        out[f"premium:{name}"] = best(s.avoid, ()) - out["cost:cheapest"]
    return out


def family_label(fam: str) -> str:
    return FAMILY_LABELS.get(fam, fam)
