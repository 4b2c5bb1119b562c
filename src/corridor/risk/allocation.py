"""What a plan puts where: tonnes per contract on each candidate route."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.network.model import Event, Network
from corridor.routing.closed import outside_families
from corridor.routing.kbest import k_best
from corridor.routing.route import Route

if TYPE_CHECKING:
    from corridor.contracts.model import Contract, Portfolio, Rule
    from corridor.optimize.plan_result import PlanResult
from corridor.network.schema import FAMILIES
from corridor.risk._common import DEFAULT_K
from corridor.risk.targets import event_link_loss, route_links


@dataclass(frozen=True)
class Flow:
    """One contract to stress: its planned routes and its candidates for re-routing.

    Attributes
    ----------
    id : str
        Contract id.
    commodity : str
        Commodity id.
    volume_t_per_year : float
        Contracted tonnes per year (the base of the delivered share).
    planned : tuple of (Route, float)
        Routes used by the plan with their tonnes per year.
    candidates : tuple of Route
        Every route the contract may be re-routed to, planned ones included, cheapest first.
    avoid : tuple of str
        Exposures the contract's routes must not touch (its avoid clause).
    stock_days : float or None
        The contract's safety stock at the buyer in days (None: the run's default).
    """

    id: str
    commodity: str
    volume_t_per_year: float
    planned: tuple[tuple[Route, float], ...]
    candidates: tuple[Route, ...]
    avoid: tuple[str, ...] = ()
    stock_days: float | None = None

    @property
    def planned_t_per_year(self) -> float:
        return sum(t for _, t in self.planned)


@dataclass(frozen=True)
class Allocation:
    """A split of contract volumes over routes: what :func:`stress` and the frontier test.

    Build it with :func:`from_plan`, :func:`from_contracts` or :func:`from_routes`.
    """

    flows: tuple[Flow, ...]
    network: Network = field(repr=False, compare=False)
    assumptions: Assumptions
    name: str = ""
    basis: str = ""
    """How the split was chosen: 'plan', 'cheapest route' or 'given routes'."""
    rules: tuple[Rule, ...] = field(default=(), compare=False)
    """Share rules the split obeys (portfolio rules and contract clauses): re-routing in a
    disruption keeps to their maximum shares too."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "basis": self.basis,
            "flows": [
                {
                    "contract": f.id,
                    "commodity": f.commodity,
                    "volume_t_per_year": f.volume_t_per_year,
                    "routes": [
                        {"route": r.label, "family": r.family, "t_per_year": round(t, 1)}
                        for r, t in f.planned
                    ],
                    "candidates": len(f.candidates),
                }
                for f in self.flows
            ],
        }


def from_plan(
    result: PlanResult,
    *,
    k: int = DEFAULT_K,
    candidates: Mapping[str, tuple[Route, ...]] | None = None,
) -> Allocation:
    """The allocation of a plan (:func:`corridor.optimize.plan`): its flows by route.

    Parameters
    ----------
    result : PlanResult
        The plan.
    k : int
        Distinct cheapest routes per origin–destination added as re-routing candidates.
    candidates : mapping of contract id to routes, optional
        :func:`od_candidates` already found on a network with the same links, nodes and
        events (capacities may differ: routes do not depend on them), instead of searching
        again; the plan's own routes are added to them.
    """
    a = Assumptions(**result.settings["assumptions"])
    by_contract: dict[str, list[tuple[Route, float]]] = {}
    for f in result.flows:
        by_contract.setdefault(f.contract, []).append((f.route, f.t_per_year))
    flows = tuple(
        _flow(
            result.network,
            a,
            c,
            tuple(by_contract.get(c.id, ())),
            k,
            None if candidates is None else candidates.get(c.id),
        )
        for c in result.portfolio.contracts
    )
    name = result.portfolio.name or result.portfolio.file
    return Allocation(flows, result.network, a, name, "plan", tuple(result.rules))


def from_contracts(
    contracts: Portfolio | str | Path,
    *,
    plan: bool = True,
    network: Network,
    assumptions: Assumptions | None = None,
    k: int = DEFAULT_K,
) -> Allocation:
    """The allocation of a contracts file: its least-cost plan, or each contract's cheapest route.

    Parameters
    ----------
    contracts : Portfolio or path
        Contracts (a path is read with :func:`corridor.contracts.load_contracts`).
    plan : bool
        True: plan the volumes (:func:`corridor.optimize.plan`, capacities and rules
        applied). False: the whole volume of each contract on its cheapest route.
    network, assumptions : optional
        Default: the bundled network and default assumptions.
    k : int
        Distinct cheapest routes per origin–destination added as re-routing candidates.
    """
    from corridor.contracts.io import check_portfolio, load_contracts

    net = network
    a = assumptions or Assumptions()
    if plan:
        from corridor.optimize.planning import plan as make_plan

        return from_plan(make_plan(contracts, network=net, assumptions=a), k=k)
    portfolio = (
        contracts if not isinstance(contracts, str | Path) else load_contracts(contracts, net)
    )
    check_portfolio(portfolio, net)
    flows = []
    for c in portfolio.contracts:
        flow = _flow(net, a, c, (), k)
        if not flow.candidates:
            raise RequestError(f"contract {c.id}: no route for {c.commodity}")
        flows.append(replace(flow, planned=((flow.candidates[0], c.volume_t_per_year),)))
    rules = (*portfolio.rules, *(r for c in portfolio.contracts for r in c.clauses))
    return Allocation(
        tuple(flows), net, a, portfolio.name or portfolio.file, "cheapest route", rules
    )


def from_routes(
    routes: Route | Sequence[tuple[Route, float]],
    *,
    volume: float | None = None,
    flow_id: str = "flow",
    avoid: Iterable[str] = (),
    network: Network,
    assumptions: Assumptions | None = None,
    k: int = DEFAULT_K,
) -> Allocation:
    """A single route choice (or a given split of one commodity over routes).

    Parameters
    ----------
    routes : Route or sequence of (Route, tonnes per year)
        One route (then ``volume`` is required) or routes with their tonnes; all of one
        commodity.
    volume : float, optional
        Tonnes per year (default: the sum of the tonnes given).
    flow_id : str
        Name of the flow in results.
    avoid : iterable of str
        Exposures re-routing may not use (as a contract's avoid clause).
    """
    from corridor.contracts.model import Contract

    net = network
    a = assumptions or Assumptions()
    if isinstance(routes, Route):
        if volume is None or not volume > 0:
            raise RequestError("give the volume (t/yr) to put on the route")
        split: tuple[tuple[Route, float], ...] = ((routes, volume),)
    else:
        split = tuple(routes)
    if not split or len({r.commodity for r, _ in split}) != 1:
        raise RequestError("give at least one route, all of one commodity")
    total = volume if volume is not None else sum(t for _, t in split)
    first = split[0][0]
    contract = Contract(
        flow_id,
        first.commodity,
        tuple(dict.fromkeys(r.origin for r, _ in split)),
        tuple(dict.fromkeys(r.destination for r, _ in split)),
        total,
        avoid=tuple(avoid),
    )
    return Allocation((_flow(net, a, contract, split, k),), net, a, flow_id, "given routes")


def from_plan_json(path: str | Path, *, network: Network, k: int = DEFAULT_K) -> Allocation:
    """The allocation of a plan saved as JSON (``corridor plan --format json > plan.json``).

    Each flow's route is rebuilt from its links on the network, so the file must come from
    the same network data (a route that no longer exists is an error).
    """
    import json

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return _plan_allocation(doc, network, k, str(path))
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        StopIteration,
        RecursionError,
    ) as exc:
        # Anything but what 'corridor plan --format json' writes: say so, whatever broke.
        reason = exc if isinstance(exc, RequestError | OSError) else type(exc).__name__
        raise RequestError(f"{path}: not a plan's JSON (PlanResult.to_dict) ({reason})") from None


def _plan_allocation(doc: Any, net: Network, k: int, path: str) -> Allocation:
    from corridor import validate
    from corridor.contracts.model import Contract

    params = doc["parameters"]
    entries = params["contracts"]["contracts"]
    flows = doc["flows"]
    a = Assumptions(**params.get("assumptions", {}))
    contracts = [
        Contract(
            str(c["id"]),
            str(c["commodity"]),
            tuple(str(o) for o in c["origins"]),
            tuple(str(d) for d in c["destinations"]),
            validate.positive(c["volume_t_per_year"], "volume_t_per_year"),
            avoid=tuple(str(e) for e in c.get("avoid", ())),
            stock_days=_stock(c.get("stock_days")),
        )
        for c in entries
    ]
    planned: dict[str, list[tuple[Route, float]]] = {}
    for f in flows:
        c = next(x for x in contracts if x.id == f["contract"])
        route = route_from_links(net, a, c.commodity, f["origin"], f["links"], c.avoid)
        tonnes = validate.non_negative(f["t_per_year"], "t_per_year")
        planned.setdefault(c.id, []).append((route, tonnes))
    out = tuple(_flow(net, a, c, tuple(planned.get(c.id, ())), k) for c in contracts)
    return Allocation(out, net, a, str(params["contracts"].get("name") or path), "plan")


def _stock(value: Any) -> float | None:
    from corridor import validate

    if value is None:
        return None
    return validate.number(value, "stock_days", minimum=0, maximum=3650)


def route_from_links(
    net: Network,
    a: Assumptions,
    commodity: str,
    origin: str,
    links: Sequence[str],
    avoid: Iterable[str] = (),
) -> Route:
    """Price the route that leaves ``origin`` along ``links`` (transfers added where the
    mode or gauge changes).

    Raises
    ------
    RequestError
        A link is unknown, cannot carry the commodity or does not continue the route.
    """
    from corridor.graph import commodity_graph
    from corridor.routing.pricing import make_route

    g = commodity_graph(net, commodity, a, tuple(avoid))
    at: list[int] = list(g.node_vertices.get(origin, []))
    edges: list[Any] = []
    for link in links:
        hop = _next_edge(g, at, link)
        if not hop:
            raise RequestError(
                f"link {link} does not continue the route of {commodity} from {origin}"
            )
        edges += hop
        at = [edges[-1].head]
    return make_route(g, edges, origin)


def _next_edge(g: Any, at: Sequence[int], link: str) -> list[Any]:
    """The edge of ``link`` leaving one of the vertices ``at``, after a transfer if needed."""
    for v in at:
        for ei in g.out[v]:
            e = g.edges[ei]
            if e.link is not None and e.link.id == link:
                return [e]
    for v in at:
        for ti in g.out[v]:
            t = g.edges[ti]
            if t.link is None:  # a transfer: mode or gauge change at this place
                for ei in g.out[t.head]:
                    e = g.edges[ei]
                    if e.link is not None and e.link.id == link:
                        return [t, e]
    return []


def od_candidates(
    net: Network, a: Assumptions, c: Contract, k: int = DEFAULT_K
) -> tuple[Route, ...]:
    """The re-routing candidates of a contract over its origins and destinations (as
    :func:`from_plan` searches them)."""
    return tuple(
        r
        for o in c.origins
        for d in c.destinations
        for r in _od_candidates(net, a, c.commodity, o, d, c.avoid, k)
    )


def _flow(
    net: Network,
    a: Assumptions,
    c: Contract,
    planned: tuple[tuple[Route, float], ...],
    k: int,
    known: tuple[Route, ...] | None = None,
) -> Flow:
    routes = [r for r, _ in planned]
    routes += known if known is not None else od_candidates(net, a, c, k)
    unique = {route_links(r): r for r in reversed(routes)}
    ordered = sorted(unique.values(), key=lambda r: (r.cost_usd_per_t, route_links(r)))
    return Flow(
        c.id, c.commodity, c.volume_t_per_year, planned, tuple(ordered), c.avoid, c.stock_days
    )


def _od_candidates(
    net: Network,
    a: Assumptions,
    commodity: str,
    origin: str,
    destination: str,
    avoid: tuple[str, ...],
    k: int,
) -> list[Route]:
    """k best distinct routes and the cheapest per family; then, for each event that hits
    one of them, the cheapest route avoiding it, overall and within each family.

    Every search runs on the one graph of the commodity: within a family, with the links of
    the other families closed; around an event, with the event's links closed too
    (:mod:`corridor.routing.closed`), not on a copy of the network without them. Where the
    cheapest route (overall, or of the family) does not use the event's links it is the
    cheapest route around the event too, and already a candidate: no search is made.
    """
    from corridor.graph import commodity_graph

    g = commodity_graph(net, commodity, a, avoid)
    outside: dict[str | None, frozenset[str]] = {None: frozenset()}
    outside.update((f, outside_families(net, frozenset({f}))) for f in FAMILIES)
    found = k_best(g, origin, destination, k)
    cheapest: dict[str | None, list[Route]] = {None: found[:1]}
    for fam in FAMILIES:
        cheapest[fam] = k_best(g, origin, destination, 1, closed=outside[fam])
        found += cheapest[fam]
    families = sorted({r.family for r in found if r.family in FAMILIES})
    used = {link for r in found for link in route_links(r)}
    extra: list[Route] = []
    for event in net.events:
        closed = closed_links(net, event)
        if not closed & used or {origin, destination} & set(event.targets):
            continue
        options: list[str | None] = [None, *families]
        for only in options:
            best = cheapest[only]
            if not best or not closed.intersection(route_links(best[0])):
                continue  # no route at all, or the cheapest one is open: already found
            extra += k_best(g, origin, destination, 1, closed=closed | outside[only])
    return found + extra


def closed_links(net: Network, event: Event) -> frozenset[str]:
    """Ids of the links ``event`` takes capacity from (made once per network and event)."""
    key = ("links closed", event.id, event.kind, event.targets, event.capacity_loss)
    return net.derived.get(
        key,
        lambda: frozenset(link for link, loss in event_link_loss(net, event).items() if loss > 0),
    )


# --------------------------------------------------------------------------- exposure
