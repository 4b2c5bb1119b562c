"""Time-resolved ("in time") Monte Carlo speed: the block engine, its random draws, a fair loop.

Portfolio: ``examples/contracts.yaml`` planned by ``corridor.optimize.plan``, bundled events
and recovery figures, a 30-day safety stock.

* **Set-up**: the allocation with its candidate routes (``from_contracts``), then the
  timed plan and the compiled block model.
* **Engine**: :func:`corridor.risk.intime_fast.run_block` over chunks of ``CHUNK_YEARS``
  years (the draws included), one process, one thread: the Numba-compiled loop of
  :mod:`corridor.risk.intime_kernel` (compiled before timing; its cache makes later runs
  load it).
* **As stress runs it**: :func:`corridor.risk.intime_stress.intime_chunk` per chunk: the
  engine, the chunk's tally and its split over the events (each year with stock-out days and
  several events run again without each of them, for their marginal effect).
* **Draws alone**: :func:`corridor.risk.intime_fast.sample_block` for the same years.
* **Baseline**: a plain per-year loop with the same semantics,
  :func:`corridor.risk.timeline.simulate_year` (per lot, per closure, per alternative, in
  Python), with memoised years (identical keys computed once), timed on the first
  ``--sample`` years and scaled. On that sample both must give the same figures or the
  benchmark fails.

Every timing is repeated ``--repeat`` times: best and median are printed, with the load
average (``os.getloadavg``) before and after, and the best CPU time of the timing thread (which
other processes sharing the cores do not inflate). Goals (issues #12, #19): 10^6 years ≤ 5 s on
one core, ≤ 3× (#19: ≤ 2×) the draws alone, ≥ 100× the fair loop (the stress set-up goal,
≤ 0.3 s, is measured by ``bench_setup.py``: the set-up here is a first call).
Run: ``python benchmarks/bench_intime.py`` (``--years`` default one chunk, 16,384).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from corridor.analysis import default_network  # noqa: E402
from corridor.risk import _common  # noqa: E402
from corridor.risk.allocation import from_contracts  # noqa: E402
from corridor.risk.intime_fast import OUT_FIELDS, compile_fast, run_block, sample_block  # noqa: E402
from corridor.risk.intime_stress import InTimeModel, intime_chunk, relevant_events  # noqa: E402
from corridor.risk.occurrences import event_closures  # noqa: E402
from corridor.risk.timeline import YearOutcome, simulate_year, timed_plan  # noqa: E402


def _times(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this thread's) of each of ``repeat`` runs of ``fn``."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    return wall, cpu


def _chunks(years: int) -> list[int]:
    full, rest = divmod(years, _common.CHUNK_YEARS)
    return [_common.CHUNK_YEARS] * full + ([rest] if rest else [])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", type=int, default=_common.CHUNK_YEARS)
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    load0 = os.getloadavg()
    net = default_network()

    t = time.perf_counter()
    allocation = from_contracts("examples/contracts.yaml", network=net)
    setup_alloc = time.perf_counter() - t
    t = time.perf_counter()
    plan = timed_plan(allocation, stock_days=30.0)
    events = relevant_events(net, [plan])
    fast = compile_fast(plan, net)
    setup_compile = time.perf_counter() - t

    def draws() -> None:
        for chunk, n in enumerate(_chunks(args.years)):
            sample_block(net, events, _common.CHUNK_YEARS, args.seed, chunk).first(n)

    def engine() -> None:
        for chunk, n in enumerate(_chunks(args.years)):
            occ = sample_block(net, events, _common.CHUNK_YEARS, args.seed, chunk).first(n)
            run_block(fast, occ)

    model = InTimeModel(fast, tuple(events))

    def stress() -> None:  # what `corridor stress` runs per chunk
        for chunk, n in enumerate(_chunks(args.years)):
            intime_chunk(model, args.seed, chunk, n)

    # Identical outcomes on the sample, and the baseline's time (memoised years).
    occ = sample_block(net, events, _common.CHUNK_YEARS, args.seed, 0).first(args.sample)
    keys = occ.keys()
    block = run_block(fast, occ).values
    t = time.perf_counter()
    memo: dict[object, YearOutcome] = {}
    for y, key in enumerate(keys):
        if key not in memo:
            closures = [c for e, s, d in key for c in event_closures(net, net.events[e], s, d)]
            memo[key] = simulate_year(plan, closures).portfolio
        want = np.array([getattr(memo[key], k) for k in OUT_FIELDS])
        if not np.allclose(block[:, y], want, rtol=1e-9, atol=1e-6):
            sys.exit(f"year {y}: block engine {block[:, y]} != loop {want}")
    per_year_loop = (time.perf_counter() - t) / args.sample

    t_draw, c_draw = _times(draws, args.repeat)
    t_engine, c_engine = _times(engine, args.repeat)
    _, c_stress = _times(stress, args.repeat)
    load1 = os.getloadavg()
    best, med = min(t_engine), statistics.median(t_engine)
    ratio_draw = [e / d for e, d in zip(t_engine, t_draw, strict=True)]
    speedup = [per_year_loop * args.years / e for e in t_engine]
    print(f"in-time engine, {args.years:,} years of the example portfolio, one core")
    print(
        f"  set-up: allocation and candidates {setup_alloc:.2f} s (a first call: imports and "
        f"caches included; the 0.3 s goal is bench_setup.py's), compile "
        f"{setup_compile * 1e3:.1f} ms"
    )
    print(
        f"  engine: best {best:.2f} s, median {med:.2f} s ({args.years / best:,.0f} years/s "
        f"best; 10^6 years ≈ {1e6 / args.years * best:,.0f} s, goal 5 s)"
    )
    print(f"  draws alone: best {min(t_draw):.3f} s, median {statistics.median(t_draw):.3f} s")
    print(
        f"  as `corridor stress` runs it (engine, the tally, and each figure split over the "
        f"events: years with stock-out days run again without each of their events): CPU best "
        f"{min(c_stress):.2f} s, median {statistics.median(c_stress):.2f} s (10^6 years ≈ "
        f"{1e6 / args.years * min(c_stress):,.0f} s; {min(c_stress) / min(c_draw):.0f}x the draws)"
    )
    print(
        f"  CPU time (unaffected by other processes on the cores): engine best "
        f"{min(c_engine):.2f} s ({args.years / min(c_engine):,.0f} years/s; 10^6 years ≈ "
        f"{1e6 / args.years * min(c_engine):,.0f} s), draws best {min(c_draw):.3f} s, engine / "
        f"draws {min(c_engine) / min(c_draw):.1f}x"
    )
    print(
        f"  engine / draws: best {min(ratio_draw):.1f}x, median "
        f"{statistics.median(ratio_draw):.1f}x (goal ≤ 3x, #19: ≤ 2x)"
    )
    print(
        f"  fair loop (simulate_year, memoised years): {per_year_loop * 1e3:.1f} ms/year on "
        f"{args.sample} years, identical figures; speed-up best {max(speedup):,.0f}x, median "
        f"{statistics.median(speedup):,.0f}x (goal ≥ 100x)"
    )
    print(
        f"  load average before {load0[0]:.2f} {load0[1]:.2f}, after {load1[0]:.2f} "
        f"{load1[1]:.2f} (1 and 5 min; 2 cores)"
    )


if __name__ == "__main__":
    main()
