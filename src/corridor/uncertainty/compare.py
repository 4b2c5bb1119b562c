"""A comparison under uncertainty: bands on every family's cost and on the premiums, the
probability that the ranking flips, and the estimates that drive the premium."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.costs import Assumptions
from corridor.i18n import Joined, Message, Named, catalogue, family_name
from corridor.network.model import Network
from corridor.network.ranges import Range
from corridor.uncertainty.propagate import (
    CANDIDATES,
    Band,
    GraphOf,
    check_draws,
    family_label,
    prepare,
    verify,
)
from corridor.uncertainty.sampling import CARRYING_RANGE, unit_draws
from corridor.uncertainty.sensitivity import drivers
from corridor.uncertainty.study import Driver, improve_first

PREMIUM_ENDS = ("premium_at_low_usd_per_t", "premium_at_high_usd_per_t")

THRESHOLDS_USD_PER_T = (0.0, 50.0, 100.0)
MIN_INDEX = 0.005
"""Total Sobol' indices below this are not named as drivers (sampling noise)."""


@dataclass(frozen=True)
class UncertainComparison:
    """Bands and probabilities of one comparison over joint draws of the estimates.

    Attributes
    ----------
    bands : dict
        ``cost:<family>``, ``cost:cheapest`` and ``premium:<rule>`` -> :class:`Band` (USD/t).
    probabilities : dict
        Statement -> probability over the draws (e.g. Trans-Caspian cheaper than China).
    drivers : tuple of Driver
        Factors by total Sobol' index of the premium of ``rule`` (strongest first).
    improve_first : tuple of Driver
        Factors whose pinning narrows that premium's P5–P95 band most.
    """

    samples: int
    seed: int
    factors: int
    figures: int
    candidates: int
    rule: str
    bands: dict[str, Band]
    probabilities: dict[str, float]
    drivers: tuple[Driver, ...]
    improve_first: tuple[Driver, ...]
    check_samples: int
    check_gap_usd_per_t: float
    approximation: str

    def closing_note(self, n: int = 5) -> str:
        """One sentence: the premium with its band and its ``n`` strongest drivers."""
        band = self.bands.get(f"premium:{self.rule}")
        if band is None:
            return Message("unc_close_none")
        values = {
            "rule": rule_named(self.rule),
            "base": f"{band.base:,.0f}",
            "p5": f"{band.p5:,.0f}",
            "p95": f"{band.p95:,.0f}",
            "p50": f"{band.p50:,.0f}",
            "n": f"{self.samples:,}",
        }
        strong = [d for d in self.drivers[:n] if d.st >= MIN_INDEX]
        if not strong:
            return Message("unc_close", **values)
        names = Joined("; ", [Joined("", [d.named(), f" (ST {d.st:.2f})"]) for d in strong])
        if len(strong) == 1:
            return Message("unc_close_driver", names=names, **values)
        return Message("unc_close_drivers", names=names, k=len(strong), **values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "seed": self.seed,
            "sampling": "scrambled Sobol' points (scipy.stats.qmc); factors independent, "
            "figures of one factor at one quantile",
            "factors": self.factors,
            "figures": self.figures,
            "candidate_routes": self.candidates,
            "bands_usd_per_t": {k: b.to_dict() for k, b in self.bands.items()},
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "sensitivity": {
                "premium": self.rule,
                "method": "Sobol' indices (SALib, Saltelli sampling), first order and total",
                "drivers": [d.to_dict(PREMIUM_ENDS) for d in self.drivers],
                "improve_first": [d.factor for d in self.improve_first],
            },
            "check": {
                "samples": self.check_samples,
                "max_gap_usd_per_t": round(self.check_gap_usd_per_t, 4),
            },
            "approximation": self.approximation,
            "closing_note": self.closing_note(),
        }


def compare_bands(
    net: Network,
    origin: str,
    destination: str,
    graph: GraphOf,
    families: Sequence[str],
    rules: Sequence[tuple[str, tuple[str, ...]]],
    *,
    samples: int,
    seed: int = 0,
    avoid: tuple[str, ...] = (),
    penalise: Mapping[str, float] | None = None,
    assumptions: Assumptions | None = None,
    thresholds_usd_per_t: Sequence[float] = THRESHOLDS_USD_PER_T,
    rule: str | None = None,
    check: int = 8,
    assumption_ranges: Sequence[Range] = (CARRYING_RANGE,),
    buyer: str | None = None,
) -> UncertainComparison:
    """Draw the estimates jointly ``samples`` times and band the comparison's headlines.

    Parameters
    ----------
    graph : callable
        (avoid, families) -> commodity graph (the caller's cache).
    families, rules : the route families and the (name, avoided ids) premium rules.
    rule : premium whose drivers are ranked (default: the first rule with a route).
    check : draws re-evaluated by a full rebuild of the network (0: none).
    assumption_ranges : ranges of model parameters outside the tables (default: the
        in-transit carrying rate).
    buyer : the buyer profile the graphs were built for (used by the full-rebuild check).

    Raises
    ------
    InvalidParameterError
        On a sample count out of range or a negative seed.
    NoRouteError
        If no route joins origin and destination.
    """
    check_draws(samples, seed)
    p = prepare(
        net, origin, destination, graph, families, rules,
        avoid=avoid, penalise=penalise, assumptions=assumptions,
        assumption_ranges=assumption_ranges, buyer=buyer,
    )  # fmt: skip
    u = unit_draws(samples, max(1, len(p.factors)), seed)
    x = p.draws(u[:, : len(p.factors)])
    y = p.headlines(x)
    base = p.headlines(p.model.base[None, :])
    bands = {k: Band.of(float(base[k][0]), v) for k, v in y.items()}
    probs = _probabilities(y, families, thresholds_usd_per_t, p.rules)
    chosen = rule or next(iter(p.rules), "")
    found: list[Driver] = []
    if chosen in p.rules and p.factors:
        n_base = 2 ** max(6, int(np.ceil(np.log2(max(samples, 2)))) - 2)
        found = drivers(p, chosen, x, n_base, seed)
    rows = _check_rows(y, chosen, check)
    gap = verify(p, x, rows) if rows else 0.0
    return UncertainComparison(
        samples=samples,
        seed=seed,
        factors=len(p.factors),
        figures=sum(len(f.members) for f in p.factors),
        candidates=len(p.routes),
        rule=chosen,
        bands=bands,
        probabilities=probs,
        drivers=tuple(found),
        improve_first=tuple(improve_first(found)),
        check_samples=len(rows),
        check_gap_usd_per_t=gap,
        approximation=Message(
            "unc_approximation", k=CANDIDATES, k2=2 * CANDIDATES, m=len(rows), gap=f"{gap:.2f}"
        ),
    )


def _probabilities(
    y: Mapping[str, np.ndarray],
    families: Sequence[str],
    thresholds: Sequence[float],
    rules: Mapping[str, object],
) -> dict[str, float]:
    """Statements about the ranking, in words, with their share of the draws."""
    out: dict[str, float] = {}
    china, tc = y.get("cost:china"), y.get("cost:trans_caspian")
    if china is not None and tc is not None:
        statement = Message("unc_p_cheaper", a=_family("trans_caspian"), b=_family("china"))
        out[statement] = float(np.mean(tc < china))
    present = [f for f in families if f"cost:{f}" in y]
    if present:
        stack = np.column_stack([y[f"cost:{f}"] for f in present])
        winner = np.argmin(stack, axis=1)
        for i, f in enumerate(present):
            out[Message("unc_p_cheapest", family=_family(f))] = float(np.mean(winner == i))
    for name in rules:
        for t in thresholds:
            statement = Message("unc_p_premium_over", rule=rule_named(name), usd=f"{t:g}")
            out[statement] = float(np.mean(y[f"premium:{name}"] > t))
    return out


def _family(fam: str) -> Named:
    """A family's English label with its Japanese name."""
    return Named(family_label(fam), family_name(fam, "ja"))


def rule_named(name: str) -> Named:
    """An avoid rule's name ("avoid China") with its Japanese name where the catalogue has one."""
    return Named(name, catalogue("ja").get("rule_" + name.replace(" ", "_"), ""))


def _check_rows(y: Mapping[str, np.ndarray], rule: str, check: int) -> list[int]:
    """Draws to re-evaluate in full: the premium's extremes first, then the first draws."""
    if check <= 0:
        return []
    key = f"premium:{rule}" if f"premium:{rule}" in y else "cost:cheapest"
    v = y[key]
    rows = [int(np.argmin(v)), int(np.argmax(v)), *range(len(v))]
    return list(dict.fromkeys(rows))[:check]
