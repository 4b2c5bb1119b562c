"""The in-time engine on Dask: one process against a local cluster of ``--workers`` processes.

Portfolio: ``examples/contracts.yaml`` planned by ``corridor.optimize.plan``, bundled events
and recovery figures, a 30-day safety stock (as ``bench_intime.py``).

* **One process**: :func:`corridor.risk.runner.run_chunks` with no client, chunk after chunk
  (:func:`corridor.risk.intime_stress.intime_chunk`: draws, the compiled loop, attribution,
  a fixed-size tally).
* **Dask**: the same call on a local cluster of single-threaded worker processes
  (:func:`corridor.risk.runner.local_cluster`): the compiled plan scattered to each worker once
  per run, each task returns its chunk's tally only, folded in chunk order.

The cluster is started, and every worker has run one chunk (so that it has imported Numba and
loaded the compiled loop from its ``cache=True`` cache), before any timing: neither start-up
nor JIT is timed. Before timing, the first two chunks are run both ways and their tallies must
be equal to the bit; every timed Dask run's tally must equal the one-process tally too, or the
benchmark fails. Goal (#19 target 5): 10^7 years on 2 workers ≥ 1.6× faster than one process.
Every timing is repeated ``--repeat`` times: best and median are printed with the load average
(``os.getloadavg``) before and after; on a shared machine the ratio is only meaningful with the
load beside it.
Run: ``python benchmarks/bench_intime_dask.py --years 200000`` (default 10^7, the issue's).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core a process: set before numpy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from corridor.analysis import default_network  # noqa: E402
from corridor.risk import _common  # noqa: E402
from corridor.risk.allocation import from_contracts  # noqa: E402
from corridor.risk.intime_fast import compile_fast  # noqa: E402
from corridor.risk.intime_stress import (  # noqa: E402
    InTimeModel,
    InTimeTally,
    intime_chunk,
    relevant_events,
)
from corridor.risk.runner import local_cluster, run_chunks  # noqa: E402
from corridor.risk.timeline import timed_plan  # noqa: E402


def _same(a: InTimeTally, b: InTimeTally) -> bool:
    return (a.years, a.distinct_years) == (b.years, b.distinct_years) and all(
        np.array_equal(getattr(a, k), getattr(b, k))
        for k in ("sums", "counts", "bin_sums", "attributed")
    )


def _warm(model: InTimeModel) -> int:
    """On a worker: one small chunk (imports Numba, loads the cached loop)."""
    return intime_chunk(model, 0, 0, 8).years


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", type=int, default=10_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from distributed import Client

    net = default_network()
    plan = timed_plan(from_contracts("examples/contracts.yaml", network=net), stock_days=30.0)
    model = InTimeModel(compile_fast(plan, net), tuple(relevant_events(net, [plan])))
    _warm(model)  # this process too

    def one(years: int, client: Any = None) -> InTimeTally:
        tally: InTimeTally = run_chunks(
            intime_chunk, model, args.seed, years, (), lambda done: None, client
        )
        return tally

    with local_cluster(args.workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        client.run(_warm, model)
        check = min(args.years, 2 * _common.CHUNK_YEARS)
        if not _same(one(check), one(check, client)):
            sys.exit(f"{check:,} years: the Dask tally differs from the one-process tally")
        load0 = os.getloadavg()
        single, spread, reference = [], [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            reference = one(args.years)
            single.append(time.perf_counter() - t)
            t = time.perf_counter()
            got = one(args.years, client)
            spread.append(time.perf_counter() - t)
            if not _same(reference, got):
                sys.exit("the Dask tally differs from the one-process tally")
        load1 = os.getloadavg()
    chunks = -(-args.years // _common.CHUNK_YEARS)
    print(
        f"in-time engine, {args.years:,} years ({chunks:,} chunks of {_common.CHUNK_YEARS:,}) "
        f"of the example portfolio: one process against {args.workers} local Dask workers"
    )
    print(f"  tallies identical to the bit ({check:,} years before timing, and every timed run)")
    for name, t in (("one process", single), (f"{args.workers} workers", spread)):
        print(
            f"  {name}: best {min(t):.2f} s, median {statistics.median(t):.2f} s "
            f"({args.years / min(t):,.0f} years/s best)"
        )
    print(
        f"  speed-up: best/best {min(single) / min(spread):.2f}x, median/median "
        f"{statistics.median(single) / statistics.median(spread):.2f}x (goal ≥ 1.6x on 2 workers)"
    )
    print(
        f"  load average before {load0[0]:.2f} {load0[1]:.2f}, after {load1[0]:.2f} "
        f"{load1[1]:.2f} (1 and 5 min; {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
