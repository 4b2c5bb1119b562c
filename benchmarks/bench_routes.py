"""Route search speed: corridor's k best distinct routes against NetworkX, in the same run.

Baseline: ``networkx.shortest_simple_paths`` (Yen) on the same expanded commodity graph,
consuming paths in cost order, dropping those that visit a place twice, and keeping the
first of each gateway signature until k are found — the same answer, the plain way. Both
answers are checked equal before any time is reported.

Goals (issue #3): k = 10 on the bundled network at least 20x faster than the baseline and
at most 5 ms per query (median); plus the query time on a synthetic network of 100,000
links. Run: ``make bench`` (or ``python benchmarks/bench_routes.py --quick``).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable

import networkx as nx

from corridor.api import default_network
from corridor.graph import TRANSFER, CommodityGraph, build_graph
from corridor.routing import _adjacency, k_best, signature
from corridor.synthetic import synthetic_network

K = 10
BASELINE_PATH_CAP = 20_000


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def networkx_graph(g: CommodityGraph) -> tuple[nx.DiGraph, dict[tuple[object, object], int]]:
    """The expanded graph as a NetworkX DiGraph, built once.

    A DiGraph holds one edge per pair of vertices, so each further parallel edge (a Cape
    sailing beside a Suez one) goes through a midpoint vertex of its own: every edge of the
    commodity graph stays a way a path can take.
    """
    dg = nx.DiGraph()
    edge_of: dict[tuple[object, object], int] = {}
    for i, e in enumerate(g.edges):
        if (e.tail, e.head) not in edge_of:
            edge_of[(e.tail, e.head)] = i
            dg.add_edge(e.tail, e.head, weight=e.cost)
        else:
            mid = ("edge", i)
            edge_of[(e.tail, mid)] = i
            dg.add_edge(e.tail, mid, weight=e.cost)
            dg.add_edge(mid, e.head, weight=0.0)
    return dg, edge_of


def networkx_k_best(
    g: CommodityGraph,
    nxg: tuple[nx.DiGraph, dict[tuple[object, object], int]],
    origin: str,
    destination: str,
    k: int,
) -> list[tuple]:
    """The baseline: Yen's simple paths from NetworkX, filtered to distinct real routes."""
    base, edge_of = nxg
    dg = base.copy()  # the super source and sink are per query
    src, dst = "SRC", "DST"
    for v in g.node_vertices[origin]:
        dg.add_edge(src, v, weight=0.0)
    for v in g.node_vertices[destination]:
        dg.add_edge(v, dst, weight=0.0)
    out: list[tuple] = []
    seen: set = set()
    paths = nx.shortest_simple_paths(dg, src, dst, weight="weight")
    for path in itertools.islice(paths, BASELINE_PATH_CAP):
        steps = itertools.pairwise(path[1:-1])
        edges = [g.edges[edge_of[step]] for step in steps if step in edge_of]
        places = [g.vertices[e.head][0] for e in edges if e.kind != TRANSFER]
        if len(set(places)) != len(places) or origin in places:
            continue  # visits a place twice: not a route
        if any(a.kind == TRANSFER and b.kind == TRANSFER for a, b in itertools.pairwise(edges)):
            continue
        sig = signature(g, edges, origin)
        if sig in seen:
            continue
        seen.add(sig)
        out.append((sig, round(sum(e.cost for e in edges), 6)))
        if len(out) == k:
            break
    return out


def _cold(g: CommodityGraph, o: str, d: str) -> object:
    """A query with the graph's per-destination and per-edge caches emptied first."""
    g.cost_to_go.clear()
    g.pieces.clear()
    return k_best(g, o, d, K)


def bench_bundled(repeat: int) -> dict[str, float]:
    net = default_network()
    queries = []
    for c in net.commodities:
        if c.no_route_reason:
            continue
        origins = [n.id for n in net.nodes if c.id in n.products]
        for o in origins[:3]:
            for d in ("JP_YOKOHAMA", "JP_KOBE"):
                queries.append((c, o, d))
    ours, warm, theirs, build = [], [], [], []
    for c, o, d in queries:
        t0 = time.perf_counter()
        g = build_graph(net, c)
        build.append((time.perf_counter() - t0) * 1000)
        mine = [
            (r.signature, round(r.cost_usd_per_t - r.charges["insurance"], 6))
            for r in k_best(g, o, d, K)
        ]
        if not mine:
            continue
        nxg = networkx_graph(g)
        base = networkx_k_best(g, nxg, o, d, K)
        if [s for s, _ in mine] != [s for s, _ in base]:
            sys.exit(f"answers differ for {c.id} {o}->{d}:\n{mine}\n{base}")
        ours.append(_median_ms(lambda g=g, o=o, d=d: _cold(g, o, d), repeat))
        warm.append(_median_ms(lambda g=g, o=o, d=d: k_best(g, o, d, K), repeat))
        theirs.append(
            _median_ms(
                lambda g=g, n=nxg, o=o, d=d: networkx_k_best(g, n, o, d, K), max(1, repeat // 5)
            )
        )
    med_ours, med_theirs = statistics.median(ours), statistics.median(theirs)
    return {
        "queries": len(ours),
        "ours_ms": med_ours,
        "networkx_ms": med_theirs,
        "warm_ms": statistics.median(warm),
        "speedup": med_theirs / med_ours,
        "graph_build_ms": statistics.median(build),
    }


def bench_scaling(sizes: tuple[int, ...], repeat: int) -> list[dict[str, float]]:
    """The same comparison on synthetic networks of growing size (same answers checked)."""
    rows = []
    for n_links in sizes:
        net = synthetic_network(n_links // 3, n_links, seed=5)
        g = build_graph(net, net.commodity("ore"))
        mine = [r.signature for r in k_best(g, "N0", "N1", K)]
        nxg = networkx_graph(g)
        if mine != [s for s, _ in networkx_k_best(g, nxg, "N0", "N1", K)]:
            sys.exit(f"answers differ on the synthetic network of {n_links} links")
        ours = _median_ms(lambda g=g: _cold(g, "N0", "N1"), repeat)
        theirs = _median_ms(lambda g=g, n=nxg: networkx_k_best(g, n, "N0", "N1", K), 1)
        rows.append(
            {
                "links": len(net.links),
                "ours_ms": ours,
                "networkx_ms": theirs,
                "speedup": theirs / ours,
            }
        )
    return rows


def bench_synthetic(n_links: int) -> dict[str, float]:
    t0 = time.perf_counter()
    net = synthetic_network(n_links // 3, n_links, seed=11)
    make_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = build_graph(net, net.commodity("ore"))
    _adjacency(g)  # the search index, built once per graph
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = k_best(g, "N0", "N1", K)
    query_s = time.perf_counter() - t0
    return {
        "links": len(net.links),
        "vertices": len(g.vertices),
        "edges": len(g.edges),
        "routes": len(found),
        "make_s": make_s,
        "graph_build_s": build_s,
        "query_s": query_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller synthetic")
    args = ap.parse_args()
    repeat = 5 if args.quick else 25
    b = bench_bundled(repeat)
    print(f"bundled network, k={K}, {b['queries']:.0f} queries (median per query):")
    print(
        f"  corridor k_best      {b['ours_ms']:8.2f} ms (cold caches; warm {b['warm_ms']:.2f} ms)"
    )
    print(f"  networkx baseline    {b['networkx_ms']:8.2f} ms")
    print(
        f"  speed-up             {b['speedup']:8.1f} x cold, "
        f"{b['networkx_ms'] / b['warm_ms']:.1f} x warm   (goal >= 20 x, <= 5 ms)"
    )
    print(f"  graph build          {b['graph_build_ms']:8.2f} ms (once per commodity and rules)")
    print("synthetic networks, same comparison (cold caches):")
    for row in bench_scaling((300, 1_000, 3_000), max(3, repeat // 5)):
        print(
            f"  {row['links']:6.0f} links: corridor {row['ours_ms']:8.2f} ms, networkx "
            f"{row['networkx_ms']:9.2f} ms, speed-up {row['speedup']:6.1f} x"
        )
    s = bench_synthetic(20_000 if args.quick else 100_000)
    print(
        f"synthetic network: {s['links']:.0f} links, {s['vertices']:.0f} vertices, "
        f"{s['edges']:.0f} edges"
    )
    print(
        f"  graph build {s['graph_build_s']:.2f} s; k={K} query {s['query_s'] * 1000:.0f} ms "
        f"({s['routes']:.0f} routes)"
    )
    ok = b["speedup"] >= 20 and b["ours_ms"] <= 5
    print("goal met" if ok else "GOAL NOT MET")


if __name__ == "__main__":
    main()
