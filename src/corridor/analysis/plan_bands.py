"""How sure is a plan: its cost, shortfall, family shares and shadow prices over joint
draws of the estimates, how often each capacity binds, and which estimate drives the cost.

The plan is solved once (candidates, column generation); its final LP stays loaded in
HiGHS (:class:`~corridor.optimize.planning.PlanProgram`). A draw re-prices every candidate
route through :mod:`corridor.uncertainty.costmodel` (the terms :mod:`corridor.costs` adds
up, under each contract's service class), recomputes the capacities from the drawn
capacity figures (:func:`corridor.analysis.capacity_bands.formulas`) and re-solves that LP
with the new costs and capacity bounds. Approximation: no route outside the final
candidate set can enter a draw's plan (the candidates include every family's cheapest
route and the routes column generation priced in, so a draw mostly reorders them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corridor.analysis.capacity_bands import capacity_keys, formulas
from corridor.contracts.model import Contract, Portfolio, Rule
from corridor.costs import Assumptions
from corridor.i18n import Joined, Message, Named, family_name
from corridor.network.model import Network
from corridor.network.ranges import RangeKey
from corridor.optimize._model import PlanProgram, contract_assumptions
from corridor.optimize.capacity import TOL
from corridor.optimize.plan_result import PlanResult
from corridor.optimize.planning import plan_and_program
from corridor.routing.route import FAMILY_LABELS
from corridor.uncertainty.costmodel import CostModel, cost_model
from corridor.uncertainty.propagate import Band, check_draws
from corridor.uncertainty.sampling import CARRYING_RANGE, factors_for
from corridor.uncertainty.study import Study, Values, drivers_text, study

TARGET = "total_cost_usd_per_year"
SHARE_THRESHOLDS = (0.1, 0.25, 0.5)


@dataclass(frozen=True)
class PlanBands:
    """A plan's headlines over joint draws of the estimates.

    Attributes
    ----------
    study : Study
        Bands (USD/yr, t/yr, shares, USD/t shadow prices) and the drivers of the cost.
    probabilities : dict
        Statement -> share of the draws (a capacity binds, the binding set changes, the
        Trans-Caspian share exceeds a threshold, a contract falls short).
    """

    study: Study
    probabilities: dict[str, float]
    candidates: int
    penalty_driven: dict[str, float] = dataclasses.field(default_factory=dict)
    """Capacity id -> share of the draws in which its shadow price is set by the shortfall
    penalty (not a value of the capacity; such draws are left out of its band, and a
    capacity whose stated price is the penalty's has no band)."""

    def closing_note(self, n: int = 3) -> str:
        b = self.study.bands[TARGET]
        penalty: str = ""
        if self.penalty_driven:
            shares = [
                Message("unc_penalty_share", element=c, share=f"{p:.0%}")
                for c, p in self.penalty_driven.items()
            ]
            penalty = Message("unc_close_penalty", elements=Joined(", ", shares))
        return Message(
            "unc_close_plan",
            base=f"{b.base:,.0f}",
            p5=f"{b.p5:,.0f}",
            p95=f"{b.p95:,.0f}",
            n=f"{self.study.samples:,}",
            drivers=drivers_text(self.study.drivers, n),
            penalty=penalty,
        )

    def to_dict(self) -> dict[str, Any]:
        bands = self.study.bands
        fields = {
            "total_cost_usd_per_year": bands[TARGET].to_dict(),
            "delivered_t_per_year": bands["delivered_t_per_year"].to_dict(),
            "shortfall_t_per_year": bands["shortfall_t_per_year"].to_dict(),
            "family_share": {
                k.split(":", 1)[1]: _shares(b.to_dict())
                for k, b in bands.items()
                if k.startswith("share:")
            },
            "shadow_price_usd_per_t": {
                k.split(":", 1)[1]: b.to_dict() for k, b in bands.items() if k.startswith("shadow:")
            },
        }
        return self.study.summary("bands", fields, self.probabilities, self.closing_note()) | {
            "candidate_routes": self.candidates,
            "penalty_driven_shadow_prices": {
                k: round(v, 4) for k, v in self.penalty_driven.items()
            },
            "approximation": "each draw re-solves the plan's final LP over its candidate "
            "routes with re-priced costs and redrawn capacities; a route outside that set "
            "cannot enter",
        }


def _shares(d: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in d.items()}


def plan_bands(
    contracts: Portfolio | Sequence[Contract] | str | Path,
    *,
    samples: int,
    seed: int = 0,
    rules: Iterable[Rule] = (),
    network: Network,
    **kw: Any,
) -> tuple[PlanResult, PlanBands]:
    """Plan once (:func:`corridor.optimize.plan`, same keywords), then band it over
    ``samples`` joint draws of the estimates.

    Raises
    ------
    InvalidParameterError
        A sample count out of range or a negative seed.
    RequestError
        As :func:`~corridor.optimize.plan`.
    """
    check_draws(samples, seed)
    result, program = plan_and_program(contracts, rules=rules, network=network, **kw)
    return result, bands_of(program, network, samples=samples, seed=seed)


def bands_of(program: PlanProgram, net: Network, *, samples: int, seed: int = 0) -> PlanBands:
    """Band a solved plan's LP over ``samples`` joint draws of the estimates."""
    prices = _Prices(program, net)
    caps = [c.id for c in program.capacities]
    forms = formulas(net, caps)
    cap_keys = [k for k in capacity_keys(net) if _feeds(k, forms)]
    factors = factors_for(net, program.assumptions, [*prices.keys, *cap_keys], (CARRYING_RANGE,))
    families = sorted({x.route.family for x in program.candidates})
    stated: list[frozenset[str]] = []

    def evaluate(values: Values, n: int) -> dict[str, np.ndarray]:
        costs = prices.costs(values, n)
        left = np.column_stack([f.of(values, n)[1] for f in forms]) if forms else np.zeros((n, 0))
        out = {k: np.zeros(n) for k in (TARGET, "delivered_t_per_year", "shortfall_t_per_year",
                                        "binding_changed")}  # fmt: skip
        out |= {f"share:{f}": np.zeros(n) for f in families}
        out |= {f"shadow:{c}": np.zeros(n) for c in caps}
        out |= {f"penalty:{c}": np.zeros(n) for c in caps}
        fam = np.array([families.index(x.route.family) for x in program.candidates])
        for i in range(n):
            sol = program.solve(costs[i], left[i])
            x = np.asarray(sol.x[: len(program.candidates)])
            short = float(program.shortfall(sol).sum())
            delivered = float(x.sum())
            out[TARGET][i] = float(costs[i] @ x)
            out["delivered_t_per_year"][i], out["shortfall_t_per_year"][i] = delivered, short
            by_family = np.bincount(fam, weights=x, minlength=len(families))
            for j, f in enumerate(families):
                out[f"share:{f}"][i] = by_family[j] / delivered if delivered > 0 else 0.0
            duals = program.capacity_duals(sol)
            dearest = float(costs[i].max())
            for c, y in zip(caps, duals, strict=True):
                out[f"shadow:{c}"][i] = y
                # without the shortfall penalty one more tonne of a capacity saves at most
                # the dearest candidate's cost: a dual above it prices the penalty
                out[f"penalty:{c}"][i] = float(short > TOL and y > dearest + TOL)
            binding = frozenset(c for c, y in zip(caps, duals, strict=True) if y > TOL)
            if not stated:
                stated.append(binding)
            out["binding_changed"][i] = float(binding != stated[0])
        return out

    first = evaluate({}, 1)  # the stated plan first: its binding set is the reference
    n_base = 2 ** max(5, int(np.ceil(np.log2(max(samples, 2)))) - 2)
    s = study(evaluate, factors, TARGET, samples=samples, seed=seed, n_base=n_base)
    bands = {
        k: b for k, b in s.bands.items()
        if not k.startswith("shadow:") or max(abs(b.base), abs(b.p95), abs(b.p5)) > TOL
    }  # fmt: skip
    bands = {k: b for k, b in bands.items() if k != "binding_changed"}
    bands, penalty = _real_shadow_prices(bands, s.draws, first, caps)
    s = Study(**{**vars(s), "bands": bands})
    return PlanBands(s, _probabilities(s, caps), len(program.candidates), penalty)


def _real_shadow_prices(
    bands: dict[str, Band],
    draws: dict[str, np.ndarray],
    stated: dict[str, np.ndarray],
    caps: Sequence[str],
) -> tuple[dict[str, Band], dict[str, float]]:
    """Shadow-price bands over the draws whose price is not the shortfall penalty's, and the
    share of the draws in which each capacity's price is the penalty's.

    A band is dropped when the stated price is the penalty's (the contract falls short as
    stated: the price says how dear the penalty was set, not what the capacity is worth).
    """
    out = {k: b for k, b in bands.items() if not k.startswith(("shadow:", "penalty:"))}
    penalty: dict[str, float] = {}
    for c in caps:
        key, flags = f"shadow:{c}", draws[f"penalty:{c}"].astype(bool)
        if flags.any():
            penalty[c] = float(flags.mean())
        if key not in bands or stated[f"penalty:{c}"][0] or flags.all():
            continue
        out[key] = Band.of(bands[key].base, draws[key][~flags]) if flags.any() else bands[key]
    return out, penalty


def _probabilities(s: Study, caps: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {
        Message("unc_binding_capacities_change"): float(np.mean(s.draws["binding_changed"]))
    }
    for c in caps:
        p = float(np.mean(s.draws[f"shadow:{c}"] > TOL))
        if p > 0:
            out[Message("unc_binds", element=c)] = p
    out[Message("unc_contract_short")] = float(np.mean(s.draws["shortfall_t_per_year"] > TOL))
    tc = s.draws.get("share:trans_caspian")
    if tc is not None:
        label = FAMILY_LABELS.get("trans_caspian", "trans_caspian")
        route = Named(label, family_name("trans_caspian", "ja"))
        for t in SHARE_THRESHOLDS:
            out[Message("unc_plan_share_over", share=f"{t:.0%}", route=route)] = float(
                np.mean(tc > t)
            )
    return out


def _feeds(key: RangeKey, forms: Sequence[Any]) -> bool:
    return any(
        key in {k for k, _, _ in f.links}
        or (f.total and f.total[0] == key)
        or (f.used and f.used[0] == key)
        for f in forms
    )


class _Prices:
    """Candidate costs (USD/t, risk penalty included) as functions of the figures: one
    cost model per rail service class the contracts use."""

    def __init__(self, program: PlanProgram, net: Network) -> None:
        by_contract = {c.id: c for c in program.contracts}
        groups: dict[Assumptions, list[int]] = {}
        for j, x in enumerate(program.candidates):
            a = contract_assumptions(program.assumptions, by_contract[x.contract])
            groups.setdefault(a, []).append(j)
        self.n = len(program.candidates)
        self.risk = np.array([x.risk_usd_per_t for x in program.candidates])
        self.models: list[tuple[list[int], CostModel]] = [
            (cols, cost_model(net, a, [program.candidates[j].route for j in cols]))
            for a, cols in groups.items()
        ]
        self.keys = sorted({k for _, m in self.models for k in m.keys})

    def costs(self, values: Values, n: int) -> np.ndarray:
        out = np.tile(self.risk, (n, 1))
        for cols, m in self.models:
            out[:, cols] += m.costs(m.matrix(values, n))
        return out
