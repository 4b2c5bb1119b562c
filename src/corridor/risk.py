"""Disruption risk: Monte Carlo stress tests of a split of volumes over routes.

Events
    Each row of the events table (``net.events``) occurs as a Poisson process with
    ``events_per_year`` occurrences a year; each occurrence lasts a lognormal number of days
    with median ``duration_days`` and 95th percentile ``duration_days_p95`` (a fixed
    duration when the two are equal). With the default **stationary** timing a simulated
    year is a window on the long-run process: an occurrence counts for the days it overlaps
    the year, including occurrences that began earlier (a two-year Red Sea regime covers
    whole years). With **onset** timing each year is drawn afresh: occurrences begin in the
    year and count ``min(days, 365)`` days. Either way an event is active a share ``s`` of
    the year (the days of its occurrences, capped at the whole year).

Exposure
    An event hits a route when one of its targets (an exposure, a link or a node) is on the
    route; its severity there is the event's ``capacity_loss`` (the sanction kind closes
    the country targets it names outright). A route's **cut share** in a year is
    ``min(1, sum of s × severity)`` over the events that hit it; the tonnes planned on it are
    displaced in that share, event by event.

Re-routing rule
    Tonnes ``D`` displaced from a route by an event move to the candidate routes of the
    same contract that the event does not hit ("survivors"), cheapest first. Survivor
    ``j`` takes ``min(D × open_j − moved, room_j)`` (never less than 0), where ``open_j`` is
    the share of the year it is itself open (1 − its cut share), ``moved`` what cheaper
    survivors already took and ``room_j`` its spare capacity (every capacity it uses, at the
    year's available share, minus what the plan's own tonnes still use and what earlier
    moves took). So the survivors together take at most ``D`` times the best open share
    among them: their closures are taken as nested, which is exact for variants of one
    corridor and cautious for independent corridors, and adding a dearer, no less exposed
    variant changes nothing. What no survivor takes is **undelivered**. Events are served in
    table order; within an event, contracts in their order and planned routes in plan
    order (the order matters only where spare capacity runs out). Candidates are
    the planned routes, the ``k`` cheapest distinct routes, the cheapest route of each
    family and, for each event that hits one of those, the cheapest route avoiding it
    (overall and within each family). A re-routed tonne is not hit again.

Costs
    Extra cost per year: re-routed tonnes times the cost difference of the two routes
    (negative when the survivor is cheaper) plus, on the tonnes still moving on a hit route,
    the event's surcharge, its insurance add-on (on CIF × 110 %) and its delay priced as
    in-transit inventory. Extra days are tonne-days over the volume.

Reproducibility
    Years are simulated in chunks of :data:`CHUNK_YEARS`; in chunk ``i`` each event draws
    from ``SeedSequence(seed, spawn_key=(i, key of its id))`` and chunks are reduced in
    order, so a seed gives the same numbers whatever the number of workers, and a scenario
    that changes one event leaves the others' draws unchanged. Distributions are kept as fixed-bin
    histograms with per-bin sums, so memory does not grow with the number of years.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from corridor.costs import Z95, Assumptions, inventory_usd_per_t
from corridor.errors import RequestError
from corridor.network import Event, Link, Network
from corridor.results import Route
from corridor.routing import k_best

if TYPE_CHECKING:
    from distributed import Client

    from corridor.contracts import Contract, Portfolio
    from corridor.planning import PlanResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCHEMA_VERSION = 1
DEFAULT_YEARS = 100_000
CHUNK_YEARS = 16_384
"""Years per chunk: the unit of seeding, of work for one worker and of peak memory."""
MAX_YEARS = 10_000_000
"""Most simulated years in one run, on the command line and the API alike: about a minute in
one process, where the tail figures have long stopped moving."""
BINS = 8_192
"""Histogram bins per distribution (VaR resolution: the range over ``BINS``)."""
LEVELS = (0.95, 0.99)
THRESHOLDS = (0.01, 0.05, 0.10, 0.25, 0.50)
"""Default shares of annual volume for P(lose more than X %)."""
TIMINGS = ("stationary", "onset")
DEFAULT_K = 8
FAMILIES = ("china", "trans_caspian", "russia", "south")
DAYS = 365.0
MIN_MOVE_T = 1e-6
"""Moves smaller than this many tonnes are not route choices (rounding residue)."""


# --------------------------------------------------------------------------- what is stressed


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
    """

    id: str
    commodity: str
    volume_t_per_year: float
    planned: tuple[tuple[Route, float], ...]
    candidates: tuple[Route, ...]
    avoid: tuple[str, ...] = ()

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


def route_links(route: Route) -> tuple[str, ...]:
    """The link ids of a route, in order (its identity)."""
    return tuple(leg.link for leg in route.legs if leg.kind == "link" and leg.link)


def from_plan(result: PlanResult, *, k: int = DEFAULT_K) -> Allocation:
    """The allocation of a plan (:func:`corridor.planning.plan`): its flows by route.

    Parameters
    ----------
    result : PlanResult
        The plan.
    k : int
        Distinct cheapest routes per origin–destination added as re-routing candidates.
    """
    a = Assumptions(**result.settings["assumptions"])
    by_contract: dict[str, list[tuple[Route, float]]] = {}
    for f in result.flows:
        by_contract.setdefault(f.contract, []).append((f.route, f.t_per_year))
    flows = tuple(
        _flow(result.network, a, c, tuple(by_contract.get(c.id, ())), k)
        for c in result.portfolio.contracts
    )
    name = result.portfolio.name or result.portfolio.file
    return Allocation(flows, result.network, a, name, "plan")


def from_contracts(
    contracts: Portfolio | str | Path,
    *,
    plan: bool = True,
    network: Network | None = None,
    assumptions: Assumptions | None = None,
    k: int = DEFAULT_K,
) -> Allocation:
    """The allocation of a contracts file: its least-cost plan, or each contract's cheapest route.

    Parameters
    ----------
    contracts : Portfolio or path
        Contracts (a path is read with :func:`corridor.contracts.load_contracts`).
    plan : bool
        True: plan the volumes (:func:`corridor.planning.plan`, capacities and rules
        applied). False: the whole volume of each contract on its cheapest route.
    network, assumptions : optional
        Default: the bundled network and default assumptions.
    k : int
        Distinct cheapest routes per origin–destination added as re-routing candidates.
    """
    from corridor.api import default_network
    from corridor.contracts import check_portfolio, load_contracts

    net = network or default_network()
    a = assumptions or Assumptions()
    if plan:
        from corridor.planning import plan as make_plan

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
    return Allocation(tuple(flows), net, a, portfolio.name or portfolio.file, "cheapest route")


def from_routes(
    routes: Route | Sequence[tuple[Route, float]],
    *,
    volume: float | None = None,
    flow_id: str = "flow",
    avoid: Iterable[str] = (),
    network: Network | None = None,
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
    from corridor.api import default_network
    from corridor.contracts import Contract

    net = network or default_network()
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


def from_plan_json(
    path: str | Path, *, network: Network | None = None, k: int = DEFAULT_K
) -> Allocation:
    """The allocation of a plan saved as JSON (``corridor plan --format json > plan.json``).

    Each flow's route is rebuilt from its links on the network, so the file must come from
    the same network data (a route that no longer exists is an error).
    """
    import json

    from corridor.api import default_network

    net = network or default_network()
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return _plan_allocation(doc, net, k, str(path))
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
        raise RequestError(
            f"{path}: not a plan from 'corridor plan --format json' ({reason})"
        ) from None


def _plan_allocation(doc: Any, net: Network, k: int, path: str) -> Allocation:
    from corridor import validate
    from corridor.contracts import Contract

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
    from corridor.api import _graph
    from corridor.routing import make_route

    g = _graph(net, commodity, a, tuple(avoid))
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


def _flow(
    net: Network,
    a: Assumptions,
    c: Contract,
    planned: tuple[tuple[Route, float], ...],
    k: int,
) -> Flow:
    routes = [r for r, _ in planned]
    for o in c.origins:
        for d in c.destinations:
            routes += _od_candidates(net, a, c.commodity, o, d, c.avoid, k)
    unique = {route_links(r): r for r in reversed(routes)}
    ordered = sorted(unique.values(), key=lambda r: (r.cost_usd_per_t, route_links(r)))
    return Flow(c.id, c.commodity, c.volume_t_per_year, planned, tuple(ordered), c.avoid)


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
    one of them, the cheapest route avoiding it, overall and within each family."""
    from dataclasses import replace

    from corridor.api import _graph

    found = k_best(_graph(net, commodity, a, avoid), origin, destination, k)
    for fam in FAMILIES:
        found += k_best(_graph(net, commodity, a, avoid, (fam,)), origin, destination, 1)
    families = sorted({r.family for r in found if r.family in FAMILIES})
    used = {link for r in found for link in route_links(r)}
    extra: list[Route] = []
    for event in net.events:
        blocked = {link for link, loss in event_link_loss(net, event).items() if loss > 0}
        if not blocked & used or {origin, destination} & set(event.targets):
            continue
        reduced = replace(net, links=tuple(x for x in net.links if x.id not in blocked))
        options: list[str | None] = [None, *families]
        for only in options:
            extra += _cheapest(reduced, a, commodity, origin, destination, avoid, only)
    return found + extra


def _cheapest(
    net: Network,
    a: Assumptions,
    commodity: str,
    origin: str,
    destination: str,
    avoid: tuple[str, ...],
    family: str | None,
) -> list[Route]:
    from corridor.graph import build_graph

    families = (family,) if family else ()
    g = build_graph(net, net.commodity(commodity), a, avoid, families)
    return k_best(g, origin, destination, 1)


# --------------------------------------------------------------------------- exposure


def target_loss(net: Network, event: Event, target: str) -> float:
    """Capacity share ``event`` takes from ``target``: its capacity_loss, or 1 for a
    country a sanction names."""
    sanctioned = event.kind == "sanction" and net.has("exposures", target)
    if sanctioned and net.exposure(target).kind == "country":
        return 1.0
    return event.capacity_loss


def link_targets(net: Network, link: Link) -> frozenset[str]:
    """Everything on a link an event can name: the link, its ends, countries, chokepoints."""
    ends = (link.from_, link.to)
    countries = (net.node(n).country for n in ends)
    return frozenset((link.id, *ends, *countries, *link.countries, *link.chokepoints))


def route_targets(route: Route) -> frozenset[str]:
    """Everything on a route an event can name."""
    return frozenset((*route.countries, *route.chokepoints, *route.nodes, *route_links(route)))


def _severity(net: Network, event: Event, targets: frozenset[str]) -> tuple[bool, float]:
    """Whether ``event`` touches any of ``targets``, and its worst capacity loss there."""
    hit = [target_loss(net, event, t) for t in event.targets if t in targets]
    return bool(hit), max(hit, default=0.0)


def event_link_loss(net: Network, event: Event) -> dict[str, float]:
    """Link id -> capacity share ``event`` takes from it (links it touches only)."""
    out = {}
    for link in net.links:
        touched, loss = _severity(net, event, link_targets(net, link))
        if touched:
            out[link.id] = loss
    return out


# --------------------------------------------------------------------------- the compiled model


@dataclass(frozen=True)
class EventTable:
    """The events as arrays: what the sampler needs."""

    ids: tuple[str, ...]
    rate: FloatArray
    """Occurrences per year."""
    log_median: FloatArray
    sigma: FloatArray
    """Lognormal parameters of the duration in days (sigma 0: fixed duration)."""

    @classmethod
    def of(cls, events: Sequence[Event]) -> EventTable:
        rate = np.array([e.events_per_year for e in events], dtype=float)
        median = np.array([e.duration_days for e in events], dtype=float)
        p95 = np.array([max(e.duration_days_p95, e.duration_days) for e in events], dtype=float)
        positive = median > 0
        log_median = np.full(len(events), -np.inf)
        log_median[positive] = np.log(median[positive])
        sigma = np.zeros(len(events))
        sigma[positive] = np.log(p95[positive] / median[positive]) / Z95
        return cls(tuple(e.id for e in events), rate, log_median, sigma)

    @property
    def mean_days(self) -> FloatArray:
        return np.exp(self.log_median + self.sigma**2 / 2)


@dataclass(frozen=True)
class Step:
    """Re-routing of the tonnes one event displaces from one planned route."""

    flow: int
    route: int
    event: int
    alternatives: tuple[int, ...]
    """Surviving candidates, cheapest first."""


@dataclass(frozen=True)
class Effect:
    """Cost and delay an event adds to the tonnes still moving on a route it touches."""

    flow: int
    route: int
    event: int
    usd_per_t: float
    days: float


@dataclass(frozen=True)
class EventWork:
    """What one event does to the allocation: its re-routing steps and its charges."""

    event: int
    steps: range
    """Indices into ``RiskModel.steps``."""
    effects: tuple[Effect, ...]
    capacities: tuple[int, ...]
    """Capacities any of its steps' survivors draw on."""


@dataclass(frozen=True)
class RiskModel:
    """Everything the per-year engine needs, as arrays (picklable, sent to workers).

    Routes are the candidates of every flow, numbered flow by flow; ``loss[e, r]`` is the
    capacity share event ``e`` takes from route ``r``.
    """

    events: EventTable
    timing: str
    route_flow: IntArray
    route_family: IntArray
    route_cost: FloatArray
    route_days: FloatArray
    route_links: tuple[tuple[str, ...], ...]
    planned: FloatArray
    loss: FloatArray
    capacity: FloatArray
    capacity_loss: FloatArray
    uses: tuple[tuple[tuple[int, float], ...], ...]
    """Per route: (capacity index, how many of its links draw on it)."""
    steps: tuple[Step, ...]
    """Every re-routing step, event by event."""
    work: tuple[EventWork, ...]
    flow_ids: tuple[str, ...]
    volumes: FloatArray
    families: tuple[str, ...]
    bounds: FloatArray
    """(2, groups, 2): lower and upper bound of undelivered tonnes (0) and extra cost (1)
    per group (portfolio, flows, families), for the histograms."""

    @property
    def n_routes(self) -> int:
        return len(self.route_cost)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return ("portfolio", *self.flow_ids, *self.families)

    @property
    def group_volumes(self) -> FloatArray:
        fam = np.zeros(len(self.families))
        np.add.at(fam, self.route_family[self.planned > 0], self.planned[self.planned > 0])
        return np.concatenate(([self.volumes.sum()], self.volumes, fam))


def compile_model(
    allocation: Allocation, timing: str = "stationary", *, every_route: bool = False
) -> RiskModel:
    """Turn an allocation and its network's events into the arrays of a :class:`RiskModel`.

    Parameters
    ----------
    allocation : Allocation
        What to stress.
    timing : str
        'stationary' or 'onset' (see the module docstring).
    every_route : bool
        Re-routing steps for every candidate route, not only planned ones (the frontier
        prices a tonne on any candidate).
    """
    from corridor.capacity import capacities, capacity_of_link

    if timing not in TIMINGS:
        raise RequestError(f"timing must be one of {', '.join(TIMINGS)}, not '{timing}'")
    net, a = allocation.network, allocation.assumptions
    routes = [(fi, r) for fi, f in enumerate(allocation.flows) for r in f.candidates]
    caps = list(capacities(net).values())
    cap_index = {c.id: i for i, c in enumerate(caps)}
    by_link = capacity_of_link(net)
    families = tuple(sorted({r.family for f in allocation.flows for r, t in f.planned if t > 0}))
    loss, touch = _route_losses(net, [r for _, r in routes])
    planned = _planned_vector(allocation)
    uses = tuple(_uses(r, by_link, cap_index) for _, r in routes)
    steps = _steps(allocation, loss, planned, uses, every_route)
    effects = _effects(allocation, touch, loss, planned, a, every_route)
    model = RiskModel(
        events=EventTable.of(net.events),
        timing=timing,
        route_flow=np.array([fi for fi, _ in routes], dtype=np.int64),
        route_family=np.array([_family_index(families, r) for _, r in routes], dtype=np.int64),
        route_cost=np.array([r.cost_usd_per_t for _, r in routes]),
        route_days=np.array([r.days_mean for _, r in routes]),
        route_links=tuple(route_links(r) for _, r in routes),
        planned=planned,
        loss=loss,
        capacity=np.array([c.capacity_t_per_year for c in caps]),
        capacity_loss=_capacity_losses(net, caps, by_link),
        uses=uses,
        steps=steps,
        work=_work(len(net.events), steps, effects, uses),
        flow_ids=tuple(f.id for f in allocation.flows),
        volumes=np.array([f.volume_t_per_year for f in allocation.flows]),
        families=families,
        bounds=np.zeros((2, 1, 2)),
    )
    return replace(model, bounds=_bounds(model))


def _family_index(families: tuple[str, ...], route: Route) -> int:
    return families.index(route.family) if route.family in families else -1


def _route_losses(net: Network, routes: Sequence[Route]) -> tuple[FloatArray, npt.NDArray[Any]]:
    loss = np.zeros((len(net.events), len(routes)))
    touch = np.zeros((len(net.events), len(routes)), dtype=bool)
    for j, route in enumerate(routes):
        targets = route_targets(route)
        for e, event in enumerate(net.events):
            touch[e, j], loss[e, j] = _severity(net, event, targets)
    return loss, touch


def _capacity_losses(net: Network, caps: Sequence[Any], by_link: Mapping[str, str]) -> FloatArray:
    out = np.zeros((len(net.events), len(caps)))
    index = {c.id: i for i, c in enumerate(caps)}
    for e, event in enumerate(net.events):
        for link, share in event_link_loss(net, event).items():
            k = by_link.get(link)
            if k is not None:
                out[e, index[k]] = max(out[e, index[k]], share)
    return out


def _planned_vector(allocation: Allocation) -> FloatArray:
    out: list[float] = []
    for f in allocation.flows:
        tonnes = {route_links(r): t for r, t in f.planned}
        out += [tonnes.get(route_links(r), 0.0) for r in f.candidates]
    return np.array(out)


def _uses(
    route: Route, by_link: Mapping[str, str], cap_index: Mapping[str, int]
) -> tuple[tuple[int, float], ...]:
    counts: dict[int, float] = {}
    for link in route_links(route):
        if link in by_link:
            k = cap_index[by_link[link]]
            counts[k] = counts.get(k, 0.0) + 1.0
    return tuple(sorted(counts.items()))


def _flow_slices(allocation: Allocation) -> list[range]:
    out, start = [], 0
    for f in allocation.flows:
        out.append(range(start, start + len(f.candidates)))
        start += len(f.candidates)
    return out


def _steps(
    allocation: Allocation,
    loss: FloatArray,
    planned: FloatArray,
    uses: Sequence[tuple[tuple[int, float], ...]],
    every_route: bool,
) -> tuple[Step, ...]:
    """The re-routing program: per event, flow and planned route it hits, the survivors
    that can ever take anything, cheapest first."""
    spans = _flow_slices(allocation)
    out = []
    for e in range(loss.shape[0]):
        for fi, span in enumerate(spans):
            survivors = [j for j in span if loss[e, j] == 0]
            useful = _useful(survivors, loss, uses)
            for r in span:
                if loss[e, r] > 0 and (planned[r] > 0 or every_route):
                    out.append(Step(fi, r, e, useful))
    return tuple(out)


def _work(
    events: int,
    steps: Sequence[Step],
    effects: Sequence[Effect],
    uses: Sequence[tuple[tuple[int, float], ...]],
) -> tuple[EventWork, ...]:
    out = []
    start = 0
    for e in range(events):
        stop = start
        while stop < len(steps) and steps[stop].event == e:
            stop += 1
        caps = {k for s in steps[start:stop] for alt in s.alternatives for k, _ in uses[alt]}
        mine = tuple(x for x in effects if x.event == e)
        if stop > start or mine:
            out.append(EventWork(e, range(start, stop), mine, tuple(sorted(caps))))
        start = stop
    return tuple(out)


def _useful(
    survivors: Sequence[int], loss: FloatArray, uses: Sequence[tuple[tuple[int, float], ...]]
) -> tuple[int, ...]:
    """Drop a survivor when a cheaper one is no more exposed to any event and draws on no
    capacity it does not draw on as much: it is open at least as long and full no sooner,
    so under the nested rule the dearer one never takes a tonne."""
    kept: list[int] = []
    for j in survivors:
        need = dict(uses[j])
        dominated = any(
            bool(np.all(loss[:, i] <= loss[:, j]))
            and all(need.get(k, 0.0) >= t for k, t in uses[i])
            for i in kept
        )
        if not dominated:
            kept.append(j)
    return tuple(kept)


def _effects(
    allocation: Allocation,
    touch: npt.NDArray[Any],
    loss: FloatArray,
    planned: FloatArray,
    a: Assumptions,
    every_route: bool,
) -> tuple[Effect, ...]:
    net = allocation.network
    out = []
    for fi, span in enumerate(_flow_slices(allocation)):
        commodity = net.commodity(allocation.flows[fi].commodity)
        insured = commodity.value_usd_per_t * a.insured_value_factor
        for r in span:
            if not (planned[r] > 0 or every_route):
                continue
            for e in np.flatnonzero(touch[:, r]):
                ev = net.events[e]
                usd = ev.surcharge_usd_per_t + ev.insurance_pct_add / 100.0 * insured
                usd += inventory_usd_per_t(commodity, ev.delay_days, a)
                if usd or ev.delay_days:
                    out.append(Effect(fi, r, int(e), usd, ev.delay_days))
    return tuple(out)


def _bounds(model: RiskModel) -> FloatArray:
    """Exact bounds of undelivered tonnes and extra cost per group (histogram ranges)."""
    groups = len(model.group_ids)
    lo, hi = np.zeros(groups), np.zeros(groups)
    for r in np.flatnonzero(model.planned > 0):
        alts = [a for s in model.steps if s.route == r for a in s.alternatives]
        delta = model.route_cost[alts] - model.route_cost[r] if alts else np.zeros(1)
        added = sum(x.usd_per_t for w in model.work for x in w.effects if x.route == r)
        up = model.planned[r] * (max(0.0, float(delta.max())) + added)
        down = model.planned[r] * min(0.0, float(delta.min()))
        for g in _groups_of(model, int(r)):
            lo[g], hi[g] = lo[g] + down, hi[g] + up
    tonnes = model.group_volumes
    out = np.zeros((2, groups, 2))
    out[0, :, 1] = np.maximum(tonnes, _planned_by_group(model))
    out[1, :, 0], out[1, :, 1] = lo, hi
    return out


def _groups_of(model: RiskModel, r: int) -> tuple[int, ...]:
    f = int(model.route_flow[r])
    fam = int(model.route_family[r])
    groups = (0, 1 + f)
    return groups + ((1 + len(model.flow_ids) + fam,) if fam >= 0 else ())


def _planned_by_group(model: RiskModel) -> FloatArray:
    out = np.zeros(len(model.group_ids))
    for r in np.flatnonzero(model.planned > 0):
        for g in _groups_of(model, int(r)):
            out[g] += model.planned[r]
    return out


# --------------------------------------------------------------------------- sampling


def event_stream(seed: int, chunk: int, event_id: str) -> np.random.Generator:
    """The random stream of one event in one chunk of a seeded run.

    Keyed by the event's id, so a scenario that changes or adds one event leaves every
    other event's draws as they were (common random numbers for comparisons).
    """
    key = int.from_bytes(hashlib.sha256(event_id.encode()).digest()[:4], "little")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, key)))


def sample_shares(
    events: EventTable, years: int, seed: int, chunk: int = 0, timing: str = "stationary"
) -> FloatArray:
    """Share of each year each event is active: an array (events, years) in [0, 1].

    A Poisson process over ``years`` independent years is drawn as its total count
    (Poisson with mean ``rate × years``) with a uniform year for each occurrence, which is
    the same law as a Poisson count per year and much cheaper to draw.

    Parameters
    ----------
    events : EventTable
        Rates and duration distributions.
    years : int
        Number of years to draw.
    seed, chunk : int
        Each event draws from :func:`event_stream` of the seed, chunk and its id.
    timing : str
        'stationary' (occurrences overlapping the year, from the long-run process) or
        'onset' (occurrences beginning in the year).
    """
    out = np.zeros((len(events.ids), years))
    mean_days = events.mean_days
    for e, eid in enumerate(events.ids):
        rng = event_stream(seed, chunk, eid)
        rate = events.rate[e]
        if timing == "stationary":
            rate *= 1.0 + mean_days[e] / DAYS
        n = int(rng.poisson(rate * years))
        year = rng.integers(0, years, n)
        days = _occurrence_days(events, e, n, rng, timing, mean_days[e])
        out[e] = np.minimum(np.bincount(year, weights=days, minlength=years) / DAYS, 1.0)
    return out


def _occurrence_days(
    events: EventTable,
    e: int,
    n: int,
    rng: np.random.Generator,
    timing: str,
    mean_days: float,
) -> FloatArray:
    """Days of the year covered by each of ``n`` occurrences of event ``e``."""
    mu, sigma = events.log_median[e], events.sigma[e]
    if timing == "onset":
        days: FloatArray = np.minimum(np.exp(mu + sigma * rng.standard_normal(n)), DAYS)
        return days
    # Occurrences that overlap a window are length-biased: a share E[d]/(365 + E[d]) of them
    # come from the size-biased lognormal, which is lognormal(mu + sigma^2, sigma).
    biased = rng.random(n) < mean_days / (DAYS + mean_days)
    length = np.exp(mu + sigma * rng.standard_normal(n) + biased * sigma**2)
    start = rng.random(n) * (DAYS + length) - length
    overlap: FloatArray = np.minimum(start + length, DAYS) - np.maximum(start, 0.0)
    return overlap


# --------------------------------------------------------------------------- the engine


@dataclass
class Outcome:
    """Results of a block of years: per-year rows (rows, years) and per-flow totals."""

    undelivered: FloatArray
    """Per flow and year: tonnes displaced that no survivor could take."""
    extra_cost: FloatArray
    """Per flow and year: USD."""
    undelivered_by_event: FloatArray
    extra_cost_by_event: FloatArray
    undelivered_by_family: FloatArray
    extra_cost_by_family: FloatArray
    cut: FloatArray
    """Per flow, summed over the years: tonnes displaced from planned routes."""
    extra_tdays: FloatArray
    """Per flow, summed over the years: tonne-days of delay."""

    @classmethod
    def zeros(cls, model: RiskModel, years: int) -> Outcome:
        f, e, m = len(model.flow_ids), len(model.events.ids), len(model.families)
        return cls(
            undelivered=np.zeros((f, years)),
            extra_cost=np.zeros((f, years)),
            undelivered_by_event=np.zeros((e, years)),
            extra_cost_by_event=np.zeros((e, years)),
            undelivered_by_family=np.zeros((m, years)),
            extra_cost_by_family=np.zeros((m, years)),
            cut=np.zeros(f),
            extra_tdays=np.zeros(f),
        )

    def by_group(self, which: str) -> FloatArray:
        """(groups, years): portfolio, flows, families of 'undelivered' or 'extra_cost'."""
        per_flow: FloatArray = getattr(self, which)
        per_family: FloatArray = getattr(self, which + "_by_family")
        return np.vstack((per_flow.sum(axis=0, keepdims=True), per_flow, per_family))


Move = tuple[int, int, FloatArray]
"""(step index, alternative route, tonnes moved in each year) — a route choice."""

SPARSE = 0.3
"""Work on the active years only when an event is active in less than this share."""


def simulate(model: RiskModel, shares: FloatArray, trace: list[Move] | None = None) -> Outcome:
    """Apply the re-routing rule to a block of years, all at once.

    Parameters
    ----------
    model : RiskModel
        The compiled allocation.
    shares : array (events, years)
        Share of each year each event is active (:func:`sample_shares`).
    trace : list, optional
        If given, every move (step index, route, tonnes in each year) is appended.

    Returns
    -------
    Outcome
    """
    block = _Block.of(model, shares)
    out = Outcome.zeros(model, shares.shape[1])
    for work in model.work:
        _event(model, work, block, out, trace)
    return out


@dataclass
class _Block:
    """The arrays of a block of years that every event reads (and ``spare``, which moves
    update)."""

    shares: FloatArray
    scale: FloatArray
    """Per route: 1 / max(1, raw cut share), which keeps displaced tonnes within plan."""
    is_open: FloatArray
    """Per route: 1 − cut share."""
    spare: FloatArray
    active: list[IntArray | None]
    """Per event: the years it is active in, or None when it is active in most."""

    @classmethod
    def of(cls, model: RiskModel, shares: FloatArray) -> _Block:
        years = shares.shape[1]
        active: list[IntArray | None] = []
        for row in shares:
            hit = np.flatnonzero(row)
            active.append(hit if len(hit) < SPARSE * years else None)
        # A CSR product is one sequential C loop: the same numbers in every process.
        raw = np.asarray(csr_matrix(model.loss.T) @ shares)
        scale = 1.0 / np.maximum(raw, 1.0)
        is_open = 1.0 - np.minimum(raw, 1.0)
        return cls(shares, scale, is_open, _spare(model, shares, is_open), active)

    def pick(
        self, array: FloatArray, rows: Sequence[int], years: IntArray | None
    ) -> dict[int, FloatArray]:
        """Rows of ``array``: views of whole rows, or copies of their ``years``."""
        if years is None:
            return {r: array[r] for r in rows}
        picked = array[np.ix_(np.asarray(rows, dtype=np.int64), years)]
        return dict(zip(rows, picked, strict=True))


def _scatter(row: FloatArray, years: IntArray | None, values: FloatArray) -> None:
    """row[years] += values, for one row (all years when ``years`` is None)."""
    if years is None:
        row += values
    else:
        row[years] += values


def _spare(model: RiskModel, shares: FloatArray, is_open: FloatArray) -> FloatArray:
    """Capacity left per capacity and year: available share × figure, minus planned use."""
    lost = np.asarray(csr_matrix(model.capacity_loss.T) @ shares)
    spare = model.capacity[:, None] * np.maximum(1.0 - lost, 0.0)
    for r in np.flatnonzero(model.planned > 0):
        for k, times in model.uses[r]:
            spare[k] -= times * model.planned[r] * is_open[r]
    return np.maximum(spare, 0.0)


@dataclass
class _Sums:
    """What one event does in a block: rows of the :class:`Outcome` it touches, on the
    years it is active in."""

    rows: dict[tuple[str, int], FloatArray] = field(default_factory=dict)

    def add(self, name: str, index: int, values: FloatArray) -> None:
        row = self.rows.get((name, index))
        if row is None:
            self.rows[name, index] = values.copy()
        else:
            row += values

    def add_flow(
        self, model: RiskModel, step: Step | Effect, what: Mapping[str, FloatArray]
    ) -> None:
        """Add per-flow results of a step, and their family and event totals."""
        fam = int(model.route_family[step.route])
        for name, values in what.items():
            self.add(name, step.flow, values)
            if name in ("undelivered", "extra_cost"):
                self.add(name + "_by_event", step.event, values)
                if fam >= 0:
                    self.add(name + "_by_family", fam, values)

    def flush(self, out: Outcome, years: IntArray | None) -> None:
        for (name, index), values in self.rows.items():
            if name in ("cut", "extra_tdays"):
                getattr(out, name)[index] += values.sum()
            else:
                _scatter(getattr(out, name)[index], years, values)


def _event(
    model: RiskModel, work: EventWork, block: _Block, out: Outcome, trace: list[Move] | None
) -> None:
    """All re-routing steps and charges of one event, on the years it is active in."""
    e = work.event
    years = block.active[e]
    share = block.shares[e] if years is None else block.shares[e, years]
    sums = _Sums()
    routes = sorted(
        {j for i in work.steps for j in (model.steps[i].route, *model.steps[i].alternatives)}
    )
    view = _View(
        share,
        block.pick(block.scale, routes, years),
        block.pick(block.is_open, routes, years),
        block.pick(block.spare, work.capacities, years),
    )
    for i in work.steps:
        moves = _reroute(model, model.steps[i], view, sums)
        if trace is not None:
            trace.extend((i, alt, _dense(m, years, block.shares.shape[1])) for alt, m in moves)
    for x in work.effects:
        moving = share * (model.planned[x.route] * (1.0 - model.loss[e, x.route]))
        sums.add_flow(
            model, x, {"extra_cost": moving * x.usd_per_t, "extra_tdays": moving * x.days}
        )
    if years is not None and work.capacities:
        rows = np.asarray(work.capacities, dtype=np.int64)
        block.spare[np.ix_(rows, years)] = np.array([view.spare[k] for k in work.capacities])
    sums.flush(out, years)


@dataclass
class _View:
    """One event's active years: its share, and the rows of routes and capacities its
    steps read (capacities are updated in place)."""

    share: FloatArray
    scale: Mapping[int, FloatArray]
    is_open: Mapping[int, FloatArray]
    spare: Mapping[int, FloatArray]


def _reroute(
    model: RiskModel, step: Step, view: _View, sums: _Sums
) -> list[tuple[int, FloatArray]]:
    """Move the tonnes one event displaces from one planned route; return the moves."""
    r, e = step.route, step.event
    displaced = view.share * (model.planned[r] * model.loss[e, r])
    displaced *= view.scale[r]
    moved, cost, tdays = (np.zeros_like(displaced) for _ in range(3))
    tmp = np.empty_like(displaced)
    moves = []
    for alt in step.alternatives:
        move = displaced * view.is_open[alt]
        move -= moved
        for k, times in model.uses[alt]:
            np.minimum(move, view.spare[k] / times if times != 1 else view.spare[k], out=move)
        np.maximum(move, 0.0, out=move)
        for k, times in model.uses[alt]:
            view.spare[k] -= move * times if times != 1 else move
        moved += move
        cost += np.multiply(move, model.route_cost[alt] - model.route_cost[r], out=tmp)
        tdays += np.multiply(move, model.route_days[alt] - model.route_days[r], out=tmp)
        moves.append((alt, move))
    what = {
        "cut": displaced,
        "undelivered": displaced - moved,
        "extra_cost": cost,
        "extra_tdays": tdays,
    }
    sums.add_flow(model, step, what)
    return moves


def _dense(values: FloatArray, years: IntArray | None, n: int) -> FloatArray:
    if years is None:
        return values.copy()
    full = np.zeros(n)
    full[years] = values
    return full


def unit_losses(model: RiskModel, shares: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per tonne on each candidate route and per year: undelivered tonnes and extra USD.

    The re-routing rule without capacity limits, so that a split's losses are linear in its
    tonnes (what the mean–CVaR LP needs). ``model`` must be compiled with
    ``every_route=True``.

    Returns
    -------
    undelivered, extra_cost : arrays (routes, years)
    """
    raw = np.asarray(csr_matrix(model.loss.T) @ shares)
    scale = 1.0 / np.maximum(raw, 1.0)
    is_open = 1.0 - np.minimum(raw, 1.0)
    undelivered, extra = np.zeros_like(raw), np.zeros_like(raw)
    for step in model.steps:
        r, e = step.route, step.event
        displaced = shares[e] * model.loss[e, r] * scale[r]
        moved = np.zeros_like(displaced)
        for alt in step.alternatives:
            move = np.maximum(displaced * is_open[alt] - moved, 0.0)
            extra[r] += move * (model.route_cost[alt] - model.route_cost[r])
            moved += move
        undelivered[r] += displaced - moved
    for work in model.work:
        for x in work.effects:
            extra[x.route] += shares[x.event] * (1.0 - model.loss[x.event, x.route]) * x.usd_per_t
    return undelivered, extra


# --------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """Mergeable summary of simulated years: sums, exceedance counts and histograms.

    Histograms have :data:`BINS` bins over exact bounds per group, with the count and the
    sum of the values in each bin, and (portfolio only) the sum of each event's share.
    """

    years: int
    sums: FloatArray
    """(4, groups): undelivered, extra cost, squares of both... see ``_MOMENTS``."""
    flow_sums: FloatArray
    """(2, flows): cut tonnes and extra tonne-days."""
    exceed: IntArray
    """(groups, thresholds): years losing more than the threshold share of volume."""
    counts: IntArray
    """(2, groups, BINS)."""
    bin_sums: FloatArray
    """(2, groups, BINS)."""
    attribution: FloatArray
    """(2, events, BINS): per portfolio bin, each event's undelivered t and extra USD."""

    def merge(self, other: Tally) -> Tally:
        return Tally(
            self.years + other.years,
            self.sums + other.sums,
            self.flow_sums + other.flow_sums,
            self.exceed + other.exceed,
            self.counts + other.counts,
            self.bin_sums + other.bin_sums,
            self.attribution + other.attribution,
        )


def tally(model: RiskModel, out: Outcome, thresholds: Sequence[float]) -> Tally:
    """Summarise the years of an :class:`Outcome`."""
    values = (out.by_group("undelivered"), out.by_group("extra_cost"))
    counts, sums = [], []
    attribution = []
    for m, v in enumerate(values):
        idx = _bin_index(v, model.bounds[m])
        flat = idx + (np.arange(v.shape[0]) * BINS)[:, None]
        counts.append(np.bincount(flat.ravel(), minlength=v.shape[0] * BINS))
        sums.append(np.bincount(flat.ravel(), weights=v.ravel(), minlength=v.shape[0] * BINS))
        by_event = (out.undelivered_by_event, out.extra_cost_by_event)[m]
        attribution.append(_attribute(idx[0], by_event))
    groups = values[0].shape[0]
    exceed = np.array(
        [
            [np.count_nonzero(row > volume * q) for q in thresholds]
            for row, volume in zip(values[0], model.group_volumes, strict=True)
        ],
        dtype=np.int64,
    ).reshape(groups, len(thresholds))
    return Tally(
        years=values[0].shape[1],
        sums=np.stack([v.sum(axis=1) for v in values] + [(v * v).sum(axis=1) for v in values]),
        flow_sums=np.stack([out.cut, out.extra_tdays]),
        exceed=exceed,
        counts=np.stack(counts).reshape(2, groups, BINS).astype(np.int64),
        bin_sums=np.stack(sums).reshape(2, groups, BINS).astype(np.float64),
        attribution=np.stack(attribution),
    )


def _bin_index(values: FloatArray, bounds: FloatArray) -> IntArray:
    lo, hi = bounds[:, 0:1], bounds[:, 1:2]
    width = np.where(hi > lo, (hi - lo) / BINS, 1.0)
    idx = np.floor((values - lo) / width).astype(np.int64)
    return np.clip(idx, 0, BINS - 1)


def _attribute(index: IntArray, by_event: FloatArray) -> FloatArray:
    events = by_event.shape[0]
    flat = index[None, :] + (np.arange(events) * BINS)[:, None]
    sums = np.bincount(flat.ravel(), weights=by_event.ravel(), minlength=events * BINS)
    return sums.reshape(events, BINS).astype(np.float64)


def chunk_tally(
    model: RiskModel, seed: int, chunk: int, years: int, thresholds: Sequence[float]
) -> Tally:
    """Simulate and summarise chunk ``chunk`` (its first ``years`` years) of a seeded run.

    The chunk always draws :data:`CHUNK_YEARS` years, each event from its own stream
    (:func:`event_stream`), so its years do not depend on how a run is cut into chunks or
    spread over workers.
    """
    shares = sample_shares(model.events, CHUNK_YEARS, seed, chunk, model.timing)[:, :years]
    return tally(model, simulate(model, shares), thresholds)


def sample_years(model: RiskModel, seed: int, years: int) -> FloatArray:
    """The event shares of the first ``years`` years of a seeded run (events, years)."""
    blocks = []
    for chunk, n in enumerate(_chunk_sizes(years)):
        blocks.append(sample_shares(model.events, CHUNK_YEARS, seed, chunk, model.timing)[:, :n])
    return np.hstack(blocks)


def _chunk_sizes(years: int) -> Iterator[int]:
    """The years of each chunk, one at a time (planned lazily: nothing grows with years)."""
    full, rest = divmod(years, CHUNK_YEARS)
    for _ in range(full):
        yield CHUNK_YEARS
    if rest:
        yield rest


# --------------------------------------------------------------------------- running


Progress = Callable[[int], None]
"""Called with the number of years done so far."""


def _run_local(
    model: RiskModel, seed: int, years: int, thresholds: Sequence[float], progress: Progress
) -> Tally:
    reducer, done = _InOrder(), 0
    for chunk, n in enumerate(_chunk_sizes(years)):
        reducer.add(chunk, chunk_tally(model, seed, chunk, n, thresholds))
        done += n
        progress(done)
    return reducer.result()


class _InOrder:
    """Folds tallies in chunk order, whatever order they arrive in."""

    def __init__(self) -> None:
        self.total: Tally | None = None
        self.next = 0
        self.waiting: dict[int, Tally] = {}

    def add(self, chunk: int, part: Tally) -> None:
        self.waiting[chunk] = part
        while self.next in self.waiting:
            ready = self.waiting.pop(self.next)
            self.total = ready if self.total is None else self.total.merge(ready)
            self.next += 1

    def result(self) -> Tally:
        assert self.total is not None and not self.waiting
        return self.total


def _run_dask(
    model: RiskModel,
    seed: int,
    years: int,
    thresholds: Sequence[float],
    progress: Progress,
    client: Client,
) -> Tally:
    """Chunks as Dask tasks, a few per worker in flight, folded in chunk order.

    Chunks are submitted in order and at most ``window`` are held (running or waiting for
    an earlier one), so memory stays bounded however many years are asked for.
    """
    from distributed import as_completed

    shared = client.scatter(model, broadcast=True)  # type: ignore[no-untyped-call]
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending = iter(enumerate(_chunk_sizes(years)))
    futures: dict[Any, tuple[int, int]] = {}
    finished = as_completed()  # type: ignore[no-untyped-call]
    reducer, done = _InOrder(), 0

    def submit() -> None:
        while len(futures) + len(reducer.waiting) < window:
            item = next(pending, None)
            if item is None:
                return
            fut = client.submit(chunk_tally, shared, seed, item[0], item[1], tuple(thresholds))
            futures[fut] = item
            finished.add(fut)  # type: ignore[no-untyped-call]

    try:
        submit()
        for fut in finished:
            chunk, n = futures.pop(fut)
            reducer.add(chunk, fut.result())
            done += n
            progress(done)
            submit()
    finally:
        client.cancel(list(futures))  # type: ignore[no-untyped-call]
    return reducer.result()


@contextmanager
def _dask(
    workers: int | None, scheduler: str | None, client: Client | None
) -> Iterator[Client | None]:
    """The client to run on: the one given, one for ``scheduler``, a local cluster, or None."""
    if client is not None or (scheduler is None and not workers):
        yield client
        return
    import logging

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RequestError(
            "--workers and --scheduler run on Dask, which is not installed: "
            'pip install "corridor[risk]"'
        ) from None

    if scheduler is not None:
        with Client(scheduler) as remote:  # type: ignore[no-untyped-call]
            yield remote
        return
    with _workers_ignore_sigint():
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
    with cluster, Client(cluster) as local:  # type: ignore[no-untyped-call]
        yield local


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Start worker processes with Ctrl+C ignored (an ignored signal stays ignored in a
    child), so that Ctrl+C stops the run in this process only and the cluster is closed
    quietly, instead of every worker printing its own KeyboardInterrupt traceback."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    model: RiskModel,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    thresholds: Sequence[float] = THRESHOLDS,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
) -> Tally:
    """Simulate ``years`` years of a compiled model, in one process or on Dask.

    Parameters
    ----------
    model : RiskModel
        From :func:`compile_model`.
    years, seed : int
        How many years, and the seed (same seed, same numbers, however the work is spread).
    thresholds : sequence of float
        Shares of volume for the exceedance counts.
    workers : int, optional
        Run on a local Dask cluster of this many single-threaded processes.
    scheduler : str, optional
        Run on the Dask cluster whose scheduler has this address.
    client : distributed.Client, optional
        Run on this Dask client (e.g. an in-process cluster).
    progress : callable, optional
        Called with the number of years done after each chunk.
    """
    if not 1 <= years <= MAX_YEARS:
        raise RequestError(
            f"the number of years must be from 1 to {MAX_YEARS:,} (the cap), not {years:,}"
        )
    if seed < 0:
        raise RequestError(f"the seed must be a non-negative integer, not {seed}")
    if workers is not None and workers < 1:
        raise RequestError(f"--workers must be at least 1, not {workers}")
    report = progress or (lambda done: None)
    with _dask(workers, scheduler, client) as dask_client:
        if dask_client is None:
            return _run_local(model, seed, years, thresholds, report)
        return _run_dask(model, seed, years, thresholds, report, dask_client)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Tail:
    """Mean and tail of one simulated quantity (per year)."""

    mean: float
    std_error: float
    var: Mapping[float, float]
    cvar: Mapping[float, float]
    resolution: float
    """Histogram bin width: VaR is exact to within it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "std_error": self.std_error,
            **{f"var_{_pct(q)}": v for q, v in self.var.items()},
            **{f"cvar_{_pct(q)}": v for q, v in self.cvar.items()},
            "resolution": self.resolution,
        }


def _pct(q: float) -> str:
    return f"{q * 100:g}".replace(".", "_")


@dataclass(frozen=True)
class GroupRisk:
    """Risk of the portfolio, one contract or one route family."""

    id: str
    kind: str
    volume_t_per_year: float
    undelivered: Tail
    extra_cost: Tail
    p_loss_over: Mapping[float, float]
    """Share of annual volume -> probability of losing more than it in a year."""

    @property
    def delivered_share(self) -> float:
        """Mean share of the annual volume delivered."""
        if self.volume_t_per_year <= 0:
            return 1.0
        return 1.0 - self.undelivered.mean / self.volume_t_per_year

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "volume_t_per_year": self.volume_t_per_year,
            "delivered_share": self.delivered_share,
            "undelivered_t": self.undelivered.to_dict(),
            "extra_cost_usd": self.extra_cost.to_dict(),
            "p_loss_over": {f"{q:g}": p for q, p in self.p_loss_over.items()},
        }


@dataclass(frozen=True)
class Driver:
    """One event's share of the tail: its mean contribution in the worst years."""

    event: str
    name: str
    undelivered_t: Mapping[float, float]
    """Level -> tonnes of the CVaR of undelivered tonnes that come from this event."""
    extra_cost_usd: Mapping[float, float]
    mean_undelivered_t: float
    mean_extra_cost_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "name": self.name,
            **{f"cvar_{_pct(q)}_undelivered_t": v for q, v in self.undelivered_t.items()},
            **{f"cvar_{_pct(q)}_extra_cost_usd": v for q, v in self.extra_cost_usd.items()},
            "mean_undelivered_t": self.mean_undelivered_t,
            "mean_extra_cost_usd": self.mean_extra_cost_usd,
        }


@dataclass(frozen=True)
class Concentration:
    """How concentrated the plan is: shares of tonnes by transit country and by family.

    ``country_share`` is the share of planned tonnes crossing each transit country (a
    tonne may cross several); the HHI (0–10,000) is over those crossings normalised to 1.
    """

    country_share: Mapping[str, float]
    hhi_countries: float
    family_share: Mapping[str, float]
    hhi_families: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "transit_country_share": dict(self.country_share),
            "hhi_transit_countries": self.hhi_countries,
            "family_share": dict(self.family_share),
            "hhi_families": self.hhi_families,
        }


def concentration(allocation: Allocation) -> Concentration:
    """HHI of the planned tonnes by transit country and by route family."""
    net = allocation.network
    crossings: dict[str, float] = {}
    families: dict[str, float] = {}
    total = 0.0
    for f in allocation.flows:
        for route, t in f.planned:
            ends = {net.node(route.origin).country, net.node(route.destination).country}
            for c in dict.fromkeys(x for x in route.countries if x not in ends):
                crossings[c] = crossings.get(c, 0.0) + t
            families[route.family] = families.get(route.family, 0.0) + t
            total += t
    return Concentration(
        {c: t / total for c, t in sorted(crossings.items(), key=lambda kv: -kv[1])}
        if total
        else {},
        _hhi(crossings.values()),
        {k: t / total for k, t in sorted(families.items(), key=lambda kv: -kv[1])} if total else {},
        _hhi(families.values()),
    )


def _hhi(values: Iterable[float]) -> float:
    v = np.array(list(values), dtype=float)
    if v.sum() <= 0:
        return 0.0
    s = v / v.sum()
    return float(10_000 * (s * s).sum())


@dataclass(frozen=True)
class StressResult:
    """What a stress test found: per year, how much is lost, how dear, and why.

    ``to_dict`` is the JSON of ``corridor stress --format json`` (``docs/risk.md``).
    """

    allocation: Allocation
    years: int
    seed: int
    timing: str
    levels: tuple[float, ...]
    portfolio: GroupRisk
    contracts: tuple[GroupRisk, ...]
    families: tuple[GroupRisk, ...]
    drivers: tuple[Driver, ...]
    concentration: Concentration
    cut_t_mean: Mapping[str, float]
    """Contract -> mean tonnes per year displaced from planned routes (before re-routing)."""
    extra_days_mean: Mapping[str, float]
    """Contract -> mean extra days per tonne of annual volume."""
    histograms: Mapping[str, tuple[FloatArray, IntArray]]
    """'undelivered_t' / 'extra_cost_usd' -> (bin edges, counts) of the portfolio."""
    seconds: float
    data_version: str
    scenario: str = ""
    notes: tuple[str, ...] = ()
    kind: str = "stress"

    @property
    def network(self) -> Network:
        return self.allocation.network

    @property
    def parameters(self) -> dict[str, Any]:
        return stress_parameters(self.allocation, self.years, self.seed, self.timing, self.scenario)

    def headline(self) -> dict[str, float | None]:
        p = self.portfolio
        return {
            "volume_t_per_year": p.volume_t_per_year,
            "expected_undelivered_t": p.undelivered.mean,
            "cvar_95_undelivered_t": p.undelivered.cvar.get(0.95),
            "expected_extra_cost_usd": p.extra_cost.mean,
            "cvar_95_extra_cost_usd": p.extra_cost.cvar.get(0.95),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "portfolio": self.portfolio.to_dict(),
            "contracts": [
                {
                    **c.to_dict(),
                    "cut_t_mean": self.cut_t_mean[c.id],
                    "extra_days_mean": self.extra_days_mean[c.id],
                }
                for c in self.contracts
            ],
            "families": [f.to_dict() for f in self.families],
            "drivers": [d.to_dict() for d in self.drivers],
            "concentration": self.concentration.to_dict(),
            "distribution": {
                k: {"edges": edges.tolist(), "counts": counts.tolist()}
                for k, (edges, counts) in self.histograms.items()
            },
            "seconds": self.seconds,
            "notes": list(self.notes),
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows for the run store: the planned flows and each contract's expected loss."""
        return {
            "route_flows": [
                {
                    "contract": f.id,
                    "commodity": f.commodity,
                    "origin": r.origin,
                    "destination": r.destination,
                    "route": r.label,
                    "family": r.family,
                    "t_per_year": t,
                    "cost_usd_per_t": r.cost_usd_per_t,
                }
                for f in self.allocation.flows
                for r, t in f.planned
            ],
            "shortfalls": [
                {
                    "contract": c.id,
                    "volume_t_per_year": c.volume_t_per_year,
                    "short_t_per_year": c.undelivered.mean,
                    "causes": "expected undelivered t/yr under disruption; "
                    f"CVaR 95 % {c.undelivered.cvar.get(0.95, 0.0):,.0f} t",
                }
                for c in self.contracts
            ],
        }


def stress_parameters(
    allocation: Allocation, years: int, seed: int, timing: str, scenario: str = ""
) -> dict[str, Any]:
    """What a stress run was asked, as the run store keeps it."""
    return {
        "allocation": allocation.to_dict(),
        "years": years,
        "seed": seed,
        "timing": timing,
        "chunk_years": CHUNK_YEARS,
        "scenario": scenario,
        "assumptions": vars(allocation.assumptions),
    }


def stress(
    allocation: Allocation,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    timing: str = "stationary",
    thresholds: Sequence[float] = THRESHOLDS,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
    scenario: str = "",
) -> StressResult:
    """Monte Carlo stress test of an allocation under its network's disruption events.

    Parameters
    ----------
    allocation : Allocation
        What to stress (:func:`from_plan`, :func:`from_contracts`, :func:`from_routes`).
    years : int
        Simulated years (default 100,000; memory does not grow with it).
    seed : int
        Random seed: the same seed gives the same numbers, whatever ``workers``.
    timing : str
        'stationary' (default) or 'onset' (see the module docstring).
    thresholds : sequence of float
        Shares of annual volume for P(lose more than X %).
    workers, scheduler, client : optional
        Run on Dask: a local cluster of ``workers`` processes, the scheduler at
        ``scheduler``, or an existing ``client``.
    progress : callable, optional
        Called with the years done after each chunk.
    scenario : str
        Name of the scenario applied to the network (recorded with the run).

    Returns
    -------
    StressResult

    Raises
    ------
    RequestError
        Bad parameters, or nothing planned to stress.
    """
    from corridor.store import data_version

    if not allocation.flows or not any(f.planned_t_per_year > 0 for f in allocation.flows):
        raise RequestError("nothing is planned on any route: there is nothing to stress")
    _check_thresholds(thresholds)
    started = time.perf_counter()
    model = compile_model(allocation, timing)
    total = run(
        model,
        years=years,
        seed=seed,
        thresholds=thresholds,
        workers=workers,
        scheduler=scheduler,
        client=client,
        progress=progress,
    )
    return _result(
        allocation,
        model,
        total,
        _RunInfo(years, seed, timing, tuple(thresholds), scenario),
        time.perf_counter() - started,
        data_version(allocation.network),
    )


def _check_thresholds(thresholds: Sequence[float]) -> None:
    for q in thresholds:
        if not 0 < q < 1:
            raise RequestError(f"loss thresholds are shares of volume in (0, 1), not {q}")


@dataclass(frozen=True)
class _RunInfo:
    years: int
    seed: int
    timing: str
    thresholds: tuple[float, ...]
    scenario: str


def _result(
    allocation: Allocation,
    model: RiskModel,
    total: Tally,
    info: _RunInfo,
    seconds: float,
    version: str,
) -> StressResult:
    groups = [_group(model, total, g, info.thresholds) for g in range(len(model.group_ids))]
    flows = len(model.flow_ids)
    cut = total.flow_sums[0] / total.years
    tdays = total.flow_sums[1] / total.years
    return StressResult(
        allocation=allocation,
        years=info.years,
        seed=info.seed,
        timing=info.timing,
        levels=LEVELS,
        portfolio=groups[0],
        contracts=tuple(groups[1 : 1 + flows]),
        families=tuple(groups[1 + flows :]),
        drivers=_drivers(model, allocation.network, total),
        concentration=concentration(allocation),
        cut_t_mean={f: float(c) for f, c in zip(model.flow_ids, cut, strict=True)},
        extra_days_mean={
            f: float(t / v) if v else 0.0
            for f, t, v in zip(model.flow_ids, tdays, model.volumes, strict=True)
        },
        histograms={
            "undelivered_t": _coarse(total, model, 0),
            "extra_cost_usd": _coarse(total, model, 1),
        },
        seconds=seconds,
        data_version=version,
        scenario=info.scenario,
        notes=_notes(allocation),
    )


def _group(model: RiskModel, total: Tally, g: int, thresholds: Sequence[float]) -> GroupRisk:
    flows = len(model.flow_ids)
    kind = "portfolio" if g == 0 else "contract" if g <= flows else "family"
    return GroupRisk(
        model.group_ids[g],
        kind,
        float(model.group_volumes[g]),
        _tail(total, model, 0, g),
        _tail(total, model, 1, g),
        {q: float(total.exceed[g, i]) / total.years for i, q in enumerate(thresholds)},
    )


def _tail(total: Tally, model: RiskModel, m: int, g: int) -> Tail:
    n = total.years
    mean = float(total.sums[m, g]) / n
    variance = max(float(total.sums[2 + m, g]) / n - mean * mean, 0.0)
    counts, sums = total.counts[m, g], total.bin_sums[m, g]
    var, cvar = {}, {}
    for q in LEVELS:
        var[q], cvar[q], _ = tail_of_histogram(counts, sums, q)
    lo, hi = model.bounds[m, g]
    return Tail(mean, math.sqrt(variance / n), var, cvar, float(hi - lo) / BINS)


def tail_of_histogram(
    counts: IntArray, sums: FloatArray, level: float
) -> tuple[float, float, tuple[int, float]]:
    """VaR and CVaR at ``level`` from a histogram with per-bin sums.

    VaR is the mean of the bin holding the ``ceil(level × n)``-th smallest value; CVaR is
    ``VaR + E[(L − VaR)+] / (1 − level)`` (Rockafellar–Uryasev), with the bins above the
    VaR bin counted exactly by their sums. Also returns the VaR bin and the fraction of it
    that belongs to the tail (for attributing the tail to events).
    """
    n = int(counts.sum())
    rank = max(1, math.ceil(level * n - 1e-9))
    b = int(np.searchsorted(np.cumsum(counts), rank))
    var = float(sums[b] / counts[b])
    above = slice(b + 1, None)
    excess = float(sums[above].sum() - counts[above].sum() * var)
    tail = (1.0 - level) * n
    cvar = var + excess / tail
    fraction = (tail - float(counts[above].sum())) / counts[b]
    return var, cvar, (b, min(max(fraction, 0.0), 1.0))


def _drivers(model: RiskModel, net: Network, total: Tally) -> tuple[Driver, ...]:
    n = total.years
    shares: list[dict[float, FloatArray]] = [{}, {}]
    for m in (0, 1):
        counts, sums = total.counts[m, 0], total.bin_sums[m, 0]
        for q in LEVELS:
            _, _, (b, fraction) = tail_of_histogram(counts, sums, q)
            attr = total.attribution[m]
            shares[m][q] = (attr[:, b + 1 :].sum(axis=1) + fraction * attr[:, b]) / ((1.0 - q) * n)
    out = [
        Driver(
            eid,
            net.event(eid).name_en,
            {q: float(shares[0][q][e]) for q in LEVELS},
            {q: float(shares[1][q][e]) for q in LEVELS},
            float(total.attribution[0, e].sum()) / n,
            float(total.attribution[1, e].sum()) / n,
        )
        for e, eid in enumerate(model.events.ids)
    ]
    out = [d for d in out if d.mean_undelivered_t or d.mean_extra_cost_usd]
    return tuple(sorted(out, key=lambda d: -d.undelivered_t[LEVELS[0]]))


def _coarse(total: Tally, model: RiskModel, m: int, bars: int = 60) -> tuple[FloatArray, IntArray]:
    """The portfolio histogram rebinned to about ``bars`` bars up to the largest value seen."""
    counts = total.counts[m, 0]
    lo, hi = model.bounds[m, 0]
    used = np.flatnonzero(counts)
    first, last = int(used[0]), int(used[-1]) + 1
    step = max(1, math.ceil((last - first) / bars))
    edges_i = np.arange(first, last + step, step)
    width = (hi - lo) / BINS if hi > lo else 1.0
    grouped = np.add.reduceat(counts, edges_i[:-1]) if len(edges_i) > 1 else counts[first:last]
    grouped = grouped[: len(edges_i) - 1]
    return lo + edges_i * width, grouped.astype(np.int64)


def _notes(allocation: Allocation) -> tuple[str, ...]:
    notes = [
        "re-routing: displaced tonnes move to the cheapest candidate route the event does not "
        "hit, within its spare capacity and the share of the year it is open; the rest is "
        "undelivered (see docs/risk.md)",
        "spare capacity is the capacity figure minus this plan's own tonnes: other users of "
        "the same infrastructure are not modelled",
    ]
    short = [f for f in allocation.flows if f.planned_t_per_year < f.volume_t_per_year - 1e-6]
    for f in short:
        notes.append(
            f"contract {f.id}: the plan carries {f.planned_t_per_year:,.0f} of "
            f"{f.volume_t_per_year:,.0f} t/yr before any disruption"
        )
    return tuple(notes)


# --------------------------------------------------------------------------- reference


@dataclass(frozen=True)
class ReferenceYear:
    """One year by the plain loop: per-flow results and the route chosen at each move."""

    undelivered: FloatArray
    extra_cost: FloatArray
    moves: tuple[tuple[int, tuple[str, ...], float], ...]
    """(step index, links of the route, tonnes) for every move of at least 1e-6 t."""


def reference_years(
    allocation: Allocation, model: RiskModel, shares: FloatArray
) -> list[ReferenceYear]:
    """The re-routing rule applied year by year, with NetworkX shortest paths.

    A deliberately plain implementation to check :func:`simulate` against: Python loops over
    years, planned routes and events; exposure and capacities are recomputed from the
    network; the first survivor of each displaced lot is found by Dijkstra (``networkx``)
    on the commodity graph without the event's links and priced with
    :func:`corridor.routing.make_route`; what it cannot take goes on through the other
    surviving candidates in cost order. ``model`` is used only for the order of the steps.

    Parameters
    ----------
    allocation : Allocation
        The allocation ``model`` was compiled from.
    model : RiskModel
        For the order of the steps.
    shares : array (events, years)
        Event shares of the years to run.
    """
    checker = _Reference(allocation, model)
    return [checker.year(shares[:, y]) for y in range(shares.shape[1])]


class _Reference:
    def __init__(self, allocation: Allocation, model: RiskModel) -> None:
        from corridor.capacity import capacities, capacity_of_link

        net = allocation.network
        self.allocation, self.model, self.net = allocation, model, net
        self.finders = [_PathFinder(allocation, f) for f in allocation.flows]
        self.cap_of = capacity_of_link(net)
        self.caps = capacities(net)
        self.link_loss = [event_link_loss(net, ev) for ev in net.events]
        self.routes = [r for f in allocation.flows for r in f.candidates]
        self.severity: dict[tuple[str, ...], list[float]] = {}

    def loss(self, route: Route) -> list[float]:
        key = route_links(route)
        if key not in self.severity:
            targets = route_targets(route)
            self.severity[key] = [_severity(self.net, ev, targets)[1] for ev in self.net.events]
        return self.severity[key]

    def raw(self, route: Route, s: FloatArray) -> float:
        return sum(float(s[e]) * x for e, x in enumerate(self.loss(route)) if x)

    def uses(self, route: Route) -> dict[str, int]:
        out: dict[str, int] = {}
        for link in route_links(route):
            if link in self.cap_of:
                out[self.cap_of[link]] = out.get(self.cap_of[link], 0) + 1
        return out

    def spare(self, s: FloatArray) -> dict[str, float]:
        out = {}
        for cid, cap in self.caps.items():
            lost = 0.0
            for e, hit in enumerate(self.link_loss):
                worst = max((hit[link] for link in cap.links if link in hit), default=0.0)
                lost += float(s[e]) * worst
            out[cid] = cap.capacity_t_per_year * max(1.0 - lost, 0.0)
        for f in self.allocation.flows:
            for route, t in f.planned:
                for cid, times in self.uses(route).items():
                    out[cid] -= times * t * (1.0 - min(self.raw(route, s), 1.0))
        return {k: max(v, 0.0) for k, v in out.items()}

    def year(self, s: FloatArray) -> ReferenceYear:
        flows = len(self.allocation.flows)
        undelivered, extra = np.zeros(flows), np.zeros(flows)
        spare = self.spare(s)
        moves: list[tuple[int, tuple[str, ...], float]] = []
        for i, step in enumerate(self.model.steps):
            route, e = self.routes[step.route], step.event
            t = self.model.planned[step.route]
            displaced = t * self.loss(route)[e] * float(s[e]) / max(self.raw(route, s), 1.0)
            moved = 0.0
            for alt in self.order(step.flow, e):
                move = displaced * (1.0 - min(self.raw(alt, s), 1.0)) - moved
                use = self.uses(alt)
                for cid, times in use.items():
                    move = min(move, spare[cid] / times)
                move = max(move, 0.0)
                for cid, times in use.items():
                    spare[cid] -= move * times
                extra[step.flow] += move * (alt.cost_usd_per_t - route.cost_usd_per_t)
                moved += move
                if move >= MIN_MOVE_T:
                    moves.append((i, route_links(alt), move))
            undelivered[step.flow] += displaced - moved
        for fi, f in enumerate(self.allocation.flows):
            extra[fi] += self.charges(f, s)
        return ReferenceYear(undelivered, extra, tuple(moves))

    def order(self, flow: int, e: int) -> list[Route]:
        """Shortest surviving path first, then the other surviving candidates by cost."""
        blocked = {link for link, loss in self.link_loss[e].items() if loss > 0}
        first = self.finders[flow].cheapest(blocked)
        rest = [r for r in self.allocation.flows[flow].candidates if self.loss(r)[e] == 0]
        if first is None:
            return rest
        return [first] + [r for r in rest if route_links(r) != route_links(first)]

    def charges(self, flow: Flow, s: FloatArray) -> float:
        net, a = self.net, self.allocation.assumptions
        commodity = net.commodity(flow.commodity)
        insured = commodity.value_usd_per_t * a.insured_value_factor
        total = 0.0
        for route, t in flow.planned:
            targets = route_targets(route)
            for e, ev in enumerate(net.events):
                touched, loss = _severity(net, ev, targets)
                if touched:
                    usd = ev.surcharge_usd_per_t + ev.insurance_pct_add / 100.0 * insured
                    usd += inventory_usd_per_t(commodity, ev.delay_days, a)
                    total += t * float(s[e]) * (1.0 - loss) * usd
        return total


class _PathFinder:
    """Cheapest surviving route of one flow: Dijkstra on a NetworkX copy of its graph."""

    def __init__(self, allocation: Allocation, flow: Flow) -> None:
        import networkx as nx

        from corridor.api import _graph

        self.g = _graph(allocation.network, flow.commodity, allocation.assumptions, flow.avoid)
        self.graph = nx.MultiDiGraph()
        for i, e in enumerate(self.g.edges):
            self.graph.add_edge(e.tail, e.head, key=i, cost=e.cost)
        self.origin_of: dict[int, str] = {}
        for o in {r.origin for r in flow.candidates}:
            for v in self.g.node_vertices.get(o, []):
                self.graph.add_edge("source", v, key=-1, cost=0.0)
                self.origin_of[v] = o
        for d in {r.destination for r in flow.candidates}:
            for v in self.g.node_vertices.get(d, []):
                self.graph.add_edge(v, "sink", key=-1, cost=0.0)

    def cheapest(self, blocked: set[str]) -> Route | None:
        import networkx as nx

        from corridor.routing import make_route

        def weight(u: Any, v: Any, parallel: Mapping[int, Mapping[str, float]]) -> float | None:
            ok = [d["cost"] for k, d in parallel.items() if not self._blocked(k, blocked)]
            return min(ok) if ok else None

        try:
            path = nx.dijkstra_path(self.graph, "source", "sink", weight=weight)
        except nx.NetworkXNoPath:
            return None
        inner = path[1:-1]
        edges = [self._edge(u, v, blocked) for u, v in itertools.pairwise(inner)]
        return make_route(self.g, edges, self.origin_of[inner[0]])

    def _blocked(self, key: int, blocked: set[str]) -> bool:
        if key < 0:
            return False
        link = self.g.edges[key].link
        return link is not None and link.id in blocked

    def _edge(self, u: int, v: int, blocked: set[str]) -> Any:
        keys = [k for k in self.graph[u][v] if not self._blocked(k, blocked)]
        return self.g.edges[min(keys, key=lambda k: self.g.edges[k].cost)]
