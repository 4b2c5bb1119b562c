"""How sure is a capacity: the maximum tonnes left for the user over joint draws of the
estimated capacity figures, which element binds how often, and which estimate drives it.

Each draw turns the drawn figures (link capacities, ``capacities.csv`` totals and use by
other traffic) into capacities as :func:`corridor.optimize.capacity.capacities` reads them
(seasonal factors, the smallest figure of a group, what other traffic leaves; vectorised
over the draws, checked against a rebuilt network in the tests) and re-solves the
maximum-flow LP that stays loaded in HiGHS with only its capacity bounds moved
(:class:`~corridor.optimize.maxflow.MaxFlowProgram`).
The graph is not rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.costs import Assumptions
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.network.ranges import RangeKey
from corridor.optimize.capacity import TOL, capacities, season_factor
from corridor.optimize.maxflow import CapacityRequest, MaxFlowProgram, max_flow_program
from corridor.uncertainty.propagate import check_draws
from corridor.uncertainty.sampling import factors_for
from corridor.uncertainty.study import Study, Values, drivers_text, study

CAPACITY_COLUMNS = ("capacity_t_per_year", "used_t_per_year")
TARGET = "max_t_per_year"


@dataclass(frozen=True)
class CapacityBands:
    """The maximum left for the user over joint draws, and what binds.

    Attributes
    ----------
    study : Study
        Bands of ``max_t_per_year`` and ``total_t_per_year`` and the drivers of the first.
    binds : dict
        Capacity id -> share of the draws in which it binds.
    stated_binding : tuple of str
        The capacities that bind on the stated figures.
    p_binding_changes : float
        Share of the draws whose binding set differs from the stated one.
    reason : str
        Why there is no band (no capacity figure limits the corridor), else empty.
    """

    study: Study | None
    binds: dict[str, float]
    stated_binding: tuple[str, ...]
    p_binding_changes: float
    reason: str = ""

    def closing_note(self, n: int = 3) -> str:
        if self.study is None:
            return self.reason
        b = self.study.bands[TARGET]
        return Message(
            "unc_close_capacity",
            base=f"{b.base:,.0f}",
            p5=f"{b.p5:,.0f}",
            p95=f"{b.p95:,.0f}",
            n=f"{self.study.samples:,}",
            changes=f"{self.p_binding_changes:.0%}",
            drivers=drivers_text(self.study.drivers, n),
        )

    def to_dict(self) -> dict[str, Any]:
        if self.study is None:
            return {"unbounded_reason": self.reason}
        s = self.study
        return s.summary(
            "bands_t_per_year",
            {k: b.to_dict() for k, b in s.bands.items()},
            {"binding element changes": self.p_binding_changes},
            self.closing_note(),
        ) | {
            "binding_share": {k: round(v, 4) for k, v in self.binds.items()},
            "stated_binding": list(self.stated_binding),
        }


def capacity_keys(net: Network) -> list[RangeKey]:
    """The figure keys a capacity may rest on: link capacities and ``capacities.csv`` figures."""
    return [
        k
        for k in net.ranges
        if (k[0] == "links" and k[2] == "capacity_t_per_year")
        or (k[0] == "capacities" and k[2] in CAPACITY_COLUMNS)
    ]


def capacity_bands(
    commodity: str,
    origins: Iterable[str],
    destinations: Iterable[str],
    *,
    avoid: Iterable[str] = (),
    families: Iterable[str] = (),
    network: Network,
    samples: int,
    seed: int = 0,
    assumptions: Assumptions | None = None,
) -> CapacityBands:
    """Band the maximum of :func:`corridor.optimize.maxflow.max_flow` over ``samples`` draws.

    Raises
    ------
    InvalidParameterError
        A sample count out of range or a negative seed.
    RequestError
        As :func:`~corridor.optimize.maxflow.max_flow`.
    """
    check_draws(samples, seed)
    net = network
    a = assumptions or Assumptions()
    req = CapacityRequest(
        commodity, tuple(dict.fromkeys(origins)), tuple(dict.fromkeys(destinations)),
        tuple(avoid), tuple(families),
    )  # fmt: skip
    program = max_flow_program(req, net, a)
    if program is None:
        return CapacityBands(None, {}, (), 0.0, Message("cap_no_band"))
    used = set(program.capacities)
    keys = [k for k in capacity_keys(net) if _touches(net, k, used)]
    factors = factors_for(net, a, keys, ())
    evaluate = _evaluator(net, program)
    n_base = 2 ** max(5, int(np.ceil(np.log2(max(samples, 2)))) - 2)
    s = study(evaluate, factors, TARGET, samples=samples, seed=seed, n_base=n_base,
              banded=(TARGET, "total_t_per_year"))  # fmt: skip
    ids = program.capacities
    binds = {c: float(np.mean(s.draws[f"binds:{c}"])) for c in ids}
    stated = evaluate({}, 1)
    stated_binding = tuple(c for c in ids if stated[f"binds:{c}"][0])
    return CapacityBands(
        s,
        {c: v for c, v in sorted(binds.items(), key=lambda kv: -kv[1]) if v > 0},
        stated_binding,
        float(np.mean(s.draws["binding_changed"])),
    )


def _touches(net: Network, key: RangeKey, used: set[str]) -> bool:
    """Whether the figure at ``key`` feeds one of the capacities ``used``."""
    table, record, _ = key
    if table == "capacities":
        row = net.record(table, record)
        return row.status == "operating" and (row.element in used or row.id in used)
    caps = {c.id for c in capacities(net).values() if record in c.links}
    return bool(caps & used)


@dataclass(frozen=True)
class _Formula:
    """How one capacity follows from figures (as :mod:`corridor.optimize.capacity` reads
    them): the total is a ``capacities.csv`` figure or the smallest link figure × its mean
    seasonal factor; what is left is the total less the use by other traffic."""

    links: tuple[tuple[RangeKey, float, float], ...]
    """(figure key, stated figure, seasonal factor) of the links whose smallest figure counts."""
    total: tuple[RangeKey, float] | None
    used: tuple[RangeKey, float] | None

    def of(self, values: Values, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Total and left, t/yr, for ``n`` draws."""
        if self.total is not None:
            total = _figure(values, *self.total, n)
        else:
            total = np.min([_figure(values, k, x, n) * f for k, x, f in self.links], axis=0)
        used = _figure(values, *self.used, n) if self.used else np.zeros(n)
        return total, np.maximum(total - used, 0.0)


def _figure(values: Values, key: RangeKey, stated: float, n: int) -> np.ndarray:
    v = values.get(key)
    return np.full(n, stated) if v is None else np.asarray(v, dtype=float)


def formulas(net: Network, ids: Iterable[str]) -> list[_Formula]:
    """The :class:`_Formula` of each capacity id (in order)."""
    caps = capacities(net)
    operating = [r for r in net.capacities if r.status == "operating"]
    by_element = {r.element: r for r in operating}
    by_id = {r.id: r for r in operating}
    out = []
    for cid in ids:
        cap = caps[cid]
        row = by_id.get(cid) if cap.kind == "node" else by_element.get(cid.removeprefix("group:"))
        links = tuple(
            (("links", lid, "capacity_t_per_year"), float(link.capacity_t_per_year),
             season_factor(link))
            for lid in cap.links
            if (link := net.link(lid)).capacity_t_per_year is not None
        )  # fmt: skip
        total = used = None
        if row is not None and row.capacity_t_per_year is not None:
            total = (("capacities", row.id, "capacity_t_per_year"), float(row.capacity_t_per_year))
        if row is not None and row.used_t_per_year is not None:
            used = (("capacities", row.id, "used_t_per_year"), float(row.used_t_per_year))
        out.append(_Formula(links, total, used))
    return out


def _evaluator(net: Network, program: MaxFlowProgram) -> Any:
    ids = program.capacities
    forms = formulas(net, ids)
    stated_binding = _solve(program, *_capacities(forms, {}, 1), 0)[1]

    def evaluate(values: Values, n: int) -> dict[str, np.ndarray]:
        total, left = _capacities(forms, values, n)
        out = {k: np.empty(n) for k in (TARGET, "total_t_per_year", "binding_changed")}
        out |= {f"binds:{c}": np.zeros(n) for c in ids}
        for i in range(n):
            value, binding, gross = _solve(program, total, left, i)
            out[TARGET][i], out["total_t_per_year"][i] = value, gross
            out["binding_changed"][i] = float(binding != stated_binding)
            for c in binding:
                out[f"binds:{c}"][i] = 1.0
        return out

    return evaluate


def _capacities(forms: list[_Formula], values: Values, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Total and left of every capacity (columns) for every draw (rows)."""
    pairs = [f.of(values, n) for f in forms]
    return np.column_stack([t for t, _ in pairs]), np.column_stack([x for _, x in pairs])


def _solve(
    program: MaxFlowProgram, total: np.ndarray, left: np.ndarray, i: int
) -> tuple[float, frozenset[str], float]:
    """Maximum left for the user, the binding capacities, and the corridor's total."""
    ids = program.capacities
    value, marginal = program.solve(left[i])
    binding = frozenset(c for c, m in zip(ids, marginal, strict=True) if m > TOL)
    gross = value
    if np.any(total[i] != left[i]):
        gross = program.solve(total[i])[0]
    return value, binding, gross
