"""Planning speed and scale: HiGHS (highspy) against PuLP + CBC on the same LPs, same run.

Three measurements:

1. **Example portfolio** (``examples/contracts.yaml`` on the bundled network): the time of
   :func:`corridor.optimize.plan` from a cold start (commodity graphs built) and warm
   (graphs cached), split into candidate routes, LP build, solve, column generation and
   the re-solves that price each rule. Goal: well under a second. The final LP is then
   built and solved again by HiGHS and by PuLP + CBC.
2. **Synthetic, path-based** (what ``plan`` does): 10 commodities, one contract each, on a
   synthetic network of about 100,000 links (:func:`corridor.network.synthetic.synthetic_network`
   with ten commodities, random capacities and shared capacity groups added here): the
   candidate routes, the rounds of column generation, and the final LP by both solvers.
3. **Synthetic, arc-based**: the same planning problem written over every edge of the ten
   commodity graphs (multi-commodity min-cost flow with the same shared capacities, volumes
   and shortfall penalty) — the LP a planner without routes must solve, and the optimum
   over every path, which the converged path-based plan must equal. HiGHS (interior point)
   and CBC at the sizes given by ``--cbc-links`` (5,000 and 20,000 links: at 100,000 links
   it has 2 million columns, which took HiGHS 40 minutes; ``--full-arc`` runs it).

Every objective is checked equal between the two solvers (and between the path-based plan
and the arc-based optimum) before any time is reported. Memory: each build + solve runs in
a forked child; "peak MB" is the child's peak resident memory above what it inherited,
plus, for CBC, the peak of the ``cbc`` process PuLP starts (read from /proc while it runs).

Run: ``python benchmarks/bench_plan.py`` (about 10 minutes; ``--quick``: 20,000 links and
no arc-based LP, about a minute).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from corridor.analysis.queries import default_network
from corridor.contracts.io import load_contracts
from corridor.contracts.model import Contract, Portfolio
from corridor.costs import Assumptions, insurance_usd_per_t
from corridor.graph import commodity_graph
from corridor.network.model import Commodity, Link, Network
from corridor.network.synthetic import synthetic_network
from corridor.optimize import _model, _pricing, planning
from corridor.optimize.capacity import capacities, capacity_of_link
from corridor.optimize.lp import HighsModel, LinearProgram

EXAMPLE = Path(__file__).parents[1] / "examples" / "contracts.yaml"
N_COMMODITIES = 10
K = 8
ROUNDS = 400


# --------------------------------------------------------------------------- solvers


def highs_build_solve(lp: LinearProgram, ipm: bool = False) -> dict[str, float]:
    t0 = time.perf_counter()
    model = HighsModel(lp)
    if ipm:
        model.highs.setOptionValue("solver", "ipm")
    t1 = time.perf_counter()
    objective = model.solve().objective
    return {"build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "objective": objective}


def highs_ipm(lp: LinearProgram) -> dict[str, float]:
    return highs_build_solve(lp, ipm=True)


def pulp_build_solve(lp: LinearProgram) -> dict[str, float]:
    """The same LP through PuLP's modelling objects, solved by CBC (PuLP's default)."""
    t0 = time.perf_counter()
    prob = pulp.LpProblem("plan", pulp.LpMinimize)
    xs = [
        pulp.LpVariable(f"x{j}", lowBound=0, upBound=None if np.isinf(ub) else float(ub))
        for j, ub in enumerate(lp.col_upper)
    ]
    prob += pulp.LpAffineExpression([(xs[j], float(c)) for j, c in enumerate(lp.cost) if c])
    rows = lp.matrix.tocsr()
    for i in range(rows.shape[0]):
        lo, hi = float(lp.row_lower[i]), float(lp.row_upper[i])
        span = slice(rows.indptr[i], rows.indptr[i + 1])
        terms = zip(rows.indices[span], rows.data[span], strict=True)
        expr = pulp.LpAffineExpression([(xs[j], float(v)) for j, v in terms])
        if lo == hi:
            prob += expr == lo
            continue
        if np.isfinite(lo):
            prob += expr >= lo
        if np.isfinite(hi):
            prob += expr <= hi
    t1 = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":
        raise RuntimeError(f"CBC: {pulp.LpStatus[prob.status]}")
    objective = float(pulp.value(prob.objective))
    return {"build_s": t1 - t0, "solve_s": time.perf_counter() - t1, "objective": objective}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _watch_children(stop: threading.Event, peak: list[float]) -> None:
    """Peak resident memory (VmHWM) of any child process, e.g. the cbc binary."""
    me = str(os.getpid())
    while not stop.is_set():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[1] != me:
                        continue
                with open(f"/proc/{pid}/status") as f:
                    hwm = next(ln for ln in f if ln.startswith("VmHWM"))
                peak[0] = max(peak[0], int(hwm.split()[1]) / 1024)
            except (OSError, StopIteration, IndexError):
                continue
        stop.wait(0.02)


def _child(fn: Callable[[LinearProgram], dict[str, float]], lp: LinearProgram, q: Any) -> None:
    start = _rss_mb()
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=_watch_children, args=(stop, peak), daemon=True)
    watcher.start()
    try:
        out = fn(lp)
    except Exception as exc:  # report it to the parent rather than hang
        q.put({"error": f"{type(exc).__name__}: {exc}"})
        return
    finally:
        stop.set()
        watcher.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
    q.put({**out, "peak_mb": own + peak[0]})


def measured(
    fn: Callable[[LinearProgram], dict[str, float]], lp: LinearProgram, limit: float
) -> dict[str, Any]:
    """Run ``fn(lp)`` in a forked child; give up after ``limit`` seconds."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, lp, q))
    proc.start()
    try:
        out: dict[str, Any] = q.get(timeout=limit)
    except Exception:
        out = {"error": f"did not finish within {limit:.0f} s"}
    proc.kill()
    proc.join()
    return out


def compare(
    lp: LinearProgram, limit: float, highs: Callable[[LinearProgram], dict[str, float]]
) -> dict[str, dict[str, Any]]:
    """HiGHS and CBC on one LP; their objectives must agree."""
    res = {"HiGHS": measured(highs, lp, limit), "PuLP+CBC": measured(pulp_build_solve, lp, limit)}
    _same(res["HiGHS"], res["PuLP+CBC"], "HiGHS and CBC")
    return res


def _same(a: dict[str, Any], b: dict[str, Any], what: str) -> None:
    if "error" in a or "error" in b:
        return
    gap = abs(a["objective"] - b["objective"]) / max(1.0, abs(a["objective"]))
    if gap > 1e-6:
        sys.exit(f"objectives differ ({what}): {a['objective']} against {b['objective']}")


# --------------------------------------------------------------------------- instances


def synthetic_instance(n_links: int, seed: int = 7) -> tuple[Network, list[Contract]]:
    """A synthetic network with ten commodities, capacities and groups; ten contracts.

    A fifth of the links get a capacity of 50,000–400,000 t/yr, and one capacitated link
    in fifty shares a group with its neighbour in the list; each contract moves
    100,000–300,000 t/yr from one of the westernmost nodes to ``N1`` (the far east).
    """
    base = synthetic_network(n_links // 3, n_links, seed=seed)
    rng = np.random.default_rng(seed)
    goods = tuple(
        Commodity(
            **{
                **vars(base.commodities[0]),
                "id": f"c{i}",
                "name_en": f"Commodity {i}",
                "value_usd_per_t": float(rng.uniform(200, 20_000)),
                "freight_factor": float(rng.uniform(0.8, 1.6)),
            }
        )
        for i in range(N_COMMODITIES)
    )
    links = []
    for i, link in enumerate(base.links):
        cap = float(rng.uniform(50_000, 400_000)) if rng.random() < 0.2 else None
        group = f"G{i // 2}" if cap is not None and rng.random() < 0.02 else ""
        links.append(Link(**{**vars(link), "capacity_t_per_year": cap, "capacity_group": group}))
    net = Network(
        base.nodes,
        tuple(links),
        goods,
        base.exposures,
        base.emission_factors,
        base.sources,
        base.origin + " x10 commodities",
    )
    west = sorted(base.nodes[2:], key=lambda n: n.lon)[:N_COMMODITIES]
    contracts = [
        Contract(f"k{i}", g.id, (west[i].id,), ("N1",), float(rng.uniform(1e5, 3e5)))
        for i, g in enumerate(goods)
    ]
    return net, contracts


def path_plan(
    net: Network, portfolio: Portfolio, k: int, rounds: int
) -> tuple[LinearProgram, dict[str, Any]]:
    """What ``plan`` does, step by step: candidates, then column generation; the final LP."""
    a = Assumptions()
    rules = (*portfolio.rules, *(r for c in portfolio.contracts for r in c.clauses))
    clock = _model._Clock()
    cands = {c.id: _model._candidates(c, rules, net, a, k, 0.0)[0] for c in portfolio.contracts}
    clock.lap("candidates")
    penalty = 10 * max(x.cost_usd_per_t for xs in cands.values() for x in xs) + 1000
    problem = _pricing._Problem(portfolio, rules, net, a, penalty, 0.0)
    model, solution, pricing = _pricing._solve(problem, cands, rounds, clock)
    info = {
        **clock.laps,
        "penalty": penalty,
        "objective": solution.objective,
        "routes": len(model.candidates),
        "rounds": pricing.rounds,
        "converged": pricing.converged,
        "gap": pricing.gap,
        "gaps": pricing.gaps,
    }
    return model.highs.lp, info


def arc_lp(net: Network, contracts: list[Contract], penalty: float) -> LinearProgram:
    """The same plan over every edge: min-cost multi-commodity flow, shared capacities.

    Columns per contract: one per edge of its commodity graph, one supply per origin
    vertex, one delivery per destination vertex (charged the cargo insurance, which
    routes pay once), and the shortfall. Rows: conservation per contract and vertex,
    volume per contract, one row per capacity over all contracts.
    """
    a = Assumptions()
    by_link = capacity_of_link(net)
    caps = sorted(capacities(net).values(), key=lambda c: c.id)
    cap_index = {c.id: i for i, c in enumerate(caps)}
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    cost: list[float] = []
    bounds: list[tuple[float, float]] = []
    cap_entries: list[tuple[int, int]] = []

    def add(row: int, value: float) -> None:
        rows.append(np.array([row]))
        cols.append(np.array([len(cost)]))
        vals.append(np.array([value]))

    for c in contracts:
        g = commodity_graph(net, c.commodity, a)  # the graph the plan prices on
        r0 = len(bounds)
        bounds += [(0.0, 0.0)] * len(g.vertices)
        volume_row = len(bounds)
        bounds.append((c.volume_t_per_year, c.volume_t_per_year))
        j = len(cost) + np.arange(len(g.edges))
        rows += [r0 + np.array([e.tail for e in g.edges]), r0 + np.array([e.head for e in g.edges])]
        cols += [j, j]
        vals += [np.full(len(j), -1.0), np.ones(len(j))]
        for k, e in enumerate(g.edges):
            if e.link is not None and e.link.id in by_link:
                cap_entries.append((cap_index[by_link[e.link.id]], len(cost) + k))
        cost += [e.cost for e in g.edges]
        for v in (v for o in c.origins for v in g.node_vertices[o]):
            add(r0 + v, 1.0)
            cost.append(0.0)
        insurance = insurance_usd_per_t(net.commodity(c.commodity), a)
        for v in (v for d in c.destinations for v in g.node_vertices[d]):
            add(r0 + v, -1.0)
            add(volume_row, 1.0)
            cost.append(insurance)
        add(volume_row, 1.0)
        cost.append(penalty)
    cap_row0 = len(bounds)
    bounds += [(-np.inf, cap.capacity_t_per_year) for cap in caps]
    ci, cj = np.array(cap_entries, dtype=np.int64).reshape(-1, 2).T
    rows.append(cap_row0 + ci)
    cols.append(cj)
    vals.append(np.ones(len(ci)))
    return LinearProgram.from_triplets(
        cost, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), bounds
    )


# --------------------------------------------------------------------------- runs


def _report(title: str, lp: LinearProgram, res: dict[str, dict[str, Any]]) -> None:
    m, n = lp.matrix.shape
    print(f"{title}: {n:,} columns, {m:,} rows, {lp.matrix.nnz:,} non-zeros")
    for name, r in res.items():
        if "error" in r:
            print(f"     {name:9s} {r['error']}")
            continue
        print(
            f"     {name:9s} build {r['build_s']:9.3f} s  solve {r['solve_s']:9.3f} s  "
            f"peak {r['peak_mb']:8.1f} MB  objective {r['objective']:,.0f}"
        )
    h, c = res.get("HiGHS", {}), res.get("PuLP+CBC", {})
    if h and c and "error" not in h and "error" not in c:
        total = (c["build_s"] + c["solve_s"]) / (h["build_s"] + h["solve_s"])
        print(
            f"     PuLP+CBC / HiGHS: build {c['build_s'] / h['build_s']:.1f}x, "
            f"solve {c['solve_s'] / h['solve_s']:.1f}x, total {total:.1f}x, "
            f"peak memory {c['peak_mb'] / max(h['peak_mb'], 1e-3):.1f}x"
        )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_example(repeat: int, limit: float) -> None:
    net = default_network()
    portfolio = load_contracts(EXAMPLE, net)
    t0 = time.perf_counter()
    planning.plan(portfolio, network=net)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = planning.plan(portfolio, network=net)
        warm.append(time.perf_counter() - t0)
    print("1. example portfolio (examples/contracts.yaml, bundled network)")
    print(
        f"   plan(): cold {_ms(cold)}, warm best {_ms(min(warm))}, median "
        f"{_ms(statistics.median(warm))} (of {repeat})"
    )
    parts = ", ".join(f"{k} {_ms(v)}" for k, v in result.timings.items())
    print(f"   warm: {parts}; {result.candidates} routes")
    lp, _ = path_plan(net, portfolio, 12, planning.MAX_ROUNDS)
    _report("   its LP", lp, compare(lp, limit, highs_build_solve))


def bench_synthetic(n_links: int, limit: float, arc: str) -> None:
    """Path-based plan (both solvers on its final LP); the arc-based LP by ``arc``:
    ``none``, ``highs`` or ``both`` solvers."""
    t0 = time.perf_counter()
    net, contracts = synthetic_instance(n_links)
    print(
        f"\nsynthetic: {len(net.links):,} links, {len(net.nodes):,} nodes, "
        f"{N_COMMODITIES} commodities, {len(capacities(net)):,} capacities "
        f"(made in {time.perf_counter() - t0:.1f} s)"
    )
    lp, info = path_plan(net, planning._portfolio(contracts, (), net), K, ROUNDS)
    print(
        f"   plan: candidate routes (k={K}) {info['candidates']:.1f} s; column generation "
        f"{info['rounds']} rounds ({'converged' if info['converged'] else 'NOT converged'}), "
        f"pricing {info['pricing']:.1f} s, LP builds {info['build']:.2f} s, "
        f"solves {info['solve']:.2f} s; {info['routes']} routes; process peak memory "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )
    _report("   final path-based LP", lp, compare(lp, limit, highs_build_solve))
    if arc == "none":
        return
    t0 = time.perf_counter()
    full = arc_lp(net, contracts, info["penalty"])
    print(f"   arc-based LP of the same plan (arrays built in {time.perf_counter() - t0:.1f} s)")
    if arc == "both":
        res = compare(full, limit, highs_ipm)
    else:
        res = {"HiGHS": measured(highs_ipm, full, limit * 3)}
    _report(f"   {len(net.links):,} links, HiGHS interior point", full, res)
    path = {"objective": info["objective"]}
    _same(path, res["HiGHS"], "path-based plan and arc-based optimum")
    if "error" not in res["HiGHS"]:
        print("   path-based plan = arc-based optimum (to 1e-6): column generation is exact")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="20,000 links; no arc-based LP")
    ap.add_argument("--links", type=int, default=100_000)
    ap.add_argument(
        "--cbc-links",
        type=int,
        nargs="*",
        default=[5_000, 20_000],
        help="smaller instances whose arc-based LP CBC solves too",
    )
    ap.add_argument(
        "--full-arc",
        action="store_true",
        help="also solve the arc-based LP at full size with HiGHS (about 40 min at 100,000 "
        "links on two cores)",
    )
    ap.add_argument("--limit", type=float, default=900.0, help="seconds per solver run")
    args = ap.parse_args()
    load0 = os.getloadavg()
    bench_example(5 if args.quick else 20, args.limit)
    if args.quick:
        bench_synthetic(20_000, args.limit, "none")
    else:
        bench_synthetic(args.links, args.limit, "highs" if args.full_arc else "none")
        for size in args.cbc_links:
            bench_synthetic(size, args.limit, "both")
    print(f"\nload average 1/5/15 min: before {load0}, after {os.getloadavg()}")


if __name__ == "__main__":
    main()
