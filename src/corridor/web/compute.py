"""The computations the API offers: each is one call of :mod:`corridor.analysis` and its
``to_dict()``, so the API's numbers are the library's and the CLI's.

Ids in a request are checked here first, so that an unknown id is answered with the field
that holds it; the library's own message (with its "did you mean" hint) is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from corridor import analysis as api
from corridor.analysis.queries import check_query
from corridor.costs import Assumptions
from corridor.errors import RequestError, UnknownIdError
from corridor.network.model import Network
from corridor.network.regimes import NO_BUYER
from corridor.web.errors import ApiError
from corridor.web.jobs import JobContext
from corridor.web.schemas import (
    MAX_BATCH_PAIRS,
    BatchCompareBody,
    BreakEvenBody,
    CapacityBody,
    CompareBody,
    ExposureBody,
    InvestBody,
    ParetoBody,
    PlanBody,
    RoutesBody,
    SimulateBody,
    StressBody,
)

if TYPE_CHECKING:
    from corridor.contracts.model import Portfolio
    from corridor.risk.allocation import Allocation
    from corridor.store import StorableResult

log = logging.getLogger("corridor.web")


def _known(lookup: Callable[[str], object], value: str, field: str) -> None:
    try:
        lookup(value)
    except UnknownIdError as exc:
        raise exc.at(field) from None


def _check_rules(net: Network, avoid: list[str], penalise: dict[str, float]) -> None:
    for i, exposure in enumerate(avoid):
        _known(net.exposure, exposure, f"avoid.{i}")
    for exposure in penalise:
        _known(net.exposure, exposure, f"penalise.{exposure}")


def _check_buyer(net: Network, buyer: str | None) -> None:
    if buyer is not None and buyer != NO_BUYER and buyer not in net.buyer_profiles():
        known = ", ".join([NO_BUYER, *net.buyer_profiles()])
        raise ApiError(422, f"unknown buyer '{buyer}' (known: {known})", "buyer")


def check_request(net: Network, body: ParetoBody) -> None:
    """Check the ids and values of a routes, compare or pareto body against the network
    (the library's own check: its errors name the field at fault)."""
    check_query(
        net,
        body.commodity,
        body.origin,
        body.destination,
        body.avoid,
        body.penalise if isinstance(body, CompareBody) else {},
        getattr(body, "k", 1),
        getattr(body, "volume", None),
    )
    _check_buyer(net, body.buyer)


def check_batch(net: Network, body: BatchCompareBody) -> None:
    """Check a batch compare: at most ``MAX_BATCH_PAIRS`` pairs, and known ids.

    Raises
    ------
    ApiError
        422 naming the field at fault.
    """
    pairs = len(body.origins) * len(body.destinations)
    if pairs > MAX_BATCH_PAIRS:
        raise ApiError(
            422,
            f"a batch may hold at most {MAX_BATCH_PAIRS} origin × destination pairs, not {pairs}",
            "destinations",
        )
    _known(net.commodity, body.commodity, "commodity")
    for name, ids in (("origins", body.origins), ("destinations", body.destinations)):
        for i, node in enumerate(ids):
            _known(net.node, node, f"{name}.{i}")
    _check_rules(net, body.avoid, body.penalise)
    _check_buyer(net, body.buyer)


def _pairs(body: BatchCompareBody) -> list[tuple[str, str]]:
    origins, destinations = dict.fromkeys(body.origins), dict.fromkeys(body.destinations)
    return [(o, d) for o in origins for d in destinations if o != d]


def _assumptions(carbon_price: float, service: str | None = None) -> Assumptions:
    return Assumptions(carbon_price_usd_per_t=carbon_price, service=service or "")


def run_routes(net: Network, body: RoutesBody) -> dict[str, Any]:
    """``corridor.analysis.routes(...).to_dict()`` for this body."""
    return api.routes(
        body.commodity,
        body.origin,
        body.destination,
        k=body.k,
        avoid=body.avoid,
        penalise=body.penalise,
        volume=body.volume,
        assumptions=_assumptions(body.carbon_price, body.service),
        network=net,
        buyer=body.buyer,
        uncertainty=body.uncertainty,
        seed=body.uncertainty_seed,
    ).to_dict()


def run_compare(net: Network, body: CompareBody) -> dict[str, Any]:
    """``corridor.analysis.compare(...).to_dict()`` for this body."""
    return api.compare(
        body.commodity,
        body.origin,
        body.destination,
        avoid=body.avoid,
        penalise=body.penalise,
        volume=body.volume,
        assumptions=_assumptions(body.carbon_price, body.service),
        network=net,
        buyer=body.buyer,
        uncertainty=body.uncertainty,
        seed=body.uncertainty_seed,
    ).to_dict()


def check_breakeven(net: Network, body: BreakEvenBody) -> None:
    """Check the ids of a break-even body against the network (422 naming the field)."""
    _known(net.commodity, body.commodity, "commodity")
    _known(net.node, body.origin, "origin")
    _known(net.node, body.destination, "destination")
    if body.origin == body.destination:
        raise ApiError(422, "origin and destination are the same place", "destination")


def _market_dir(data_dir: Path | None) -> Path | None:
    """The market tables beside the served network's tables; a 404 if that folder has none
    (a server on other tables must not calibrate the bundled market against them)."""
    from corridor.analysis.market import market_dir
    from corridor.market.observations import OBSERVATIONS_FILE

    folder = market_dir(data_dir)
    if folder is not None and not (folder / OBSERVATIONS_FILE).is_file():
        raise ApiError(
            404, f"this server's network tables have no market data ({OBSERVATIONS_FILE})"
        )
    return folder


def run_market(net: Network, data_dir: Path | None = None) -> dict[str, Any]:
    """The calibration (``corridor market``) and the backtest (``corridor backtest``)."""
    from corridor.analysis.market import calibrated

    run = calibrated(net, _market_dir(data_dir))
    return {**run.calibration.to_dict(), "backtest": [r.to_dict() for r in run.backtest()]}


def run_breakeven(
    net: Network, body: BreakEvenBody, data_dir: Path | None = None
) -> dict[str, Any]:
    """``corridor breakeven --format json`` for this body."""
    from corridor.analysis.market import breakeven_for
    from corridor.market import RiskBuyer

    folder = _market_dir(data_dir)

    be, _ = breakeven_for(
        net, body.commodity, body.origin, body.destination, share=body.share,
        volume_t=body.volume, year=body.year, shortfall_share=body.shortfall,
        buyer=RiskBuyer(kappa=body.kappa, alpha=body.alpha), data_dir=folder,
        sanctions_probability=body.sanctions_probability,
    )  # fmt: skip
    return {
        "commodity": body.commodity,
        "origin": body.origin,
        "destination": body.destination,
        "year": body.year,
        **be.to_dict(),
    }


def run_pareto(net: Network, body: ParetoBody) -> dict[str, Any]:
    """``corridor.analysis.pareto(...).to_dict()`` for this body."""
    return api.pareto(
        body.commodity,
        body.origin,
        body.destination,
        avoid=body.avoid,
        assumptions=_assumptions(body.carbon_price),
        network=net,
        buyer=body.buyer,
    ).to_dict()


def run_batch_compare(net: Network, body: BatchCompareBody, ctx: JobContext) -> dict[str, Any]:
    """Compare every origin × destination pair, reporting progress after each.

    Returns
    -------
    dict
        ``{"commodity", "items": [{"origin", "destination", "result", "error"}]}``: ``result``
        is the comparison's ``to_dict()``, or null with ``error`` saying why there is none.
    """
    pairs = _pairs(body)
    items = []
    for done, (origin, destination) in enumerate(pairs, 1):
        pair = CompareBody(
            commodity=body.commodity,
            origin=origin,
            destination=destination,
            avoid=body.avoid,
            penalise=body.penalise,
            volume=body.volume,
            buyer=body.buyer,
            carbon_price=body.carbon_price,
            service=body.service,
        )
        try:
            items.append(
                {
                    "origin": origin,
                    "destination": destination,
                    "result": run_compare(net, pair),
                    "error": None,
                }
            )
        except RequestError as exc:
            items.append(
                {"origin": origin, "destination": destination, "result": None, "error": str(exc)}
            )
        ctx.progress(done / len(pairs))
    return {"commodity": body.commodity, "items": items}


# --------------------------------------------------------------------------- capacity, plan


def check_capacity(net: Network, body: CapacityBody) -> None:
    """Check the ids of a capacity request (422 naming the field at fault)."""
    _known(net.commodity, body.commodity, "commodity")
    for name, ids in (("origins", body.origins), ("destinations", body.destinations)):
        for i, node in enumerate(ids):
            _known(net.node, node, f"{name}.{i}")
    _check_rules(net, body.avoid, {})


def run_capacity(net: Network, body: CapacityBody, store: Path | None) -> dict[str, Any]:
    """``corridor.optimize.max_flow(...).to_dict()``; the run is saved in the run store."""
    from corridor.optimize.maxflow import max_flow

    asked: dict[str, Any] = {
        "avoid": body.avoid,
        "families": body.families,
        "network": net,
    }
    result = max_flow(body.commodity, body.origins, body.destinations, **asked)
    _save(result, store)
    out = result.to_dict()
    if body.uncertainty:
        from corridor.analysis.capacity_bands import capacity_bands

        bands = capacity_bands(body.commodity, body.origins, body.destinations, **asked,
                               samples=body.uncertainty, seed=body.uncertainty_seed)  # fmt: skip
        out["uncertainty"] = bands.to_dict()
    return out


def _portfolio(net: Network, body: PlanBody | StressBody | ExposureBody | InvestBody) -> Portfolio:
    """The body's contracts and rules, built and checked by the contracts files' builder
    (:func:`corridor.contracts.io.build_portfolio`)."""
    from corridor.contracts.io import build_portfolio

    contracts = [c.model_dump() for c in body.contracts or ()]
    rules = [
        {r.on: r.target, "max_share": r.max_share, "min_share": r.min_share, "scope": r.scope}
        for r in body.rules
    ]
    return build_portfolio(contracts, rules, net, name="web request")


def check_plan(net: Network, body: PlanBody | StressBody | ExposureBody | InvestBody) -> None:
    """Check contracts and rules against the network (422 listing every problem, naming
    the field of the first)."""
    from corridor.contracts.model import ContractError

    try:
        _portfolio(net, body)
    except ContractError as exc:
        raise ApiError(422, str(exc), exc.problems[0].column or "contracts") from None


def run_plan(net: Network, body: PlanBody, store: Path | None) -> dict[str, Any]:
    """``corridor.optimize.plan(...).to_dict()``; the run is saved in the run store."""
    from corridor.optimize.planning import plan

    asked: dict[str, Any] = {
        "k": body.k,
        "carbon_price": body.carbon_price,
        "risk_penalty": body.risk_penalty,
        "network": net,
        "assumptions": _assumptions(0.0, body.service),
    }
    bands = None
    if body.uncertainty:
        from corridor.analysis.plan_bands import plan_bands

        result, bands = plan_bands(_portfolio(net, body), samples=body.uncertainty,
                                   seed=body.uncertainty_seed, **asked)  # fmt: skip
    else:
        result = plan(_portfolio(net, body), **asked)
    _save(result, store)
    return result.to_dict() | ({"uncertainty": bands.to_dict()} if bands else {})


def _save(result: StorableResult, store: Path | None) -> None:
    """Keep the run, as the command line does; a store that fails is logged, not fatal."""
    from corridor.store import save_run

    try:
        save_run(result, store=store)  # the store serialises this process's connections
    except RequestError as exc:
        log.warning("run not saved: %s", exc)


# --------------------------------------------------------------------------- stress


def check_stress(net: Network, body: StressBody | ExposureBody) -> None:
    """Check a stress job or an exposure request: contracts (as a plan's), or one route
    choice with its volume.

    Raises
    ------
    ApiError
        422 naming the field at fault.
    """
    if body.contracts is not None:
        for name in ("commodity", "origin", "destination", "volume"):
            if getattr(body, name) is not None:
                raise ApiError(422, "give contracts or one route choice, not both", name)
        check_plan(net, body)
        return
    if body.rules:
        raise ApiError(422, "rules apply to contracts; give contracts with them", "rules")
    for name in ("commodity", "origin", "destination", "volume"):
        if getattr(body, name) is None:
            raise ApiError(422, f"give contracts, or {name} with the route choice", name)
    check_request(
        net,
        ParetoBody(
            commodity=str(body.commodity),
            origin=str(body.origin),
            destination=str(body.destination),
            avoid=body.avoid,
            carbon_price=0.0,
            buyer=None,
        ),
    )


def stress_allocation(net: Network, body: StressBody | ExposureBody) -> Allocation:
    """What a stress job stresses: the contracts' least-cost plan, or the cheapest route.

    The allocations are those of ``corridor stress`` on a contracts file (planned first) and
    of :func:`corridor.risk.from_routes` on the cheapest route with the whole volume.
    """
    from corridor import risk

    if body.contracts is not None:
        return risk.from_contracts(_portfolio(net, body), network=net, k=body.k)
    route = api.routes(
        str(body.commodity),
        str(body.origin),
        str(body.destination),
        k=1,
        avoid=body.avoid,
        network=net,
    ).routes[0]
    return risk.from_routes(route, volume=body.volume, avoid=body.avoid, network=net, k=body.k)


def run_stress(
    net: Network, body: StressBody, ctx: JobContext, store: Path | None
) -> dict[str, Any]:
    """``corridor.risk.stress(...).to_dict()``, with progress after each chunk of years.

    Cancelling stops the run at its next chunk: the progress hook raises
    :class:`~corridor.web.jobs.JobCancelled`. A finished run is saved in the run store.
    """
    from corridor import risk

    allocation = stress_allocation(net, body)
    ctx.check()
    result = risk.stress(
        allocation,
        years=body.years,
        seed=body.seed,
        progress=lambda done: ctx.progress(done / body.years),
    )
    _save(result, store)
    out = result.to_dict()
    if body.uncertainty:
        from corridor.analysis.stress_bands import YEARS_PER_DRAW, stress_bands

        ctx.check()
        bands = stress_bands(allocation, samples=body.uncertainty, seed=body.uncertainty_seed,
                             years=min(body.years, YEARS_PER_DRAW))  # fmt: skip
        out["uncertainty"] = bands.to_dict()
    return out


def run_exposure(net: Network, body: ExposureBody, store: Path | None) -> dict[str, Any]:
    """``corridor exposure --format json`` for this body (the allocation as a stress job
    builds it); the run is saved in the run store."""
    from corridor.risk.exposure import exposure_index

    result = exposure_index(
        stress_allocation(net, body),
        stock_days=body.stock_days,
        measure=body.measure,
        ttr=body.ttr,
        start_day=body.start_day,
    )
    _save(result, store)
    return result.to_dict()


def _whatif(body: SimulateBody) -> Any:
    from corridor.sim import WhatIf

    return WhatIf(
        handling_factor=body.handling_factor,
        handling_port=body.handling_port,
        extra_ferries=body.extra_ferries,
        extra_berths=body.extra_berths,
        customs_cut_hours=body.customs_cut_hours,
        second_track=body.second_track,
        storm_factor=body.storm_factor,
    )


def check_simulate(net: Network, body: SimulateBody) -> None:
    """Unknown ids and a route without a Caspian rail ferry are refused at submission."""
    from corridor.sim.run import prepare

    check_query(net, body.commodity, body.origin, body.destination, [], {}, 1, body.volume)
    if body.handling_port is not None:
        _known(net.node, body.handling_port, "handling_port")
    _whatif(body).check()
    prepare(net, body.commodity, body.origin, body.destination, body.volume, horizon_days=30)


def run_simulate(
    net: Network, body: SimulateBody, ctx: JobContext, store: Path | None
) -> dict[str, Any]:
    """``corridor simulate --format json`` for the same parameters, with progress after each
    replication (the what-if's replications count too). Cancelling stops at the next one."""
    from corridor.sim import WhatIf
    from corridor.sim.run import payload, prepare, run_prepared

    whatif = _whatif(body)
    cases = [None] if whatif == WhatIf() else [None, whatif]
    total = body.replications * len(cases)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        ctx.progress(done / total)

    results = []
    for case in cases:
        prep = prepare(
            net,
            body.commodity,
            body.origin,
            body.destination,
            body.volume,
            whatif=case,
            horizon_days=body.horizon_days,
        )
        ctx.check()
        results.append(run_prepared(prep, body.replications, body.seed, progress=step))
    return payload(results[0], results[1] if len(results) > 1 else None)


def check_invest(net: Network, body: InvestBody) -> None:
    """Contracts as a plan's; unknown project ids are refused at submission."""
    check_plan(net, body)
    known = {p.id for p in net.projects}
    unknown = [p for p in body.projects or () if p not in known]
    if unknown:
        raise ApiError(422, f"unknown project(s) {', '.join(unknown)} (projects.csv)", "projects")


def run_invest(
    net: Network, body: InvestBody, ctx: JobContext, store: Path | None
) -> dict[str, Any]:
    """``corridor invest --format json`` for the same parameters, with progress after each
    evaluated item; cancelling stops at the next one. The run is saved in the run store."""
    from corridor.invest import Money, invest
    from corridor.invest.intime import RiskSettings

    result = invest(
        _portfolio(net, body),
        network=net,
        budget_usd=body.budget_usd,
        projects=body.projects,
        money=Money(discount_rate=body.discount_rate),
        corridor_traffic=body.corridor_traffic,
        progress=ctx.progress,
        risk=RiskSettings(years=body.years) if body.years else None,
    )
    _save(result, store)
    return result.to_dict()


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: its parameters, how to check them, and how to run it."""

    params: type[BaseModel]
    check: Callable[[Network, Any], None]
    run: Callable[[Network, Any, JobContext, Path | None], dict[str, Any]]
    """(network, parameters, job context, run store) -> result."""
    needs: str | None = None
    """Feature of the installation the kind needs (see ``endpoints.FEATURES``)."""


JOB_KINDS: dict[str, JobKind] = {
    "routes": JobKind(RoutesBody, check_request, lambda n, b, c, s: run_routes(n, b)),
    "compare": JobKind(CompareBody, check_request, lambda n, b, c, s: run_compare(n, b)),
    "pareto": JobKind(ParetoBody, check_request, lambda n, b, c, s: run_pareto(n, b)),
    "batch_compare": JobKind(
        BatchCompareBody, check_batch, lambda n, b, c, s: run_batch_compare(n, b, c)
    ),
    "capacity": JobKind(
        CapacityBody, check_capacity, lambda n, b, c, s: run_capacity(n, b, s), "planning"
    ),
    "plan": JobKind(PlanBody, check_plan, lambda n, b, c, s: run_plan(n, b, s), "planning"),
    "stress": JobKind(StressBody, check_stress, run_stress, "stress"),
    "simulate": JobKind(SimulateBody, check_simulate, run_simulate, "simulation"),
    "invest": JobKind(InvestBody, check_invest, run_invest, "planning"),
}
"""Job kinds by name."""
