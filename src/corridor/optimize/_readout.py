"""Reading a solved plan out: flows, bindings, shortfalls and their causes, notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.contracts.model import Contract, Portfolio, Rule
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.optimize._model import _Model
from corridor.optimize._pricing import _Pricing, _Relaxed
from corridor.optimize.capacity import TOL, Capacity
from corridor.optimize.lp import LpSolution
from corridor.optimize.plan_result import (
    Binding,
    PlanResult,
    RouteFlow,
    Shortfall,
    Utilisation,
    _links,
)


@dataclass(frozen=True)
class _Extras:
    portfolio: Portfolio
    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]
    reasons: Mapping[str, tuple[str, ...]]
    relaxed: _Relaxed
    pricing: _Pricing


def _result(
    model: _Model,
    sol: LpSolution,
    extras: _Extras,
    timings: Mapping[str, float],
    net: Network,
) -> PlanResult:
    flows = tuple(
        RouteFlow(x.contract, x.route, float(v), x.cost_usd_per_t)
        for x, v in zip(model.candidates, sol.x, strict=False)
        if v > TOL
    )
    util = tuple(
        Utilisation(
            cap, float(sol.row_value[model.cap_row0 + i]), -float(sol.row_dual[i + model.cap_row0])
        )
        for i, cap in enumerate(model.caps)
    )
    bindings = _bindings(model, sol, util)
    shortfalls = _shortfalls(model, sol, extras, util)
    return PlanResult(
        extras.portfolio,
        extras.rules,
        extras.settings,
        flows,
        _link_flows(flows),
        util,
        bindings,
        shortfalls,
        tuple(extras.relaxed.costs),
        _breakdown(model, sol),
        len(model.candidates),
        timings,
        _notes(model, shortfalls, extras.pricing),
        net,
    )


def _link_flows(flows: Sequence[RouteFlow]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for f in flows:
        for link in _links(f.route):
            by = out.setdefault(link, {})
            by[f.route.commodity] = by.get(f.route.commodity, 0.0) + f.t_per_year
    return out


def _bindings(model: _Model, sol: LpSolution, util: Sequence[Utilisation]) -> tuple[Binding, ...]:
    out = [
        Binding(
            "capacity", u.capacity.id, u.capacity.name, u.shadow_price_usd_per_t, "USD/yr per t/yr"
        )
        for u in util
        if u.binding
    ]
    for i, rr in enumerate(model.rule_rows):
        dual = abs(float(sol.row_dual[model.rule_row0 + i]))
        shipped = sum(
            v for x, v in zip(model.candidates, sol.x, strict=False) if x.contract in rr.contracts
        )
        value = float(dual * shipped / 100.0)
        if value > TOL:
            out.append(
                Binding("rule", rr.rule.name, rr.description, value, "USD/yr per percentage point")
            )
    return tuple(sorted(out, key=lambda b: -b.shadow_price))


def _shortfalls(
    model: _Model, sol: LpSolution, extras: _Extras, util: Sequence[Utilisation]
) -> tuple[Shortfall, ...]:
    out = []
    short = model.shortfall(sol)
    for i, c in enumerate(model.portfolio.contracts):
        if short[i] <= TOL * max(1.0, c.volume_t_per_year):
            continue
        out.append(
            Shortfall(
                c.id,
                c.volume_t_per_year,
                float(short[i]),
                _causes(model, i, c, extras, util, short),
            )
        )
    return tuple(out)


def _causes(
    model: _Model,
    index: int,
    c: Contract,
    extras: _Extras,
    util: Sequence[Utilisation],
    short: np.ndarray,
) -> tuple[str, ...]:
    """Why contract ``c`` falls short: no route, full capacities on its routes, rules."""
    if extras.reasons[c.id] and not any(x.contract == c.id for x in model.candidates):
        return extras.reasons[c.id]
    used = {cap for x in model.candidates if x.contract == c.id for cap in x.uses}
    out = []
    for u in util:
        if u.capacity.id not in used:
            continue
        if u.binding:
            out.append(Message("cause_full", capacity=_capacity_text(u.capacity)))
        elif u.capacity.id in extras.relaxed.full_without_rules:
            out.append(Message("cause_full_without", capacity=_capacity_text(u.capacity)))
    for cost in extras.relaxed.costs:
        freed = short[index] - extras.relaxed.short_without[id(cost.rule)][index]
        if freed > TOL * max(1.0, c.volume_t_per_year):
            out.append(Message("cause_rule", rule=cost.rule.name, t=f"{freed:,.0f}"))
    return tuple(out) or (extras.reasons[c.id] or (Message("cause_no_room"),))


def _capacity_text(cap: Capacity) -> str:
    sources = Message("cause_sources", ids=", ".join(cap.sources)) if cap.sources else ""
    t = f"{cap.capacity_t_per_year:,.0f}"
    return Message("cause_capacity", id=cap.id, name=cap.name, t=t, sources=sources)


def _breakdown(model: _Model, sol: LpSolution) -> dict[str, float]:
    out: dict[str, float] = {}
    for x, v in zip(model.candidates, sol.x, strict=False):
        if v <= TOL:
            continue
        parts = dict(x.route.cost_breakdown())
        if x.risk_usd_per_t:
            parts["risk_penalty"] = x.risk_usd_per_t
        for k, usd in parts.items():
            out[k] = out.get(k, 0.0) + usd * float(v)
    return out


def _notes(model: _Model, shortfalls: Sequence[Shortfall], pricing: _Pricing) -> tuple[str, ...]:
    notes = [pricing.note(len(model.candidates))]
    notes.append(Message("plan_note_avoid"))
    if shortfalls:
        notes.append(Message("plan_note_penalty", penalty=f"{model.penalty:,.0f}"))
    return tuple(notes)
