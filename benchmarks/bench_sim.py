"""Discrete-event simulation speed: one simulated year, and replications on Dask.

Model: the bundled corridor at current traffic (``sim/resources.csv``: ~2.0 Mt/yr of
background dry cargo on the Caspian rail ferries), with 10,000 t of rare-earth oxide traced
from Almaty to Poti.

1. One replication (30-day warm-up, 365 simulated days, then the traced cargo's drain) on one
   core, repeated; goal (issue #13): at most 2 s.
2. ``--replications`` (default 1,000) in one process against the same replications on a
   local Dask cluster of 2 worker processes (one thread each), same seeds; the results must
   be identical. The two alternate in ``--rounds`` chunks so that both see the same machine
   load. Goal: the cluster is faster. The cluster's start-up is timed apart and the
   overhead stated as the cluster's time less half the single-process time.

Run: ``python benchmarks/bench_sim.py`` (``--replications 100`` for a short check).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from corridor.analysis.queries import default_network  # noqa: E402
from corridor.sim.processes import run_replication  # noqa: E402
from corridor.sim.run import prepare, replicate  # noqa: E402

SEED = 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=4, help="interleaved serial/Dask rounds")
    args = ap.parse_args()
    net = default_network()
    spec = prepare(net, "rare_earth_oxide", "KZ_ALMATY", "GE_POTI", 10_000).spec
    load0 = os.getloadavg()

    children = np.random.SeedSequence(SEED).spawn(args.repeat)
    times = []
    for child in children:
        t0 = time.perf_counter()
        rep = run_replication(spec, child)
        times.append(time.perf_counter() - t0)
    year_best, year_median = min(times), statistics.median(times)
    moved = sum(rep.throughput_t_per_year.values())
    print(
        f"one simulated year (one core): best {year_best:.3f} s, median {year_median:.3f} s "
        f"over {args.repeat} seeds ({moved / 1e6:.2f} Mt on ferries and feeders); goal ≤ 2 s"
    )

    n, rounds = args.replications, args.rounds
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)  # type: ignore[no-untyped-call]
    startup_s = time.perf_counter() - t0
    # Interleaved rounds: on a shared machine both runs see the same load.
    serial_s = dask_s = 0.0
    serial, spread = [], []
    ratios = []
    chunk = n // rounds
    try:
        for r in range(rounds):
            t0 = time.perf_counter()
            serial += replicate(spec, chunk, SEED + r)
            one = time.perf_counter() - t0
            t0 = time.perf_counter()
            spread += replicate(spec, chunk, SEED + r, client=client)
            two = time.perf_counter() - t0
            serial_s, dask_s = serial_s + one, dask_s + two
            ratios.append(one / two)
    finally:
        client.close()  # type: ignore[no-untyped-call]
        cluster.close()  # type: ignore[no-untyped-call]
    n = chunk * rounds
    print(f"{n} replications, one process: {serial_s:.2f} s ({serial_s / n * 1e3:.1f} ms each)")
    same = [r.total_days for r in serial] == [r.total_days for r in spread] and [
        r.throughput_t_per_year for r in serial
    ] == [r.throughput_t_per_year for r in spread]
    overhead = dask_s - serial_s / 2
    print(
        f"{n} replications, Dask 2 workers: {dask_s:.2f} s (+ {startup_s:.2f} s cluster start); "
        f"speed-up {serial_s / dask_s:.2f}x (ideal 2x); overhead {overhead:.2f} s "
        f"({overhead / n * 1e3:.1f} ms per replication); identical results: {same}"
    )
    print(
        f"speed-up per round (one process / Dask): best {max(ratios):.2f}x, median "
        f"{statistics.median(ratios):.2f}x over {rounds} rounds"
    )
    print(f"load average 1/5/15 min: before {load0}, after {os.getloadavg()}")
    ok = year_median <= 2.0 and dask_s < serial_s and same
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
