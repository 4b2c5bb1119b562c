"""Uncertainty speed: 1,000 joint draws of a compare, re-pricing fixed candidate routes,
against rebuilding the network and running the compare for every draw, same run.

Cases: rare-earth concentrate KZ_ZHANA_KZ → JP_YOKOHAMA and U3O8 KZ_NORTH_KHARASAN →
JP_YOKOHAMA on the bundled network.

Fast: :func:`corridor.uncertainty.propagate.prepare` (candidate routes searched once on a
freshly loaded network, cold caches) then the headlines of every draw; and the whole
``compare(..., uncertainty=N)`` as a user runs it (bands, Sobol' indices over
``N_base × (factors + 2)`` more draws, tornado, improve-first, two draws re-checked in full).

Baseline: for each draw, :func:`corridor.uncertainty.sampling.perturbed` builds the network
with the drawn figures and :func:`corridor.compare` runs on it (graphs built, routes
searched). Timed on ``--baseline`` draws and scaled to ``--samples``; on those draws the
cheapest cost and the premium of avoiding China must equal the fast path's, or the benchmark
fails.

Goal (issue #16): 1,000 draws of a compare for one origin–destination in at most 10 s on one
core. Run: ``python benchmarks/bench_uncertainty.py`` (``--quick`` for a short check).
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

import corridor  # noqa: E402
from corridor.analysis.queries import PREMIUM_RULES  # noqa: E402
from corridor.costs import Assumptions  # noqa: E402
from corridor.graph import commodity_graph  # noqa: E402
from corridor.network import load_network  # noqa: E402
from corridor.network.schema import FAMILIES  # noqa: E402
from corridor.uncertainty.propagate import prepare  # noqa: E402
from corridor.uncertainty.sampling import perturbed, unit_draws  # noqa: E402

CASES = (
    ("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA"),
    ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA"),
)
SEED = 0
RULE = "avoid China"


def _fast(commodity: str, origin: str, dest: str, samples: int) -> tuple[float, object]:
    net = load_network()  # fresh identity: no graph cached from an earlier run
    a = Assumptions()
    started = time.perf_counter()
    p = prepare(
        net,
        origin,
        dest,
        lambda av, fams: commodity_graph(net, commodity, a, av, fams),
        FAMILIES,
        PREMIUM_RULES,
    )
    x = p.draws(unit_draws(samples, len(p.factors), SEED))
    p.headlines(x)
    return time.perf_counter() - started, (p, x)


def _full(commodity: str, origin: str, dest: str, samples: int) -> float:
    net = load_network()
    started = time.perf_counter()
    corridor.compare(commodity, origin, dest, network=net, uncertainty=samples, seed=SEED)
    return time.perf_counter() - started


def _baseline(p: object, x: np.ndarray, rows: int) -> tuple[float, float]:
    """Seconds per draw of rebuild + compare, and the largest gap to the fast headlines."""
    keys = p.model.keys  # type: ignore[attr-defined]
    route = p.routes[0]  # type: ignore[attr-defined]
    fast = p.headlines(x[:rows])  # type: ignore[attr-defined]
    gap = 0.0
    started = time.perf_counter()
    for row in range(rows):
        values = {k: float(x[row, i]) for i, k in enumerate(keys, start=1)}
        net, a = perturbed(p.net, p.assumptions, values)  # type: ignore[attr-defined]
        cmp = corridor.compare(
            route.commodity, route.origin, route.destination, network=net, assumptions=a
        )
        cheapest = cmp.cheapest.cost_usd_per_t
        premium = next(alt.premium_usd_per_t for alt in cmp.premium if alt.name == RULE)
        gap = max(gap, abs(cheapest - fast["cost:cheapest"][row]))
        if premium is not None:
            gap = max(gap, abs(premium - fast[f"premium:{RULE}"][row]))
    return (time.perf_counter() - started) / rows, gap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=30, help="draws timed in the baseline")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.baseline, args.repeat = 5, 1
    load0 = os.getloadavg()
    print(f"load average: {' '.join(f'{x:.2f}' for x in load0)}; one core")
    failed = False
    for commodity, origin, dest in CASES:
        fast_s, full_s = [], []
        for _ in range(args.repeat):
            t, state = _fast(commodity, origin, dest, args.samples)
            fast_s.append(t)
            full_s.append(_full(commodity, origin, dest, args.samples))
        p, x = state  # type: ignore[misc]
        per_draw, gap = _baseline(p, x, args.baseline)
        base_s = per_draw * args.samples
        print(
            f"\n{commodity} {origin} → {dest}: {args.samples:,} draws, "
            f"{len(p.factors)} factors, {len(p.routes)} candidate routes"
        )
        print(
            f"  baseline (rebuild + compare per draw): {per_draw * 1e3:.1f} ms/draw on "
            f"{args.baseline} draws → {base_s:.1f} s for {args.samples:,}"
        )
        print(
            f"  fast bands:  best {min(fast_s):.3f} s, median {statistics.median(fast_s):.3f} s"
            f"  → ×{base_s / min(fast_s):,.0f} faster (best), "
            f"×{base_s / statistics.median(fast_s):,.0f} (median)"
        )
        print(
            f"  full compare --uncertainty (bands + Sobol' + check): best {min(full_s):.2f} s, "
            f"median {statistics.median(full_s):.2f} s → ×{base_s / min(full_s):,.0f} (best), "
            f"×{base_s / statistics.median(full_s):,.0f} (median)"
        )
        print(f"  largest gap fast vs rebuild on the baseline draws: USD {gap:.2e}/t")
        if gap > 1e-6:
            print("  FAIL: the fast path differs from the rebuild", file=sys.stderr)
            failed = True
        if min(full_s) > 10.0:
            print("  FAIL: more than 10 s for the draws", file=sys.stderr)
            failed = True
    print(f"\nload average 1/5/15 min: before {load0}, after {os.getloadavg()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
