"""Disruption Monte Carlo speed: the vectorised engine against a plain per-year loop, same run.

Portfolio: ``examples/contracts.yaml`` (five contracts modelled on the December 2025
Kazakhstan–Japan package), planned by ``corridor.optimize.plan``, with the bundled events.

Engine: :func:`corridor.risk.run`, one process, one thread, in chunks of
``CHUNK_YEARS`` years (time and peak memory for ``--years``, default 10^6).

Baseline (issue #19: a fair one): ``tests.oracles.risk_reference.reference_years(...,
memoised=True)``, the same re-routing rule as a plain loop over years, planned routes and
events that keeps what does not change from year to year (the survivors of each flow and
event, found once by NetworkX Dijkstra on the commodity graph; each planned route's charge
per event). Its per-year time is measured on a sample of years after a first pass has filled
what it keeps, scaled to ``--years``, plus that first fill once. The unmemoised loop (the
correctness oracle, a Dijkstra per displaced lot and year) is timed too, for reference. On the
sample all three must make identical route choices (every move: same step, same route) and
give the same tonnes and dollars, or the benchmark fails.

The engine is timed ``--repeat`` times (best and median); the load average (``os.getloadavg``)
is printed before and after. Goals (issue #5, with #19's fair baseline): at least 100x the
baseline and at most 5 s for 10^6 years on one core. Run: ``python benchmarks/bench_risk.py``
(``--quick`` for a short check).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from corridor import risk  # noqa: E402
from corridor.analysis import default_network  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.oracles.risk_reference import reference_loop, reference_years  # noqa: E402

SEED = 0


def _engine(model: risk.RiskModel, years: int) -> tuple[float, risk.Tally]:
    started = time.perf_counter()
    total = risk.run(model, years=years, seed=SEED)
    return time.perf_counter() - started, total


def _peak_mib(model: risk.RiskModel, years: int) -> float:
    """Peak memory traced while simulating ``years`` years (numpy buffers included)."""
    tracemalloc.start()
    risk.run(model, years=years, seed=SEED)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _compare(allocation: risk.Allocation, model: risk.RiskModel, sample: int) -> dict[str, float]:
    """Time the baseline on ``sample`` years and check it against the engine there."""
    shares = risk.sample_years(model, SEED, sample)
    trace: list[risk.Move] = []
    started = time.perf_counter()
    out = risk.simulate(model, shares, trace)
    engine_s = time.perf_counter() - started
    started = time.perf_counter()
    ref = reference_years(allocation, model, shares)
    oracle_s = time.perf_counter() - started
    fair = reference_loop(allocation, model, memoised=True)
    started = time.perf_counter()
    first = [fair.year(shares[:, y]) for y in range(sample)]  # fills what it keeps
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = [fair.year(shares[:, y]) for y in range(sample)]
    steady_s = time.perf_counter() - started
    for mine in (first, again):
        for a, b in zip(mine, ref, strict=True):
            if a.moves != b.moves or not np.array_equal(a.undelivered, b.undelivered):
                sys.exit("the memoised loop and the oracle differ")
    engine_moves: dict[int, list[tuple[int, tuple[str, ...]]]] = {}
    for step, alt, moved in trace:
        for y in np.flatnonzero(moved >= risk.MIN_MOVE_T):
            engine_moves.setdefault(int(y), []).append((step, model.route_links[alt]))
    mismatched = sum(
        engine_moves.get(y, []) != [(i, links) for i, links, _ in r.moves]
        for y, r in enumerate(ref)
    )
    lost = np.array([r.undelivered for r in ref]).T
    extra = np.array([r.extra_cost for r in ref]).T
    return {
        "oracle_s_per_year": oracle_s / sample,
        "baseline_s_per_year": steady_s / sample,
        "baseline_fill_s": max(first_s - steady_s, 0.0),
        "engine_block_s": engine_s,
        "moves": float(sum(len(r.moves) for r in ref)),
        "years_with_other_choices": float(mismatched),
        "max_diff_t": float(np.abs(lost - out.undelivered).max()),
        "max_diff_usd": float(np.abs(extra - out.extra_cost).max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=200, help="years run by the baseline")
    parser.add_argument("--quick", action="store_true", help="100,000 years, 50 sampled")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the engine")
    args = parser.parse_args()
    years, sample = (100_000, 50) if args.quick else (args.years, args.sample)

    allocation = risk.from_contracts("examples/contracts.yaml", network=default_network())
    model = risk.compile_model(allocation)
    print(
        f"portfolio: {len(allocation.flows)} contracts, {model.n_routes} candidate routes, "
        f"{len(model.steps)} re-routing steps, {len(model.events.ids)} events"
    )
    load0 = os.getloadavg()
    risk.run(model, years=risk.CHUNK_YEARS, seed=SEED)  # warm caches and imports
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs = [_engine(model, years) for _ in range(max(args.repeat, 1))]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = sorted(t for t, _ in runs)
    engine_s, engine_median = times[0], statistics.median(times)
    total = runs[0][1]
    peaks = [_peak_mib(model, n * risk.CHUNK_YEARS) for n in (2, 16)]
    check = _compare(allocation, model, sample)
    baseline_s = check["baseline_s_per_year"] * years + check["baseline_fill_s"]
    oracle_s = check["oracle_s_per_year"] * years
    ratio, ratio_median = baseline_s / engine_s, baseline_s / engine_median
    u = total.sums[0, 0] / total.years
    print(
        f"engine:   {years:,} years: best {engine_s:.2f} s ({years / engine_s:,.0f} years/s), "
        f"median {engine_median:.2f} s of {len(times)}, one core"
    )
    print(
        f"memory:   peak traced {peaks[0]:.1f} MiB for {2 * risk.CHUNK_YEARS:,} years, "
        f"{peaks[1]:.1f} MiB for {16 * risk.CHUNK_YEARS:,}; process peak RSS "
        f"{rss_after:.0f} MiB (+{rss_after - rss_before:.0f} MiB during the {years:,}-year run)"
    )
    print(
        f"baseline: the memoised loop {check['baseline_s_per_year'] * 1000:.2f} ms per year on "
        f"{sample} years (after {check['baseline_fill_s']:.2f} s filling what it keeps) -> "
        f"{baseline_s:,.0f} s ({baseline_s / 3600:.1f} h) for {years:,} years"
    )
    print(
        f"oracle:   the unmemoised loop {check['oracle_s_per_year'] * 1000:.1f} ms per year -> "
        f"{oracle_s:,.0f} s; the engine is {oracle_s / engine_s:,.0f}x faster (best)"
    )
    print(
        f"ratio:    {ratio:,.0f}x best, {ratio_median:,.0f}x median faster than the memoised "
        "per-year loop"
    )
    print(
        f"check:    {int(check['moves'])} moves on {sample} years, "
        f"{int(check['years_with_other_choices'])} years with other route choices; "
        f"max difference {check['max_diff_t']:.2e} t, {check['max_diff_usd']:.2e} USD"
    )
    print(f"answer:   expected undelivered {u:,.0f} t/yr of the portfolio")
    print(f"load average 1/5/15 min: before {load0}, after {os.getloadavg()}")
    ok_choices = check["years_with_other_choices"] == 0 and check["max_diff_t"] < 1e-6
    goals = [
        ("identical route choices and numbers on the sample", ok_choices),
        ("at least 100x the memoised loop (median)", ratio_median >= 100),
        (
            "at most 5 s for 10^6 years (median)",
            years < 1_000_000 or engine_median * 1_000_000 / years <= 5,
        ),
    ]
    for name, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    sys.exit(0 if all(ok for _, ok in goals) else 1)


if __name__ == "__main__":
    main()
