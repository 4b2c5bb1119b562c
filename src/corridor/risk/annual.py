"""The annual stress test, :func:`corridor.risk.stress`: compile, run and read out a plan's
risk."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from corridor.errors import RequestError
from corridor.network.model import Network

if TYPE_CHECKING:
    from distributed import Client

from corridor.risk._common import (
    BINS,
    DEFAULT_YEARS,
    LEVELS,
    THRESHOLDS,
    FloatArray,
    IntArray,
)
from corridor.risk.allocation import Allocation
from corridor.risk.model import RiskModel, compile_model
from corridor.risk.result import Driver, GroupRisk, StressResult, Tail, concentration
from corridor.risk.runner import Announce, Progress, run
from corridor.risk.tally import Tally


def stress(
    allocation: Allocation,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    timing: str = "stationary",
    thresholds: Sequence[float] = THRESHOLDS,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
    scenario: str = "",
    dashboard: Announce | None = None,
) -> StressResult:
    """Monte Carlo stress test of an allocation under its network's disruption events.

    Parameters
    ----------
    allocation : Allocation
        What to stress (:func:`from_plan`, :func:`from_contracts`, :func:`from_routes`).
    years : int
        Simulated years (default 100,000; memory does not grow with it).
    seed : int
        Random seed: the same seed gives the same numbers, whatever ``workers``.
    timing : str
        'stationary' (default) or 'onset' (see the module docstring).
    thresholds : sequence of float
        Shares of annual volume for P(lose more than X %).
    workers, scheduler, client : optional
        Run on Dask: a local cluster of ``workers`` processes, the scheduler at
        ``scheduler``, or an existing ``client``.
    progress : callable, optional
        Called with the years done after each chunk.
    scenario : str
        Name of the scenario applied to the network (recorded with the run).
    dashboard : callable, optional
        With ``workers``: start Dask's dashboard on 127.0.0.1 and call this with its address.

    Returns
    -------
    StressResult

    Raises
    ------
    RequestError
        Bad parameters, or nothing planned to stress.
    """

    if not allocation.flows or not any(f.planned_t_per_year > 0 for f in allocation.flows):
        raise RequestError("nothing is planned on any route: there is nothing to stress")
    _check_thresholds(thresholds)
    started = time.perf_counter()
    model = compile_model(allocation, timing)
    total = run(
        model,
        years=years,
        seed=seed,
        thresholds=thresholds,
        workers=workers,
        scheduler=scheduler,
        client=client,
        progress=progress,
        dashboard=dashboard,
    )
    return _result(
        allocation,
        model,
        total,
        _RunInfo(years, seed, timing, tuple(thresholds), scenario),
        time.perf_counter() - started,
        allocation.network.data_version,
    )


def _check_thresholds(thresholds: Sequence[float]) -> None:
    for q in thresholds:
        if not 0 < q < 1:
            raise RequestError(f"loss thresholds are shares of volume in (0, 1), not {q}")


@dataclass(frozen=True)
class _RunInfo:
    years: int
    seed: int
    timing: str
    thresholds: tuple[float, ...]
    scenario: str


def _result(
    allocation: Allocation,
    model: RiskModel,
    total: Tally,
    info: _RunInfo,
    seconds: float,
    version: str,
) -> StressResult:
    groups = [_group(model, total, g, info.thresholds) for g in range(len(model.group_ids))]
    flows = len(model.flow_ids)
    cut = total.flow_sums[0] / total.years
    tdays = total.flow_sums[1] / total.years
    planning = total.flow_sums[2] / total.years
    return StressResult(
        allocation=allocation,
        years=info.years,
        seed=info.seed,
        timing=info.timing,
        levels=LEVELS,
        portfolio=groups[0],
        contracts=tuple(groups[1 : 1 + flows]),
        families=tuple(groups[1 + flows :]),
        drivers=_drivers(model, allocation.network, total),
        concentration=concentration(allocation),
        cut_t_mean={f: float(c) for f, c in zip(model.flow_ids, cut, strict=True)},
        planning_effect_usd_mean={
            f: float(p) for f, p in zip(model.flow_ids, planning, strict=True)
        },
        extra_days_mean={
            f: float(t / v) if v else 0.0
            for f, t, v in zip(model.flow_ids, tdays, model.volumes, strict=True)
        },
        histograms={
            "undelivered_t": _coarse(total, model, 0),
            "extra_cost_usd": _coarse(total, model, 1),
        },
        seconds=seconds,
        data_version=version,
        scenario=info.scenario,
        notes=_notes(allocation),
    )


def _group(model: RiskModel, total: Tally, g: int, thresholds: Sequence[float]) -> GroupRisk:
    flows = len(model.flow_ids)
    kind = "portfolio" if g == 0 else "contract" if g <= flows else "family"
    return GroupRisk(
        model.group_ids[g],
        kind,
        float(model.group_volumes[g]),
        _tail(total, model, 0, g),
        _tail(total, model, 1, g),
        {q: float(total.exceed[g, i]) / total.years for i, q in enumerate(thresholds)},
    )


def _tail(total: Tally, model: RiskModel, m: int, g: int) -> Tail:
    n = total.years
    mean = float(total.sums[m, g]) / n
    variance = max(float(total.sums[2 + m, g]) / n - mean * mean, 0.0)
    counts, sums = total.counts[m, g], total.bin_sums[m, g]
    var, cvar = {}, {}
    for q in LEVELS:
        var[q], cvar[q], _ = tail_of_histogram(counts, sums, q)
    lo, hi = model.bounds[m, g]
    return Tail(mean, math.sqrt(variance / n), var, cvar, float(hi - lo) / BINS)


def tail_of_histogram(
    counts: IntArray, sums: FloatArray, level: float
) -> tuple[float, float, tuple[int, float]]:
    """VaR and CVaR at ``level`` from a histogram with per-bin sums.

    VaR is the mean of the bin holding the ``ceil(level × n)``-th smallest value; CVaR is
    ``VaR + E[(L − VaR)+] / (1 − level)`` (Rockafellar–Uryasev), with the bins above the
    VaR bin counted exactly by their sums. Also returns the VaR bin and the fraction of it
    that belongs to the tail (for attributing the tail to events).
    """
    n = int(counts.sum())
    rank = max(1, math.ceil(level * n - 1e-9))
    b = int(np.searchsorted(np.cumsum(counts), rank))
    var = float(sums[b] / counts[b])
    above = slice(b + 1, None)
    excess = float(sums[above].sum() - counts[above].sum() * var)
    tail = (1.0 - level) * n
    cvar = var + excess / tail
    fraction = (tail - float(counts[above].sum())) / counts[b]
    return var, cvar, (b, min(max(fraction, 0.0), 1.0))


def _drivers(model: RiskModel, net: Network, total: Tally) -> tuple[Driver, ...]:
    n = total.years
    shares: list[dict[float, FloatArray]] = [{}, {}]
    for m in (0, 1):
        counts, sums = total.counts[m, 0], total.bin_sums[m, 0]
        for q in LEVELS:
            _, _, (b, fraction) = tail_of_histogram(counts, sums, q)
            attr = total.attribution[m]
            shares[m][q] = (attr[:, b + 1 :].sum(axis=1) + fraction * attr[:, b]) / ((1.0 - q) * n)
    out = [
        Driver(
            eid,
            net.event(eid).name_en,
            {q: float(shares[0][q][e]) for q in LEVELS},
            {q: float(shares[1][q][e]) for q in LEVELS},
            float(total.attribution[0, e].sum()) / n,
            float(total.attribution[1, e].sum()) / n,
        )
        for e, eid in enumerate(model.events.ids)
    ]
    out = [d for d in out if d.mean_undelivered_t or d.mean_extra_cost_usd]
    return tuple(sorted(out, key=lambda d: -d.undelivered_t[LEVELS[0]]))


def _coarse(total: Tally, model: RiskModel, m: int, bars: int = 60) -> tuple[FloatArray, IntArray]:
    """The portfolio histogram rebinned to about ``bars`` bars up to the largest value seen."""
    counts = total.counts[m, 0]
    lo, hi = model.bounds[m, 0]
    used = np.flatnonzero(counts)
    first, last = int(used[0]), int(used[-1]) + 1
    step = max(1, math.ceil((last - first) / bars))
    edges_i = np.arange(first, last + step, step)
    width = (hi - lo) / BINS if hi > lo else 1.0
    grouped = np.add.reduceat(counts, edges_i[:-1]) if len(edges_i) > 1 else counts[first:last]
    grouped = grouped[: len(edges_i) - 1]
    return lo + edges_i * width, grouped.astype(np.int64)


def _notes(allocation: Allocation) -> tuple[str, ...]:
    notes = [
        "re-routing: displaced tonnes move to the cheapest candidate route the event does not "
        "hit, within its spare capacity and the share of the year it is open; the rest is "
        "undelivered (see docs/risk.md)",
        "spare capacity is the capacity figure minus this plan's own tonnes: other users of "
        "the same infrastructure are not modelled",
    ]
    short = [f for f in allocation.flows if f.planned_t_per_year < f.volume_t_per_year - 1e-6]
    for f in short:
        notes.append(
            f"contract {f.id}: the plan carries {f.planned_t_per_year:,.0f} of "
            f"{f.volume_t_per_year:,.0f} t/yr before any disruption"
        )
    return tuple(notes)


# --------------------------------------------------------------------------- reference
