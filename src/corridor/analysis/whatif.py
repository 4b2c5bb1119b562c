"""What a scenario changes against the base network: cost, time, capacity, delivered tonnes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, RequestError
from corridor.i18n import Message, Named, family_name
from corridor.network.model import Network
from corridor.network.scenario import Scenario, apply_scenario
from corridor.network.scenario_io import load_scenario
from corridor.routing.route import FAMILY_LABELS, Route


@dataclass(frozen=True)
class Delta:
    """One figure in the base network and with the scenario."""

    figure: str
    unit: str
    base: float | None
    scenario: float | None
    base_text: str = ""
    scenario_text: str = ""

    @property
    def change(self) -> float | None:
        if self.base is None or self.scenario is None:
            return None
        return self.scenario - self.base

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "unit": self.unit,
            "base": self.base,
            "scenario": self.scenario,
            "change": self.change,
            **({"base_text": self.base_text} if self.base_text else {}),
            **({"scenario_text": self.scenario_text} if self.scenario_text else {}),
        }


@dataclass(frozen=True)
class WhatIf:
    """A scenario's effect: headline deltas and, for contracts, one block per contract."""

    scenario: Scenario
    deltas: tuple[Delta, ...]
    by_contract: Mapping[str, tuple[Delta, ...]]
    notes: tuple[str, ...]
    in_time: Mapping[str, Any] = field(default_factory=dict)
    """Dated closures against the base plan or volume: late and undelivered tonnes,
    stock-out days, extra cost (empty when the scenario closes nothing)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "whatif",
            "scenario": self.scenario.to_dict(),
            "deltas": [d.to_dict() for d in self.deltas],
            "contracts": {k: [d.to_dict() for d in v] for k, v in self.by_contract.items()},
            **({"in_time": dict(self.in_time)} if self.in_time else {}),
            "notes": list(self.notes),
        }


def whatif(
    scenario: Scenario | str | Path,
    *,
    contracts: str | Path | None = None,
    commodity: str | None = None,
    origin: str | None = None,
    destination: str | None = None,
    volume: float | None = None,
    network: Network | None = None,
    assumptions: Assumptions | None = None,
    stock_days: float = 30.0,
) -> WhatIf:
    """What a scenario changes: cost, time, capacity (maximum flow) and delivered tonnes.

    Give either a contracts file (each is planned on the base and on the edited network)
    or one commodity, origin and destination (cheapest route and maximum flow; delivered
    tonnes when ``volume`` is given). A scenario's ``close`` edits are also run as dated
    closures (``from`` a date for ``days``) against the base plan, or ``volume`` on the
    cheapest route, with a safety stock of ``stock_days`` (:mod:`corridor.risk.timeline`).

    Raises
    ------
    RequestError
        Neither or both kinds of request, unknown ids, an invalid scenario file.
    """
    from corridor.analysis.queries import default_network

    base = network or default_network()
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, base)
    applied = apply_scenario(scen, base)
    a = assumptions or Assumptions()
    if (contracts is None) == (commodity is None):
        raise InvalidParameterError(
            "contracts",
            None,
            "contracts, or a commodity with an origin and a destination",
            "give either contracts, or a commodity with an origin and a destination",
        )
    if contracts is not None:
        deltas, by_contract = _plan_deltas(contracts, base, applied.network, a)
    else:
        if origin is None or destination is None:
            raise InvalidParameterError(
                "origin",
                origin,
                "an origin and a destination with the commodity",
                "give an origin and a destination with the commodity",
            )
        assert commodity is not None
        deltas, by_contract = (
            _route_deltas(commodity, origin, destination, volume, base, applied.network, a),
            {},
        )
    timed = _in_time(scen, base, a, stock_days, contracts, (commodity, origin, destination), volume)
    return WhatIf(scen, tuple(deltas), by_contract, applied.notes, timed)


def _in_time(
    scen: Scenario,
    base: Network,
    a: Assumptions,
    stock_days: float,
    contracts: str | Path | None,
    od: tuple[str | None, str | None, str | None],
    volume: float | None,
) -> dict[str, Any]:
    """The closures as dated intervals against the base plan (or volume on its cheapest route)."""
    from corridor.risk.allocation import from_contracts, from_routes
    from corridor.risk.calendar import closures_of
    from corridor.risk.intime import closures_in_time, in_time_dict

    closures = closures_of(scen.edits)
    if not closures or (contracts is None and volume is None):
        return {}
    if not 0 <= stock_days <= 3650:
        raise RequestError(f"stock_days must be within 0–3650, not {stock_days}")
    if contracts is not None:
        allocation = from_contracts(contracts, network=base, assumptions=a)
    else:
        from corridor.analysis.queries import compare

        commodity, origin, destination = od
        assert commodity and origin and destination and volume is not None
        cheapest = compare(commodity, origin, destination, assumptions=a, network=base).cheapest
        if cheapest is None:
            return {}
        allocation = from_routes(cheapest, volume=volume, network=base, assumptions=a)
    result = closures_in_time(allocation, closures, stock_days=stock_days)
    return in_time_dict(result, closures, stock_days)


def _route_deltas(
    commodity: str,
    origin: str,
    destination: str,
    volume: float | None,
    base: Network,
    edited: Network,
    a: Assumptions,
) -> list[Delta]:
    """Cheapest route overall and per family, and maximum flow overall and per family."""
    from corridor.analysis.queries import compare
    from corridor.network.schema import FAMILIES
    from corridor.optimize.maxflow import max_flow

    best = [
        compare(commodity, origin, destination, assumptions=a, network=net)
        for net in (base, edited)
    ]
    out = _route_rows(Message("whatif_cli_fig_cheapest"), best[0].cheapest, best[1].cheapest)
    flows = [
        _max_flow(max_flow, commodity, origin, destination, (), net, a) for net in (base, edited)
    ]
    out.append(_flow_row(Message("whatif_cli_fig_capacity"), flows))
    for fam in FAMILIES:
        by_family = [{r.family: r for r in c.routes}.get(fam) for c in best]
        if by_family == [None, None]:
            continue
        label = Named(FAMILY_LABELS.get(fam, fam), family_name(fam, "ja"))
        out += _route_rows(Message("whatif_cli_fig_family_route", family=label), *by_family)
        fam_flows = [
            _max_flow(max_flow, commodity, origin, destination, (fam,), net, a)
            for net in (base, edited)
        ]
        out.append(_flow_row(Message("whatif_cli_fig_family_capacity", family=label), fam_flows))
    if volume is not None:
        delivered = [volume if f[0] is None else min(volume, f[0]) for f in flows]
        out.append(Delta(Message("whatif_cli_fig_delivered"), "t/yr", delivered[0], delivered[1]))
    return out


def _route_rows(what: str, base: Route | None, edited: Route | None) -> list[Delta]:
    def value(r: Route | None, attr: str) -> float | None:
        return None if r is None else float(getattr(r, attr))

    def text(r: Route | None) -> str:
        return Message("whatif_no_route") if r is None else Named(r.label, r.label_ja)

    return [
        Delta(what, "", None, None, text(base), text(edited)),
        Delta(
            Message("whatif_cli_fig_cost", what=what),
            "USD/t",
            value(base, "cost_usd_per_t"),
            value(edited, "cost_usd_per_t"),
        ),
        Delta(
            Message("whatif_cli_fig_mean_time", what=what),
            "days",
            value(base, "days_mean"),
            value(edited, "days_mean"),
        ),
        Delta(
            Message("whatif_cli_fig_p95_time", what=what),
            "days",
            value(base, "days_p95"),
            value(edited, "days_p95"),
        ),
    ]


def _flow_row(what: str, flows: Sequence[tuple[float | None, str]]) -> Delta:
    return Delta(what, "t/yr", flows[0][0], flows[1][0], flows[0][1], flows[1][1])


def _max_flow(
    max_flow: Callable[..., Any],
    commodity: str,
    origins: str | tuple[str, ...],
    destinations: str | tuple[str, ...],
    families: tuple[str, ...],
    net: Network,
    a: Assumptions,
    avoid: tuple[str, ...] = (),
) -> tuple[float | None, str]:
    try:
        result = max_flow(
            commodity,
            origins,
            destinations,
            avoid=avoid,
            families=families,
            network=net,
            assumptions=a,
        )
    except RequestError:
        return 0.0, Message("whatif_no_route")
    if result.max_t_per_year is None:
        return None, Message("whatif_unlimited")
    return float(result.max_t_per_year), ""


def _plan_deltas(
    contracts: str | Path, base: Network, edited: Network, a: Assumptions
) -> tuple[list[Delta], dict[str, tuple[Delta, ...]]]:
    from corridor.contracts.io import load_contracts
    from corridor.optimize.maxflow import max_flow
    from corridor.optimize.planning import plan

    portfolio = load_contracts(contracts, base)
    plans = [plan(portfolio, network=net, assumptions=a) for net in (base, edited)]
    heads = [p.headline() for p in plans]
    days = [_mean_days(p) for p in plans]
    deltas = [
        Delta(
            Message("whatif_cli_fig_total_cost"),
            "USD/yr",
            heads[0]["total_cost_usd_per_year"],
            heads[1]["total_cost_usd_per_year"],
        ),
        Delta(
            Message("whatif_cli_fig_delivered"),
            "t/yr",
            heads[0]["delivered_t_per_year"],
            heads[1]["delivered_t_per_year"],
        ),
        Delta(
            Message("whatif_cli_fig_shortfall"),
            "t/yr",
            heads[0]["shortfall_t_per_year"],
            heads[1]["shortfall_t_per_year"],
        ),
        Delta(Message("whatif_cli_fig_mean_days"), "days", days[0], days[1]),
    ]
    by_contract: dict[str, tuple[Delta, ...]] = {}
    rows = [{r["contract"]: r for r in p.contract_rows()} for p in plans]
    for c in portfolio.contracts:
        flows = [
            _max_flow(max_flow, c.commodity, c.origins, c.destinations, (), net, a, c.avoid)
            for net in (base, edited)
        ]
        b, s = rows[0][c.id], rows[1][c.id]
        by_contract[c.id] = (
            Delta(
                Message("whatif_cli_fig_total_cost"),
                "USD/yr",
                b["cost_usd_per_year"],
                s["cost_usd_per_year"],
            ),
            Delta(
                Message("whatif_cli_fig_delivered"),
                "t/yr",
                b["delivered_t_per_year"],
                s["delivered_t_per_year"],
            ),
            Delta(
                Message("whatif_cli_fig_mean_cost"),
                "USD/t",
                b["mean_cost_usd_per_t"],
                s["mean_cost_usd_per_t"],
            ),
            _flow_row(Message("whatif_cli_fig_capacity"), flows),
        )
    return deltas, by_contract


def _mean_days(p: Any) -> float | None:
    tonnes = sum(f.t_per_year for f in p.flows)
    if not tonnes:
        return None
    return float(sum(f.t_per_year * f.route.days_mean for f in p.flows) / tonnes)
