"""Run the simulation: replications in one process or on Dask, what-ifs, the dwell overlay."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, NoRouteError, RequestError, UnknownIdError
from corridor.graph import buyer_compliance, commodity_graph
from corridor.network import Network, bundled_data_dir
from corridor.routing.explain import explain_no_route
from corridor.routing.kbest import k_best
from corridor.routing.route import Route
from corridor.sim._params import SimParams, load_params
from corridor.sim.model import (
    HOURS_PER_DAY,
    ModelSpec,
    WhatIf,
    build_model,
    feeder_links,
    pick_route,
)
from corridor.sim.processes import LINK, run_replication
from corridor.sim.result import Replication, SimResult, aggregate

MAX_REPLICATIONS = 10_000


def check_runs(replications: int, seed: int) -> None:
    """Raise RequestError on a number of replications or a seed out of range."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise RequestError(f"replications must be 1–{MAX_REPLICATIONS:,}, got {replications}")
    if seed < 0:
        raise RequestError(f"seed must be ≥ 0, got {seed}")


def replicate(
    spec: ModelSpec,
    replications: int,
    seed: int,
    *,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> list[Replication]:
    """Run ``replications`` independent replications of ``spec``.

    Replication ``i`` draws from child ``i`` of ``numpy.random.SeedSequence(seed)``, so the
    results are the same, in the same order, whether they run here or on a Dask
    ``distributed.Client`` passed as ``client``.
    """
    check_runs(replications, seed)
    children = np.random.SeedSequence(seed).spawn(replications)
    if client is None:
        out = []
        for child in children:
            out.append(run_replication(spec, child))
            if progress is not None:
                progress(1)
        return out
    from distributed import as_completed

    spec_future = client.scatter(spec, broadcast=True)
    futures = client.map(run_replication, [spec_future] * replications, children, pure=False)
    if progress is not None:
        for _ in as_completed(futures):  # type: ignore[no-untyped-call]
            progress(1)
    results: list[Replication] = client.gather(futures)
    return results


@dataclass(frozen=True)
class Prepared:
    """A checked request: the traced cargo's route and the model built for it."""

    commodity: str
    origin: str
    destination: str
    volume_t: float
    route_nodes: tuple[str, ...]
    spec: ModelSpec


def prepare(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    volume_t: float,
    *,
    whatif: WhatIf | None = None,
    params: SimParams | None = None,
    horizon_days: float = 365.0,
) -> Prepared:
    """Find the route (the cheapest crossing the Caspian on a rail ferry) and build the model.

    Raises
    ------
    RequestError
        Unknown ids, no rail-ferry route, or numbers out of range.
    """
    if not math.isfinite(volume_t) or volume_t <= 0:
        raise InvalidParameterError("volume", volume_t, "a positive number of tonnes")
    p = params or load_params(net)
    route = pick_route(_candidates(net, commodity, origin, destination), net, feeder_links(p))
    spec = build_model(net, route, p, volume_t, whatif=whatif, horizon_days=horizon_days)
    return Prepared(commodity, origin, destination, volume_t, route.detail.nodes, spec)


def run_prepared(
    prep: Prepared,
    replications: int,
    seed: int,
    *,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> SimResult:
    """Replicate a prepared model and summarise it."""
    reps = replicate(prep.spec, replications, seed, client=client, progress=progress)
    return aggregate(
        reps,
        commodity=prep.commodity,
        origin=prep.origin,
        destination=prep.destination,
        route_nodes=prep.route_nodes,
        volume_t=prep.volume_t,
        seed=seed,
        horizon_days=prep.spec.horizon_hours / HOURS_PER_DAY,
    )


def simulate(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    volume_t: float,
    *,
    replications: int = 20,
    seed: int = 0,
    whatif: WhatIf | None = None,
    params: SimParams | None = None,
    horizon_days: float = 365.0,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> SimResult:
    """Simulate the queues a cargo meets on its cheapest rail-ferry route.

    Parameters
    ----------
    net : Network
        The network (its links, nodes and sources).
    commodity, origin, destination : str
        Ids in the network; the route is the cheapest one using a Caspian rail ferry.
    volume_t : float
        Tonnes of the traced cargo over the horizon.
    replications, seed : int
        Number of independent replications and the seed of their SeedSequence.
    whatif : WhatIf, optional
        A change to the base case.
    params : SimParams, optional
        The resource table (default: the bundled ``sim/resources.csv``).
    horizon_days : float
        Measured period (after a 30-day warm-up).
    client : distributed.Client, optional
        Run the replications on this Dask cluster.
    progress : callable, optional
        Called with 1 after each replication.

    Raises
    ------
    RequestError
        Unknown ids, no rail-ferry route, or numbers out of range.
    """
    check_runs(replications, seed)
    prep = prepare(
        net,
        commodity,
        origin,
        destination,
        volume_t,
        whatif=whatif,
        params=params,
        horizon_days=horizon_days,
    )
    return run_prepared(prep, replications, seed, client=client, progress=progress)


def _candidates(net: Network, commodity: str, origin: str, destination: str) -> tuple[Route, ...]:
    """The ten cheapest routes for the default buyer, as ``corridor routes`` finds them."""
    for field_name, lookup, value in (
        ("commodity", net.commodity, commodity),
        ("origin", net.node, origin),
        ("destination", net.node, destination),
    ):
        try:
            lookup(value)
        except UnknownIdError as exc:
            raise exc.at(field_name) from None
    if origin == destination:
        raise InvalidParameterError("destination", destination, "another place than the origin")
    rules = buyer_compliance(net, commodity)
    g = commodity_graph(net, commodity, Assumptions())
    found = k_best(g, origin, destination, 10, dict(rules.penalties))
    if not found:
        raise NoRouteError(explain_no_route(net, commodity, origin, destination, (), Assumptions()))
    return tuple(found)


@dataclass(frozen=True)
class Delta:
    """How a what-if moves the traced cargo's time and the ports' throughput."""

    name: str
    mean_days: float
    p95_days: float
    throughput_t_per_year: float
    china_days: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "whatif": self.name,
            "mean_days": round(self.mean_days, 3),
            "p95_days": round(self.p95_days, 3),
            "throughput_t_per_year": round(self.throughput_t_per_year),
            "china_europe_days": round(self.china_days, 3),
        }


def delta(name: str, base: SimResult, case: SimResult) -> Delta:
    """``case − base`` for the headline figures (common random numbers: same seed)."""

    def total(r: SimResult) -> float:
        return sum(e.mean for e in r.throughput_t_per_year.values())

    return Delta(
        name,
        case.end_to_end_days.mean - base.end_to_end_days.mean,
        case.p95_days - base.p95_days,
        total(case) - total(base),
        case.china_days.mean - base.china_days.mean,
    )


def payload(base: SimResult, case: SimResult | None = None) -> dict[str, Any]:
    """The JSON of ``corridor simulate --format json``: the base run and, with a what-if,
    ``whatif`` (its run and ``delta``, the change against the base on the same seed)."""
    out: dict[str, Any] = base.to_dict()
    if case is not None:
        out["whatif"] = {**case.to_dict(), "delta": delta("whatif", base, case).to_dict()}
    return out


def write_dwell(result: SimResult, net: Network, directory: str | Path) -> Path:
    """Write an overlay folder that ``--overlay`` reads: simulated waits as network rows.

    ``links.csv`` sets ``transit_days``/``transit_days_p95`` of every rail-ferry and
    container-feeder link to the simulated time from joining the queue at its port to the
    last wagon or box unloaded (the wait for a sailing, loading, crossing, unloading), less
    the two ports' ``handling_hours``, which the route's transfers already count;
    ``sources.csv`` adds the ``computed`` row they cite, whose method gives the seed and the
    replications. The ports' dwell (customs) stays as bundled: the simulation draws it from
    those rows, and a wait written on the port node would be charged to both fleets.
    """
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RequestError(f"cannot create the dwell folder {out}: {exc}") from exc
    sid = f"sim_dwell_seed{result.seed}"
    method = (
        f"corridor simulate: {result.replications} replications of {result.horizon_days:g} days, "
        f"seed {result.seed} (numpy SeedSequence), SimPy model of sim/resources.csv; "
        f"traced {result.commodity} {result.origin} → {result.destination}, "
        f"{result.volume_t:g} t. Link days = joining the port's queue to the last wagon or box "
        "unloaded, less both ports' handling hours; mean and replication-averaged 95th "
        "percentile over all trains, other shippers' included"
    )
    header, links = _rows(bundled_data_dir() / "links.csv")
    link_out = []
    for row in links:
        fleet = "ferry" if row["mode"] == "ferry" else "feeder"
        hours = result.node_dwell_hours.get(LINK.format(fleet=fleet, port=row["from"]))
        if hours is None or (fleet == "feeder" and "feeder" not in row["service"]):
            continue
        handled = net.node(row["from"]).handling_hours + net.node(row["to"]).handling_hours
        mean = max(1.0, hours[0] - handled) / HOURS_PER_DAY
        p95 = max(1.0, hours[1] - handled) / HOURS_PER_DAY
        row = dict(row)
        row["transit_days"] = f"{mean:.2f}"
        row["transit_days_p95"] = f"{max(mean, p95):.2f}"
        row["sources"] = _cite(row["sources"], "transit_days|transit_days_p95", sid)
        link_out.append(row)
    _write(out / "links.csv", header, link_out)
    _write(
        out / "sources.csv",
        ["id", "citation", "url", "year", "kind", "method"],
        [
            {
                "id": sid,
                "citation": "corridor discrete-event simulation of the Caspian queues",
                "url": "",
                "year": "2026",
                "kind": "computed",
                "method": method,
            }
        ],
    )
    return out


def _cite(sources: str, columns: str, sid: str) -> str:
    """Provenance with ``columns`` pointing at ``sid`` (the other entries kept)."""
    keep = []
    drop = set(columns.split("|"))
    for entry in filter(None, sources.split(";")):
        if "=" not in entry:
            keep.append(entry)  # the row's default sources stay for its other columns
            continue
        cols, _, ids = entry.partition("=")
        rest = [c for c in cols.split("|") if c not in drop]
        if rest:
            keep.append(f"{'|'.join(rest)}={ids}")
    return ";".join([*keep, f"{columns}={sid}"])


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise RequestError(f"cannot write {path}: {exc}") from exc
