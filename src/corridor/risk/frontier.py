"""Risk-aware planning: the mean–CVaR allocation and the efficient frontier of cost and tail loss.

Scenarios
    ``S`` simulated years (the same sampler and seeds as :func:`corridor.risk.stress`). For
    every candidate route of every contract, :func:`corridor.risk.unit_losses` gives the
    undelivered tonnes and the extra cost per tonne planned on it in each year, under the
    stress test's re-routing rule without capacity limits — so a split's losses are linear
    in its tonnes.

Loss
    ``measure="usd"`` (default): extra cost plus the cargo value of undelivered tonnes, USD
    per year. ``measure="tonnes"``: undelivered tonnes per year.

Linear program (Rockafellar–Uryasev, solved by HiGHS)
    Variables: tonnes per candidate route, shortfall per contract, ``zeta`` (VaR at the
    optimum) and one excess ``u_s ≥ loss_s − zeta`` per scenario. Constraints: each
    contract's routes and shortfall carry its volume; each capacity carries at most its
    figure; ``zeta + Σ u_s / ((1 − α) S) ≤ κ`` (the CVaR). Objective: expected cost — the
    shipping cost of the routes plus their mean extra cost — plus a high penalty per tonne
    short. Contracts' avoid clauses hold (candidates respect them); share rules do not
    (the frontier is what replaces them).

Frontier
    ``κ`` from the CVaR of the least-cost split down to the least CVaR reachable; each point
    is the cheapest split whose CVaR is at most ``κ``. The all-China, all-Trans-Caspian and
    the current plan are evaluated on the same scenarios and placed against it.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from corridor.errors import RequestError
from corridor.i18n import Message, family_name
from corridor.i18n import t as msg
from corridor.optimize.lp import HighsModel, LinearProgram
from corridor.risk._common import FloatArray
from corridor.risk.allocation import Allocation
from corridor.risk.engine import unit_losses
from corridor.risk.model import RiskModel, compile_model
from corridor.risk.runner import sample_years
from corridor.routing.route import FAMILY_LABELS, Route

SCHEMA_VERSION = 1
MEASURES = ("usd", "tonnes")
DEFAULT_SCENARIOS = 4_000
DEFAULT_POINTS = 9
REFERENCES = (("all China", "china"), ("all Trans-Caspian", "trans_caspian"))


@dataclass(frozen=True)
class FrontierPoint:
    """One split of the volumes with its expected cost and tail loss.

    Attributes
    ----------
    name : str
        'frontier' or the name of a reference split ('current plan', 'all China', ...).
    expected_cost_usd_per_year : float
        Shipping cost plus mean extra cost under disruption.
    shipping_cost_usd_per_year : float
        Cost of the routes in a year without disruption.
    cvar, var : float
        CVaR and VaR of the loss at the frontier's level (USD or tonnes, see ``measure``).
    shortfall_t_per_year : float
        Tonnes the split leaves undelivered before any disruption.
    split : tuple of (contract, route, family, tonnes per year)
        Routes used.
    within_capacity : bool
        Whether the split respects every capacity.
    note : str
        What a reference split had to fall back on.
    """

    name: str
    expected_cost_usd_per_year: float
    shipping_cost_usd_per_year: float
    cvar: float
    var: float
    shortfall_t_per_year: float
    split: tuple[tuple[str, str, str, float], ...]
    within_capacity: bool = True
    note: str = ""
    mean_loss: float | None = None
    """Mean of the loss per year (in-time losses only; see :mod:`corridor.risk.frontier_intime`)."""
    extra: dict[str, float] = field(default_factory=dict, compare=False)
    """Means of the in-time figures behind the loss (stock-out days, tonnes, extra cost)."""

    def family_share(self) -> dict[str, float]:
        """Share of the planned tonnes by route family."""
        total = sum(t for *_, t in self.split)
        out: dict[str, float] = {}
        for _, _, fam, t in self.split:
            out[fam] = out.get(fam, 0.0) + t / total if total else 0.0
        return out

    def to_dict(self) -> dict[str, Any]:
        more: dict[str, Any] = {}
        if self.mean_loss is not None:
            more = {"mean_loss": self.mean_loss, **self.extra}
        return {
            "name": self.name,
            "expected_cost_usd_per_year": self.expected_cost_usd_per_year,
            "shipping_cost_usd_per_year": self.shipping_cost_usd_per_year,
            "cvar": self.cvar,
            "var": self.var,
            "shortfall_t_per_year": self.shortfall_t_per_year,
            "within_capacity": self.within_capacity,
            "family_share": self.family_share(),
            "split": [
                {"contract": c, "route": r, "family": f, "t_per_year": t}
                for c, r, f, t in self.split
            ],
            "note": self.note or None,
        } | more


@dataclass(frozen=True)
class FrontierResult:
    """The efficient frontier of expected cost against CVaR of loss, and reference splits."""

    allocation: Allocation
    points: tuple[FrontierPoint, ...]
    """From the least-cost split to the least-CVaR split."""
    references: tuple[FrontierPoint, ...]
    alpha: float
    measure: str
    scenarios: int
    seed: int
    timing: str
    seconds: float
    data_version: str
    scenario: str = ""
    notes: tuple[str, ...] = ()
    kind: str = "frontier"
    loss: str = "cost"
    """'cost' (the stationary engine's loss, see ``measure``), 'stockout' or 'undelivered'
    (the in-time loss of :mod:`corridor.risk.frontier_intime`)."""
    valuation: dict[str, Any] = field(default_factory=dict, compare=False)
    evaluated: tuple[FrontierPoint, ...] = ()
    """In time: every split evaluated (the frontier is their efficient subset)."""

    @property
    def unit(self) -> str:
        return "USD/yr" if self.measure == "usd" or self.loss != "cost" else "t/yr"

    @property
    def parameters(self) -> dict[str, Any]:
        return {
            "allocation": self.allocation.to_dict(),
            "alpha": self.alpha,
            "measure": self.measure,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "timing": self.timing,
            "scenario": self.scenario,
        } | ({"loss": self.loss, "valuation": self.valuation} if self.loss != "cost" else {})

    def reference(self, name: str) -> FrontierPoint | None:
        return next((p for p in self.references if p.name == name), None)

    def headline(self) -> dict[str, float | None]:
        cheap, safe = self.points[0], self.points[-1]
        return {
            "least_cost_usd_per_year": cheap.expected_cost_usd_per_year,
            "least_cost_cvar": cheap.cvar,
            "least_cvar_cost_usd_per_year": safe.expected_cost_usd_per_year,
            "least_cvar": safe.cvar,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "unit": self.unit,
            "points": [p.to_dict() for p in self.points],
            "references": [p.to_dict() for p in self.references],
            "seconds": self.seconds,
            "notes": list(self.notes),
            "data_version": self.data_version,
        } | (
            {"loss": self.loss, "evaluated": [p.to_dict() for p in self.evaluated]}
            if self.loss != "cost"
            else {}
        )

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows for the run store: the split of the least-CVaR point."""
        safe = self.points[-1]
        return {
            "route_flows": [
                {"contract": c, "route": r, "family": f, "t_per_year": t}
                for c, r, f, t in safe.split
            ]
        }


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class _Problem:
    """Per-tonne costs and scenario losses of every candidate, and what the LP needs."""

    model: RiskModel
    allocation: Allocation
    candidates: tuple[Route, ...]
    """Every candidate route, in the model's order."""
    expected_usd_per_t: FloatArray
    """(routes,): route cost plus mean extra cost."""
    loss: FloatArray
    """(routes, scenarios): loss per tonne."""
    short_loss: FloatArray
    """(flows,): loss per tonne short, in every scenario."""
    alpha: float

    @property
    def routes(self) -> int:
        return len(self.expected_usd_per_t)

    @property
    def flows(self) -> int:
        return len(self.model.flow_ids)

    @property
    def scenarios(self) -> int:
        return int(self.loss.shape[1])

    def losses(self, x: FloatArray, short: FloatArray) -> FloatArray:
        """Loss in every scenario of a split (tonnes per route, shortfall per flow)."""
        out: FloatArray = x @ self.loss + float(short @ self.short_loss)
        return out


def _problem(
    allocation: Allocation, scenarios: int, seed: int, alpha: float, measure: str, timing: str
) -> _Problem:
    # Share rules do not bind the frontier (it is what replaces them), nor its re-routing.
    model = compile_model(replace(allocation, rules=()), timing, every_route=True)
    shares = sample_years(model, seed, scenarios)
    undelivered, extra = unit_losses(model, shares)
    net = allocation.network
    value = np.array([net.commodity(f.commodity).value_usd_per_t for f in allocation.flows])
    per_route_value = value[model.route_flow]
    if measure == "usd":
        loss = extra + undelivered * per_route_value[:, None]
        short = value
    else:
        loss, short = undelivered, np.ones(len(value))
    expected = model.route_cost + extra.mean(axis=1)
    candidates = tuple(r for f in allocation.flows for r in f.candidates)
    return _Problem(model, allocation, candidates, expected, loss, short, alpha)


# --------------------------------------------------------------------------- the LP


class _Lp:
    """The Rockafellar–Uryasev LP of a problem: columns x, short, zeta, u; rows volume,
    capacity, tail, CVaR."""

    def __init__(self, p: _Problem, objective: str) -> None:
        self.p = p
        n, f, s = p.routes, p.flows, p.scenarios
        self.zeta = n + f
        self.u0 = n + f + 1
        caps = sorted({k for r in range(n) for k, _ in p.model.uses[r]})
        self.caps = caps
        rows, cols, vals = self._triplets(caps)
        bounds = [(v, v) for v in p.model.volumes]
        bounds += [(-np.inf, float(p.model.capacity[k])) for k in caps]
        bounds += [(0.0, np.inf)] * s + [(-np.inf, np.inf)]
        self.cvar_row = len(bounds) - 1
        lp = LinearProgram.from_triplets(self._cost(objective).tolist(), rows, cols, vals, bounds)
        lp.col_lower[self.zeta] = -np.inf
        self.model = HighsModel(lp)

    def _cost(self, objective: str) -> FloatArray:
        p = self.p
        cost = np.zeros(self.u0 + p.scenarios)
        if objective == "cost":
            cost[: p.routes] = p.expected_usd_per_t
            cost[p.routes : self.zeta] = 10.0 * float(p.expected_usd_per_t.max()) + 1000.0
        else:
            cost[self.zeta] = 1.0
            cost[self.u0 :] = 1.0 / ((1.0 - p.alpha) * p.scenarios)
        return cost

    def _triplets(self, caps: Sequence[int]) -> tuple[Any, Any, Any]:
        p = self.p
        n, f, s = p.routes, p.flows, p.scenarios
        rows: list[Any] = [p.model.route_flow, np.arange(f)]
        cols: list[Any] = [np.arange(n), np.arange(n, n + f)]
        vals: list[Any] = [np.ones(n), np.ones(f)]
        cap_row = {k: f + i for i, k in enumerate(caps)}
        for r in range(n):
            for k, times in p.model.uses[r]:
                rows.append([cap_row[k]])
                cols.append([r])
                vals.append([times])
        tail0 = f + len(caps)
        j, sc = np.nonzero(p.loss)
        rows += [tail0 + sc, tail0 + np.arange(s), tail0 + np.arange(s)]
        cols += [j, np.full(s, self.zeta), self.u0 + np.arange(s)]
        vals += [-p.loss[j, sc], np.ones(s), np.ones(s)]
        short_rows = np.repeat(np.arange(s), f)
        short_cols = np.tile(np.arange(n, n + f), s)
        rows.append(tail0 + short_rows)
        cols.append(short_cols)
        vals.append(-np.tile(p.short_loss, s))
        cvar = tail0 + s
        rows += [[cvar], np.full(s, cvar)]
        cols += [[self.zeta], self.u0 + np.arange(s)]
        vals += [[1.0], np.full(s, 1.0 / ((1.0 - p.alpha) * s))]
        return (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))

    def solve(self, cvar_at_most: float = np.inf) -> tuple[FloatArray, FloatArray]:
        """Optimal tonnes per route and shortfall per flow, with CVaR ≤ ``cvar_at_most``."""
        self.model.set_row_bounds([self.cvar_row], -np.inf, cvar_at_most)
        x = self.model.solve().x
        return np.maximum(x[: self.p.routes], 0.0), np.maximum(x[self.p.routes : self.zeta], 0.0)


# --------------------------------------------------------------------------- evaluation


def cvar_of(losses: FloatArray, alpha: float) -> tuple[float, float]:
    """VaR and CVaR of equally likely scenario losses (Rockafellar–Uryasev, exact).

    CVaR is the mean of the worst ``(1 − alpha)`` share of scenarios, the boundary scenario
    counted in part; VaR is the ``ceil(alpha × S)``-th smallest loss.
    """
    s = len(losses)
    ordered = np.sort(losses)
    k = max(1, math.ceil(alpha * s - 1e-9))
    var = float(ordered[k - 1])
    tail = (1.0 - alpha) * s
    excess = float(np.maximum(ordered - var, 0.0).sum())
    return var, var + excess / tail


def _point(
    p: _Problem, name: str, x: FloatArray, short: FloatArray, note: str = ""
) -> FrontierPoint:
    var, cvar = cvar_of(p.losses(x, short), p.alpha)
    split = tuple(
        (
            p.model.flow_ids[p.model.route_flow[j]],
            p.candidates[j].label,
            p.candidates[j].family,
            float(x[j]),
        )
        for j in np.flatnonzero(x > 1e-6)
    )
    return FrontierPoint(
        name,
        float(x @ p.expected_usd_per_t),
        float(x @ p.model.route_cost),
        cvar,
        var,
        float(short.sum()),
        split,
        _within_capacity(p, x),
        note,
    )


def _within_capacity(p: _Problem, x: FloatArray) -> bool:
    used = np.zeros(len(p.model.capacity))
    for r in np.flatnonzero(x):
        for k, times in p.model.uses[r]:
            used[k] += times * x[r]
    return bool(np.all(used <= p.model.capacity * (1 + 1e-9) + 1e-6))


def _references(p: _Problem) -> list[FrontierPoint]:
    planned = p.model.planned
    out = [_point(p, "current plan", planned, _short(p, planned))]
    for name, family in REFERENCES:
        x = np.zeros(p.routes)
        missing = []
        for fi, f in enumerate(p.allocation.flows):
            mine = np.flatnonzero(p.model.route_flow == fi)
            fam = [j for j in mine if p.candidates[j].family == family]
            if fam:
                x[min(fam, key=lambda j: p.model.route_cost[j])] = f.volume_t_per_year
            else:
                missing.append(f.id)
                x[mine] = planned[mine]
        label = FAMILY_LABELS.get(family, family)
        note = f"no {label} route for {', '.join(missing)}: planned routes kept" if missing else ""
        out.append(_point(p, name, x, _short(p, x), note))
    return out


def _short(p: _Problem, x: FloatArray) -> FloatArray:
    carried = np.bincount(p.model.route_flow, weights=x, minlength=p.flows)
    return np.maximum(p.model.volumes - carried, 0.0)


# --------------------------------------------------------------------------- the frontier


def frontier(
    allocation: Allocation,
    *,
    scenarios: int = DEFAULT_SCENARIOS,
    seed: int = 0,
    alpha: float = 0.95,
    measure: str = "usd",
    points: int = DEFAULT_POINTS,
    timing: str = "stationary",
    scenario: str = "",
) -> FrontierResult:
    """The efficient frontier of expected cost against CVaR of loss, and where the
    all-China, all-Trans-Caspian and current splits sit against it.

    Parameters
    ----------
    allocation : Allocation
        Contracts, their candidate routes and the current split
        (:func:`corridor.risk.from_contracts`).
    scenarios : int
        Simulated years the LP optimises over (default 4,000).
    seed : int
        Seed of the scenarios (as for the stress test).
    alpha : float
        CVaR level, e.g. 0.95: the mean of the worst 5 % of years.
    measure : str
        'usd' (extra cost plus value of undelivered cargo) or 'tonnes' (undelivered).
    points : int
        Frontier points, from least cost to least CVaR (at least 2).
    timing : str
        Event timing of the scenarios ('stationary' or 'onset').
    scenario : str
        Name of a scenario applied to the network (recorded with the result).

    Returns
    -------
    FrontierResult

    Raises
    ------
    RequestError
        Bad parameters.
    """

    _check(scenarios, alpha, measure, points)
    started = time.perf_counter()
    p = _problem(allocation, scenarios, seed, alpha, measure, timing)
    cost_lp, risk_lp = _Lp(p, "cost"), _Lp(p, "cvar")
    cheapest = _point(p, "frontier", *cost_lp.solve())
    safest_cvar = cvar_of(p.losses(*risk_lp.solve()), alpha)[1]
    levels = np.linspace(cheapest.cvar, safest_cvar, points)
    line = [cheapest]
    for kappa in levels[1:]:
        slack = 1e-9 * max(1.0, abs(kappa))
        line.append(_point(p, "frontier", *cost_lp.solve(kappa + slack)))
    refs = _references(p)
    return FrontierResult(
        allocation,
        tuple(line),
        tuple(refs),
        alpha,
        measure,
        scenarios,
        seed,
        timing,
        time.perf_counter() - started,
        allocation.network.data_version,
        scenario,
        _notes(line, refs, measure),
    )


def check_cvar_sample(n: int, alpha: float, unit: str) -> None:
    """Raise RequestError unless ``alpha`` is a CVaR level in (0, 1) and ``n`` samples (years
    or scenarios) leave at least one in its tail, and at least 10 in all."""
    if not 0 < alpha < 1:
        raise RequestError(f"the CVaR level must be between 0 and 1, not {alpha}")
    if n < 10 or (1 - alpha) * n < 1:
        raise RequestError(
            f"{n} {unit} are too few for a CVaR at {alpha:g}: give at least "
            f"{max(10, math.ceil(1 / (1 - alpha)))}"
        )


def _check(scenarios: int, alpha: float, measure: str, points: int) -> None:
    if measure not in MEASURES:
        raise RequestError(f"measure must be one of {', '.join(MEASURES)}, not '{measure}'")
    check_cvar_sample(scenarios, alpha, "scenarios")
    if points < 2:
        raise RequestError(f"the frontier needs at least 2 points, not {points}")


def split_label(name: str, lang: str = "en") -> str:
    """A reference split's name ("current plan", "all China", "70/30 China/Trans-Caspian")
    in ``lang``; any other name as it is."""
    if lang == "en":
        return name
    if name == "current plan":
        return msg("risk_ref_current", lang)
    china, caspian = family_name("china", lang), family_name("trans_caspian", lang)
    if name in ("all China", "all Trans-Caspian"):
        return msg("risk_ref_all", lang, family=china if name == "all China" else caspian)
    m = re.fullmatch(r"(\d+)/(\d+) China/Trans-Caspian", name)
    return f"{m[1]}/{m[2]} {china}/{caspian}" if m else name


def _notes(
    line: Sequence[FrontierPoint], refs: Sequence[FrontierPoint], measure: str
) -> tuple[str, ...]:
    unit = "USD" if measure == "usd" else "t"
    cheap, safe = line[0], line[-1]
    premium = safe.expected_cost_usd_per_year - cheap.expected_cost_usd_per_year
    notes: list[str] = [
        Message("frontier_note_premium", usd=f"{premium:,.0f}",
                cut=f"{cheap.cvar - safe.cvar:,.0f}", unit=unit),
    ]  # fmt: skip
    plan = next((r for r in refs if r.name == "current plan"), None)
    if plan is not None:
        same_cost = _cheapest_within(line, plan.expected_cost_usd_per_year)
        if same_cost is not None and same_cost.cvar < plan.cvar - 1e-6 * max(1.0, plan.cvar):
            cut = f"{plan.cvar - same_cost.cvar:,.0f}"
            notes.append(Message("frontier_note_same_cost", cut=cut, unit=unit))
    notes.append(Message("frontier_note_linear"))
    return tuple(notes)


def _cheapest_within(line: Sequence[FrontierPoint], budget: float) -> FrontierPoint | None:
    affordable = [p for p in line if p.expected_cost_usd_per_year <= budget * (1 + 1e-9)]
    return min(affordable, key=lambda p: p.cvar) if affordable else None
