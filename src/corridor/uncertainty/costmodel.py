"""The cost of fixed routes as a function of the uncertain figures, evaluated for many draws.

A route's cost (USD/t) is the sum of the terms :mod:`corridor.costs` adds up along it:
freight ``(tariff_t + tariff_tkm × distance) × freight factor``, war risk ``pct / 100 ×
value × insured factor``, in-transit inventory ``value × carrying % × days / 36,500``,
handling and border fees, cargo insurance, carbon and penalties. A rail link timed by its
service class (:func:`corridor.costs.rail_timing`) takes ``distance / speed + overhead``
days, not its table ``transit_days``; loading onto rail from another mode adds the
service's train-formation wait. Each term is a constant
times a product of at most four figures, so the costs of every candidate route for a
batch of draws are one gather, one product and one matrix product — no graph is rebuilt.
``tests/uncertainty`` checks the terms against :mod:`corridor.costs` on every candidate
route and against a full rebuild of the network for perturbed draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from corridor.costs import Assumptions, formation_metrics, rail_timing
from corridor.network.model import Commodity, Link, Network
from corridor.network.ranges import RangeKey
from corridor.routing.route import Route
from corridor.uncertainty.sampling import ASSUMPTIONS_TABLE, figure_value

_Term = tuple[float, tuple[RangeKey, ...]]
CARRYING: RangeKey = (ASSUMPTIONS_TABLE, "default", "carrying_pct_per_year")
FACTORS_PER_TERM = 4
"""Figures multiplied in one term at most (tariff × distance × freight factor × multiple)."""
BATCH = 2048
"""Draws evaluated at once (bounds the memory of the gathered figures)."""


def route_terms(net: Network, a: Assumptions, route: Route) -> list[_Term]:
    """The terms whose sum is ``route.cost_usd_per_t``, as (constant, figure keys)."""
    c = net.commodity(route.commodity)
    cid = ("commodities", c.id)
    value, ff = (*cid, "value_usd_per_t"), (*cid, "freight_factor")
    inv = 1.0 / 36_500.0
    terms: list[_Term] = [(a.insured_value_factor / 100.0, ((*cid, "insurance_pct"), value))]
    penalty = route.charges.get("penalty", 0.0)
    if penalty:
        terms.append((penalty, ()))
    forming_days = formation_metrics(net, c, a)[0].days_mean
    modes = _link_modes(net, route)
    for i, leg in enumerate(route.legs):
        if leg.kind == "link":
            link = net.link(leg.link)
            lid = ("links", link.id)
            dist = (*lid, "distance_km")
            group = _rail_multiple(link, c)
            terms += [
                (1.0, ((*lid, "tariff_usd_per_t"), ff, *group)),
                (1.0, ((*lid, "tariff_usd_per_tkm"), dist, ff, *group)),
                *_transit_terms(net, link, c, a, value, inv),
            ]
            terms += [
                (a.insured_value_factor / 100.0, (("exposures", e, "war_risk_pct"), value))
                for e in link.chokepoints
            ]
            if a.carbon_price_usd_per_t:
                ef = ("emission_factors", link.emission_factor, "co2e_g_per_tkm")
                terms.append((a.carbon_price_usd_per_t / 1e6, (ef, dist)))
            terms += _node_terms(leg.to, "dwell", value, inv)
        elif leg.kind == "transfer":
            terms += _node_terms(leg.from_, "handling", value, inv, c.cargo_class)
            before, after = modes[i]
            if forming_days and after.startswith("rail") and not before.startswith("rail"):
                terms.append((inv * forming_days, (value, CARRYING)))
    return terms


def _transit_terms(
    net: Network, link: Link, c: Commodity, a: Assumptions, value: RangeKey, inv: float
) -> list[_Term]:
    """Inventory while on ``link``: its table days, or distance ÷ speed + overhead where its
    rail service class times it (then a drawn ``transit_days`` changes nothing)."""
    lid = ("links", link.id)
    timing = rail_timing(net, link, c, a)
    if timing is None:
        return [(inv, (value, CARRYING, (*lid, "transit_days")))]
    speed, overhead, _ = timing
    terms: list[_Term] = [(inv / speed, (value, CARRYING, (*lid, "distance_km")))]
    if overhead or link.added_days:
        terms.append((inv * (overhead + link.added_days), (value, CARRYING)))
    return terms


def _link_modes(net: Network, route: Route) -> list[tuple[str, str]]:
    """For each leg, the mode copies (mode and gauge) of the links before and after it
    (empty at the ends): a transfer goes from the one to the other, as in the graph."""
    keys = [net.link(leg.link).mode_key if leg.kind == "link" else "" for leg in route.legs]
    out: list[tuple[str, str]] = []
    before = ""
    for i, key in enumerate(keys):
        after = next((k for k in keys[i + 1 :] if k), "")
        out.append((before, after))
        before = key or before
    return out


def _rail_multiple(link: Link, c: Commodity) -> tuple[RangeKey, ...]:
    """The commodity's rail tariff multiple that applies to ``link`` (as in
    :func:`corridor.costs.rail_tariff_factor`), as a figure key; none where it is 1."""
    if link.mode != "rail" or len(set(link.countries)) != 1:
        return ()
    if link.countries[0] not in c.rail_tariff_factors:
        return ()
    return (("commodities", c.id, f"rail_tariff_factors:{link.countries[0]}"),)


def _node_terms(
    node: str, what: str, value: RangeKey, inv: float, cargo_class: str = ""
) -> list[_Term]:
    nid = ("nodes", node)
    if what == "dwell":
        fee: RangeKey = (*nid, "border_fee_usd_per_t")
        hours: RangeKey = (*nid, "dwell_hours")
    else:
        fee, hours = (*nid, f"handling_usd_per_t_{cargo_class}"), (*nid, "handling_hours")
    return [(1.0, (fee,)), (inv / 24.0, (value, CARRYING, hours))]


@dataclass(frozen=True)
class CostModel:
    """Costs of fixed routes as products of figures.

    Attributes
    ----------
    keys : tuple of RangeKey
        The figures the costs depend on (column ``i + 1`` of a draw matrix; column 0 is 1).
    base : numpy.ndarray
        The figures as the tables state them, with the leading 1.
    index : numpy.ndarray
        ``(terms, FACTORS_PER_TERM)`` columns multiplied in each distinct term (0 where
        unused).
    weights : numpy.ndarray
        ``(terms, routes)`` constant of each term in each route's cost.
    """

    keys: tuple[RangeKey, ...]
    base: np.ndarray
    index: np.ndarray
    weights: np.ndarray

    def matrix(self, values: Mapping[RangeKey, np.ndarray], n: int) -> np.ndarray:
        """A draw matrix ``(n, 1 + keys)``: the base figures with ``values`` put in."""
        x = np.tile(self.base, (n, 1))
        for i, key in enumerate(self.keys, start=1):
            v = values.get(key)
            if v is not None:
                x[:, i] = v
        return x

    def costs(self, x: np.ndarray) -> np.ndarray:
        """Cost of every route (columns) for every draw (rows of ``x``)."""
        out = np.empty((x.shape[0], self.weights.shape[1]))
        for start in range(0, x.shape[0], BATCH):
            chunk = x[start : start + BATCH]
            products = chunk[:, self.index].prod(axis=2)
            out[start : start + BATCH] = products @ self.weights
        return out


def cost_model(net: Network, a: Assumptions, routes: Sequence[Route]) -> CostModel:
    """The :class:`CostModel` of ``routes`` on ``net``."""
    position: dict[RangeKey, int] = {}
    term_index: dict[tuple[int, ...], int] = {}
    weights: list[dict[int, float]] = []
    for route in routes:
        w: dict[int, float] = {}
        for const, keys in route_terms(net, a, route):
            cols = tuple(sorted(position.setdefault(k, len(position) + 1) for k in keys))
            t = term_index.setdefault(cols, len(term_index))
            w[t] = w.get(t, 0.0) + const
        weights.append(w)
    keys = tuple(sorted(position, key=position.__getitem__))
    base = np.array([1.0, *(figure_value(net, a, k) for k in keys)])
    index = np.zeros((len(term_index), FACTORS_PER_TERM), dtype=np.int64)
    for cols, t in term_index.items():
        index[t, : len(cols)] = cols
    matrix = np.zeros((len(term_index), len(routes)))
    for r, w in enumerate(weights):
        for t, const in w.items():
            matrix[t, r] = const
    return CostModel(keys, base, index, matrix)
