"""Disruption Monte Carlo speed: the vectorised engine against a plain per-year loop, same run.

Portfolio: ``examples/contracts.yaml`` (five contracts modelled on the December 2025
Kazakhstan–Japan package), planned by ``corridor.optimize.plan``, with the bundled events.

Engine: :func:`corridor.risk.run`, one process, one thread, in chunks of
``CHUNK_YEARS`` years (time and peak memory for ``--years``, default 10^6).

Baseline: ``tests.oracles.risk_reference.reference_years``, the same re-routing rule as a loop over
years, planned routes and events, the first survivor of every displaced lot found by NetworkX
Dijkstra on the commodity graph. It is timed on a sample of years drawn with the same seed
and scaled to ``--years``; on that sample the two must make identical route choices (every
move: same step, same route) and give the same tonnes and dollars, or the benchmark fails.

Goals (issue #5): at least 100x faster than the baseline and at most 5 s for 10^6 years on
one core. Run: ``python benchmarks/bench_risk.py`` (``--quick`` for a short check).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: set before numpy is imported

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from corridor import risk  # noqa: E402
from corridor.analysis import default_network  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.oracles.risk_reference import reference_years  # noqa: E402

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
    baseline_s = time.perf_counter() - started
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
        "baseline_s_per_year": baseline_s / sample,
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
    args = parser.parse_args()
    years, sample = (100_000, 50) if args.quick else (args.years, args.sample)

    allocation = risk.from_contracts("examples/contracts.yaml", network=default_network())
    model = risk.compile_model(allocation)
    print(
        f"portfolio: {len(allocation.flows)} contracts, {model.n_routes} candidate routes, "
        f"{len(model.steps)} re-routing steps, {len(model.events.ids)} events"
    )
    risk.run(model, years=risk.CHUNK_YEARS, seed=SEED)  # warm caches and imports
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine_s, total = _engine(model, years)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peaks = [_peak_mib(model, n * risk.CHUNK_YEARS) for n in (2, 16)]
    check = _compare(allocation, model, sample)
    baseline_s = check["baseline_s_per_year"] * years
    ratio = baseline_s / engine_s
    u = total.sums[0, 0] / total.years
    print(
        f"engine:   {years:,} years in {engine_s:.2f} s ({years / engine_s:,.0f} years/s), one core"
    )
    print(
        f"memory:   peak traced {peaks[0]:.1f} MiB for {2 * risk.CHUNK_YEARS:,} years, "
        f"{peaks[1]:.1f} MiB for {16 * risk.CHUNK_YEARS:,}; process peak RSS "
        f"{rss_after:.0f} MiB (+{rss_after - rss_before:.0f} MiB during the {years:,}-year run)"
    )
    print(
        f"baseline: {check['baseline_s_per_year'] * 1000:.1f} ms per year on {sample} years "
        f"-> {baseline_s:,.0f} s ({baseline_s / 3600:.1f} h) for {years:,} years"
    )
    print(f"ratio:    {ratio:,.0f}x faster than the per-year NetworkX loop")
    print(
        f"check:    {int(check['moves'])} moves on {sample} years, "
        f"{int(check['years_with_other_choices'])} years with other route choices; "
        f"max difference {check['max_diff_t']:.2e} t, {check['max_diff_usd']:.2e} USD"
    )
    print(f"answer:   expected undelivered {u:,.0f} t/yr of the portfolio")
    ok_choices = check["years_with_other_choices"] == 0 and check["max_diff_t"] < 1e-6
    goals = [
        ("identical route choices and numbers on the sample", ok_choices),
        ("at least 100x the baseline", ratio >= 100),
        ("at most 5 s for 10^6 years", years < 1_000_000 or engine_s * 1_000_000 / years <= 5),
    ]
    for name, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    sys.exit(0 if all(ok for _, ok in goals) else 1)


if __name__ == "__main__":
    main()
