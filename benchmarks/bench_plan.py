"""Planning speed and scale: column generation against the arc-based LP, same run.

1. **Example portfolio** (``examples/contracts.yaml`` on the bundled network): the time of
   :func:`corridor.optimize.plan` cold and warm, split into its steps; its final LP built
   and solved by HiGHS and by PuLP + CBC.
2. **Synthetic**, 10 commodities with one contract each on a synthetic network
   (:func:`corridor.network.synthetic.synthetic_network`, random capacities and shared
   capacity groups added here): what ``plan`` does from nothing — the contracts checked,
   commodity graphs, the candidate routes (k = 8), column generation until no route has a
   negative reduced cost (with the optimality gap its Lagrangian bound proves) and the
   read-out of the result — against the **arc-based
   LP** of the same plan (multi-commodity min-cost flow over every edge of the ten
   commodity graphs, the same capacities, volumes and shortfall penalty) built from
   nothing and solved by HiGHS (interior point) and by PuLP + CBC (model building
   included). At 100,000 links the arc-based LP has about 2 million columns (HiGHS took
   40 minutes), so it is solved at ``--arc-links`` (10,000) and, with ``--full-arc``, at
   full size; at 100,000 links the plan's optimality rests on its proven gap.

Every configuration runs ``--repeat`` times, each in a fresh forked child (its own caches;
its peak resident memory, plus that of the ``cbc`` process for CBC); best and median wall
and CPU times are printed with the load average. Answers first: every run of the plan has
the same objective, and it equals the arc-based optimum (to 1e-6, or within ``--gap``)
before any time is printed.

Run: ``python benchmarks/bench_plan.py`` (about 20 minutes on two cores; ``--quick``:
5,000 links, a few minutes).
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
from corridor.optimize import _model, planning
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


def _child(
    fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], q: Any, since: bool, kids: bool
) -> None:
    """``fn(*args)`` with its peak memory: the child's own since the fork (``since``: the
    parent built the input) or its whole peak, plus (``kids``) the peak of processes it
    starts. Only then does a thread watch them: it reads /proc fifty times a second, CPU
    time the child's own figure counts (on 100,000 links, 5 of the plan's 30 s)."""
    start = _rss_mb() if since else 0.0
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=_watch_children, args=(stop, peak), daemon=True)
    if kids:
        watcher.start()
    try:
        out = fn(*args)
    except Exception as exc:  # report it to the parent rather than hang
        q.put({"error": f"{type(exc).__name__}: {exc}"})
        return
    finally:
        stop.set()
        if kids:
            watcher.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
    q.put({**out, "peak_mb": own + peak[0]})


def forked(
    fn: Callable[..., dict[str, Any]],
    args: tuple[Any, ...],
    limit: float,
    *,
    since: bool = False,
    kids: bool = False,
) -> dict[str, Any]:
    """``fn(*args)`` in a fresh forked child (its own caches and peak memory, with that of
    the processes it starts if ``kids``); give up after ``limit`` seconds."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, q, since, kids))
    proc.start()
    try:
        out: dict[str, Any] = q.get(timeout=limit)
    except Exception:
        out = {"error": f"did not finish within {limit:.0f} s"}
    proc.kill()
    proc.join()
    return out


def measured(
    fn: Callable[[LinearProgram], dict[str, float]], lp: LinearProgram, limit: float
) -> dict[str, Any]:
    """Run ``fn(lp)`` in a forked child, counting the memory it adds to the built ``lp``
    (and that of the ``cbc`` process PuLP starts)."""
    return forked(fn, (lp,), limit, since=True, kids=fn is pulp_build_solve)


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
    net: Network, contracts: Portfolio | list[Contract], k: int, rounds: int, gap: float = 0.0
) -> tuple[LinearProgram, dict[str, Any]]:
    """What ``plan`` does from nothing (contracts checked, candidates, column generation,
    rule costs, the read-out), with how generation ended; the final LP."""
    result, program, pricing, solution = planning._plan(
        contracts, (), None, net, k, None, 0.0, None, rounds, gap
    )
    info = {
        **result.timings,
        "penalty": result.settings["shortfall_penalty_usd_per_t"],
        "objective": solution.objective,
        "routes": result.candidates,
        "rounds": pricing.rounds,
        "converged": pricing.converged,
        "gap": pricing.gap,
        "gaps": pricing.gaps,
    }
    return program._model.highs.lp, info


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


def _run_plan(n_links: int, gap: float) -> dict[str, Any]:
    """In a child: make the instance, then plan it from nothing (contracts checked, graphs,
    candidates, column generation, the read-out), timed."""
    net, contracts = synthetic_instance(n_links)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    _, info = path_plan(net, contracts, K, ROUNDS, gap)
    return {
        **info,
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "instance_mb": base,
    }


def _run_arc(n_links: int, solver: str) -> dict[str, Any]:
    """In a child: make the instance, then build the arc-based LP from nothing (graphs and
    arrays) and solve it with ``solver`` (``HiGHS`` or ``PuLP+CBC``, model building
    included), timed."""
    net, contracts = synthetic_instance(n_links)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    a = Assumptions()
    dearest = 0.0
    for c in contracts:  # the same shortfall penalty as the plan: from its candidates
        cands = _model._candidates(c, (), net, a, K, 0.0)[0]
        dearest = max([dearest, *(x.cost_usd_per_t for x in cands)])
    lp = arc_lp(net, contracts, 10 * dearest + 1000)
    out = (highs_ipm if solver == "HiGHS" else pulp_build_solve)(lp)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the cbc process PuLP starts
    return {
        **out,
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0 + kids.ru_utime + kids.ru_stime,
        "instance_mb": base,
        "columns": lp.matrix.shape[1],
    }


def _spread(runs: list[dict[str, Any]], key: str) -> tuple[float, float]:
    values = [r[key] for r in runs]
    return min(values), statistics.median(values)


def bench_synthetic(
    n_links: int, repeat: int, limit: float, baselines: tuple[str, ...], gap: float
) -> None:
    """The plan from nothing at ``n_links`` links × 10 commodities, ``repeat`` times, each in
    a fresh child; the arc-based LP of the same plan by each of ``baselines``. Objectives
    are checked first: every plan against the arc-based optimum (within the plan's gap)."""
    load0 = os.getloadavg()
    plans = [forked(_run_plan, (n_links, gap), limit) for _ in range(repeat)]
    if any("error" in r for r in plans):
        sys.exit(f"plan at {n_links:,} links: {next(r for r in plans if 'error' in r)['error']}")
    base = {
        name: [
            forked(_run_arc, (n_links, name), limit, kids=name == "PuLP+CBC") for _ in range(repeat)
        ]
        for name in baselines
    }
    p = plans[0]
    # answers first: the same plan every time; the same optimum as every baseline
    for r in plans[1:]:
        _same(p, r, "two runs of the plan")
    for name, runs in base.items():
        for r in runs:
            if "error" in r:
                continue
            excess = (p["objective"] - r["objective"]) / max(1.0, abs(r["objective"]))
            if not -1e-6 <= excess <= max(gap, 1e-6):
                sys.exit(
                    f"{n_links:,} links: plan {p['objective']:,.2f} against the arc-based "
                    f"optimum {r['objective']:,.2f} ({name})"
                )
    checked = ", ".join(
        f"{n} {'checked' if all('error' not in r for r in rs) else 'not run'}"
        for n, rs in base.items()
    )
    print(
        f"\n{n_links:,} links × {N_COMMODITIES} commodities: plan objective "
        f"{p['objective']:,.2f}, proven gap {p['gap']:.1e} after {p['rounds']} rounds "
        f"({p['routes']:,} routes; gap target {gap:g}); arc-based optimum: {checked or 'not run'}"
    )
    reached = []
    for tol in (1e-2, 1e-4, 1e-6):
        at = next((i for i, g in enumerate(p["gaps"]) if g <= tol), None)
        reached.append(f"<= {tol:g} at round {at}")
    print(f"   gap per round: {', '.join(reached)}")
    wall, cpu = _spread(plans, "wall_s"), _spread(plans, "cpu_s")
    peak = max(r["peak_mb"] for r in plans)
    print(
        f"   plan from nothing: wall best {wall[0]:.2f} s, median {wall[1]:.2f} s; CPU best "
        f"{cpu[0]:.2f} s, median {cpu[1]:.2f} s (of {repeat}); peak RSS {peak:,.0f} MB "
        f"(instance {p['instance_mb']:,.0f} MB)"
    )
    steps = ("candidates", "build", "solve", "pricing")
    parts = {k: statistics.median(r[k] for r in plans) for k in steps}
    # the rest: the contracts checked, rule costs, the read-out
    parts["rest"] = statistics.median(r["wall_s"] - sum(r[k] for k in steps) for r in plans)
    print("   median split: " + ", ".join(f"{k} {v:.2f} s" for k, v in parts.items()))
    for name, runs in base.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            print(f"   arc-based LP, {name}: {runs[0]['error']}")
            continue
        bw, bc = _spread(ok, "wall_s"), _spread(ok, "cpu_s")
        print(
            f"   arc-based LP ({ok[0]['columns']:,} columns), {name} from nothing (graphs, "
            f"arrays, model, solve): wall best {bw[0]:.2f} s, median {bw[1]:.2f} s; CPU best "
            f"{bc[0]:.2f} s, median {bc[1]:.2f} s; peak {max(r['peak_mb'] for r in ok):,.0f} MB"
        )
        print(
            f"     {name} / plan: CPU best {bc[0] / cpu[0]:.1f}x, median {bc[1] / cpu[1]:.1f}x; "
            f"wall best {bw[0] / wall[0]:.1f}x, median {bw[1] / wall[1]:.1f}x"
        )
    print(f"   load average 1/5/15 min: before {_load(load0)}, after {_load(os.getloadavg())}")


def _load(avg: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in avg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="5,000 links only (a few minutes)")
    ap.add_argument("--links", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    ap.add_argument(
        "--arc-links",
        type=int,
        nargs="*",
        default=[10_000],
        help="sizes whose arc-based LP HiGHS and PuLP + CBC solve too (at 100,000 links it "
        "has about 2 million columns: HiGHS took 40 minutes; --full-arc runs it)",
    )
    ap.add_argument("--full-arc", action="store_true", help="also the arc-based LP at --links")
    ap.add_argument("--gap", type=float, default=0.0, help="stop column generation at this gap")
    ap.add_argument("--limit", type=float, default=900.0, help="seconds per run")
    args = ap.parse_args()
    load0 = os.getloadavg()
    bench_example(args.repeat if args.quick else 20, args.limit)
    both = ("HiGHS", "PuLP+CBC")
    if args.quick:
        bench_synthetic(5_000, args.repeat, args.limit, both, args.gap)
    else:
        for size in args.arc_links:
            bench_synthetic(size, args.repeat, args.limit, both, args.gap)
        arc = ("HiGHS",) if args.full_arc else ()
        bench_synthetic(args.links, args.repeat, args.limit * 3, arc, args.gap)
    print(f"\nload average 1/5/15 min: before {_load(load0)}, after {_load(os.getloadavg())}")


if __name__ == "__main__":
    main()
