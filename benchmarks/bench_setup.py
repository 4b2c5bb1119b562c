"""Stress set-up speed: the example portfolio's allocation, candidates, timed plan and model.

* **Set-up**: :func:`corridor.risk.allocation.from_contracts` on ``examples/contracts.yaml``
  (the plan, then each contract's re-routing candidates: k best routes, the cheapest per
  family, and the cheapest around every event that hits them, overall and per family),
  then :func:`corridor.risk.timeline.timed_plan` and
  :func:`corridor.risk.intime_fast.compile_fast`. Each repeat runs on a fresh copy of the
  bundled network (nothing derived from it kept: graphs, indexes, data version), as a
  ``corridor stress`` process would.
* **Candidates alone**: the re-routing candidates of every contract, the part the set-up
  adds to the plan: routes around events on the one commodity graph with the event's links
  closed (:mod:`corridor.routing.closed`).
* **Baseline**: the same candidates found the way they were before, on a copy of the
  network without the event's links, with a graph built and searched for each (the copies
  are made in the timing). Both must give the same candidates, to the float, or the
  benchmark fails.

Every timing is repeated ``--repeat`` times on fresh network copies: best and median of the
wall and the CPU time (the process's, which other jobs on a loaded machine inflate less) are
printed, with the load average before and after. Goal (issue #19): set-up ≤ 0.3 s.

A dropped network copy is garbage in reference cycles (the network keeps its graphs, each
graph its network), which only a full collection frees; in the plain set-up timing one
falls, every few runs, on whichever run crosses the collector's threshold, and spends most
of its time freeing the earlier runs' copies. A ``corridor stress`` process builds one
network and drops none, so the set-up is timed again with the earlier runs' garbage
collected before each run, outside the timing.
Run: ``python benchmarks/bench_setup.py``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

from corridor.analysis import default_network  # noqa: E402
from corridor.contracts.io import load_contracts  # noqa: E402
from corridor.costs import Assumptions  # noqa: E402
from corridor.graph import build_graph, buyer_compliance, commodity_graph  # noqa: E402
from corridor.network.model import Network  # noqa: E402
from corridor.network.schema import FAMILIES  # noqa: E402
from corridor.risk._common import DEFAULT_K  # noqa: E402
from corridor.risk.allocation import closed_links, from_contracts, od_candidates  # noqa: E402
from corridor.risk.intime_fast import compile_fast  # noqa: E402
from corridor.risk.targets import route_links  # noqa: E402
from corridor.risk.timeline import timed_plan  # noqa: E402
from corridor.routing.kbest import k_best  # noqa: E402
from corridor.routing.route import Route  # noqa: E402

PORTFOLIO = "examples/contracts.yaml"


def _copies_candidates(net: Network, a: Assumptions, c: Any, k: int = DEFAULT_K) -> list[Route]:
    """The baseline: a contract's candidates with a network copy, graph and search per
    event and family (the method before masks)."""
    out: list[Route] = []
    for o in c.origins:
        for d in c.destinations:
            found = k_best(commodity_graph(net, c.commodity, a, c.avoid), o, d, k)
            for fam in FAMILIES:
                g = commodity_graph(net, c.commodity, a, c.avoid, (fam,))
                found += k_best(g, o, d, 1)
            families = sorted({r.family for r in found if r.family in FAMILIES})
            used = {link for r in found for link in route_links(r)}
            for event in net.events:
                closed = closed_links(net, event)
                if not closed & used or {o, d} & set(event.targets):
                    continue
                reduced = replace(net, links=tuple(x for x in net.links if x.id not in closed))
                blocked = buyer_compliance(reduced, c.commodity).excluded
                for only in (None, *families):
                    fams = (only,) if only else ()
                    com = reduced.commodity(c.commodity)
                    g = build_graph(reduced, com, a, c.avoid, fams, blocked)
                    found += k_best(g, o, d, 1)
            out += found
    return out


def _unique(routes: list[Route]) -> list[tuple[Any, ...]]:
    """Candidates as the allocation keeps them (first of each link sequence, by cost)."""
    seen = {route_links(r): r for r in reversed(routes)}
    ordered = sorted(seen.values(), key=lambda r: (r.cost_usd_per_t, route_links(r)))
    return [
        (route_links(r), r.cost_usd_per_t, r.days_mean, r.days_p95, r.co2e_kg_per_t, r.signature)
        for r in ordered
    ]


def _times(
    fn: Callable[[Network], object], base: Network, repeat: int, collect: bool = False
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``fn`` on ``repeat`` fresh copies of ``base``; with
    ``collect``, the garbage of the runs before is collected before each, untimed."""
    wall, cpu = [], []
    for _ in range(repeat):
        net = replace(base)  # a fresh copy: nothing derived kept
        if collect:
            gc.collect()
        t, c = time.perf_counter(), time.process_time()
        fn(net)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def _best_median(xs: list[float]) -> str:
    return f"best {min(xs):.3f} s, median {statistics.median(xs):.3f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    load0 = os.getloadavg()
    base = default_network()
    a = Assumptions()

    def setup(net: Network) -> None:
        allocation = from_contracts(PORTFOLIO, network=net)
        compile_fast(timed_plan(allocation, stock_days=30.0), net)

    def contracts(net: Network) -> list[Any]:
        return list(load_contracts(PORTFOLIO, net).contracts)

    def masked(net: Network) -> None:
        for c in contracts(net):
            od_candidates(net, a, c)

    def copies(net: Network) -> None:
        for c in contracts(net):
            _copies_candidates(net, a, c)

    net = replace(base)
    for c in contracts(net):
        want, got = _unique(_copies_candidates(net, a, c)), _unique(list(od_candidates(net, a, c)))
        if want != got:
            sys.exit(f"contract {c.id}: candidates on masks differ from those on copies")
    setup(replace(base))  # imports and first-use costs out of the timings
    t_setup, c_setup = _times(setup, base, args.repeat)
    t_clean, c_clean = _times(setup, base, args.repeat, collect=True)
    t_masked, c_masked = _times(masked, base, args.repeat)
    t_copies, c_copies = _times(copies, base, args.repeat)
    load1 = os.getloadavg()
    ratio = [b / m for b, m in zip(c_copies, c_masked, strict=True)]
    print(f"stress set-up, {PORTFOLIO}, fresh network copy per repeat ({args.repeat} repeats)")
    print(
        f"  set-up (plan, candidates, timed plan, model): wall {_best_median(t_setup)}; CPU "
        f"{_best_median(c_setup)} (goal 0.3 s)"
    )
    print(
        f"  set-up, earlier runs' garbage collected before each (as in a fresh process): "
        f"wall {_best_median(t_clean)}; CPU {_best_median(c_clean)}"
    )
    print(f"  candidates on masks: wall {_best_median(t_masked)}; CPU {_best_median(c_masked)}")
    print(
        f"  candidates on network copies (baseline): wall {_best_median(t_copies)}; CPU "
        f"{_best_median(c_copies)}"
    )
    print(
        f"  identical candidates; speed-up (CPU) best {max(ratio):.1f}x, median "
        f"{statistics.median(ratio):.1f}x"
    )
    print(
        f"  load average before {load0[0]:.2f} {load0[1]:.2f}, after {load1[0]:.2f} "
        f"{load1[1]:.2f} (1 and 5 min; 2 cores)"
    )


if __name__ == "__main__":
    main()
